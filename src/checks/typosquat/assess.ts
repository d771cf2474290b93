/**
 * The whole typosquat assessment of one module: the name check (corpus + the repo's own requirements), a
 * same-name lookup on GitHub when the name check found no target, then the facts about the suspect relative
 * to its target (proxy publication and go.mod, GitHub repositories and owners, zip contents), and the
 * verdict (verdict.ts). The app's scan and `modwarden typosquat` both come here through engine/wiring.ts.
 * Sources are passed in (null = not available); nothing here throws on network trouble.
 */
import type { ModuleVersion } from '../../gomod/types.js';
import type { GitHubMetaClient, RepoMeta } from '../../sources/github/meta.js';
import { compareWithTarget, type FileDigest } from './clone.js';
import type { RepoFacts, TyposquatDetector, TyposquatResult } from './detector.js';
import {
  comparableVersion,
  deprecation,
  firstPublication,
  releases,
  repoSide,
  searchOriginal,
  type Got,
  type ProxyFacts,
} from './evidence.js';
import { parsePath } from './path-parts.js';
import { decideVerdict, STRONG_NAME, THROWAWAY_DAYS, type EvidenceSource, type RepoSide, type VerdictFacts } from './verdict.js';

/** The sources an assessment may use. */
export interface AssessSources {
  /** The module proxy (null: offline). */
  proxy: ProxyFacts | null;
  /** GitHub metadata (null: not configured or offline). */
  meta: GitHubMetaClient | null;
  /** Module files for the content comparison (null: no content). */
  fetchFiles: ((mv: ModuleVersion) => Promise<readonly FileDigest[]>) | null;
  /** Why the proxy / GitHub is missing, for the reasons ("offline", "no GitHub token"). */
  proxyOff?: string;
  metaOff?: string;
  /** Judge the module as if the corpus did not list it (evaluation: leave-one-out, long-tail set). */
  assumeUnknown?: boolean;
  /** The review time, for wording only ("first published 3 days ago"); verdicts never depend on it. */
  now?: Date;
}

/**
 * The search budget (per scan) goes to the repositories a copy campaign leaves behind: published by an account
 * made just before the repository, or unused (no stars, no forks). Relative facts only; a big PR of established
 * modules does not spend it.
 */
function worthSearching(side: RepoSide): boolean {
  const created = Date.parse(side.repo.createdAt);
  const owner = Date.parse(side.ownerCreatedAt ?? '');
  const throwaway = !Number.isNaN(created) && !Number.isNaN(owner) && created - owner < THROWAWAY_DAYS * 86_400_000;
  return throwaway || (side.repo.stars === 0 && (side.repo.forks ?? 0) === 0);
}
/**
 * Score given to a target found only by a same-name search: below the reporting threshold, so "same repo name,
 * other owner" found this way is reported only when the evidence corroborates it (verdict.ts).
 */
const SEARCH_MATCH_SCORE = 0.45;
/** Name matches at least this close are judged on their evidence even below the reporting threshold. */
const GATHER_FLOOR = 0.3;

function repoFacts(side: RepoSide): RepoFacts {
  const r = side.repo;
  return { fullName: r.fullName, createdAt: r.createdAt || null, stars: r.stars, fork: r.fork, parent: r.parent, ownerCreatedAt: side.ownerCreatedAt };
}

const SKIP = new Set(['allow-listed', 'known-module', 'already-required']);

/** True when the target's repository has exactly the suspect's repo name (the copy's original, rather than a look-alike). */
const sameName = (r: TyposquatResult, repo: string): boolean => parsePath(r.targetRepo ?? r.target ?? '').repo.toLowerCase() === repo.toLowerCase();
const rankOf = (r: TyposquatResult): number => (r.severity ? RANK[r.severity] ?? 0 : 0);

/** Severity order, for picking the candidate target with the strongest evidence. */
const RANK: Record<string, number> = { critical: 5, high: 4, medium: 3, low: 2, info: 1 };

/**
 * Assesses one module (with the version a change fetches, or null: the latest). Candidate targets: the name
 * check's (corpus, the repo's requirements, config) when it resembles one at all, and, when that match is
 * missing or weak, the older same-name repository GitHub's search finds. Each candidate is judged on its
 * evidence; the most severe verdict is reported.
 */
export async function assessModule(
  detector: TyposquatDetector,
  suspect: { path: string; version: string | null },
  existing: readonly string[],
  src: AssessSources,
): Promise<TyposquatResult> {
  const named = detector.check(suspect.path, { existing: [...existing], ...(src.assumeUnknown ? { assumeUnknown: true } : {}) });
  if (named.signals.some((x) => SKIP.has(x))) return { ...named, severity: null };
  const unavailable: Array<{ source: EvidenceSource; why: string }> = [];
  if (!src.proxy) unavailable.push({ source: 'proxy', why: src.proxyOff ?? 'module proxy not used' });
  if (!src.meta) unavailable.push({ source: 'github', why: src.metaOff ?? 'GitHub metadata not used' });

  const s = parsePath(suspect.path);
  const onGitHub = s.host === 'github.com' && !!s.owner && !!s.repo;
  let suspectSide: Promise<Got<RepoSide | null>> | null = null;
  const suspectRepo = () => (suspectSide ??= repoSide(src.meta!, s.owner!, s.repo));

  const candidates: TyposquatResult[] = [];
  // A faint name match is still worth the evidence when content can decide (a copy under a vanity name).
  if (named.target && (named.suspicious || (named.score >= GATHER_FLOOR && src.proxy))) candidates.push(named);
  // A copy of a niche module under a new owner: no corpus entry resembles it; GitHub's same-name search may.
  if (src.meta && onGitHub && (!named.target || named.score < STRONG_NAME)) {
    const side = await suspectRepo();
    if (side.ok && side.value && worthSearching(side.value)) {
      const found = await searchOriginal(src.meta, side.value.repo);
      if (!found.ok) unavailable.push({ source: 'github', why: `same-name search: ${found.why}` });
      else if (found.value && `github.com/${found.value.fullName}`.toLowerCase() !== (named.target ?? '').toLowerCase()) {
        candidates.push(withSearchTarget(named, found.value));
      }
    } else if (!side.ok) unavailable.push({ source: 'github', why: side.why });
  }
  if (!candidates.length) {
    return { ...named, suspicious: false, severity: null, ...(named.target && unavailable.length ? { notes: [...(named.notes ?? []), ...unavailable.map((u) => `${u.source}: ${u.why}`)] } : {}) };
  }
  let best: TyposquatResult | null = null;
  for (const c of candidates) {
    const judged = await judgeCandidate(detector, c, suspect, src, [...unavailable], suspectRepo, onGitHub);
    if (!best || rankOf(judged) > rankOf(best) || (rankOf(judged) === rankOf(best) && sameName(judged, s.repo) && !sameName(best, s.repo))) best = judged;
  }
  return best!;
}

/** Gathers the facts about the suspect relative to one candidate target and decides. */
async function judgeCandidate(
  detector: TyposquatDetector,
  result: TyposquatResult,
  suspect: { path: string; version: string | null },
  src: AssessSources,
  unavailable: Array<{ source: EvidenceSource; why: string }>,
  suspectRepo: () => Promise<Got<RepoSide | null>>,
  onGitHub: boolean,
): Promise<TyposquatResult> {
  const target = result.target!;
  const facts: VerdictFacts = { unavailable };

  // Proxy and GitHub lookups of both sides run together.
  const proxyPart = async () => {
    if (!src.proxy) return;
    const [sRel, tRel] = await Promise.all([releases(src.proxy, suspect.path), releases(src.proxy, target)]);
    const [sPub, tPub] = await Promise.all([firstPublication(src.proxy, suspect.path, sRel), firstPublication(src.proxy, target, tRel)]);
    if (sPub.ok && tPub.ok) facts.publication = { suspect: sPub.value, target: tPub.value };
    else unavailable.push({ source: 'proxy', why: `first publication: ${!sPub.ok ? sPub.why : (tPub as { why: string }).why}` });
    // Versions for go.mod and content: the one given (else the suspect's latest), and the target's same or nearest earlier.
    let sVersion = suspect.version;
    let tVersion: string | null = null;
    try {
      sVersion ??= (await src.proxy.latest(suspect.path)).Version;
      tVersion = tRel.ok && tRel.value.length ? comparableVersion(tRel.value, sVersion) : (await src.proxy.latest(target)).Version;
    } catch (e) {
      unavailable.push({ source: 'proxy', why: `versions: ${e instanceof Error ? e.message : String(e)}` });
    }
    if (!sVersion || !tVersion) return;
    const tLatest = tRel.ok && tRel.value.length ? tRel.value.at(-1)! : tVersion;
    const [sDep, tDep] = await Promise.all([deprecation(src.proxy, suspect.path, sVersion), deprecation(src.proxy, target, tLatest)]);
    if (sDep.ok || tDep.ok) facts.deprecated = { suspect: sDep.ok ? sDep.value : null, target: tDep.ok ? tDep.value : null };
    if (src.fetchFiles) facts.clone = await compareWithTarget({ path: suspect.path, version: sVersion }, { path: target, version: tVersion }, src.fetchFiles);
  };
  const githubPart = async () => {
    if (!src.meta) return;
    const tRepo = targetGitHubRepo(result);
    const [sSide, tSide] = await Promise.all([
      onGitHub ? suspectRepo() : Promise.resolve(null),
      tRepo ? repoSide(src.meta, tRepo.owner, tRepo.repo) : Promise.resolve(null),
    ]);
    if (sSide && !sSide.ok) unavailable.push({ source: 'github', why: sSide.why });
    if (tSide && !tSide.ok) unavailable.push({ source: 'github', why: tSide.why });
    if (sSide?.ok || tSide?.ok) {
      facts.github = {};
      if (sSide?.ok) facts.github.suspect = sSide.value;
      if (tSide?.ok) facts.github.target = tSide.value;
    }
  };
  await Promise.all([proxyPart(), githubPart()]);
  if (result.targetSource === 'corpus') {
    const d = detector.dependentsOf(target);
    if (d !== undefined) facts.targetDependents = d;
  }

  const v = decideVerdict({ module: suspect.path, target, targetSource: result.targetSource ?? null, score: result.score, signals: result.signals }, facts, src.now ? { now: src.now } : {});
  const gh = facts.github;
  const copied = facts.clone?.nearCopy === true || facts.clone?.identicalCopy === true;
  const declaredFork = v.evidence.some((e) => e.kind === 'declared-fork');
  return {
    ...result,
    severity: v.severity,
    suspicious: v.severity !== null,
    score: v.score,
    signals: [...result.signals, ...v.evidence.filter((e) => e.effect !== 'neutral' && e.effect !== 'unavailable' && e.source !== 'corpus').map((e) => e.kind)],
    // A copy's content is the headline; otherwise the name match is, and the evidence follows it.
    reasons: copied ? [...v.reasons, ...result.reasons] : [...result.reasons, ...v.reasons],
    notes: [...(result.notes ?? []), ...unavailable.map((u) => `${u.source}: ${u.why}`)],
    evidence: {
      ...(gh?.suspect ? { suspect: repoFacts(gh.suspect) } : {}),
      ...(gh?.target ? { target: repoFacts(gh.target) } : {}),
      ...(declaredFork ? { declaredFork } : {}),
      entries: v.evidence,
    },
    ...(facts.clone ? { clone: facts.clone } : {}),
  };
}

/** The GitHub repository behind the target: itself, or the one the corpus ties to its vanity path. */
function targetGitHubRepo(r: TyposquatResult): { owner: string; repo: string } | null {
  const t = parsePath(r.target!);
  const gh = t.host === 'github.com' ? t : r.targetRepo ? parsePath(r.targetRepo) : t.githubRepo ? parsePath(t.githubRepo) : null;
  return gh?.owner && gh.repo ? { owner: gh.owner, repo: gh.repo } : null;
}

/** The result with an original found by search as its target (a weak, same-name match). */
function withSearchTarget(r: TyposquatResult, original: RepoMeta): TyposquatResult {
  const target = `github.com/${original.fullName}`;
  return {
    ...r,
    target,
    targetSource: 'search',
    targetRepo: target,
    score: Math.max(r.score, SEARCH_MATCH_SCORE),
    suspicious: true,
    signals: [...r.signals, 'older-same-name-repo'],
    reasons: [...r.reasons, `\`${r.module}\` has the same repo name as the older, more starred \`${target}\` (found by GitHub search) under another owner`],
  };
}

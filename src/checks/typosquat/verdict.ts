/**
 * The typosquat verdict: how severe a name match is, decided by evidence about the suspect *relative to its
 * target* (issue 11). Pure: the facts are gathered elsewhere (assess.ts) and passed in.
 *
 * Nothing here compares a date with today: every time is compared with another fact (the target's first
 * release, the owner account's creation), so a copy reviewed three years after publication gets the same
 * verdict as on its first day. `now` only words ages ("3 days ago").
 *
 * Policy, roughly:
 * - a near-copy of the target with files changed, or an identical copy published later by an unrelated
 *   owner: critical;
 * - a strong name imitation (look-alike owner, confusables, affixes, host typos; name score >= 0.7): high on
 *   its own, critical when a throwaway publisher corroborates it;
 * - a weak match ("same repo name, other owner", host swap, vanity name under an account): medium, which does
 *   not fail at the default `failOn: high`; high only when the repository facts corroborate it (a publisher
 *   account made just before the repo, published after the target's first release, far less used);
 * - quiet for a declared fork, a rename or successor (GitHub redirect, `// Deprecated:` line or description
 *   naming the other path), the original of a fork, and a suspect older and at least as used as its target.
 */
import type { Severity } from '../../findings.js';
import type { RepoMeta } from '../../sources/github/meta.js';
import type { CloneComparison } from './clone.js';
import { describeClone } from './clone.js';

/** Where a piece of evidence came from. */
export type EvidenceSource = 'corpus' | 'proxy' | 'github' | 'content';

/** What it did to the verdict. */
export type EvidenceEffect = 'raises' | 'lowers' | 'clears' | 'neutral' | 'unavailable';

/** One piece of evidence, named by its source, in words a reviewer can check. */
export interface EvidenceEntry {
  source: EvidenceSource;
  /** Stable id: `name-strong`, `published-later`, `young-publisher`, `near-copy`, `declared-fork`, ... */
  kind: string;
  effect: EvidenceEffect;
  detail: string;
}

/** The first published version of a module, from the proxy (`@v/list` + `.info`). */
export interface Publication {
  version: string;
  /** ISO time the proxy gives for it. */
  time: string;
}

/** A GitHub repository and its owner's account creation time. */
export interface RepoSide {
  repo: RepoMeta;
  ownerCreatedAt: string | null;
}

/** Everything gathered about a suspect and its target; absent = not gathered, with the reason in `unavailable`. */
export interface VerdictFacts {
  /** First publication of each side (null = the proxy lists no version). */
  publication?: { suspect: Publication | null; target: Publication | null };
  /** Repository facts; null = the repository does not exist on GitHub, absent = not asked. */
  github?: { suspect?: RepoSide | null; target?: RepoSide | null };
  /** The suspect's zip against the target's. */
  clone?: CloneComparison;
  /** `// Deprecated:` messages of each side's go.mod (latest version), when read. */
  deprecated?: { suspect: string | null; target: string | null };
  /** Target usage in the corpus sample (0 = listed but no dependents seen), when the target is a corpus entry. */
  targetDependents?: number;
  /** Sources that could not be asked, with why (offline, rate-limited, proxy unreachable). */
  unavailable?: Array<{ source: EvidenceSource; why: string }>;
}

/** What the verdict decided. */
export interface Verdict {
  /** null: not reported (cleared by evidence or no match). */
  severity: Severity | null;
  evidence: EvidenceEntry[];
  /** Extra reasons to show (decisive evidence first). */
  reasons: string[];
  /** The suspicion score after evidence (0..1). */
  score: number;
}

/** The name check's part of a result the verdict needs. */
export interface NameMatch {
  module: string;
  target: string | null;
  targetSource?: string | null;
  score: number;
  signals: string[];
}

/** Name scores at or above this are strong imitations (look-alike owner, confusables, affixes, host typos). */
export const STRONG_NAME = 0.7;
/** Name scores below this are not reported on the name alone. */
const REPORT_THRESHOLD = 0.5;
/** A publisher account created this close before the repository is a throwaway. */
export const THROWAWAY_DAYS = 30;
/** A target this many times more starred than the suspect is "far more used". */
const USAGE_RATIO = 5;

const DAY = 86_400_000;

function ms(iso: string | null | undefined): number {
  return iso ? Date.parse(iso) : NaN;
}

function copyOf(c: CloneComparison | undefined): boolean {
  return c?.status === 'compared' && (c.nearCopy || c.identicalCopy);
}

/** "3 days", "2 years": the distance between two times, for wording only. */
export function span(fromMs: number, toMs: number): string {
  const d = Math.abs(toMs - fromMs) / DAY;
  if (d < 1) return 'less than a day';
  if (d < 60) return `${Math.round(d)} day${Math.round(d) === 1 ? '' : 's'}`;
  if (d < 730) return `${Math.round(d / 30.4)} months`;
  return `${Math.round(d / 365.25)} years`;
}

function day(iso: string | null | undefined): string {
  return iso ? iso.slice(0, 10) : 'unknown';
}

function mentions(text: string | null | undefined, path: string | null | undefined): boolean {
  if (!text || !path) return false;
  const t = text.toLowerCase();
  const p = path.toLowerCase();
  return t.includes(p) || (p.startsWith('github.com/') && t.includes(p.slice('github.com/'.length)));
}

/** Decides severity and evidence for a name match and the facts gathered about it. */
export function decideVerdict(match: NameMatch, facts: VerdictFacts, opts: { now?: Date } = {}): Verdict {
  const ev: EvidenceEntry[] = [];
  const add = (source: EvidenceSource, kind: string, effect: EvidenceEffect, detail: string) => ev.push({ source, kind, effect, detail });
  const strong = match.score >= STRONG_NAME;
  const targetPath = match.target;
  add(
    'corpus',
    strong ? 'name-strong' : 'name-weak',
    strong ? 'raises' : 'neutral',
    `${strong ? 'strong' : 'weak'} name imitation of \`${targetPath}\` (name score ${match.score}; found in ${match.targetSource ?? 'corpus'})`,
  );
  for (const u of facts.unavailable ?? []) add(u.source, 'unavailable', 'unavailable', u.why);

  const gh = facts.github;
  const s = gh?.suspect?.repo ?? null;
  const t = gh?.target?.repo ?? null;
  const pub = facts.publication;

  // --- Evidence that the two are legitimately related: quiet.
  let cleared = false;
  const clear = (source: EvidenceSource, kind: string, detail: string) => {
    cleared = true;
    add(source, kind, 'clears', detail);
  };
  if (s && t) {
    const sFull = s.fullName.toLowerCase();
    const tFull = t.fullName.toLowerCase();
    if (sFull === tFull) clear('github', 'same-repository', `GitHub serves both paths from one repository, \`${t.fullName}\`${s.movedFrom ? ` (\`${s.movedFrom}\` was renamed or transferred)` : ''}`);
    else if (s.movedFrom && s.movedFrom.toLowerCase() !== sFull && s.fullName.toLowerCase() === tFull) clear('github', 'rename', `\`${s.movedFrom}\` redirects to \`${s.fullName}\` on GitHub (renamed)`);
    if (t.movedFrom && t.fullName.toLowerCase() === sFull) clear('github', 'rename', `GitHub redirects \`${t.movedFrom}\` to \`${t.fullName}\`: the target was renamed to the suspect`);
    if (s.movedFrom && s.fullName.toLowerCase() === tFull) clear('github', 'rename', `GitHub redirects \`${s.movedFrom}\` to \`${s.fullName}\`: the suspect is the target's old name`);
    if (s.fork && (s.parent ?? '').toLowerCase() === tFull) clear('github', 'declared-fork', `GitHub lists \`${s.fullName}\` as a fork of \`${t.fullName}\`: a fork that says so`);
    if (t.fork && (t.parent ?? '').toLowerCase() === sFull) clear('github', 'original-of-fork', `\`${t.fullName}\` is a declared fork of \`${s.fullName}\`: the suspect is the original`);
    if (t.archived && mentions(t.description, match.module)) clear('github', 'successor', `\`${t.fullName}\` is archived and its description points to \`${match.module}\``);
    if (s.archived && mentions(s.description, targetPath)) clear('github', 'successor', `\`${s.fullName}\` is archived and its description points to \`${targetPath}\``);
  }
  if (facts.deprecated) {
    if (mentions(facts.deprecated.target, match.module)) clear('proxy', 'successor', `\`${targetPath}\` is deprecated in favour of the suspect: "${facts.deprecated.target!.slice(0, 200)}"`);
    if (mentions(facts.deprecated.suspect, targetPath)) clear('proxy', 'successor', `\`${match.module}\` is deprecated in favour of \`${targetPath}\` (an old name of it): "${facts.deprecated.suspect!.slice(0, 200)}"`);
  }

  // --- Who came first. Publication from the proxy; repository creation from GitHub when the proxy is silent.
  const sFirst = ms(pub?.suspect?.time) || NaN;
  const tFirst = ms(pub?.target?.time) || NaN;
  const sCreated = ms(s?.createdAt);
  const tCreated = ms(t?.createdAt);
  let order: 'later' | 'earlier' | 'unknown' = 'unknown';
  if (!Number.isNaN(sFirst) && !Number.isNaN(tFirst)) {
    order = sFirst > tFirst ? 'later' : 'earlier';
    add('proxy', order === 'later' ? 'published-later' : 'published-earlier', order === 'later' ? 'raises' : 'lowers',
      `\`${match.module}\` first published ${pub!.suspect!.version} on ${day(pub!.suspect!.time)}, ${span(sFirst, tFirst)} ${order === 'later' ? 'after' : 'before'} \`${targetPath}\` ${pub!.target!.version} (${day(pub!.target!.time)})`);
  } else if (!Number.isNaN(sCreated) && !Number.isNaN(tCreated)) {
    order = sCreated > tCreated ? 'later' : 'earlier';
  }
  // A repository created after the target's first release (or after the target repository) is a later copy.
  const tOrigin = !Number.isNaN(tFirst) ? tFirst : tCreated;
  if (!Number.isNaN(sCreated) && !Number.isNaN(tOrigin)) {
    const after = sCreated > tOrigin;
    add('github', after ? 'created-after-target' : 'created-before-target', after ? 'raises' : 'lowers',
      `repository \`${s!.fullName}\` was created ${day(s!.createdAt)}, ${span(sCreated, tOrigin)} ${after ? 'after' : 'before'} \`${targetPath}\` ${!Number.isNaN(tFirst) ? 'was first released' : 'was created'} (${day(new Date(tOrigin).toISOString())})`);
    if (order === 'unknown') order = after ? 'later' : 'earlier';
  }

  // --- The publisher: how old was the account when it created the repository?
  let throwaway = false;
  const ownerAt = ms(gh?.suspect?.ownerCreatedAt);
  if (!Number.isNaN(ownerAt) && !Number.isNaN(sCreated)) {
    const ageDays = (sCreated - ownerAt) / DAY;
    throwaway = ageDays < THROWAWAY_DAYS;
    add('github', throwaway ? 'young-publisher' : 'established-publisher', throwaway ? 'raises' : 'neutral',
      `the account \`${s!.owner}\` was ${span(ownerAt, sCreated)} old when it created \`${s!.fullName}\``);
  }

  // --- Usage: stars and forks relative to the target.
  let lessUsed = false;
  let atLeastAsUsed = false;
  if (s && t && Number.isFinite(s.stars) && Number.isFinite(t.stars)) {
    lessUsed = t.stars >= USAGE_RATIO * (s.stars + 1);
    atLeastAsUsed = s.stars >= t.stars;
    const forks = s.forks !== undefined && t.forks !== undefined ? `, ${s.forks} vs ${t.forks} forks` : '';
    add('github', lessUsed ? 'far-less-used' : atLeastAsUsed ? 'more-used' : 'comparable-use', lessUsed ? 'raises' : atLeastAsUsed ? 'lowers' : 'neutral',
      `\`${s.fullName}\` has ${s.stars} star${s.stars === 1 ? '' : 's'}, \`${t.fullName}\` ${t.stars}${forks}`);
  } else if (order === 'earlier' && facts.targetDependents === 0) {
    // Offline usage: a corpus entry nobody in the sample depends on does not outrank an older module.
    atLeastAsUsed = true;
  }
  if (gh && gh.suspect === null) add('github', 'repo-missing', 'raises', `\`${match.module}\` has no repository on GitHub (deleted, renamed or private) while the proxy may still serve it`);

  if (order === 'earlier' && atLeastAsUsed) clear(pub ? 'proxy' : 'github', 'older-and-used', `\`${match.module}\` is older than \`${targetPath}\` and at least as used: it is the original, not the copy`);
  // A weak resemblance to something that did not exist yet is no imitation (a strong one still deserves a look).
  else if (order === 'earlier' && !strong && !copyOf(facts.clone)) clear(pub?.suspect && pub.target ? 'proxy' : 'github', 'older', `\`${match.module}\` existed before \`${targetPath}\`: it cannot be imitating it`);

  // --- Content: decisive when available.
  const c = facts.clone;
  let copy: 'near' | 'identical' | null = null;
  if (c?.status === 'compared') {
    copy = c.nearCopy ? 'near' : c.identicalCopy ? 'identical' : null;
    add('content', copy === 'near' ? 'near-copy' : copy === 'identical' ? 'identical-copy' : 'unrelated-code', copy ? 'raises' : 'neutral', describeClone(c));
  } else if (c) add('content', 'unavailable', 'unavailable', describeClone(c));

  // --- Severity.
  let severity: Severity | null;
  let score = match.score;
  if (cleared) {
    severity = null;
    score = Math.min(score, 0.3);
  } else if (copy === 'near' && order !== 'earlier') {
    severity = 'critical';
  } else if (copy === 'identical' && order === 'later') {
    severity = 'critical';
  } else if (strong) {
    severity = throwaway || copy !== null ? 'critical' : order === 'earlier' ? 'medium' : 'high';
  } else {
    const corroborated = throwaway && order === 'later' && lessUsed;
    // A faint match (below the reporting threshold) is reported only when the evidence corroborates it.
    severity = corroborated || copy !== null ? 'high' : match.score >= REPORT_THRESHOLD ? 'medium' : null;
  }
  if (severity === 'critical') score = Math.max(score, 0.95);
  else if (severity === 'high') score = Math.max(score, 0.7);
  else if (severity === 'medium') score = Math.min(Math.max(score, 0.5), 0.69);

  const reasons: string[] = [];
  const decisive = ev.filter((e) => e.effect === 'clears' || e.kind === 'near-copy' || e.kind === 'identical-copy');
  for (const e of decisive) reasons.push(e.detail);
  if (severity && severity !== 'critical' && !decisive.length) {
    const why = ev.filter((e) => e.effect === 'raises' && e.source !== 'corpus').map((e) => e.detail);
    if (why.length) reasons.push(...why);
  }
  if (opts.now && !Number.isNaN(sFirst)) reasons.push(`first published ${span(sFirst, opts.now.getTime())} ago`);
  return { severity, evidence: ev, reasons, score: Math.round(score * 1000) / 1000 };
}

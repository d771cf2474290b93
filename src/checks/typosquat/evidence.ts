/**
 * Repository evidence for a typosquat verdict: GitHub metadata of the suspect and its target (age, stars,
 * fork-of, owner age, same-name search) raise or lower the name check's score. The facts come from
 * sources/github/meta.ts; the scoring is here.
 */
import type { RepoFacts, TyposquatResult } from './detector.js';
import { SUSPICIOUS_THRESHOLD } from './detector.js';
import { parsePath } from './path-parts.js';
import type { GitHubMetaClient, RepoMeta, UserMeta } from '../../sources/github/meta.js';

/** Options of enrichment. */
export interface EnrichOptions {
  /** Current time (tests). */
  now?: Date;
  /** Search for older same-name repos when the name check found no target (default true). */
  search?: boolean;
}

const DAY = 86_400_000;

function facts(r: RepoMeta, owner: UserMeta | null): RepoFacts {
  return { fullName: r.fullName, createdAt: r.createdAt, stars: r.stars, fork: r.fork, parent: r.parent, ownerCreatedAt: owner?.createdAt ?? null };
}

function date(s: string | null | undefined): string {
  return s ? s.slice(0, 10) : 'unknown';
}

/**
 * Adjusts a typosquat result with GitHub metadata for the suspect and its target: a young, unstarred copy of
 * an old, popular repository scores higher; a declared, popular fork scores lower; when the name check found
 * no target, a search finds older repositories with the same name. Never throws.
 */
export async function enrichTyposquat(result: TyposquatResult, meta: GitHubMetaClient, opts: EnrichOptions = {}): Promise<TyposquatResult> {
  const now = (opts.now ?? new Date()).getTime();
  const out: TyposquatResult = { ...result, reasons: [...result.reasons], signals: [...result.signals], notes: [...(result.notes ?? [])] };
  const s = parsePath(result.module);
  if (s.host !== 'github.com' || !s.owner || !s.repo) return out;
  if (result.signals.includes('allow-listed') || result.signals.includes('known-module') || result.signals.includes('already-required')) return out;
  const note = (l: { ok: false; message: string }) => {
    if (!out.notes!.includes(l.message)) out.notes!.push(`${l.message}; the verdict rests on the name check`);
  };

  const sr = await meta.repo(s.owner, s.repo);
  if (!sr.ok) {
    note(sr);
    return out;
  }
  if (!sr.value) {
    out.notes!.push(`\`github.com/${s.owner}/${s.repo}\` does not exist on GitHub (deleted, renamed or private); the module proxy may still serve cached versions of it`);
    if (out.target) {
      out.score = Math.min(1, out.score + 0.05);
      out.signals.push('repo-missing');
    }
    out.suspicious = out.score >= SUSPICIOUS_THRESHOLD;
    return out;
  }
  const suspect = sr.value;
  const su = await meta.user(suspect.owner);
  const suspectOwner = su.ok ? su.value : null;
  if (!su.ok) note(su);
  out.evidence = { ...(out.evidence ?? {}), suspect: facts(suspect, suspectOwner) };

  // The target: the name check's, if it lives on GitHub (directly or as the repo behind a vanity path).
  let targetRepo: RepoMeta | null = null;
  const tp = result.target ? parsePath(result.target) : null;
  const tgh = tp && (tp.host === 'github.com' ? tp : result.targetRepo ? parsePath(result.targetRepo) : tp.githubRepo ? parsePath(tp.githubRepo) : null);
  if (tgh?.owner && tgh.repo) {
    const tr = await meta.repo(tgh.owner, tgh.repo);
    if (tr.ok) targetRepo = tr.value;
    else note(tr);
  }
  let foundBySearch = false;
  if (!targetRepo && !result.target && opts.search !== false) {
    const found = await meta.searchByName(s.repo);
    if (!found.ok) note(found);
    else {
      const older = (found.value ?? [])
        .filter((r) => r.name.toLowerCase() === s.repo.toLowerCase() && r.fullName.toLowerCase() !== suspect.fullName.toLowerCase())
        .filter((r) => Date.parse(r.createdAt) < Date.parse(suspect.createdAt) && r.stars >= Math.max(10, suspect.stars * 5 + 1))
        .sort((a, b) => b.stars - a.stars);
      if (older[0]) {
        targetRepo = older[0];
        foundBySearch = true;
      }
    }
  }
  if (!targetRepo) {
    out.suspicious = out.score >= SUSPICIOUS_THRESHOLD;
    return out;
  }
  const tu = await meta.user(targetRepo.owner);
  out.evidence.target = facts(targetRepo, tu.ok ? tu.value : null);

  const suspectAge = (now - Date.parse(suspect.createdAt)) / DAY;
  const ownerAge = suspectOwner ? (now - Date.parse(suspectOwner.createdAt)) / DAY : null;
  const newer = Date.parse(suspect.createdAt) > Date.parse(targetRepo.createdAt);
  const declaredFork = suspect.fork && (suspect.parent ?? '').toLowerCase() === targetRepo.fullName.toLowerCase();
  const youngCopy = newer && suspect.stars < 10 && targetRepo.stars >= 50 && (suspectAge < 365 || (ownerAge !== null && ownerAge < 365)) && !declaredFork;
  const targetName = foundBySearch ? `github.com/${targetRepo.fullName}` : (result.target ?? `github.com/${targetRepo.fullName}`);
  const ages = `\`${suspect.fullName}\` was created ${date(suspect.createdAt)} with ${suspect.stars} star${suspect.stars === 1 ? '' : 's'}${suspectOwner ? ` by an account created ${date(suspectOwner.createdAt)}` : ''}; \`${targetRepo.fullName}\` was created ${date(targetRepo.createdAt)} and has ${targetRepo.stars} stars`;

  if (foundBySearch) {
    if (youngCopy) {
      out.target = targetName;
      out.targetSource = 'search';
      out.score = Math.max(out.score, 0.7);
      out.signals.push('older-same-name-repo', 'young-copy');
      out.reasons.unshift(`\`${result.module}\` has the same repo name as the older, more used \`${targetName}\` under a new owner (${ages})`);
      out.evidence.youngCopy = true;
    }
  } else if (declaredFork) {
    out.evidence.declaredFork = true;
    out.signals.push('declared-fork');
    out.score *= suspect.stars >= 50 ? 0.5 : 0.8;
    out.reasons.push(`GitHub lists \`${suspect.fullName}\` as a fork of \`${targetRepo.fullName}\` (${suspect.stars} stars): a fork that says so${suspect.stars >= 50 ? ' and is used' : ''}`);
  } else if (youngCopy) {
    out.evidence.youngCopy = true;
    out.signals.push('young-copy');
    out.score = Math.min(1, Math.max(out.score + 0.2, out.score >= 0.3 ? 0.6 : out.score));
    out.reasons.push(`a young, unstarred copy of an old, popular repository: ${ages}`);
  } else if (!newer && suspect.stars >= targetRepo.stars) {
    // Older and at least as popular as its "target": it is the original, not the copy.
    out.signals.push('older-than-target');
    out.score *= 0.5;
    out.reasons.push(`\`${suspect.fullName}\` is older and more starred than \`${targetRepo.fullName}\` (${ages})`);
  } else if (suspect.stars >= 500) {
    out.signals.push('popular-suspect');
    out.score *= 0.7;
    out.reasons.push(`\`${suspect.fullName}\` itself has ${suspect.stars} stars`);
  }
  out.score = Math.round(out.score * 1000) / 1000;
  out.suspicious = out.score >= SUSPICIOUS_THRESHOLD;
  return out;
}

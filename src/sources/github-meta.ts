/**
 * Repository metadata for typosquat verdicts, from GitHub's REST API: repo age, stars, fork-of, owner account
 * age, and a search for older repositories with the same name (the niche-target case). All I/O for the
 * typosquat check lives here. Nothing here throws on network trouble: rate limits (403/429 with
 * `x-ratelimit-remaining: 0` or `retry-after`) and failures become notes, and the name check stands alone.
 *
 * Endpoints: GET /repos/{owner}/{repo}, GET /users/{username},
 * GET /search/repositories?q=<name> in:name&sort=stars&order=desc (30 searches a minute with a token).
 */
import { Octokit } from '@octokit/rest';
import type { RepoFacts, TyposquatResult } from '../checks/typosquat.js';
import { SUSPICIOUS_THRESHOLD } from '../checks/typosquat.js';
import { parsePath } from '../checks/path-parts.js';

/** One repository as the REST API describes it (the fields we use). */
export interface RepoMeta {
  fullName: string;
  name: string;
  owner: string;
  createdAt: string;
  stars: number;
  fork: boolean;
  /** `owner/name` of the repository this one was forked from (only in GET /repos answers). */
  parent: string | null;
  archived: boolean;
}

/** One account. */
export interface UserMeta {
  login: string;
  createdAt: string;
  type: string;
}

/** What a metadata lookup returns: the value, `null` when it does not exist, or `limited`/`failed`. */
export type Lookup<T> = { ok: true; value: T | null } | { ok: false; why: 'limited' | 'failed'; message: string };

/** The metadata source enrichment needs (a fake can stand in for it in tests). */
export interface GitHubMetaClient {
  repo(owner: string, name: string): Promise<Lookup<RepoMeta>>;
  user(login: string): Promise<Lookup<UserMeta>>;
  /** Repositories whose name matches `name`, most starred first. */
  searchByName(name: string): Promise<Lookup<RepoMeta[]>>;
}

/** Options of the Octokit-backed client. */
export interface GitHubMetaOptions {
  /** API base URL (GITHUB_API_URL); default https://api.github.com. */
  baseUrl?: string;
  /** Token (GITHUB_TOKEN); without it GitHub allows 10 searches a minute and 60 requests an hour. */
  token?: string;
  /** Most searches this client makes per rolling minute (default 30 with a token, 10 without). */
  searchesPerMinute?: number;
  /** Most searches in the client's lifetime (default 60): a PR with hundreds of modules degrades, not stalls. */
  searchBudget?: number;
  /** Clock for the search window (tests). */
  now?: () => number;
  /** Pre-built Octokit (tests). */
  octokit?: Octokit;
}

interface RestRepo {
  full_name: string;
  name: string;
  owner: { login: string } | null;
  created_at: string;
  stargazers_count: number;
  fork: boolean;
  parent?: { full_name: string };
  archived?: boolean;
}

function toRepo(r: RestRepo): RepoMeta {
  return {
    fullName: r.full_name,
    name: r.name,
    owner: r.owner?.login ?? r.full_name.split('/')[0]!,
    createdAt: r.created_at,
    stars: r.stargazers_count,
    fork: r.fork,
    parent: r.parent?.full_name ?? null,
    archived: r.archived ?? false,
  };
}

/** True for GitHub's rate-limit answers: 429, or 403 with no requests left or a retry-after header. */
function isRateLimit(status: number, headers: Record<string, string | number | undefined>): boolean {
  if (status === 429) return true;
  if (status !== 403) return false;
  return String(headers['x-ratelimit-remaining'] ?? '') === '0' || headers['retry-after'] !== undefined;
}

/** Creates a cached, rate-aware metadata client on @octokit/rest. */
export function createGitHubMetaClient(opts: GitHubMetaOptions = {}): GitHubMetaClient {
  const octokit =
    opts.octokit ??
    new Octokit({
      baseUrl: (opts.baseUrl ?? 'https://api.github.com').replace(/\/+$/, ''),
      ...(opts.token ? { auth: opts.token } : {}),
      userAgent: 'modwarden',
      log: { debug: () => {}, info: () => {}, warn: () => {}, error: () => {} },
      request: { retries: 0 },
    });
  const now = opts.now ?? Date.now;
  const perMinute = opts.searchesPerMinute ?? (opts.token ? 30 : 10);
  let budget = opts.searchBudget ?? 60;
  const searchTimes: number[] = [];
  let coreLimited: string | null = null;
  let searchLimited: string | null = null;
  const cache = new Map<string, Promise<Lookup<unknown>>>();

  async function call<T>(key: string, kind: 'core' | 'search', fn: () => Promise<T>): Promise<Lookup<T>> {
    const hit = cache.get(key);
    if (hit) return hit as Promise<Lookup<T>>;
    const p = (async (): Promise<Lookup<T>> => {
      const limited = kind === 'core' ? coreLimited : searchLimited;
      if (limited) return { ok: false, why: 'limited', message: limited };
      try {
        return { ok: true, value: await fn() };
      } catch (e) {
        const err = e as { status?: number; response?: { headers?: Record<string, string | number | undefined> }; message?: string };
        const status = err.status ?? 0;
        if (status === 404) return { ok: true, value: null };
        if (isRateLimit(status, err.response?.headers ?? {})) {
          const reset = err.response?.headers?.['x-ratelimit-reset'];
          const msg = `GitHub ${kind === 'search' ? 'search ' : ''}rate limit reached (HTTP ${status}${reset ? `, resets at ${new Date(Number(reset) * 1000).toISOString()}` : ''})`;
          if (kind === 'core') coreLimited = msg;
          else searchLimited = msg;
          return { ok: false, why: 'limited', message: msg };
        }
        return { ok: false, why: 'failed', message: `GitHub API request failed: ${status ? `HTTP ${status}` : (err.message ?? String(e))}` };
      }
    })();
    cache.set(key, p as Promise<Lookup<unknown>>);
    return p;
  }

  return {
    repo(owner, name) {
      return call(`repo:${owner}/${name}`.toLowerCase(), 'core', async () => toRepo((await octokit.rest.repos.get({ owner, repo: name })).data as RestRepo));
    },
    user(login) {
      return call(`user:${login}`.toLowerCase(), 'core', async () => {
        const d = (await octokit.rest.users.getByUsername({ username: login })).data as { login: string; created_at: string; type: string };
        return { login: d.login, createdAt: d.created_at, type: d.type };
      });
    },
    async searchByName(name) {
      const key = `search:${name}`.toLowerCase();
      if (!cache.has(key)) {
        // Stay inside GitHub's search window and our own budget; past either, degrade instead of waiting.
        const t = now();
        while (searchTimes.length && t - searchTimes[0]! >= 60_000) searchTimes.shift();
        if (budget <= 0 || searchTimes.length >= perMinute) {
          return { ok: false, why: 'limited', message: `GitHub search skipped: ${budget <= 0 ? 'search budget for this run used up' : `${perMinute} searches a minute reached`}` };
        }
        budget--;
        searchTimes.push(t);
      }
      return call(key, 'search', async () => {
        const res = await octokit.rest.search.repos({ q: `${name} in:name`, sort: 'stars', order: 'desc', per_page: 30 });
        return (res.data.items as RestRepo[]).map(toRepo);
      });
    },
  };
}

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

/** Builds a client from the environment the CLI and app share (GITHUB_API_URL, GITHUB_TOKEN), or null when unset. */
export function githubMetaFromEnv(env: NodeJS.ProcessEnv): GitHubMetaClient | null {
  if (!env.GITHUB_TOKEN && !env.GITHUB_API_URL) return null;
  return createGitHubMetaClient({ baseUrl: env.GITHUB_API_URL || undefined, token: env.GITHUB_TOKEN || undefined });
}

/**
 * Repository metadata for typosquat evidence, from GitHub's REST API (through rest.ts): repo age, stars,
 * forks, fork-of, renames, owner account age, and a search for repositories with the same name. Facts
 * only: the scoring lives in checks/typosquat/. Nothing here throws on network trouble: rate limits and
 * failures become `{ ok: false }` lookups the check turns into notes, and the name check stands alone.
 *
 * Rate limits are handled by the REST layer (a limit that resets within a minute is waited out, a later
 * one degrades at once and is forgotten after its reset time). On top of that, searches are paced to
 * GitHub's per-minute search allowance (30 with a token, 10 without) and counted against a budget per
 * scan: `forScan()` gives each scan its own budget over the shared caches and limits.
 *
 * Endpoints: GET /repos/{owner}/{repo}, GET /users/{username},
 * GET /search/repositories?q=<name> in:name&sort=stars&order=desc&per_page=30.
 */
import { setTimeout as delay } from 'node:timers/promises';
import { LRUCache } from 'lru-cache';
import type { HttpClient } from '../http.js';
import { Inflight } from '../inflight.js';
import { oneLine } from '../plain-text.js';
import { GitHubApiError, GitHubRest, RateLimitedError, type ApiAnswer } from './rest.js';

/** One repository as the REST API describes it (the fields we use). */
export interface RepoMeta {
  fullName: string;
  name: string;
  owner: string;
  /** ISO time; '' when GitHub did not say (Date.parse gives NaN, so no date comparison holds). */
  createdAt: string;
  /** NaN when GitHub did not say (no comparison holds). */
  stars: number;
  fork: boolean;
  /** `owner/name` of the repository this one was forked from (only in GET /repos answers). */
  parent: string | null;
  archived: boolean;
  /** Forks of this repository. */
  forks?: number;
  /** The repository's description (untrusted text). */
  description?: string | null;
  /** When the asked-for name redirected to another repository (renamed or transferred): the name asked for. */
  movedFrom?: string;
}

/** One account. */
export interface UserMeta {
  login: string;
  /** ISO time; '' when GitHub did not say. */
  createdAt: string;
  type: string;
}

/** What a metadata lookup returns: the value, `null` when it does not exist, or `limited`/`failed`. */
export type Lookup<T> = { ok: true; value: T | null } | { ok: false; why: 'limited' | 'failed'; message: string };

/** Per-lookup options: a signal that cancels it (the caller's deadline). */
export interface LookupOptions {
  signal?: AbortSignal;
}

/** The metadata source enrichment needs (a fake can stand in for it in tests). */
export interface GitHubMetaClient {
  repo(owner: string, name: string, opts?: LookupOptions): Promise<Lookup<RepoMeta>>;
  user(login: string, opts?: LookupOptions): Promise<Lookup<UserMeta>>;
  /** Repositories whose name matches `name`, most starred first. */
  searchByName(name: string, opts?: LookupOptions): Promise<Lookup<RepoMeta[]>>;
}

/** The process-wide client: a metadata client whose searches are paced but not budgeted, and per-scan views. */
export interface GitHubMetaSource extends GitHubMetaClient {
  /** A view for one scan: same caches and limits, its own search budget (default: the client's `searchBudget`). */
  forScan(searchBudget?: number): GitHubMetaClient;
}

/** Options of the metadata client. */
export interface GitHubMetaOptions {
  /** The REST layer (the engine shares one with the origin client); built from the options below when absent. */
  rest?: GitHubRest;
  /** API base URL (GITHUB_API_URL); default https://api.github.com. */
  baseUrl?: string;
  /** Token (GITHUB_TOKEN); without it GitHub allows 10 searches a minute and 60 requests an hour. */
  token?: string;
  http?: HttpClient;
  /** Longest wait for a rate limit or a search slot (default 60 s; 0 degrades at once). */
  maxRateLimitWaitMs?: number;
  /** Searches a minute (default 30 with a token, 10 without). */
  searchesPerMinute?: number;
  /** Searches per scan (`forScan()`), default 60: a PR with hundreds of modules degrades, not stalls. */
  searchBudget?: number;
  /** Cached lookups (default 2000), each kept for `cacheTtlMs` (default 1 h): metadata changes. */
  cacheEntries?: number;
  cacheTtlMs?: number;
  /** Clock and sleep (tests). */
  now?: () => number;
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
}

/** A repository as the REST API sends it; every field is checked before use. */
interface RestRepo {
  full_name?: unknown;
  name?: unknown;
  owner?: { login?: unknown } | null;
  created_at?: unknown;
  stargazers_count?: unknown;
  forks_count?: unknown;
  fork?: unknown;
  parent?: { full_name?: unknown } | null;
  archived?: unknown;
  description?: unknown;
}

/** The fields we use, typed; a repository without `full_name` is not one. Missing facts stay unknown ('' / NaN). */
function toRepo(r: RestRepo | null, url: string): RepoMeta {
  if (!r || typeof r.full_name !== 'string' || !r.full_name.includes('/')) {
    throw new GitHubApiError(`unexpected GitHub API answer from ${url}: not a repository`, null, url);
  }
  const repo: RepoMeta = {
    fullName: r.full_name,
    name: typeof r.name === 'string' ? r.name : r.full_name.split('/')[1]!,
    owner: typeof r.owner?.login === 'string' ? r.owner.login : r.full_name.split('/')[0]!,
    createdAt: typeof r.created_at === 'string' ? r.created_at : '',
    stars: typeof r.stargazers_count === 'number' ? r.stargazers_count : NaN,
    fork: r.fork === true,
    parent: typeof r.parent?.full_name === 'string' ? r.parent.full_name : null,
    archived: r.archived === true,
  };
  if (typeof r.forks_count === 'number') repo.forks = r.forks_count;
  if (typeof r.description === 'string' || r.description === null) repo.description = r.description === null ? null : oneLine(r.description, 500);
  return repo;
}

type Kind = 'core' | 'search';

/** Creates the cached, rate-aware metadata client. */
export function createGitHubMetaClient(opts: GitHubMetaOptions = {}): GitHubMetaSource {
  const now = opts.now ?? Date.now;
  const sleep = opts.sleep ?? ((ms: number, signal?: AbortSignal) => delay(ms, undefined, { signal }));
  const rest =
    opts.rest ??
    new GitHubRest({ baseUrl: opts.baseUrl, token: opts.token, http: opts.http, maxRateLimitWaitMs: opts.maxRateLimitWaitMs, now, sleep });
  const maxWaitMs = opts.maxRateLimitWaitMs ?? rest.maxWaitMs;
  const perMinute = opts.searchesPerMinute ?? (rest.authenticated ? 30 : 10);
  const defaultBudget = opts.searchBudget ?? 60;
  const searchTimes: number[] = [];
  const cache = new LRUCache<string, Lookup<unknown>>({
    max: Math.max(1, opts.cacheEntries ?? 2000),
    ttl: opts.cacheTtlMs ?? 3_600_000,
    perf: { now },
    // Read the clock on every check (it may be a test clock that jumps).
    ttlResolution: 0,
  });
  const inflight = new Inflight<string, Lookup<unknown>>();

  /** A cached or fresh lookup; only answers are cached (found or not found), never limits or failures. */
  async function call<T>(key: string, kind: Kind, fetchValue: (signal: AbortSignal) => Promise<T | null>, o: LookupOptions): Promise<Lookup<T>> {
    const hit = cache.get(key);
    if (hit) return hit as Lookup<T>;
    try {
      return (await inflight.run(
        key,
        o.signal,
        async (signal) => {
          const result = await lookup(kind, () => fetchValue(signal));
          if (result.ok) cache.set(key, result);
          return result;
        },
        (reason) => new GitHubApiError(`GitHub lookup cancelled${reason instanceof Error ? ` (${reason.message})` : ''}`, null, rest.baseUrl),
      )) as Lookup<T>;
    } catch (e) {
      return { ok: false, why: 'failed', message: (e as Error).message };
    }
  }

  /** Runs one request and turns its outcome into a Lookup. */
  async function lookup<T>(kind: Kind, run: () => Promise<T | null>): Promise<Lookup<T>> {
    try {
      return { ok: true, value: await run() };
    } catch (e) {
      if (e instanceof RateLimitedError) {
        const what = kind === 'search' ? 'search ' : '';
        return { ok: false, why: 'limited', message: `GitHub ${what}rate limit reached (HTTP ${e.status}${e.resetKnown ? `, resets at ${e.resetAt.toISOString()}` : ''})` };
      }
      const message = e instanceof Error ? e.message : String(e);
      return { ok: false, why: 'failed', message: `GitHub API request failed: ${message}` };
    }
  }

  /** Waits for a slot in GitHub's per-minute search allowance, or says why not. */
  async function searchSlot(signal?: AbortSignal): Promise<string | null> {
    for (;;) {
      const t = now();
      while (searchTimes.length && t - searchTimes[0]! >= 60_000) searchTimes.shift();
      if (searchTimes.length < perMinute) {
        searchTimes.push(t);
        return null;
      }
      const wait = searchTimes[0]! + 60_000 - t;
      if (wait >= maxWaitMs) return `GitHub search skipped: ${perMinute} searches a minute reached`;
      try {
        await sleep(wait, signal);
      } catch {
        return 'GitHub search cancelled';
      }
    }
  }

  const get = async (path: string, signal: AbortSignal): Promise<ApiAnswer | null> => {
    const a = await rest.get(path, { signal });
    if (a.status === 404) return null;
    if (a.status !== 200) throw new GitHubApiError(`HTTP ${a.status}${a.message ? `: ${a.message}` : ''}`, a.status, a.url);
    return a;
  };

  const repo = (owner: string, name: string, o: LookupOptions = {}) =>
    call<RepoMeta>(`repo:${owner}/${name}`.toLowerCase(), 'core', async (signal) => {
      const a = await get(`/repos/${encodeURIComponent(owner)}/${encodeURIComponent(name)}`, signal);
      if (!a) return null;
      const r = toRepo(a.body as RestRepo | null, a.url);
      if (a.redirectedFrom || r.fullName.toLowerCase() !== `${owner}/${name}`.toLowerCase()) r.movedFrom = `${owner}/${name}`;
      return r;
    }, o);

  const user = (login: string, o: LookupOptions = {}) =>
    call<UserMeta>(`user:${login}`.toLowerCase(), 'core', async (signal) => {
      const a = await get(`/users/${encodeURIComponent(login)}`, signal);
      if (!a) return null;
      const d = a.body as { login?: unknown; created_at?: unknown; type?: unknown } | null;
      if (!d || typeof d.login !== 'string') throw new GitHubApiError(`unexpected GitHub API answer from ${a.url}: not a user`, a.status, a.url);
      return { login: d.login, createdAt: typeof d.created_at === 'string' ? d.created_at : '', type: typeof d.type === 'string' ? d.type : 'User' };
    }, o);

  /** A search, counted against `budget` (null: no budget) when it is not already cached. */
  const search = async (name: string, budget: { left: number } | null, o: LookupOptions = {}): Promise<Lookup<RepoMeta[]>> => {
    const key = `search:${name}`.toLowerCase();
    if (!cache.has(key)) {
      if (budget && budget.left <= 0) return { ok: false, why: 'limited', message: 'GitHub search skipped: search budget for this scan used up' };
      const why = await searchSlot(o.signal);
      if (why) return { ok: false, why: 'limited', message: why };
      if (budget) budget.left--;
    }
    return call<RepoMeta[]>(key, 'search', async (signal) => {
      const q = new URLSearchParams({ q: `${name} in:name`, sort: 'stars', order: 'desc', per_page: '30' });
      const a = await get(`/search/repositories?${q}`, signal);
      const items = (a?.body as { items?: unknown } | null)?.items;
      if (!Array.isArray(items)) throw new GitHubApiError(`unexpected GitHub search answer${a ? ` from ${a.url}` : ''}`, a?.status ?? null, a?.url ?? '');
      return items.map((i) => toRepo(i as RestRepo, a!.url));
    }, o);
  };

  return {
    repo,
    user,
    searchByName: (name, o) => search(name, null, o),
    forScan(searchBudget = defaultBudget) {
      const budget = { left: searchBudget };
      return { repo, user, searchByName: (name, o) => search(name, budget, o) };
    },
  };
}

/**
 * Repository metadata for typosquat verdicts, from GitHub's REST API: repo age, stars, fork-of, owner account
 * age, and a search for older repositories with the same name (the niche-target case). Facts only: the
 * scoring that uses them lives in checks/typosquat/evidence.ts. Nothing here throws on network trouble: rate limits (403/429 with
 * `x-ratelimit-remaining: 0` or `retry-after`) and failures become notes, and the name check stands alone.
 *
 * Endpoints: GET /repos/{owner}/{repo}, GET /users/{username},
 * GET /search/repositories?q=<name> in:name&sort=stars&order=desc (30 searches a minute with a token).
 */
import { Octokit } from '@octokit/rest';

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

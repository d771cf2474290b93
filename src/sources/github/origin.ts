/**
 * What a module's origin repository on GitHub holds today: tags, commits and the tree at a commit,
 * read through the GitHub REST API. Only the configured API host, its own redirects and
 * codeload.github.com are ever contacted; no URL taken from a response is fetched unless it is on that
 * allow-list.
 */
import { splitPathVersion } from '../../gomod/module.js';
import { HttpClient, HttpClientError, HttpError, TimeoutError, TooLargeError } from '../http.js';
import { readTarGz, TarballTooLargeError, type TarEntry, type TarSummary } from '../tarball.js';

export { TarballTooLargeError, TarballFormatError, type TarEntry, type TarSummary } from '../tarball.js';

/** Default GitHub REST API root (override with GITHUB_API_URL or `baseUrl`). */
export const GITHUB_API_URL = 'https://api.github.com';
/** The host GitHub's tarball endpoint redirects to. */
export const CODELOAD_HOST = 'codeload.github.com';
/** Default cap on a downloaded tarball (compressed bytes). */
export const DEFAULT_MAX_TARBALL_BYTES = 100 << 20;

const MAX_JSON_BYTES = 4 << 20;
const MAX_REDIRECTS = 5;
const SHA_RE = /^[0-9a-f]{40}$/;

/** The provenance a proxy may record in `.info` (all fields optional and untrusted). */
export interface ProxyOrigin {
  VCS?: string;
  URL?: string;
  Subdir?: string;
  Hash?: string;
  Ref?: string;
}

/** Where a module lives on GitHub. */
export interface GitHubLocation {
  owner: string;
  repo: string;
  /** Directory of the module inside the repo without any major-version directory; '' at the root. */
  codeDir: string;
  /** The `/vN` suffix of the module path without the slash ('v2'), or '' when there is none. */
  pathMajor: string;
  /** How the repo was found: the github.com path itself, the proxy's Origin URL, or gopkg.in's fixed mapping. */
  via: 'module-path' | 'proxy-origin' | 'gopkg.in';
}

/** Result of {@link resolveGitHubLocation}: a location, or the reason there is none. */
export type LocationResult = { ok: true; location: GitHubLocation } | { ok: false; reason: string };

const GITHUB_PATH_RE = /^github\.com\/([A-Za-z0-9_.-]+)\/([A-Za-z0-9_.-]+)((?:\/[A-Za-z0-9_.-]+)*)$/;

/**
 * Maps a module path to its GitHub repository (cmd/go/internal/vcs RepoRootForImportPath and cmd/go/internal/modfetch/coderepo.go): `github.com/owner/repo[/dir][/vN]`
 * directly; any other path when the proxy's Origin URL names a repository on https://github.com (then
 * Origin.Subdir gives the directory); gopkg.in paths by gopkg.in's fixed mapping to GitHub. Anything
 * else is not verifiable without a resolver.
 */
export function resolveGitHubLocation(modulePath: string, origin?: ProxyOrigin | null): LocationResult {
  const split = splitPathVersion(modulePath);
  if (!split) return { ok: false, reason: `"${modulePath}" is not a valid module path` };
  const { prefix, pathMajor } = split;
  // gopkg.in style `.vN` suffixes are not GitHub module paths; only `/vN` is stripped here.
  const major = pathMajor.startsWith('/') ? pathMajor.slice(1) : '';
  const m = GITHUB_PATH_RE.exec(prefix);
  if (m) {
    const [, owner, repo, rest] = m;
    if (repo.endsWith('.git')) return { ok: false, reason: `GitHub repository name "${repo}" ends in .git, which Go rejects` };
    return { ok: true, location: { owner, repo, codeDir: rest.replace(/^\//, ''), pathMajor: major, via: 'module-path' } };
  }
  const fromOrigin = githubRepoFromUrl(origin?.URL);
  if (fromOrigin) {
    const subdir = typeof origin?.Subdir === 'string' ? origin.Subdir.replace(/^\/+|\/+$/g, '') : '';
    if (subdir.split('/').some((el) => el === '..' || el === '.')) {
      return { ok: false, reason: `the proxy's Origin.Subdir "${origin?.Subdir}" is not a clean path` };
    }
    return { ok: true, location: { ...fromOrigin, codeDir: subdir, pathMajor: major, via: 'proxy-origin' } };
  }
  // gopkg.in is a fixed redirector to GitHub: gopkg.in/pkg.vN -> go-pkg/pkg, gopkg.in/user/pkg.vN -> user/pkg.
  const gopkg = /^gopkg\.in\/(?:([A-Za-z0-9_.-]+)\/)?([A-Za-z0-9_-]+)$/.exec(prefix);
  if (gopkg && pathMajor.startsWith('.v')) {
    const [, user, pkg] = gopkg;
    return { ok: true, location: { owner: user ?? `go-${pkg}`, repo: pkg, codeDir: '', pathMajor: '', via: 'gopkg.in' } };
  }
  const host = modulePath.split('/')[0];
  const named = origin?.URL ? ` (the proxy names its origin as ${JSON.stringify(origin.URL)}, which is not a GitHub repository)` : '';
  return {
    ok: false,
    reason: `the origin of ${modulePath} is on ${host}, not github.com${named}; no resolver is configured for that host`,
  };
}

/** Parses `https://github.com/owner/repo[.git]` (nothing else) into owner and repo. */
export function githubRepoFromUrl(url: string | undefined): { owner: string; repo: string } | null {
  if (!url) return null;
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return null;
  }
  if (u.protocol !== 'https:' || u.hostname.toLowerCase() !== 'github.com' || u.port || u.search || u.hash || u.username) return null;
  const m = /^\/([A-Za-z0-9_.-]+)\/([A-Za-z0-9_.-]+?)(?:\.git)?\/?$/.exec(u.pathname);
  return m ? { owner: m[1], repo: m[2] } : null;
}

/** The git tag Go reads for `version` of a module in `codeDir` (cmd/go/internal/modfetch/coderepo.go, codeRepo.Stat): `dir/vX.Y.Z`, `+incompatible` dropped. */
export function tagForVersion(codeDir: string, version: string): string {
  const v = version.replace(/\+incompatible$/, '');
  return codeDir ? `${codeDir}/${v}` : v;
}

/** Any failure talking to the GitHub API that is not one of the more specific errors below. */
export class GitHubApiError extends Error {
  constructor(
    message: string,
    readonly status: number | null,
    readonly url: string,
  ) {
    super(message);
    this.name = 'GitHubApiError';
  }
}

/** The repository does not exist (deleted), or is private and the token cannot see it. */
export class RepoNotFoundError extends GitHubApiError {
  constructor(
    readonly owner: string,
    readonly repo: string,
    url: string,
  ) {
    super(`GitHub repository ${owner}/${repo} was not found (deleted, or private)`, 404, url);
    this.name = 'RepoNotFoundError';
  }
}

/** GitHub refused because of a primary or secondary rate limit; `resetAt` says when to try again. */
export class RateLimitedError extends GitHubApiError {
  constructor(
    readonly resetAt: Date,
    status: number,
    url: string,
  ) {
    super(`GitHub API rate limit reached (HTTP ${status}); it resets at ${resetAt.toISOString()}`, status, url);
    this.name = 'RateLimitedError';
  }
}

/** A redirect pointed at a host that is not on the allow-list; it was not followed. */
export class RedirectNotAllowedError extends GitHubApiError {
  constructor(
    readonly location: string,
    url: string,
  ) {
    super(`refused to follow a redirect from ${url} to ${location}: host not allowed`, null, url);
    this.name = 'RedirectNotAllowedError';
  }
}

/** A repository as the API describes it. */
export interface RepoInfo {
  owner: string;
  repo: string;
  fullName: string;
  id: number;
  private: boolean;
  defaultBranch: string;
  /** Set when the requested name redirected (renamed or transferred): the name that was asked for. */
  movedFrom?: string;
}

/** A tag resolved to the commit it names today. */
export interface TagInfo {
  tag: string;
  /** Full commit sha the tag points at (annotated tags dereferenced). */
  commit: string;
  annotated: boolean;
  /** The annotated tag object's sha and tagger date. */
  tagObject?: string;
  taggerDate?: string;
}

/** A commit with the dates Go uses. */
export interface CommitInfo {
  sha: string;
  committerDate: string;
  authorDate?: string;
}

/** One entry of a commit's git tree: blobs carry git's SHA-1 of the content (`blob <size>\0<bytes>`). */
export interface GitTreeEntry {
  path: string;
  mode: string;
  type: 'blob' | 'tree' | 'commit';
  /** Git object id (for a blob: SHA-1 over `blob <size>\0` + content). */
  sha: string;
  size?: number;
}

/** Options for {@link GitHubOriginClient}. */
export interface GitHubOriginOptions {
  /** API root, default {@link GITHUB_API_URL}. */
  baseUrl?: string;
  /** Optional read-only token; sent only to the API host. */
  token?: string;
  /** Cap on a tarball's compressed size. */
  maxTarballBytes?: number;
  /** Cap on a tarball's uncompressed size (default 500 MiB). */
  maxTarballUncompressedBytes?: number;
  /** Timeout of one API request. */
  timeoutMs?: number;
  /** Timeout of one tarball download. */
  tarballTimeoutMs?: number;
  /** Extra hosts (`host` or `host:port`) a tarball redirect may go to, besides the API host and codeload. */
  allowedRedirectHosts?: string[];
  /** Retries after a network error or a 5xx answer (a tarball is not retried once its body started). */
  retries?: number;
  /** The HTTP layer (timeouts, caps, retries, concurrency); a default one is made when absent. */
  http?: HttpClient;
}

interface ApiAnswer {
  status: number;
  url: string;
  body: unknown;
  /** The first URL, when redirects moved it. */
  redirectedFrom?: string;
}

/** Reads a module's origin on GitHub: repository, tags, commits and the tree at a commit. */
export class GitHubOriginClient {
  readonly baseUrl: string;
  private readonly apiOrigin: string;
  private readonly token?: string;
  private readonly maxTarballBytes: number;
  private readonly maxUncompressed?: number;
  private readonly timeoutMs: number;
  private readonly tarballTimeoutMs: number;
  private readonly allowedHosts: Set<string>;
  private readonly retries: number;
  private readonly http: HttpClient;

  constructor(options: GitHubOriginOptions = {}) {
    const base = new URL(options.baseUrl ?? GITHUB_API_URL);
    if (base.protocol !== 'https:' && base.protocol !== 'http:') throw new Error(`GitHub API URL must be http(s): ${options.baseUrl}`);
    this.baseUrl = base.href.replace(/\/+$/, '');
    this.apiOrigin = base.origin;
    this.token = options.token || undefined;
    this.maxTarballBytes = options.maxTarballBytes ?? DEFAULT_MAX_TARBALL_BYTES;
    this.maxUncompressed = options.maxTarballUncompressedBytes;
    this.timeoutMs = options.timeoutMs ?? 30_000;
    this.tarballTimeoutMs = options.tarballTimeoutMs ?? 180_000;
    this.allowedHosts = new Set([base.host.toLowerCase(), CODELOAD_HOST, ...(options.allowedRedirectHosts ?? []).map((h) => h.toLowerCase())]);
    this.retries = options.retries ?? 2;
    this.http = options.http ?? new HttpClient();
  }

  /** `GET /repos/{o}/{r}`: the repository, following a rename; throws RepoNotFoundError when gone. */
  async getRepo(owner: string, repo: string): Promise<RepoInfo> {
    const a = await this.api(`/repos/${seg(owner)}/${seg(repo)}`);
    if (a.status === 404) throw new RepoNotFoundError(owner, repo, a.url);
    expectOk(a);
    const b = a.body as { id?: unknown; full_name?: unknown; private?: unknown; default_branch?: unknown };
    if (typeof b.full_name !== 'string' || !b.full_name.includes('/')) throw shapeError(a, 'full_name');
    const [o, r] = b.full_name.split('/');
    const info: RepoInfo = {
      owner: o,
      repo: r,
      fullName: b.full_name,
      id: typeof b.id === 'number' ? b.id : 0,
      private: b.private === true,
      defaultBranch: typeof b.default_branch === 'string' ? b.default_branch : '',
    };
    if (a.redirectedFrom || b.full_name.toLowerCase() !== `${owner}/${repo}`.toLowerCase()) info.movedFrom = `${owner}/${repo}`;
    return info;
  }

  /**
   * `GET /repos/{o}/{r}/git/ref/tags/{tag}`, dereferencing annotated tags through `GET .../git/tags/{sha}`
   * to the commit. Resolves to null when the tag does not exist (404).
   */
  async resolveTag(owner: string, repo: string, tag: string): Promise<TagInfo | null> {
    const a = await this.api(`/repos/${seg(owner)}/${seg(repo)}/git/ref/tags/${tag.split('/').map(seg).join('/')}`);
    if (a.status === 404) return null;
    expectOk(a);
    // With a prefix match GitHub's older endpoint could answer an array; treat that as "no exact tag".
    if (Array.isArray(a.body)) return null;
    let obj = objectOf(a, a.body);
    const info: TagInfo = { tag, commit: '', annotated: false };
    // A tag object may point at another tag object; follow a short chain to the commit.
    for (let hops = 0; obj.type === 'tag'; hops++) {
      if (hops >= 5) throw new GitHubApiError(`tag ${tag} of ${owner}/${repo} is nested more than 5 levels`, null, a.url);
      const t = await this.api(`/repos/${seg(owner)}/${seg(repo)}/git/tags/${obj.sha}`);
      if (t.status === 404) return null;
      expectOk(t);
      const body = t.body as { tagger?: { date?: unknown } };
      if (!info.annotated) {
        info.annotated = true;
        info.tagObject = obj.sha;
        if (typeof body.tagger?.date === 'string') info.taggerDate = body.tagger.date;
      }
      obj = objectOf(t, t.body);
    }
    if (obj.type !== 'commit') throw new GitHubApiError(`tag ${tag} of ${owner}/${repo} points at a ${obj.type}, not a commit`, null, a.url);
    info.commit = obj.sha;
    return info;
  }

  /** `GET /repos/{o}/{r}/git/commits/{sha}`: the commit's dates, or null when the sha is unknown. */
  async getCommit(owner: string, repo: string, sha: string): Promise<CommitInfo | null> {
    if (!SHA_RE.test(sha)) throw new GitHubApiError(`"${sha}" is not a full commit sha`, null, this.baseUrl);
    const a = await this.api(`/repos/${seg(owner)}/${seg(repo)}/git/commits/${sha}`);
    if (a.status === 404 || a.status === 422) return null;
    expectOk(a);
    const b = a.body as { sha?: unknown; committer?: { date?: unknown }; author?: { date?: unknown } };
    return commitInfo(a, b.sha, b.committer?.date, b.author?.date);
  }

  /**
   * `GET /repos/{o}/{r}/commits/{rev}`: resolves a short revision (a pseudo-version's 12 hex digits) to
   * the full commit, or null when GitHub knows no such commit (404 or 422).
   */
  async findCommit(owner: string, repo: string, rev: string): Promise<CommitInfo | null> {
    if (!/^[0-9a-f]{7,40}$/.test(rev)) throw new GitHubApiError(`"${rev}" is not a commit revision`, null, this.baseUrl);
    const a = await this.api(`/repos/${seg(owner)}/${seg(repo)}/commits/${rev}`);
    if (a.status === 404 || a.status === 422) return null;
    expectOk(a);
    const b = a.body as { sha?: unknown; commit?: { committer?: { date?: unknown }; author?: { date?: unknown } } };
    const info = commitInfo(a, b.sha, b.commit?.committer?.date, b.commit?.author?.date);
    if (!info.sha.startsWith(rev)) throw new GitHubApiError(`GitHub answered commit ${info.sha} for revision ${rev}`, null, a.url);
    return info;
  }

  /**
   * `GET /repos/{o}/{r}/git/trees/{commit}?recursive=1`: every path of the commit with its git object id,
   * independent of .gitattributes export rules (which shape tarballs). `truncated` means GitHub cut the list.
   */
  async getTree(owner: string, repo: string, commitSha: string): Promise<{ entries: GitTreeEntry[]; truncated: boolean } | null> {
    if (!SHA_RE.test(commitSha)) throw new GitHubApiError(`"${commitSha}" is not a full commit sha`, null, this.baseUrl);
    const a = await this.api(`/repos/${seg(owner)}/${seg(repo)}/git/trees/${commitSha}?recursive=1`);
    if (a.status === 404 || a.status === 422) return null;
    expectOk(a);
    const b = a.body as { tree?: unknown; truncated?: unknown };
    if (!Array.isArray(b.tree)) throw shapeError(a, 'tree');
    const entries: GitTreeEntry[] = [];
    for (const raw of b.tree as Array<Record<string, unknown>>) {
      const { path, mode, type, sha, size } = raw ?? {};
      if (typeof path !== 'string' || typeof sha !== 'string' || typeof mode !== 'string') throw shapeError(a, 'tree[].path/sha/mode');
      if (type !== 'blob' && type !== 'tree' && type !== 'commit') throw shapeError(a, 'tree[].type');
      const entry: GitTreeEntry = { path, mode, type, sha };
      if (typeof size === 'number') entry.size = size;
      entries.push(entry);
    }
    return { entries, truncated: b.truncated === true };
  }

  /**
   * `GET /repos/{o}/{r}/tarball/{sha}` (302 to codeload), streamed: `onEntry` gets each entry with its
   * path relative to the repository root and its SHA-256; contents are kept when `keepContent` says so.
   * Throws TarballTooLargeError past the byte cap.
   */
  async streamTarball(
    owner: string,
    repo: string,
    commitSha: string,
    onEntry: (entry: TarEntry) => void,
    options: { keepContent?: (path: string, size: number) => boolean } = {},
  ): Promise<TarSummary> {
    if (!SHA_RE.test(commitSha)) throw new GitHubApiError(`"${commitSha}" is not a full commit sha`, null, this.baseUrl);
    const label = `tarball of ${owner}/${repo}@${commitSha.slice(0, 12)}`;
    let url = `${this.baseUrl}/repos/${seg(owner)}/${seg(repo)}/tarball/${commitSha}`;
    try {
      for (let hop = 0; ; hop++) {
        const res = await this.http.getStream(url, {
          redirect: 'manual',
          headers: this.headersFor(url),
          maxBytes: this.maxTarballBytes,
          timeoutMs: this.tarballTimeoutMs,
          retries: this.retries,
        });
        if (isRedirect(res.status)) {
          await res.cancel();
          if (hop >= MAX_REDIRECTS) throw new GitHubApiError(`too many redirects for the ${label}`, res.status, url);
          url = this.checkedRedirect(url, res.headers.get('location'), 'tarball');
          continue;
        }
        if (res.status !== 200) {
          await res.cancel();
          throw new GitHubApiError(`downloading the ${label} failed: HTTP ${res.status}`, res.status, url);
        }
        return await readTarGz(
          res.body,
          { maxBytes: this.maxTarballBytes, maxUncompressedBytes: this.maxUncompressed, keepContent: options.keepContent, label },
          onEntry,
        );
      }
    } catch (e) {
      if (e instanceof TooLargeError) throw new TarballTooLargeError(this.maxTarballBytes, 'compressed bytes', label);
      if (e instanceof HttpError) {
        this.throwIfRateLimited(e.status, e.headers, e.url);
        const what = e.status === 404 ? `GitHub has no ${label}` : `downloading the ${label} failed`;
        const msg = apiMessage(e.body);
        throw new GitHubApiError(`${what} (HTTP ${e.status}${msg ? `: ${msg}` : ''})`, e.status, e.url);
      }
      throw wrapNetworkError(e, `downloading the ${label}`);
    }
  }

  /**
   * One API GET (HttpClient retries network errors and 5xx); follows redirects within the API origin
   * only. 4xx answers other than rate limits come back for the caller to interpret.
   */
  private async api(path: string): Promise<ApiAnswer> {
    const first = `${this.baseUrl}${path}`;
    let url = first;
    for (let hop = 0; ; hop++) {
      let status: number;
      let text: string;
      let location: string | null = null;
      try {
        const res = await this.http.get(url, {
          redirect: 'manual',
          headers: this.headersFor(url),
          maxBytes: MAX_JSON_BYTES,
          timeoutMs: this.timeoutMs,
          retries: this.retries,
        });
        status = res.status;
        text = res.body.toString('utf8');
        location = res.headers.get('location');
      } catch (e) {
        if (!(e instanceof HttpError)) throw wrapNetworkError(e, `GitHub API request ${url}`);
        this.throwIfRateLimited(e.status, e.headers, url);
        if (e.status >= 500) throw new GitHubApiError(`GitHub API answered HTTP ${e.status} for ${url}`, e.status, url);
        status = e.status;
        text = e.body;
      }
      if (isRedirect(status)) {
        if (hop >= MAX_REDIRECTS) throw new GitHubApiError(`too many redirects from ${first}`, status, url);
        url = this.checkedRedirect(url, location, 'api');
        continue;
      }
      let body: unknown = null;
      if (text.trim() !== '') {
        try {
          body = JSON.parse(text);
        } catch {
          // Error bodies are only used in messages; a 200 must be JSON.
          if (status === 200) throw new GitHubApiError(`GitHub API answered non-JSON for ${url}`, status, url);
          body = { message: text.slice(0, 200) };
        }
      }
      const answer: ApiAnswer = { status, url, body };
      if (url !== first) answer.redirectedFrom = first;
      return answer;
    }
  }

  /** Request headers; the token goes to the API origin only, never to codeload or a redirect target. */
  private headersFor(url: string): Record<string, string> {
    const headers: Record<string, string> = { accept: 'application/vnd.github+json', 'x-github-api-version': '2022-11-28' };
    if (this.token && new URL(url).origin === this.apiOrigin) headers.authorization = `Bearer ${this.token}`;
    return headers;
  }

  /** Resolves a Location header and refuses it unless the host is allowed for this kind of request. */
  private checkedRedirect(from: string, location: string | null, kind: 'api' | 'tarball'): string {
    if (!location) throw new GitHubApiError(`redirect without a Location from ${from}`, null, from);
    let next: URL;
    try {
      next = new URL(location, from);
    } catch {
      throw new RedirectNotAllowedError(location, from);
    }
    const sameOrigin = next.origin === this.apiOrigin;
    // Listed hosts need https, or the API's own scheme (plain http only for a local test API).
    const listed = (next.protocol === 'https:' || next.protocol === new URL(this.apiOrigin).protocol) && this.allowedHosts.has(next.host.toLowerCase());
    const allowed = kind === 'api' ? sameOrigin : sameOrigin || listed;
    if (!allowed || next.username || next.password) throw new RedirectNotAllowedError(next.href, from);
    return next.href;
  }

  /** GitHub signals rate limits with 429, or 403 plus `x-ratelimit-remaining: 0` or `retry-after`. */
  private throwIfRateLimited(status: number, headers: Headers, url: string): void {
    if (status !== 403 && status !== 429) return;
    const remaining = headers.get('x-ratelimit-remaining');
    const retryAfter = headers.get('retry-after');
    if (status === 403 && remaining !== '0' && retryAfter === null) return;
    throw new RateLimitedError(resetTime(retryAfter, headers.get('x-ratelimit-reset')), status, url);
  }
}

/** When a rate limit ends: `retry-after` seconds from now, else `x-ratelimit-reset` epoch seconds, else a minute. */
function resetTime(retryAfter: string | null, reset: string | null): Date {
  const seconds = retryAfter !== null ? Number(retryAfter) : NaN;
  if (Number.isFinite(seconds) && seconds >= 0) return new Date(Date.now() + seconds * 1000);
  const epoch = reset !== null ? Number(reset) : NaN;
  if (Number.isFinite(epoch) && epoch > 0) return new Date(epoch * 1000);
  return new Date(Date.now() + 60_000);
}

function isRedirect(status: number): boolean {
  return status === 301 || status === 302 || status === 303 || status === 307 || status === 308;
}

function seg(s: string): string {
  return encodeURIComponent(s);
}

function expectOk(a: ApiAnswer): void {
  if (a.status !== 200) {
    const msg = apiMessage(a.body);
    throw new GitHubApiError(`GitHub API answered HTTP ${a.status} for ${a.url}${msg ? `: ${msg}` : ''}`, a.status, a.url);
  }
}

function shapeError(a: ApiAnswer, field: string): GitHubApiError {
  return new GitHubApiError(`unexpected GitHub API answer from ${a.url}: missing or invalid "${field}"`, a.status, a.url);
}

function objectOf(a: ApiAnswer, body: unknown): { sha: string; type: string } {
  const obj = (body as { object?: { sha?: unknown; type?: unknown } } | null)?.object;
  if (!obj || typeof obj.sha !== 'string' || !SHA_RE.test(obj.sha) || typeof obj.type !== 'string') throw shapeError(a, 'object');
  return { sha: obj.sha, type: obj.type };
}

function commitInfo(a: ApiAnswer, sha: unknown, committerDate: unknown, authorDate: unknown): CommitInfo {
  if (typeof sha !== 'string' || !SHA_RE.test(sha)) throw shapeError(a, 'sha');
  if (typeof committerDate !== 'string' || Number.isNaN(Date.parse(committerDate))) throw shapeError(a, 'committer.date');
  const info: CommitInfo = { sha, committerDate };
  if (typeof authorDate === 'string') info.authorDate = authorDate;
  return info;
}

/** The `message` of a GitHub error body (JSON text or parsed), shortened, or ''. */
function apiMessage(body: unknown): string {
  if (typeof body === 'string') {
    const text = body;
    try {
      body = JSON.parse(text);
    } catch {
      return text.trim().split('\n', 1)[0]?.slice(0, 200) ?? '';
    }
  }
  const m = (body as { message?: unknown } | null)?.message;
  return typeof m === 'string' ? m.slice(0, 200) : '';
}

/** Turns HTTP-layer failures (network, timeout, caps) into GitHubApiError; our own errors pass through. */
function wrapNetworkError(e: unknown, what: string): unknown {
  if (e instanceof GitHubApiError || e instanceof TarballTooLargeError || (e as Error)?.name === 'TarballFormatError') return e;
  if (e instanceof TimeoutError) return new GitHubApiError(`${what} timed out after ${e.timeoutMs} ms`, null, e.url);
  if (e instanceof HttpClientError) return new GitHubApiError(`${what} failed: ${e.message}`, null, e.url);
  return new GitHubApiError(`${what} failed: ${e instanceof Error ? e.message : String(e)}`, null, '');
}

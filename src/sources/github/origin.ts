/**
 * What a module's origin repository on GitHub holds today: tags, commits and the tree at a commit,
 * read through the one GitHub REST layer (rest.ts: token scoping, redirect rules, rate limits). Tags are
 * re-read every time (they move); tarballs are cached on disk by commit id (immutable), bounded in bytes.
 */
import { createReadStream } from 'node:fs';
import { AbortedError, HttpClient, TooLargeError } from '../http.js';
import { FileCache } from '../file-cache.js';
import { readTarGz, TarballTooLargeError, type TarEntry, type TarSummary } from '../tarball.js';
import { GitHubApiError, GitHubRest, type ApiAnswer } from './rest.js';
import type { CommitInfo, CommitRelation, GitTreeEntry, OriginCallOptions, OriginReader, RepoInfo, TagInfo } from '../origin-reader.js';

export type { CommitInfo, CommitRelation, GitTreeEntry, OriginCallOptions, OriginReader, RepoInfo, TagInfo } from '../origin-reader.js';

export { TarballTooLargeError, TarballFormatError, type TarEntry, type TarSummary } from '../tarball.js';
export { CODELOAD_HOST, GITHUB_API_URL, GitHubApiError, RateLimitedError, RedirectNotAllowedError } from './rest.js';
export {
  githubRepoFromUrl,
  resolveGitHubLocation,
  tagForVersion,
  type GitHubLocation,
  type LocationResult,
  type ProxyOrigin,
} from './location.js';

/** Default cap on a downloaded tarball (compressed bytes). */
export const DEFAULT_MAX_TARBALL_BYTES = 100 << 20;

const SHA_RE = /^[0-9a-f]{40}$/;

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

/** Options for {@link GitHubOriginClient}. */
export interface GitHubOriginOptions {
  /** The REST layer to use (the engine shares one with the metadata client); built from the options below when absent. */
  rest?: GitHubRest;
  /** API root, default {@link GITHUB_API_URL}. */
  baseUrl?: string;
  /** Optional read-only token; sent only to the API origin. */
  token?: string;
  /** Cap on a tarball's compressed size. */
  maxTarballBytes?: number;
  /** Cap on a tarball's uncompressed size (default 500 MiB). */
  maxTarballUncompressedBytes?: number;
  /** Extra hosts (`host` or `host:port`) a tarball redirect may go to, besides the API host and codeload. */
  allowedRedirectHosts?: string[];
  /** Retries after a fast network error or a 5xx answer. */
  retries?: number;
  /** The HTTP layer (time bounds, caps, retries, concurrency); a default one is made when absent. */
  http?: HttpClient;
  /** On-disk cache for tarballs (shared with the proxy's zips in the engine); a private one when absent. */
  files?: FileCache;
}

/** Reads a module's origin on GitHub: repository, tags, commits and the tree at a commit. */
export class GitHubOriginClient implements OriginReader {
  readonly baseUrl: string;
  private readonly rest: GitHubRest;
  private readonly maxTarballBytes: number;
  private readonly maxUncompressed?: number;
  private readonly files: FileCache;
  private readonly ownsFiles: boolean;

  constructor(options: GitHubOriginOptions = {}) {
    this.rest =
      options.rest ??
      new GitHubRest({
        baseUrl: options.baseUrl,
        token: options.token,
        http: options.http,
        downloadHosts: options.allowedRedirectHosts,
        retries: options.retries,
      });
    this.baseUrl = this.rest.baseUrl;
    this.maxTarballBytes = options.maxTarballBytes ?? DEFAULT_MAX_TARBALL_BYTES;
    this.maxUncompressed = options.maxTarballUncompressedBytes;
    this.ownsFiles = options.files === undefined;
    this.files = options.files ?? new FileCache();
  }

  /** Deletes cached tarballs when this client made its own cache. */
  async close(): Promise<void> {
    if (this.ownsFiles) await this.files.close();
  }

  /** `GET /repos/{o}/{r}`: the repository, following a rename; throws RepoNotFoundError when gone. */
  async getRepo(owner: string, repo: string, opts: OriginCallOptions = {}): Promise<RepoInfo> {
    const a = await this.rest.get(`/repos/${seg(owner)}/${seg(repo)}`, opts);
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
  async resolveTag(owner: string, repo: string, tag: string, opts: OriginCallOptions = {}): Promise<TagInfo | null> {
    const a = await this.rest.get(`/repos/${seg(owner)}/${seg(repo)}/git/ref/tags/${tag.split('/').map(seg).join('/')}`, opts);
    if (a.status === 404) return null;
    expectOk(a);
    // With a prefix match GitHub's older endpoint could answer an array; treat that as "no exact tag".
    if (Array.isArray(a.body)) return null;
    let obj = objectOf(a, a.body);
    const info: TagInfo = { tag, commit: '', annotated: false };
    // A tag object may point at another tag object; follow a short chain to the commit.
    for (let hops = 0; obj.type === 'tag'; hops++) {
      if (hops >= 5) throw new GitHubApiError(`tag ${tag} of ${owner}/${repo} is nested more than 5 levels`, null, a.url);
      const t = await this.rest.get(`/repos/${seg(owner)}/${seg(repo)}/git/tags/${obj.sha}`, opts);
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
  async getCommit(owner: string, repo: string, sha: string, opts: OriginCallOptions = {}): Promise<CommitInfo | null> {
    if (!SHA_RE.test(sha)) throw new GitHubApiError(`${JSON.stringify(sha)} is not a full commit sha`, null, this.baseUrl);
    const a = await this.rest.get(`/repos/${seg(owner)}/${seg(repo)}/git/commits/${sha}`, opts);
    if (a.status === 404 || a.status === 422) return null;
    expectOk(a);
    const b = a.body as { sha?: unknown; committer?: { date?: unknown }; author?: { date?: unknown } };
    return commitInfo(a, b.sha, b.committer?.date, b.author?.date);
  }

  /**
   * `GET /repos/{o}/{r}/commits/{rev}`: resolves a short revision (a pseudo-version's 12 hex digits) to
   * the full commit, or null when GitHub knows no such commit (404 or 422).
   */
  async findCommit(owner: string, repo: string, rev: string, opts: OriginCallOptions = {}): Promise<CommitInfo | null> {
    if (!/^[0-9a-f]{7,40}$/.test(rev)) throw new GitHubApiError(`${JSON.stringify(rev)} is not a commit revision`, null, this.baseUrl);
    const a = await this.rest.get(`/repos/${seg(owner)}/${seg(repo)}/commits/${rev}`, opts);
    if (a.status === 404 || a.status === 422) return null;
    expectOk(a);
    const b = a.body as { sha?: unknown; commit?: { committer?: { date?: unknown }; author?: { date?: unknown } } };
    const info = commitInfo(a, b.sha, b.commit?.committer?.date, b.commit?.author?.date);
    if (!info.sha.startsWith(rev)) throw new GitHubApiError(`GitHub answered commit ${info.sha} for revision ${rev}`, null, a.url);
    return info;
  }

  /**
   * `GET /repos/{o}/{r}/compare/{base}...{head}`: where `head` stands relative to `base` (ahead = a
   * descendant, behind = an ancestor, diverged = both grow from a merge base). GitHub answers 404 when
   * the two commits share no history.
   */
  async compareCommits(owner: string, repo: string, base: string, head: string, opts: OriginCallOptions = {}): Promise<CommitRelation> {
    if (!SHA_RE.test(base) || !SHA_RE.test(head)) throw new GitHubApiError('compareCommits needs full commit shas', null, this.baseUrl);
    if (base === head) return 'identical';
    const a = await this.rest.get(`/repos/${seg(owner)}/${seg(repo)}/compare/${base}...${head}?per_page=1`, opts);
    if (a.status === 404) return 'unrelated';
    if (a.status !== 200) return 'unknown';
    const status = (a.body as { status?: unknown } | null)?.status;
    const relations: Record<string, CommitRelation> = { ahead: 'descendant', behind: 'ancestor', diverged: 'sibling', identical: 'identical' };
    return typeof status === 'string' ? (relations[status] ?? 'unknown') : 'unknown';
  }

  /**
   * `GET /repos/{o}/{r}/git/trees/{commit}?recursive=1`: every path of the commit with its git object id,
   * independent of .gitattributes export rules (which shape tarballs). `truncated` means GitHub cut the list.
   */
  async getTree(owner: string, repo: string, commitSha: string, opts: OriginCallOptions = {}): Promise<{ entries: GitTreeEntry[]; truncated: boolean } | null> {
    if (!SHA_RE.test(commitSha)) throw new GitHubApiError(`${JSON.stringify(commitSha)} is not a full commit sha`, null, this.baseUrl);
    const a = await this.rest.get(`/repos/${seg(owner)}/${seg(repo)}/git/trees/${commitSha}?recursive=1`, opts);
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
   * `GET /repos/{o}/{r}/tarball/{sha}` (302 to codeload): downloaded into the on-disk cache (keyed by the
   * commit, capped in bytes and time), then read: `onEntry` gets each entry with its path relative to the
   * repository root and its SHA-256; contents are kept when `keepContent` says so. Throws
   * TarballTooLargeError past a byte cap.
   */
  async streamTarball(
    owner: string,
    repo: string,
    commitSha: string,
    onEntry: (entry: TarEntry) => void,
    options: { keepContent?: (path: string, size: number) => boolean; signal?: AbortSignal } = {},
  ): Promise<TarSummary> {
    if (!SHA_RE.test(commitSha)) throw new GitHubApiError(`${JSON.stringify(commitSha)} is not a full commit sha`, null, this.baseUrl);
    const label = `tarball of ${owner}/${repo}@${commitSha.slice(0, 12)}`;
    const path = `/repos/${seg(owner)}/${seg(repo)}/tarball/${commitSha}`;
    let lease;
    try {
      lease = await this.files.acquire(
        `tarball:${this.rest.apiOrigin}/${owner}/${repo}@${commitSha}`.toLowerCase(),
        `${owner}-${repo}-${commitSha}.tar.gz`,
        async (dest, signal) => ({ file: dest, size: (await this.rest.download(path, dest, { maxBytes: this.maxTarballBytes, signal })).size }),
        options.signal,
      );
    } catch (e) {
      if (e instanceof TooLargeError) throw new TarballTooLargeError(this.maxTarballBytes, 'compressed bytes', label);
      if (e instanceof AbortedError) throw new GitHubApiError(`downloading the ${label}: ${e.message}`, null, e.url);
      if (e instanceof GitHubApiError && e.constructor === GitHubApiError && e.status !== null) {
        const what = e.status === 404 ? `GitHub has no ${label}` : `downloading the ${label} failed`;
        throw new GitHubApiError(`${what} (${e.message})`, e.status, e.url);
      }
      throw e;
    }
    try {
      return await readTarGz(
        createReadStream(lease.file),
        { maxBytes: this.maxTarballBytes, maxUncompressedBytes: this.maxUncompressed, keepContent: options.keepContent, label },
        onEntry,
      );
    } finally {
      lease.release();
    }
  }
}

function seg(s: string): string {
  return encodeURIComponent(s);
}

function expectOk(a: ApiAnswer): void {
  if (a.status !== 200) {
    throw new GitHubApiError(`GitHub API answered HTTP ${a.status} for ${a.url}${a.message ? `: ${a.message}` : ''}`, a.status, a.url);
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

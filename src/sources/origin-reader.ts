/**
 * The questions the divergence check asks of a module's origin repository, whatever hosts it: GitHub's
 * REST API (github/origin.ts), any git server over smart HTTP (git/origin.ts), GitLab's archives
 * (git/gitlab.ts). Readers bound to one repository ignore `owner` and `repo`.
 */
import type { TarEntry, TarSummary } from './tarball.js';

export type { TarEntry, TarSummary } from './tarball.js';

/** Per-call options: a signal that cancels the requests (the caller's deadline). */
export interface OriginCallOptions {
  signal?: AbortSignal;
}

/** A repository as its host describes it. */
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

/**
 * Where commit `head` stands relative to commit `base` in the repository's history: `descendant` (head
 * is base plus later commits: a tag moved forward), `ancestor` (moved back), `sibling` (both grow from a
 * common commit: an amended or rebased commit), `identical`, `unrelated` (no common history found), or
 * `unknown` (the host could not say).
 */
export type CommitRelation = 'identical' | 'descendant' | 'ancestor' | 'sibling' | 'unrelated' | 'unknown';

/** What the divergence check reads from an origin host. */
export interface OriginReader {
  /** The repository; throws an error named RepoNotFoundError when it is gone. */
  getRepo(owner: string, repo: string, opts?: OriginCallOptions): Promise<RepoInfo>;
  /** The tag's commit today, or null when the tag does not exist. */
  resolveTag(owner: string, repo: string, tag: string, opts?: OriginCallOptions): Promise<TagInfo | null>;
  /** A (short or full) revision resolved to its commit, or null when unknown. */
  findCommit(owner: string, repo: string, rev: string, opts?: OriginCallOptions): Promise<CommitInfo | null>;
  /** A full commit id with its dates, or null when the host does not have it. */
  getCommit(owner: string, repo: string, sha: string, opts?: OriginCallOptions): Promise<CommitInfo | null>;
  /** Every path of the commit with its git object id, or null when the commit is unknown. */
  getTree(owner: string, repo: string, commitSha: string, opts?: OriginCallOptions): Promise<{ entries: GitTreeEntry[]; truncated: boolean } | null>;
  /** The commit's files, one callback per entry with its SHA-256 (bytes kept when `keepContent` says so). */
  streamTarball(
    owner: string,
    repo: string,
    commitSha: string,
    onEntry: (entry: TarEntry) => void,
    options?: { keepContent?: (path: string, size: number) => boolean; signal?: AbortSignal },
  ): Promise<TarSummary>;
  /** Where `head` stands relative to `base`; optional (a reader without it leaves the relation unknown). */
  compareCommits?(owner: string, repo: string, base: string, head: string, opts?: OriginCallOptions): Promise<CommitRelation>;
}

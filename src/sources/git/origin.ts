/**
 * An origin reader for any git host over smart HTTP (protocol v2): tags through `ls-refs`, a commit, its
 * tree and its files through a depth-1 fetch of that one commit (one fetch serves all three), and how two
 * commits relate through a bounded fetch of their history (commits only where the server can filter).
 * Bound to one repository URL: the `owner`/`repo` arguments of OriginReader are ignored.
 */
import { createHash } from 'node:crypto';
import { HttpError, type HttpClient } from '../http.js';
import type { CommitInfo, CommitRelation, GitTreeEntry, OriginCallOptions, OriginReader, RepoInfo, TagInfo, TarEntry, TarSummary } from '../origin-reader.js';
import { PackTooLargeError, type PackLimits, type PackStore } from './pack.js';
import { GitProtocolError, SmartHttpRepo, UnknownObjectError } from './smart-http.js';

const SHA_RE = /^[0-9a-f]{40}$/;

/** The repository is gone (or private to us). Named like GitHub's so the divergence check reads it the same way. */
export class RepoNotFoundError extends Error {
  constructor(
    readonly url: string,
    readonly status: number,
  ) {
    super(`git repository ${url} was not found (HTTP ${status}: deleted, or private)`);
    this.name = 'RepoNotFoundError';
  }
}

/** Caps of a git origin. */
export interface GitOriginOptions {
  http: HttpClient;
  /** Largest pack (compressed bytes). */
  maxPackBytes?: number;
  /** Most objects in a pack, and most tree entries. */
  maxEntries?: number;
  /** Most bytes a pack may inflate to. */
  maxInflatedBytes?: number;
  /** Commits of history fetched to relate a moved tag to the recorded commit. */
  historyDepth?: number;
  /** How messages name the repository (`go.googlesource.com/net`). */
  label: string;
}

interface Snapshot {
  store: PackStore;
  commit: { sha: string; tree: string; parents: string[]; committerDate: string; authorDate: string };
}

/** Reads one git repository over smart HTTP. */
export class GitOriginReader implements OriginReader {
  protected readonly repoClient: SmartHttpRepo;
  private readonly snapshots = new Map<string, Promise<Snapshot | null>>();
  private readonly maxEntries: number;
  private readonly historyDepth: number;

  constructor(
    readonly url: string,
    protected readonly options: GitOriginOptions,
  ) {
    this.maxEntries = options.maxEntries ?? 200_000;
    this.historyDepth = options.historyDepth ?? 200;
    const limits: PackLimits = { maxObjects: this.maxEntries, maxInflatedBytes: options.maxInflatedBytes ?? 500 << 20 };
    this.repoClient = new SmartHttpRepo(url.replace(/\/+$/, ''), { http: options.http, maxPackBytes: options.maxPackBytes ?? 200 << 20, limits });
  }

  async getRepo(_owner: string, _repo: string, opts: OriginCallOptions = {}): Promise<RepoInfo> {
    let refs;
    try {
      refs = await this.repoClient.lsRefs('HEAD', opts.signal);
    } catch (e) {
      throw this.gone(e);
    }
    const head = refs.find((r) => r.ref === 'HEAD');
    const [owner, ...rest] = this.options.label.split('/');
    return {
      owner: owner ?? '',
      repo: rest.join('/'),
      fullName: this.options.label,
      id: 0,
      private: false,
      defaultBranch: head?.target?.replace(/^refs\/heads\//, '') ?? '',
    };
  }

  async resolveTag(_owner: string, _repo: string, tag: string, opts: OriginCallOptions = {}): Promise<TagInfo | null> {
    let refs;
    try {
      refs = await this.repoClient.lsRefs(`refs/tags/${tag}`, opts.signal);
    } catch (e) {
      throw this.gone(e);
    }
    const r = refs.find((x) => x.ref === `refs/tags/${tag}`);
    if (!r) return null;
    if (!r.peeled) return { tag, commit: r.oid, annotated: false };
    const info: TagInfo = { tag, commit: r.peeled, annotated: true, tagObject: r.oid };
    // The tag object's date is evidence of when the tag was (re)made; one small fetch.
    try {
      const { store } = await this.repoClient.fetch({ wants: [r.oid], deepen: 1, commitsOnly: true }, opts.signal);
      const t = await store.tag(r.oid);
      info.taggerDate = isoDate(t.tagger.timestamp);
    } catch {
      // The date only adds evidence.
    }
    return info;
  }

  async findCommit(owner: string, repo: string, rev: string, opts: OriginCallOptions = {}): Promise<CommitInfo | null> {
    if (SHA_RE.test(rev)) return this.getCommit(owner, repo, rev, opts);
    if (!/^[0-9a-f]{7,39}$/.test(rev)) throw new GitProtocolError(`${JSON.stringify(rev)} is not a commit revision`, this.url);
    // The protocol wants full ids: a short one resolves only when a branch or tag tip has it.
    const refs = await this.repoClient.lsRefs('refs/', opts.signal).catch((e) => Promise.reject(this.gone(e)));
    const full = [...new Set(refs.flatMap((r) => [r.oid, r.peeled ?? '']).filter((o) => o.startsWith(rev)))];
    if (full.length === 1) return this.getCommit(owner, repo, full[0]!, opts);
    throw new GitProtocolError(`revision ${rev} is not the tip of any branch or tag of ${this.options.label}, and the git protocol cannot look up a short commit id (the proxy recorded no full commit)`, this.url);
  }

  async getCommit(_owner: string, _repo: string, sha: string, opts: OriginCallOptions = {}): Promise<CommitInfo | null> {
    const s = await this.snapshot(sha, opts.signal);
    return s ? { sha, committerDate: s.commit.committerDate, authorDate: s.commit.authorDate } : null;
  }

  async getTree(_owner: string, _repo: string, sha: string, opts: OriginCallOptions = {}): Promise<{ entries: GitTreeEntry[]; truncated: boolean } | null> {
    const s = await this.snapshot(sha, opts.signal);
    if (!s) return null;
    const entries: GitTreeEntry[] = [];
    await this.walk(s.store, s.commit.tree, '', async (path, e) => {
      entries.push({ path, mode: e.mode, type: e.type, sha: e.oid });
    });
    return { entries, truncated: false };
  }

  async streamTarball(
    _owner: string,
    _repo: string,
    sha: string,
    onEntry: (entry: TarEntry) => void,
    options: { keepContent?: (path: string, size: number) => boolean; signal?: AbortSignal } = {},
  ): Promise<TarSummary> {
    const s = await this.snapshot(sha, options.signal);
    if (!s) throw new UnknownObjectError(`${this.options.label} does not have commit ${sha}`);
    let entries = 0;
    let bytes = 0;
    await this.walk(s.store, s.commit.tree, '', async (path, e) => {
      entries++;
      if (e.type === 'tree') return onEntry({ path, type: 'directory', size: 0, sha256: '' });
      if (e.type === 'commit') return onEntry({ path, type: 'other', size: 0, sha256: '' });
      if (e.mode === '120000') return onEntry({ path, type: 'symlink', size: 0, sha256: '' });
      const data = await s.store.blob(e.oid);
      bytes += data.length;
      const entry: TarEntry = { path, type: 'file', size: data.length, sha256: createHash('sha256').update(data).digest('hex') };
      if (options.keepContent?.(path, data.length)) entry.content = data;
      onEntry(entry);
    });
    return { topDir: null, entries, compressedBytes: 0, uncompressedBytes: bytes };
  }

  /**
   * Where `head` stands relative to `base`: both histories fetched to a bounded depth (commits only
   * where the server filters). `unrelated` only when both histories were seen to their roots.
   */
  async compareCommits(_owner: string, _repo: string, base: string, head: string, opts: OriginCallOptions = {}): Promise<CommitRelation> {
    if (base === head) return 'identical';
    const { store, shallow } = await this.repoClient.fetch({ wants: [base, head], deepen: this.historyDepth, commitsOnly: true }, opts.signal);
    const parents = new Map<string, string[]>();
    for (const oid of store.oids) {
      if ((await store.type(oid)) !== 'commit') continue;
      parents.set(oid, (await store.commit(oid)).parents);
    }
    const walk = (from: string) => {
      const seen = new Set<string>();
      let complete = true;
      const todo = [from];
      while (todo.length) {
        const c = todo.pop()!;
        if (seen.has(c)) continue;
        seen.add(c);
        const ps = parents.get(c);
        if (!ps || shallow.has(c)) complete = false;
        todo.push(...(ps ?? []));
      }
      return { seen, complete };
    };
    const h = walk(head);
    const b = walk(base);
    if (h.seen.has(base)) return 'descendant';
    if (b.seen.has(head)) return 'ancestor';
    if ([...h.seen].some((c) => b.seen.has(c) && parents.has(c))) return 'sibling';
    return h.complete && b.complete ? 'unrelated' : 'unknown';
  }

  /** One depth-1 fetch per commit serves its date, tree and files; null when the server does not have it. */
  private snapshot(sha: string, signal?: AbortSignal): Promise<Snapshot | null> {
    if (!SHA_RE.test(sha)) return Promise.reject(new GitProtocolError(`${JSON.stringify(sha)} is not a full commit id`, this.url));
    let p = this.snapshots.get(sha);
    if (!p) {
      p = (async () => {
        let fetched;
        try {
          fetched = await this.repoClient.fetch({ wants: [sha], deepen: 1 }, signal);
        } catch (e) {
          if (e instanceof UnknownObjectError) return null;
          throw this.gone(e);
        }
        if (!fetched.store.has(sha) || (await fetched.store.type(sha)) !== 'commit') return null;
        const c = await fetched.store.commit(sha);
        return {
          store: fetched.store,
          commit: { sha, tree: c.tree, parents: c.parents, committerDate: isoDate(c.committer.timestamp), authorDate: isoDate(c.author.timestamp) },
        };
      })();
      p.catch(() => this.snapshots.delete(sha));
      this.snapshots.set(sha, p);
    }
    return p;
  }

  private async walk(
    store: PackStore,
    tree: string,
    prefix: string,
    visit: (path: string, e: { mode: string; oid: string; type: 'blob' | 'tree' | 'commit' }) => Promise<void> | void,
    counter = { n: 0 },
  ): Promise<void> {
    for (const e of await store.tree(tree)) {
      if (++counter.n > this.maxEntries) throw new PackTooLargeError(`the tree of ${this.options.label} has more than ${this.maxEntries} entries`);
      if (e.path.includes('/') || e.path === '..' || e.path === '.') throw new GitProtocolError(`the tree of ${this.options.label} holds a bad name ${JSON.stringify(e.path)}`, this.url);
      const path = prefix ? `${prefix}/${e.path}` : e.path;
      await visit(path, e);
      if (e.type === 'tree') await this.walk(store, e.oid, path, visit, counter);
    }
  }

  /** 401/403/404 on the repository itself means gone (or private), like GitHub's 404. */
  private gone(e: unknown): unknown {
    if (e instanceof HttpError && (e.status === 404 || e.status === 401 || e.status === 403 || e.status === 410)) return new RepoNotFoundError(this.url, e.status);
    return e;
  }
}

function isoDate(seconds: number): string {
  return new Date(seconds * 1000).toISOString().replace('.000Z', 'Z');
}

/**
 * A fake GitHub REST API on 127.0.0.1 for tests and benchmarks. It answers the endpoints ModWarden's
 * origin client uses with the same status codes, headers and JSON shapes as api.github.com:
 *   GET /repos/{o}/{r}                      repository metadata (301 for renamed repos, 404 for deleted/private)
 *   GET /repositories/{id}[/...]            the target of a rename redirect
 *   GET /repos/{o}/{r}/git/ref/tags/{tag}   a reference (object.type "commit" or "tag")
 *   GET /repos/{o}/{r}/git/tags/{sha}       an annotated tag object (tagger date, object it points at)
 *   GET /repos/{o}/{r}/git/commits/{sha}    a git commit (committer date)
 *   GET /repos/{o}/{r}/commits/{ref}        a commit by sha prefix, tag or branch (422 when unknown)
 *   GET /repos/{o}/{r}/git/trees/{sha}?recursive=1  every path with its git blob/tree id
 *   GET /repos/{o}/{r}/compare/{base}...{head}      ahead / behind / diverged / identical (404: no common history)
 *   GET /repos/{o}/{r}/tarball/{ref}        302 to a codeload-style URL on this server
 *   GET /codeload/{o}/{r}/legacy.tar.gz/{sha}  a real tar.gz with the `owner-repo-<short sha>/` prefix,
 *                                           honouring a root .gitattributes' export-ignore and export-subst
 *   GET /users/{login}
 * State is a plain mutable object, so a test can move a tag, delete a repo or turn on rate limiting.
 */
import { createHash } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gzipSync } from 'node:zlib';
import tar from 'tar-stream';

/** A file in a fake commit: text, bytes, or a symlink to a target path. */
export type FakeFile = string | Uint8Array | { symlink: string };

/** A commit of a fake repository with its complete tree. */
export interface FakeCommit {
  sha: string;
  files: Record<string, FakeFile>;
  /** ISO 8601 committer date (what Go uses for pseudo-versions and .info Time). */
  committerDate: string;
  authorDate?: string;
  message?: string;
  parents?: string[];
}

/** A tag: lightweight when `annotated` is absent, otherwise a tag object with its own sha and date. */
export interface FakeTag {
  commit: string;
  annotated?: { sha: string; taggerDate: string; message?: string };
}

/** A fake repository. Keys of `commits` are full shas; keys of `tags` are tag names (`v1.2.3`, `sub/v1.0.0`). */
export interface FakeRepo {
  id: number;
  owner: string;
  name: string;
  private?: boolean;
  defaultBranch?: string;
  commits: Record<string, FakeCommit>;
  tags: Record<string, FakeTag>;
  branches?: Record<string, string>;
}

/** A canned failure for requests whose path matches. `times` counts down; absent = forever. */
export interface FakeFault {
  match: RegExp;
  status: number;
  body?: string;
  headers?: Record<string, string>;
  times?: number;
}

/** Everything the server answers from. Mutate it freely between requests. */
export interface GitHubServerState {
  /** Keyed by `owner/name` (any case; GitHub names are case-insensitive). */
  repos: Record<string, FakeRepo>;
  /** Old `owner/name` -> current `owner/name`: requests to the old name get a 301 like GitHub's. */
  renames: Record<string, string>;
  /**
   * When set, every API request (not codeload) gets this rate-limit answer; `times` counts down (absent =
   * until cleared), `resource` is sent as x-ratelimit-resource (default core), `message` replaces GitHub's.
   */
  rateLimit: null | { status: 403 | 429; resetEpochSeconds?: number; retryAfterSeconds?: number; times?: number; resource?: string; message?: string; noHeaders?: boolean };
  /** Misbehaving download host: never answer, or send headers and `bytes` bytes of the tarball, then stall. */
  codeloadFault?: { kind: 'hang' } | { kind: 'stall'; bytes: number };
  /** Token that unlocks private repos (`Authorization: Bearer <token>` or `token <token>`). */
  token?: string;
  /** Delay before answering each request. */
  latencyMs?: number;
  /** Overrides the base of the tarball redirect Location (e.g. to test disallowed hosts). */
  tarballRedirectBase?: string;
  faults?: FakeFault[];
}

/** One request the server saw. */
export interface SeenRequest {
  method: string;
  path: string;
  authorization: string | undefined;
}

/** A running fake GitHub server. */
export interface GitHubServer {
  url: string;
  state: GitHubServerState;
  requests: SeenRequest[];
  close(): Promise<void>;
}

const DOCS = 'https://docs.github.com/rest';

/** Deterministic 40-hex sha for fake objects (a sha1 of what identifies them). */
export function fakeSha(...parts: string[]): string {
  return createHash('sha1').update(parts.join('\0')).digest('hex');
}

/** Builds a commit whose sha is derived from its files, date and message. */
export function makeCommit(files: Record<string, FakeFile>, committerDate: string, message = 'commit'): FakeCommit {
  const h = createHash('sha1');
  for (const name of Object.keys(files).sort()) {
    const f = files[name];
    h.update(name + '\0');
    h.update(typeof f === 'string' || f instanceof Uint8Array ? f : `symlink:${f.symlink}`);
    h.update('\0');
  }
  h.update(committerDate + '\0' + message);
  return { sha: h.digest('hex'), files, committerDate, message };
}

/** Builds a repository holding the given commits, with no tags yet. */
export function makeRepo(owner: string, name: string, commits: FakeCommit[], id = 1000 + Math.floor(Math.random() * 1e6)): FakeRepo {
  return { id, owner, name, commits: Object.fromEntries(commits.map((c) => [c.sha, c])), tags: {} };
}

/** Starts the server on 127.0.0.1 with an ephemeral port. */
export async function startGitHubServer(initial: Partial<GitHubServerState> = {}): Promise<GitHubServer> {
  const state: GitHubServerState = { repos: {}, renames: {}, rateLimit: null, faults: [], ...initial };
  const requests: SeenRequest[] = [];
  const tarballs = new Map<string, Promise<Buffer>>(); // keyed by prefix (owner-repo-sha)
  let base = '';

  const server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    requests.push({ method: req.method ?? 'GET', path, authorization: req.headers.authorization });
    const answer = () => {
      try {
        route(req, res, path);
      } catch (e) {
        send(res, 500, { message: `fake server error: ${(e as Error).message}` });
      }
    };
    if (state.latencyMs) setTimeout(answer, state.latencyMs);
    else answer();
  });

  function route(req: IncomingMessage, res: ServerResponse, path: string): void {
    if (req.method !== 'GET') return send(res, 404, notFound());
    const segs = path.split('/').slice(1).map(decodeURIComponent);

    if (segs[0] === 'codeload') {
      if (state.codeloadFault?.kind === 'hang') return;
      return codeload(res, segs);
    }

    for (const f of state.faults ?? []) {
      if (f.match.test(path) && (f.times === undefined || f.times > 0)) {
        if (f.times !== undefined) f.times--;
        res.writeHead(f.status, { 'content-type': 'application/json; charset=utf-8', ...f.headers });
        return void res.end(f.body ?? JSON.stringify({ message: 'Server Error' }));
      }
    }
    if (state.rateLimit) {
      const rl = state.rateLimit;
      if (rl.times !== undefined && --rl.times <= 0) state.rateLimit = null;
      return rateLimited(res, rl);
    }

    if (segs[0] === 'users' && segs.length === 2) {
      const login = segs[1];
      const owns = Object.values(state.repos).some((r) => r.owner.toLowerCase() === login.toLowerCase());
      if (!owns) return send(res, 404, notFound('users/users#get-a-user'));
      return send(res, 200, { login, id: Number.parseInt(fakeSha(login).slice(0, 6), 16), type: 'User', url: `${base}/users/${login}` });
    }

    let repo: FakeRepo | undefined;
    let rest: string[];
    if (segs[0] === 'repositories' && segs.length >= 2) {
      repo = Object.values(state.repos).find((r) => String(r.id) === segs[1]);
      rest = segs.slice(2);
    } else if (segs[0] === 'repos' && segs.length >= 3) {
      const key = `${segs[1]}/${segs[2]}`.toLowerCase();
      const renamedTo = Object.entries(state.renames).find(([old]) => old.toLowerCase() === key)?.[1];
      if (renamedTo && !findRepo(key)) {
        const target = findRepo(renamedTo.toLowerCase());
        if (target) {
          const loc = `${base}/repositories/${target.id}${segs.length > 3 ? '/' + segs.slice(3).map(encodeURIComponent).join('/') : ''}`;
          res.writeHead(301, { location: loc, 'content-type': 'application/json; charset=utf-8' });
          return void res.end(JSON.stringify({ message: 'Moved Permanently', url: loc, documentation_url: 'https://docs.github.com/v3/#http-redirects' }));
        }
      }
      repo = findRepo(key);
      rest = segs.slice(3);
    } else {
      return send(res, 404, notFound());
    }
    if (!repo || (repo.private && !authorized(req))) return send(res, 404, notFound('repos/repos#get-a-repository'));
    return repoRoute(res, repo, rest);
  }

  function repoRoute(res: ServerResponse, repo: FakeRepo, rest: string[]): void {
    const api = `${base}/repos/${repo.owner}/${repo.name}`;
    if (rest.length === 0) {
      return send(res, 200, {
        id: repo.id,
        node_id: `R_${repo.id}`,
        name: repo.name,
        full_name: `${repo.owner}/${repo.name}`,
        private: !!repo.private,
        owner: { login: repo.owner, id: repo.id + 1, type: 'User', url: `${base}/users/${repo.owner}` },
        html_url: `https://github.com/${repo.owner}/${repo.name}`,
        url: api,
        fork: false,
        archived: false,
        disabled: false,
        visibility: repo.private ? 'private' : 'public',
        default_branch: repo.defaultBranch ?? 'main',
      });
    }
    const [kind, sub, ...tail] = rest;
    if (kind === 'git' && sub === 'ref' && tail[0] === 'tags' && tail.length >= 2) {
      const tagName = tail.slice(1).join('/');
      const tag = repo.tags[tagName];
      if (!tag) return send(res, 404, notFound('git/refs#get-a-reference'));
      const obj = tag.annotated
        ? { sha: tag.annotated.sha, type: 'tag', url: `${api}/git/tags/${tag.annotated.sha}` }
        : { sha: tag.commit, type: 'commit', url: `${api}/git/commits/${tag.commit}` };
      return send(res, 200, { ref: `refs/tags/${tagName}`, node_id: `REF_${fakeSha(tagName)}`, url: `${api}/git/refs/tags/${tagName}`, object: obj });
    }
    if (kind === 'git' && sub === 'tags' && tail.length === 1) {
      const entry = Object.entries(repo.tags).find(([, t]) => t.annotated?.sha === tail[0]);
      if (!entry) return send(res, 404, notFound('git/tags#get-a-tag'));
      const [name, t] = entry;
      const tagger = { name: 'Tagger', email: 'tagger@example.com', date: t.annotated!.taggerDate };
      return send(res, 200, {
        node_id: `TAG_${t.annotated!.sha}`,
        tag: name,
        sha: t.annotated!.sha,
        url: `${api}/git/tags/${t.annotated!.sha}`,
        message: t.annotated!.message ?? `Release ${name}\n`,
        tagger,
        object: { type: 'commit', sha: t.commit, url: `${api}/git/commits/${t.commit}` },
        verification: { verified: false, reason: 'unsigned', signature: null, payload: null, verified_at: null },
      });
    }
    if (kind === 'compare' && sub !== undefined && tail.length === 0 && sub.includes('...')) {
      // Like GitHub: ahead (head descends from base), behind, diverged (a merge base exists), identical; 404 without common history.
      const [b, h] = sub.split('...');
      if (!repo.commits[b!] || !repo.commits[h!]) return send(res, 404, notFound('commits/commits#compare-two-commits'));
      const ancestors = (sha: string): Set<string> => {
        const seen = new Set<string>();
        const todo = [sha];
        while (todo.length) {
          const s = todo.pop()!;
          if (seen.has(s)) continue;
          seen.add(s);
          todo.push(...(repo.commits[s]?.parents ?? []));
        }
        return seen;
      };
      const ofHead = ancestors(h!);
      const ofBase = ancestors(b!);
      const status = b === h ? 'identical' : ofHead.has(b!) ? 'ahead' : ofBase.has(h!) ? 'behind' : [...ofHead].some((s) => ofBase.has(s)) ? 'diverged' : null;
      if (!status) return send(res, 404, { message: `No common ancestor between ${b} and ${h}.`, documentation_url: `${DOCS}/commits/commits#compare-two-commits`, status: '404' });
      return send(res, 200, { status, ahead_by: 0, behind_by: 0, total_commits: 0, commits: [], files: [] });
    }
    if (kind === 'git' && sub === 'trees' && tail.length === 1) {
      const c = lookupRef(repo, tail[0]);
      if (!c) return send(res, 404, notFound('git/trees#get-a-tree'));
      return send(res, 200, gitTreeJson(api, c));
    }
    if (kind === 'git' && sub === 'commits' && tail.length === 1) {
      const c = repo.commits[tail[0]];
      if (!c) return send(res, 404, notFound('git/commits#get-a-commit-object'));
      return send(res, 200, gitCommitJson(api, c));
    }
    if (kind === 'commits' && sub !== undefined && tail.length === 0 || (kind === 'commits' && tail.length > 0)) {
      const ref = [sub, ...tail].join('/');
      const c = lookupRef(repo, ref);
      if (!c) return send(res, 422, { message: `No commit found for SHA: ${ref}`, documentation_url: `${DOCS}/commits/commits#get-a-commit`, status: '422' });
      const g = gitCommitJson(api, c);
      return send(res, 200, {
        sha: c.sha,
        node_id: `C_${c.sha}`,
        commit: { author: g.author, committer: g.committer, message: g.message, tree: g.tree, url: g.url, comment_count: 0, verification: g.verification },
        url: `${api}/commits/${c.sha}`,
        html_url: `https://github.com/${repo.owner}/${repo.name}/commit/${c.sha}`,
        author: null,
        committer: null,
        parents: g.parents,
        files: [],
      });
    }
    if (kind === 'tarball' && sub !== undefined) {
      const ref = [sub, ...tail].join('/');
      const c = lookupRef(repo, ref);
      if (!c) return send(res, 404, notFound('repos/contents#download-a-repository-archive-tar'));
      const loc = `${state.tarballRedirectBase ?? base}/codeload/${repo.owner}/${repo.name}/legacy.tar.gz/${c.sha}`;
      res.writeHead(302, { location: loc, 'content-length': '0' });
      return void res.end();
    }
    return send(res, 404, notFound());
  }

  function codeload(res: ServerResponse, segs: string[]): void {
    // /codeload/{owner}/{repo}/legacy.tar.gz/{sha}
    const repo = segs.length === 5 ? findRepo(`${segs[1]}/${segs[2]}`.toLowerCase()) : undefined;
    const commit = repo?.commits[segs[4]];
    if (!repo || !commit) {
      res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' });
      return void res.end('404: Not Found');
    }
    const prefix = `${repo.owner}-${repo.name}-${commit.sha.slice(0, 7)}`;
    let built = tarballs.get(prefix);
    if (!built) {
      built = buildTarball(prefix, commit);
      tarballs.set(prefix, built);
    }
    built.then(
      (body) => serveTarball(res, prefix, body),
      (e: Error) => send(res, 500, { message: `fake server could not build the tarball: ${e.message}` }),
    );
  }

  function serveTarball(res: ServerResponse, prefix: string, body: Buffer): void {
    res.writeHead(200, {
      'content-type': 'application/x-gzip',
      'content-disposition': `attachment; filename=${prefix}.tar.gz`,
      'content-length': String(body.length),
    });
    const fault = state.codeloadFault;
    if (fault?.kind === 'stall') return void res.write(body.subarray(0, fault.bytes));
    res.end(body);
  }

  function findRepo(lowerKey: string): FakeRepo | undefined {
    return Object.entries(state.repos).find(([k]) => k.toLowerCase() === lowerKey)?.[1];
  }

  function authorized(req: IncomingMessage): boolean {
    const h = req.headers.authorization ?? '';
    return !!state.token && (h === `Bearer ${state.token}` || h === `token ${state.token}`);
  }

  function rateLimited(res: ServerResponse, rl: NonNullable<GitHubServerState['rateLimit']>): void {
    const headers: Record<string, string> = rl.noHeaders
      ? { 'content-type': 'application/json; charset=utf-8' }
      : {
          'content-type': 'application/json; charset=utf-8',
          'x-ratelimit-limit': '60',
          'x-ratelimit-remaining': '0',
          'x-ratelimit-used': '60',
          'x-ratelimit-resource': rl.resource ?? 'core',
        };
    if (rl.resetEpochSeconds !== undefined) headers['x-ratelimit-reset'] = String(rl.resetEpochSeconds);
    if (rl.retryAfterSeconds !== undefined) headers['retry-after'] = String(rl.retryAfterSeconds);
    const message =
      rl.message ??
      (rl.status === 429 || rl.retryAfterSeconds !== undefined
        ? 'You have exceeded a secondary rate limit. Please wait a few minutes before you try again.'
        : "API rate limit exceeded for 127.0.0.1. (But here's the good news: Authenticated requests get a higher rate limit. Check out the documentation for more details.)");
    res.writeHead(rl.status, headers);
    res.end(JSON.stringify({ message, documentation_url: `${DOCS}/overview/rate-limits-for-the-rest-api` }));
  }

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url: base,
    state,
    requests,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((e) => (e ? reject(e) : resolve()));
      }),
  };
}

function lookupRef(repo: FakeRepo, ref: string): FakeCommit | undefined {
  if (/^[0-9a-f]{4,40}$/.test(ref)) {
    const hits = Object.values(repo.commits).filter((c) => c.sha.startsWith(ref));
    if (hits.length === 1) return hits[0];
  }
  const tag = repo.tags[ref.replace(/^refs\/tags\//, '')];
  if (tag) return repo.commits[tag.commit];
  const branch = repo.branches?.[ref.replace(/^refs\/heads\//, '')];
  return branch ? repo.commits[branch] : undefined;
}

function gitCommitJson(api: string, c: FakeCommit) {
  const person = (date: string) => ({ name: 'Dev', email: 'dev@example.com', date });
  return {
    sha: c.sha,
    node_id: `C_${c.sha}`,
    url: `${api}/git/commits/${c.sha}`,
    html_url: `${api.replace('/repos/', '/').replace(/^http:\/\/[^/]+/, 'https://github.com')}/commit/${c.sha}`,
    author: person(c.authorDate ?? c.committerDate),
    committer: person(c.committerDate),
    tree: { sha: fakeSha('tree', c.sha), url: `${api}/git/trees/${fakeSha('tree', c.sha)}` },
    message: c.message ?? 'commit',
    parents: (c.parents ?? []).map((p) => ({ sha: p, url: `${api}/git/commits/${p}`, html_url: '' })),
    verification: { verified: false, reason: 'unsigned', signature: null, payload: null, verified_at: null },
  };
}

/** Git's object id of a blob: SHA-1 over `blob <size>\0` and the bytes. */
export function gitBlobSha(content: string | Uint8Array): string {
  const bytes = Buffer.from(content);
  return createHash('sha1').update(`blob ${bytes.length}\0`).update(bytes).digest('hex');
}

function gitTreeJson(api: string, c: FakeCommit) {
  const dirs = new Set<string>();
  const tree: Array<Record<string, unknown>> = [];
  for (const name of Object.keys(c.files).sort()) {
    const parts = name.split('/');
    for (let i = 1; i < parts.length; i++) dirs.add(parts.slice(0, i).join('/'));
    const f = c.files[name];
    const link = typeof f === 'object' && !(f instanceof Uint8Array);
    const bytes = link ? Buffer.from(f.symlink) : Buffer.from(f);
    const sha = gitBlobSha(bytes);
    tree.push({ path: name, mode: link ? '120000' : '100644', type: 'blob', sha, size: bytes.length, url: `${api}/git/blobs/${sha}` });
  }
  for (const d of dirs) tree.push({ path: d, mode: '040000', type: 'tree', sha: fakeSha('tree', c.sha, d), url: `${api}/git/trees/${fakeSha('tree', c.sha, d)}` });
  tree.sort((a, b) => String(a.path).localeCompare(String(b.path)));
  return { sha: fakeSha('tree', c.sha), url: `${api}/git/trees/${fakeSha('tree', c.sha)}`, tree, truncated: false };
}

/** Root .gitattributes rules git archive applies: `path export-ignore` and `path export-subst` (exact paths or `dir/**`). */
function exportRules(commit: FakeCommit): { ignore: (p: string) => boolean; subst: (p: string) => boolean } {
  const attrs = commit.files['.gitattributes'];
  const lines = typeof attrs === 'string' ? attrs.split('\n') : [];
  const match = (attr: string) => {
    const pats = lines.map((l) => l.trim().split(/\s+/)).filter((f) => f.length >= 2 && f.slice(1).includes(attr)).map((f) => f[0]);
    return (p: string) => pats.some((pat) => (pat.endsWith('/**') ? p.startsWith(pat.slice(0, -2)) : p === pat.replace(/^\//, '')));
  };
  return { ignore: match('export-ignore'), subst: match('export-subst') };
}

function notFound(docPath = 'repos'): Record<string, string> {
  return { message: 'Not Found', documentation_url: `${DOCS}/${docPath}`, status: '404' };
}

function send(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'x-ratelimit-limit': '5000',
    'x-ratelimit-remaining': '4999',
    'x-ratelimit-reset': String(Math.floor(Date.now() / 1000) + 3600),
    'x-github-api-version-selected': '2022-11-28',
  });
  res.end(text);
}

/**
 * Builds the tar.gz GitHub serves for a commit: a pax global header whose comment is the commit sha
 * (what `git archive` writes), the top directory `prefix/`, then every directory and file, sorted.
 */
export async function buildTarball(prefix: string, commit: FakeCommit): Promise<Buffer> {
  const pack = tar.pack();
  const mtime = new Date(commit.committerDate);
  const chunks: Buffer[] = [paxGlobalHeader(commit.sha, mtime)];
  pack.entry({ name: `${prefix}/`, type: 'directory', mode: 0o775, mtime });
  const dirs = new Set<string>();
  const rules = exportRules(commit);
  const names = Object.keys(commit.files).sort().filter((n) => !rules.ignore(n));
  for (const name of names) {
    const parts = name.split('/');
    for (let i = 1; i < parts.length; i++) {
      const d = parts.slice(0, i).join('/');
      if (!dirs.has(d)) {
        dirs.add(d);
        pack.entry({ name: `${prefix}/${d}/`, type: 'directory', mode: 0o775, mtime });
      }
    }
    const f = commit.files[name];
    if (typeof f === 'object' && !(f instanceof Uint8Array)) {
      pack.entry({ name: `${prefix}/${name}`, type: 'symlink', linkname: f.symlink, mode: 0o777, mtime });
    } else {
      // export-subst expands $Format:...$ placeholders; %H (the commit id) is enough for tests.
      const body = rules.subst(name) ? Buffer.from(Buffer.from(f).toString('utf8').replaceAll('$Format:%H$', commit.sha)) : Buffer.from(f);
      pack.entry({ name: `${prefix}/${name}`, mode: 0o664, mtime }, body);
    }
  }
  pack.finalize();
  for await (const c of pack) chunks.push(c as Buffer);
  return gzipSync(Buffer.concat(chunks));
}

/** A ustar `g` (pax global header) block carrying `comment=<sha>`, as `git archive` writes first. */
function paxGlobalHeader(sha: string, mtime: Date): Buffer {
  // A pax record is "<length> key=value\n" where <length> counts its own digits too.
  const body0 = ` comment=${sha}\n`;
  let total = body0.length + String(body0.length).length;
  while (body0.length + String(total).length !== total) total = body0.length + String(total).length;
  const record = `${total}${body0}`;
  const header = Buffer.alloc(512);
  const put = (s: string, off: number) => header.write(s, off, 'ascii');
  put('pax_global_header', 0);
  put('0000666\0', 100);
  put('0000000\0', 108);
  put('0000000\0', 116);
  put(record.length.toString(8).padStart(11, '0') + '\0', 124);
  put(Math.floor(mtime.getTime() / 1000).toString(8).padStart(11, '0') + '\0', 136);
  put('        ', 148);
  put('g', 156);
  put('ustar\0', 257);
  put('00', 263);
  let sum = 0;
  for (const b of header) sum += b;
  put(sum.toString(8).padStart(6, '0') + '\0 ', 148);
  const body = Buffer.alloc(Math.ceil(record.length / 512) * 512);
  body.write(record, 0, 'ascii');
  return Buffer.concat([header, body]);
}

/**
 * Lean local servers for the demo and the benchmark, on 127.0.0.1 (no credentials, no internet):
 *  - a GOPROXY (`/@v/list`, `.info` with Origin, `.mod`, `.zip`, `/@latest`), optional latency per request;
 *  - a GitHub REST double: origin repositories (repo, tag refs, commits, tarball -> codeload redirect) and
 *    the installation's repository for one pull request (files, contents, compare, comments, check runs,
 *    reviews), recording every write so the demo can print what the app posted.
 * The shapes follow GitHub's REST docs and Go's proxy protocol; tests use the fuller doubles under test/helpers.
 */
import { createHash } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gzipSync } from 'node:zlib';
import tar from 'tar-stream';
import yazl from 'yazl';
import { unescapePath, unescapeVersion } from '../src/gomod/module.js';

/** One module version the proxy serves. */
export interface ProxyModule {
  path: string;
  version: string;
  files: Record<string, string>;
  time: string;
  origin?: { VCS: string; URL: string; Ref?: string; Hash: string };
}

/** A running local server. */
export interface LocalServer {
  url: string;
  requests: number;
  close(): Promise<void>;
}

async function listen(server: Server): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

function closer(server: Server): () => Promise<void> {
  return () =>
    new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    });
}

/** Builds a module zip laid out as the Go command does (`<module>@<version>/` prefix). */
export function moduleZip(path: string, version: string, files: Record<string, string>): Promise<Buffer> {
  const zip = new yazl.ZipFile();
  for (const [name, text] of Object.entries(files).sort(([a], [b]) => a.localeCompare(b))) {
    zip.addBuffer(Buffer.from(text), `${path}@${version}/${name}`, { mtime: new Date(0), mode: 0o644 });
  }
  zip.end();
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    zip.outputStream.on('data', (c: Buffer) => chunks.push(c));
    zip.outputStream.on('end', () => resolve(Buffer.concat(chunks)));
    zip.outputStream.on('error', reject);
  });
}

/** Starts a GOPROXY serving `modules`; every answer waits `latencyMs` first. */
export async function startProxy(modules: ProxyModule[], latencyMs = 0): Promise<LocalServer> {
  const byKey = new Map(modules.map((m) => [`${m.path}@${m.version}`, m]));
  const zips = new Map<string, Promise<Buffer>>();
  const state = { requests: 0 };
  const server = createServer((req, res) => {
    state.requests++;
    setTimeout(() => void answer(req, res), latencyMs);
  });
  async function answer(req: IncomingMessage, res: ServerResponse) {
    const url = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname).slice(1);
    const notFound = () => res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' }).end('not found');
    const at = url.indexOf('/@v/');
    try {
      if (url.endsWith('/@latest')) {
        const path = unescapePath(url.slice(0, -'/@latest'.length));
        const latest = modules.filter((m) => m.path === path).at(-1);
        if (!latest) return notFound();
        return void res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ Version: latest.version, Time: latest.time }));
      }
      if (at < 0) return notFound();
      const path = unescapePath(url.slice(0, at));
      const rest = url.slice(at + 4);
      if (rest === 'list') {
        return void res.writeHead(200, { 'content-type': 'text/plain; charset=utf-8' }).end(modules.filter((m) => m.path === path).map((m) => m.version + '\n').join(''));
      }
      const dot = rest.lastIndexOf('.');
      const version = unescapeVersion(rest.slice(0, dot));
      const m = byKey.get(`${path}@${version}`);
      if (!m) return notFound();
      switch (rest.slice(dot + 1)) {
        case 'info':
          return void res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ Version: m.version, Time: m.time, ...(m.origin ? { Origin: m.origin } : {}) }));
        case 'mod':
          return void res.writeHead(200, { 'content-type': 'text/plain; charset=utf-8' }).end(m.files['go.mod'] ?? `module ${m.path}\n`);
        case 'zip': {
          const key = `${m.path}@${m.version}`;
          if (!zips.has(key)) zips.set(key, moduleZip(m.path, m.version, m.files));
          const body = await zips.get(key)!;
          return void res.writeHead(200, { 'content-type': 'application/zip', 'content-length': String(body.length) }).end(body);
        }
        default:
          return notFound();
      }
    } catch {
      notFound();
    }
  }
  const url = await listen(server);
  return { url, get requests() { return state.requests; }, close: closer(server) };
}

/** A commit of an origin repository: its whole tree and date. */
export interface OriginCommit {
  sha: string;
  date: string;
  files: Record<string, string>;
}

/** An origin repository on the GitHub double. */
export interface OriginRepo {
  owner: string;
  name: string;
  createdAt: string;
  stars: number;
  commits: OriginCommit[];
  tags: Record<string, string>;
}

/** The pull request the installation side serves. */
export interface PullRequestFixture {
  owner: string;
  repo: string;
  number: number;
  baseSha: string;
  headSha: string;
  /** path -> { base, head } contents (null = absent). */
  files: Record<string, { base: string | null; head: string | null; patch?: string }>;
}

/** What the app wrote to the double. */
export interface Recorded {
  checkRuns: { created: Record<string, unknown>[]; updates: Record<string, unknown>[] };
  reviews: Record<string, unknown>[];
  comments: Record<string, unknown>[];
}

/** A deterministic 40-hex sha. */
export function sha(...parts: string[]): string {
  return createHash('sha1').update(parts.join('\0')).digest('hex');
}

async function tarball(prefix: string, c: OriginCommit): Promise<Buffer> {
  const pack = tar.pack();
  const mtime = new Date(c.date);
  pack.entry({ name: `${prefix}/`, type: 'directory', mode: 0o775, mtime });
  for (const [name, text] of Object.entries(c.files).sort(([a], [b]) => a.localeCompare(b))) {
    pack.entry({ name: `${prefix}/${name}`, mode: 0o664, mtime }, Buffer.from(text));
  }
  pack.finalize();
  const chunks: Buffer[] = [];
  for await (const chunk of pack) chunks.push(chunk as Buffer);
  return gzipSync(Buffer.concat(chunks));
}

/** Starts the GitHub double: origin repos for lookups, one PR for the installation side. */
export async function startGitHub(repos: OriginRepo[], pr: PullRequestFixture | null, latencyMs = 0): Promise<LocalServer & { recorded: Recorded }> {
  const recorded: Recorded = { checkRuns: { created: [], updates: [] }, reviews: [], comments: [] };
  const state = { requests: 0 };
  let base = '';
  const send = (res: ServerResponse, status: number, body: unknown) =>
    void res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'x-ratelimit-remaining': '4999' }).end(JSON.stringify(body));
  const notFound = (res: ServerResponse) => send(res, 404, { message: 'Not Found', documentation_url: 'https://docs.github.com/rest' });
  const findRepo = (o: string, r: string) => repos.find((x) => x.owner.toLowerCase() === o.toLowerCase() && x.name.toLowerCase() === r.toLowerCase());

  const server = createServer((req, res) => {
    state.requests++;
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => setTimeout(() => route(req, res, body ? (JSON.parse(body) as Record<string, unknown>) : {}), latencyMs));
  });

  function route(req: IncomingMessage, res: ServerResponse, body: Record<string, unknown>) {
    const u = new URL(req.url ?? '/', 'http://x');
    const segs = u.pathname.split('/').slice(1).map(decodeURIComponent);
    const method = req.method ?? 'GET';
    if (segs[0] === 'codeload' && segs.length === 5) {
      const repo = findRepo(segs[1]!, segs[2]!);
      const c = repo?.commits.find((x) => x.sha === segs[4]);
      if (!repo || !c) return notFound(res);
      void tarball(`${repo.owner}-${repo.name}-${c.sha.slice(0, 7)}`, c).then((b) => res.writeHead(200, { 'content-type': 'application/x-gzip', 'content-length': String(b.length) }).end(b));
      return;
    }
    if (segs[0] === 'users' && segs.length === 2) {
      const owner = repos.find((r) => r.owner.toLowerCase() === segs[1]!.toLowerCase());
      return owner ? send(res, 200, { login: owner.owner, id: 1, type: 'User', created_at: owner.createdAt }) : notFound(res);
    }
    if (segs[0] === 'search' && segs[1] === 'repositories') {
      const q = (u.searchParams.get('q') ?? '').split(' ')[0]!;
      const items = repos.filter((r) => r.name === q).map((r) => repoJson(r));
      return send(res, 200, { total_count: items.length, incomplete_results: false, items });
    }
    if (segs[0] !== 'repos' || segs.length < 3) return notFound(res);
    const [, owner, name, kind, sub, ...tail] = segs as [string, string, string, string?, string?, ...string[]];
    if (pr && owner === pr.owner && name === pr.repo) return installation(res, method, u, body, kind, sub, tail);
    const repo = findRepo(owner, name);
    if (!repo) return notFound(res);
    if (kind === undefined) return send(res, 200, repoJson(repo));
    const api = `${base}/repos/${repo.owner}/${repo.name}`;
    const commitBy = (ref: string) => repo.commits.find((c) => c.sha === ref || (ref.length >= 7 && c.sha.startsWith(ref))) ?? repo.commits.find((c) => c.sha === repo.tags[ref.replace(/^refs\/tags\//, '')]);
    if (kind === 'git' && sub === 'ref' && tail[0] === 'tags') {
      const tag = tail.slice(1).join('/');
      const target = repo.tags[tag];
      if (!target) return notFound(res);
      return send(res, 200, { ref: `refs/tags/${tag}`, url: `${api}/git/refs/tags/${tag}`, object: { sha: target, type: 'commit', url: `${api}/git/commits/${target}` } });
    }
    if (kind === 'git' && sub === 'commits' && tail.length === 1) {
      const c = commitBy(tail[0]!);
      return c ? send(res, 200, gitCommit(api, c)) : notFound(res);
    }
    if (kind === 'commits' && sub) {
      const c = commitBy([sub, ...tail].join('/'));
      if (!c) return send(res, 422, { message: `No commit found for SHA: ${sub}` });
      const g = gitCommit(api, c);
      return send(res, 200, { sha: c.sha, commit: { author: g.author, committer: g.committer, message: g.message, tree: g.tree }, url: `${api}/commits/${c.sha}`, parents: [], files: [] });
    }
    if (kind === 'tarball' && sub) {
      const c = commitBy([sub, ...tail].join('/'));
      if (!c) return notFound(res);
      return void res.writeHead(302, { location: `${base}/codeload/${repo.owner}/${repo.name}/legacy.tar.gz/${c.sha}`, 'content-length': '0' }).end();
    }
    return notFound(res);
  }

  function installation(res: ServerResponse, method: string, u: URL, body: Record<string, unknown>, kind?: string, sub?: string, tail: string[] = []) {
    const p = pr!;
    if (method === 'GET' && kind === 'contents') {
      const path = [sub, ...tail].join('/');
      const ref = u.searchParams.get('ref');
      const f = p.files[path];
      const text = !f ? null : ref === p.headSha ? f.head : ref === null ? null : f.base;
      if (text === null || text === undefined) return notFound(res);
      return void res.writeHead(200, { 'content-type': 'text/plain; charset=utf-8' }).end(text);
    }
    if (method === 'GET' && kind === 'pulls' && sub === String(p.number) && tail[0] === 'files') {
      return send(res, 200, Object.entries(p.files).map(([filename, f]) => ({ filename, status: f.base === null ? 'added' : f.head === null ? 'removed' : 'modified', patch: f.patch })));
    }
    if (method === 'GET' && kind === 'compare') return send(res, 200, { merge_base_commit: { sha: p.baseSha } });
    if (method === 'GET' && kind === 'git' && sub === 'trees') {
      const side = tail[0] === p.headSha ? 'head' : 'base';
      const tree = Object.entries(p.files).filter(([, f]) => f[side] !== null).map(([path]) => ({ path, mode: '100644', type: 'blob', sha: sha(path, side) }));
      return send(res, 200, { sha: tail[0], tree, truncated: false });
    }
    if (method === 'GET' && kind === 'issues' && tail[0] === 'comments') return send(res, 200, recorded.comments);
    if (method === 'GET' && kind === 'pulls' && tail[0] === 'reviews') return send(res, 200, recorded.reviews.map((r, i) => ({ id: i + 1, user: { login: 'modwarden[bot]', type: 'Bot' }, body: r.body })));
    if (method === 'POST' && kind === 'check-runs') {
      recorded.checkRuns.created.push(body);
      return send(res, 201, { id: recorded.checkRuns.created.length, html_url: `https://github.com/${p.owner}/${p.repo}/runs/${recorded.checkRuns.created.length}`, app: { id: 1, slug: 'modwarden' } });
    }
    if (method === 'PATCH' && kind === 'check-runs') {
      recorded.checkRuns.updates.push(body);
      return send(res, 200, { id: Number(sub) });
    }
    if (method === 'POST' && kind === 'pulls' && tail[0] === 'reviews') {
      recorded.reviews.push(body);
      return send(res, 200, { id: recorded.reviews.length });
    }
    return notFound(res);
  }

  function repoJson(r: OriginRepo) {
    return {
      id: Number.parseInt(sha(r.owner, r.name).slice(0, 6), 16),
      name: r.name,
      full_name: `${r.owner}/${r.name}`,
      owner: { login: r.owner, type: 'User' },
      private: false,
      fork: false,
      archived: false,
      created_at: r.createdAt,
      stargazers_count: r.stars,
      default_branch: 'main',
      url: `${base}/repos/${r.owner}/${r.name}`,
      html_url: `https://github.com/${r.owner}/${r.name}`,
    };
  }

  function gitCommit(api: string, c: OriginCommit) {
    const person = { name: 'Dev', email: 'dev@example.com', date: c.date };
    return { sha: c.sha, url: `${api}/git/commits/${c.sha}`, author: person, committer: person, message: 'release', tree: { sha: sha('tree', c.sha) }, parents: [] };
  }

  base = await listen(server);
  return { url: base, recorded, get requests() { return state.requests; }, close: closer(server) };
}

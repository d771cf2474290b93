/**
 * Real git repositories made in the test with `git`, served over smart HTTP by `git http-backend` (run as
 * CGI by a small Node server on 127.0.0.1), plus what vanity hosts and GitLab add: `?go-get=1` pages
 * and `/-/archive/<sha>/<name>-<sha>.tar.gz`. A `handle` hook lets a test answer any request itself
 * (redirects, hostile packs).
 */
import { execFileSync, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

const GIT_ENV = {
  GIT_CONFIG_NOSYSTEM: '1',
  HOME: tmpdir(),
  GIT_AUTHOR_NAME: 'Maintainer',
  GIT_AUTHOR_EMAIL: 'maintainer@example.invalid',
  GIT_COMMITTER_NAME: 'Maintainer',
  GIT_COMMITTER_EMAIL: 'maintainer@example.invalid',
};

/** A working git repository in a temporary directory. */
export class FixtureRepo {
  constructor(readonly dir: string) {}

  git(args: string[], env: Record<string, string> = {}): string {
    return execFileSync('git', args, { cwd: this.dir, env: { ...process.env, ...GIT_ENV, ...env }, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim();
  }

  /**
   * Replaces the work tree with `files` and commits at `date` (author and committer). `parent`: the
   * commit to build on (default the current HEAD; null = a new root commit, unrelated history).
   */
  commit(files: Record<string, string>, date: string, message: string, parent?: string | null): string {
    if (parent === null) this.git(['checkout', '-q', '--orphan', `orphan-${Date.now()}-${Math.random().toString(16).slice(2)}`]);
    else if (parent !== undefined) this.git(['checkout', '-q', '--detach', parent]);
    this.git(['rm', '-rqf', '--ignore-unmatch', '.']);
    for (const [path, text] of Object.entries(files)) {
      mkdirSync(dirname(join(this.dir, path)), { recursive: true });
      writeFileSync(join(this.dir, path), text);
    }
    this.git(['add', '-A']);
    this.git(['commit', '-q', '--allow-empty', '-m', message], { GIT_AUTHOR_DATE: date, GIT_COMMITTER_DATE: date });
    return this.git(['rev-parse', 'HEAD']);
  }

  /** Creates or moves (force) a tag; annotated when `annotatedAt` is given (the tagger date). */
  tag(name: string, commit: string, annotatedAt?: string): void {
    if (annotatedAt) this.git(['tag', '-f', '-a', '-m', `release ${name}`, name, commit], { GIT_COMMITTER_DATE: annotatedAt });
    else this.git(['tag', '-f', name, commit]);
  }

  /** Makes a commit unreachable and prunes it for good (a force-push followed by garbage collection). */
  forget(): void {
    this.git(['checkout', '-q', '--detach']);
    for (const b of this.git(['for-each-ref', '--format=%(refname)', 'refs/heads/']).split('\n').filter(Boolean)) this.git(['update-ref', '-d', b]);
    this.git(['reflog', 'expire', '--expire=now', '--all']);
    this.git(['gc', '-q', '--prune=now']);
  }

  /** Git's blob id of a file at a commit. */
  blobId(commit: string, path: string): string {
    return this.git(['rev-parse', `${commit}:${path}`]);
  }
}

/** Makes a repository under `root/<name>` (served at `/git/<name>`). */
export function makeFixtureRepo(root: string, name: string): FixtureRepo {
  const dir = join(root, name);
  mkdirSync(dir, { recursive: true });
  const r = new FixtureRepo(dir);
  r.git(['init', '-q', '-b', 'main']);
  // What git servers in the wild offer: protocol v2 fetches by any commit id and partial-clone filters.
  r.git(['config', 'uploadpack.allowFilter', 'true']);
  r.git(['config', 'uploadpack.allowAnySHA1InWant', 'true']);
  r.git(['config', 'protocol.version', '2']);
  return r;
}

export interface GitServer {
  url: string;
  port: number;
  root: string;
  /** Request lines seen (`METHOD path`), for assertions. */
  requests: string[];
  /** go-import pages by module path: the `content` of each meta tag. */
  goImports: Map<string, string[]>;
  close(): Promise<void>;
}

export interface GitServerOptions {
  /** Answers a request itself when it returns true (before the built-in routes). */
  handle?: (req: IncomingMessage, res: ServerResponse, path: string) => boolean;
}

/** Starts the server on 127.0.0.1 with an ephemeral port; repositories live in a fresh temporary root. */
export async function startGitServer(options: GitServerOptions = {}): Promise<GitServer> {
  const root = mkdtempSync(join(tmpdir(), 'modwarden-git-'));
  const requests: string[] = [];
  const goImports = new Map<string, string[]>();
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    requests.push(`${req.method} ${url.pathname}${url.search}`);
    if (options.handle?.(req, res, url.pathname)) return;
    if (url.searchParams.get('go-get') === '1') {
      // Like real vanity servers: a sub-path (a package, a /vN module) gets its repository's tags.
      const asked = url.pathname.slice(1);
      const metas = [...goImports.entries()].filter(([p]) => asked === p || asked.startsWith(`${p}/`)).flatMap(([, m]) => m);
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
      return void res.end(`<!DOCTYPE html><html><head>${metas.map((c) => `<meta name="go-import" content="${c}">`).join('')}</head><body>go get</body></html>`);
    }
    const archive = /^\/git\/(.+?)\/-\/archive\/([0-9a-f]{40})\/[^/]+\.tar\.gz$/.exec(url.pathname);
    if (archive) {
      const [, name, sha] = archive;
      const p = spawn('git', ['archive', '--format=tar.gz', `--prefix=${name!.split('/').pop()}-${sha}/`, sha!], { cwd: join(root, name!), env: { ...process.env, ...GIT_ENV } });
      res.writeHead(200, { 'content-type': 'application/gzip' });
      p.stdout.pipe(res);
      return;
    }
    if (url.pathname.startsWith('/git/')) return cgi(req, res, root, url);
    res.writeHead(404).end('not found');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    root,
    requests,
    goImports,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      rmSync(root, { recursive: true, force: true });
    },
  };
}

/** `git http-backend` as CGI (RFC 3875): headers from stdout up to the blank line, then the body. */
function cgi(req: IncomingMessage, res: ServerResponse, root: string, url: URL): void {
  const env: Record<string, string> = {
    ...(process.env as Record<string, string>),
    ...GIT_ENV,
    GIT_PROJECT_ROOT: root,
    GIT_HTTP_EXPORT_ALL: '1',
    PATH_INFO: decodeURIComponent(url.pathname.slice('/git'.length)),
    REQUEST_METHOD: req.method ?? 'GET',
    QUERY_STRING: url.search.replace(/^\?/, ''),
    CONTENT_TYPE: req.headers['content-type'] ?? '',
    REMOTE_ADDR: '127.0.0.1',
    SERVER_PROTOCOL: 'HTTP/1.1',
  };
  if (req.headers['git-protocol']) env.GIT_PROTOCOL = String(req.headers['git-protocol']);
  if (req.headers['content-length']) env.CONTENT_LENGTH = String(req.headers['content-length']);
  const p = spawn('git', ['http-backend'], { env });
  req.pipe(p.stdin);
  let head = Buffer.alloc(0);
  let started = false;
  p.stdout.on('data', (chunk: Buffer) => {
    if (started) return void res.write(chunk);
    head = Buffer.concat([head, chunk]);
    const end = head.indexOf('\r\n\r\n');
    if (end < 0) return;
    started = true;
    let status = 200;
    const headers: Record<string, string> = {};
    for (const line of head.subarray(0, end).toString('latin1').split('\r\n')) {
      const i = line.indexOf(':');
      const k = line.slice(0, i).trim();
      const v = line.slice(i + 1).trim();
      if (k.toLowerCase() === 'status') status = parseInt(v, 10);
      else headers[k] = v;
    }
    res.writeHead(status, headers);
    res.write(head.subarray(end + 4));
  });
  p.stdout.on('end', () => {
    if (!started) res.writeHead(500);
    res.end();
  });
  p.on('error', () => {
    if (!res.headersSent) res.writeHead(500);
    res.end();
  });
}

/**
 * A real GOPROXY server on 127.0.0.1 for tests: serves the module proxy protocol
 * (`/<escaped path>/@v/list`, `.info`, `.mod`, `.zip`, `/@latest`) from in-memory fixtures or from a
 * directory laid out like a proxy (a module cache's `cache/download`), with fault hooks.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { readFile, stat } from 'node:fs/promises';
import { join, resolve, sep } from 'node:path';
import {
  compareVersions,
  escapePath,
  escapeVersion,
  isPseudoVersion,
  pseudoVersionTime,
  semverPrerelease,
  unescapePath,
  unescapeVersion,
} from '../../src/gomod/module.js';
import { buildModuleZip } from './module-zip.js';

/** One module version the fixture proxy serves. */
export interface FixtureModule {
  path: string;
  version: string;
  /** Module files relative to the module root, including go.mod when the module has one. */
  files: Record<string, string | Buffer>;
  /** Extra `.info` fields; Time defaults to the pseudo-version time or 2020-01-01T00:00:00Z. */
  info?: Partial<{ Time: string; Origin: object }>;
  /** The `.mod` body; defaults to files['go.mod'] or the synthetic `module <path>\n`. */
  mod?: string;
  /** The `.zip` body; defaults to a zip built from `files`. */
  zip?: Buffer;
  /** When set, every endpoint of this module version answers 403 with this body. */
  blocked?: string;
  /** Leave this version out of `@v/list` (e.g. a version that exists but was never tagged). */
  unlisted?: boolean;
}

/** Which endpoint a request hit. */
export type Endpoint = 'list' | 'info' | 'mod' | 'zip' | 'latest' | 'other';

/** What the fault hook sees. */
export interface FaultRequest {
  method: string;
  /** URL path as requested (still escaped), e.g. `/github.com/!azure/x/@v/v1.0.0.zip`. */
  url: string;
  endpoint: Endpoint;
  /** Unescaped module path, when the URL names one. */
  module?: string;
  /** Unescaped version, for info/mod/zip. */
  version?: string;
  /** 1 for the first request to this exact URL, 2 for the second, ... */
  count: number;
}

/** How to misbehave for one request. */
export type FaultAction =
  /** Answer with this status and body instead of the real response. */
  | { kind: 'status'; status: number; body?: string; headers?: Record<string, string> }
  /** Wait, then answer normally. */
  | { kind: 'delay'; ms: number }
  /** Declare the full Content-Length but send only `bytes` bytes, then close the connection. */
  | { kind: 'truncate'; bytes: number }
  /** Send the real body with this (wrong) Content-Length, then close the connection. */
  | { kind: 'wrong-length'; contentLength: number }
  /** Close the connection without answering. */
  | { kind: 'reset' }
  /** Never answer (until the server closes). */
  | { kind: 'hang' }
  /** Send the headers (full Content-Length) and the first `bytes` bytes of the body, then nothing more. */
  | { kind: 'stall-body'; bytes: number }
  /** Send the body `bytes` bytes at a time, one piece every `everyMs` (a slow drip that never stalls). */
  | { kind: 'drip'; bytes: number; everyMs: number };

/** Options of the in-memory fixture proxy. */
export interface GoProxyServerOptions {
  modules: FixtureModule[];
  /** Delay before every response. */
  latencyMs?: number;
  faults?: (req: FaultRequest) => FaultAction | undefined;
  /** Serve `@latest` (default true); false answers 404 like a proxy without the optional endpoint. */
  latest?: boolean;
  /** Status for unknown modules/versions: 404 (default) or 410. */
  notFoundStatus?: 404 | 410;
}

/** A running fixture server. */
export interface GoProxyServer {
  /** Base URL, e.g. `http://127.0.0.1:41234` (no trailing slash). */
  url: string;
  /** Every request URL path received, in order, percent-decoded (`%21azure` shows as `!azure`). */
  requests: string[];
  /** The same paths exactly as sent on the wire. */
  rawRequests: string[];
  close(): Promise<void>;
}

interface Reply {
  status: number;
  body: Buffer;
  contentType: string;
}

/** Starts a proxy that serves `opts.modules`. */
export async function startGoProxyServer(opts: GoProxyServerOptions): Promise<GoProxyServer> {
  const byPath = new Map<string, FixtureModule[]>();
  for (const m of opts.modules) {
    const key = escapePath(m.path);
    byPath.set(key, [...(byPath.get(key) ?? []), m]);
  }
  const zips = new Map<FixtureModule, Promise<Buffer>>();
  const notFound = opts.notFoundStatus ?? 404;

  const answer = async (parsed: ParsedUrl): Promise<Reply> => {
    const mods = parsed.escPath !== undefined ? byPath.get(parsed.escPath) : undefined;
    if (!mods || !parsed.module) {
      return text(notFound, `not found: module ${parsed.module ?? parsed.url}: no such module in fixture proxy`);
    }
    if (parsed.endpoint === 'list') {
      const versions = mods.filter((m) => !m.unlisted && !isPseudoVersion(m.version)).map((m) => m.version);
      return text(200, versions.map((v) => `${v}\n`).join(''));
    }
    if (parsed.endpoint === 'latest') {
      if (opts.latest === false) return text(notFound, 'not found: @latest not served');
      const best = pickLatest(mods.filter((m) => !m.blocked));
      if (!best) return text(notFound, `not found: module ${parsed.module}: no matching versions`);
      return json(infoOf(best));
    }
    const m = mods.find((x) => x.version === parsed.version);
    if (!m) return text(notFound, `not found: ${parsed.module}@${parsed.version}: invalid version: unknown revision`);
    if (m.blocked !== undefined) return text(403, m.blocked);
    switch (parsed.endpoint) {
      case 'info':
        return json(infoOf(m));
      case 'mod':
        return { status: 200, body: Buffer.from(modOf(m)), contentType: 'text/plain; charset=utf-8' };
      case 'zip': {
        let z = zips.get(m);
        if (!z) {
          z = m.zip ? Promise.resolve(m.zip) : buildModuleZip(m.path, m.version, m.files);
          zips.set(m, z);
        }
        return { status: 200, body: await z, contentType: 'application/zip' };
      }
      default:
        return text(notFound, 'not found');
    }
  };
  return serve(opts, (parsed) => answer(parsed));
}

/**
 * Starts a proxy that serves files from `dir`, laid out like a proxy URL space (e.g. a module
 * cache's `pkg/mod/cache/download`): GET /a/b/@v/list reads `<dir>/a/b/@v/list`.
 */
export async function startGoProxyServerFromDir(
  dir: string,
  opts: Omit<GoProxyServerOptions, 'modules' | 'latest'> = {},
): Promise<GoProxyServer> {
  const root = resolve(dir);
  const notFound = opts.notFoundStatus ?? 404;
  return serve(opts, async (parsed) => {
    const rel = decodeURIComponent(parsed.url.split('?')[0]!);
    const file = resolve(join(root, rel));
    if (file !== root && !file.startsWith(root + sep)) return text(400, 'bad path');
    try {
      const st = await stat(file);
      if (!st.isFile()) return text(notFound, `not found: ${rel}`);
      const type = file.endsWith('.zip')
        ? 'application/zip'
        : file.endsWith('.info') || file.endsWith('@latest')
          ? 'application/json'
          : 'text/plain; charset=utf-8';
      return { status: 200, body: await readFile(file), contentType: type };
    } catch {
      return text(notFound, `not found: ${rel}`);
    }
  });
}

interface ParsedUrl {
  url: string;
  endpoint: Endpoint;
  escPath?: string;
  module?: string;
  version?: string;
}

/** Splits a proxy URL path into module, endpoint and version (undefined parts when invalid). */
function parseProxyUrl(url: string): ParsedUrl {
  const path = url.split('?')[0]!.replace(/^\/+/, '');
  let escPath: string | undefined;
  let endpoint: Endpoint = 'other';
  let escVersion: string | undefined;
  if (path.endsWith('/@latest')) {
    escPath = path.slice(0, -'/@latest'.length);
    endpoint = 'latest';
  } else {
    const i = path.lastIndexOf('/@v/');
    if (i > 0) {
      escPath = path.slice(0, i);
      const file = path.slice(i + 4);
      if (file === 'list') endpoint = 'list';
      else {
        const m = /^(.+)\.(info|mod|zip)$/.exec(file);
        if (m) {
          escVersion = m[1];
          endpoint = m[2] as Endpoint;
        }
      }
    }
  }
  const out: ParsedUrl = { url, endpoint };
  if (escPath !== undefined) {
    try {
      escPath = decodeURIComponent(escPath);
      out.module = unescapePath(escPath);
      out.escPath = escPath;
    } catch {
      // An invalid escaped path is simply "not found", as on a real proxy.
    }
  }
  if (escVersion !== undefined) {
    try {
      out.version = unescapeVersion(decodeURIComponent(escVersion));
    } catch {
      out.endpoint = 'other';
    }
  }
  return out;
}

/** Runs the HTTP server: counts requests, applies latency and faults, writes replies. */
async function serve(
  opts: Pick<GoProxyServerOptions, 'latencyMs' | 'faults'>,
  answer: (parsed: ParsedUrl) => Promise<Reply>,
): Promise<GoProxyServer> {
  const requests: string[] = [];
  const rawRequests: string[] = [];
  const counts = new Map<string, number>();
  const sockets = new Set<Socket>();
  const hanging = new Set<ServerResponse>();

  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    void (async () => {
      const url = req.url ?? '/';
      rawRequests.push(url);
      requests.push(safeDecode(url));
      const count = (counts.get(url) ?? 0) + 1;
      counts.set(url, count);
      const parsed = parseProxyUrl(url);
      const fault = opts.faults?.({
        method: req.method ?? 'GET',
        url,
        endpoint: parsed.endpoint,
        module: parsed.module,
        version: parsed.version,
        count,
      });
      if (opts.latencyMs) await sleep(opts.latencyMs);
      if (fault?.kind === 'delay') await sleep(fault.ms);
      if (fault?.kind === 'hang') {
        hanging.add(res);
        return;
      }
      if (fault?.kind === 'reset') {
        req.socket.destroy();
        return;
      }
      if (fault?.kind === 'status') {
        const body = Buffer.from(fault.body ?? '');
        res.writeHead(fault.status, {
          'content-type': 'text/plain; charset=utf-8',
          'content-length': String(body.length),
          ...fault.headers,
        });
        res.end(body);
        return;
      }
      const reply = req.method === 'GET' || req.method === 'HEAD' ? await answer(parsed) : text(405, 'method not allowed');
      if (fault?.kind === 'truncate' || fault?.kind === 'wrong-length') {
        // Write the response by hand: Node's http layer refuses a body that disagrees with Content-Length.
        const declared = fault.kind === 'truncate' ? reply.body.length : fault.contentLength;
        const body = fault.kind === 'truncate' ? reply.body.subarray(0, fault.bytes) : reply.body;
        const head =
          `HTTP/1.1 ${reply.status} X\r\ncontent-type: ${reply.contentType}\r\n` +
          `content-length: ${declared}\r\nconnection: close\r\n\r\n`;
        const socket = req.socket;
        // The client may hang up first (it sees the short body); that is expected, not a server error.
        socket.on('error', () => undefined);
        if (socket.destroyed) return;
        socket.write(head);
        socket.end(body);
        return;
      }
      res.writeHead(reply.status, { 'content-type': reply.contentType, 'content-length': String(reply.body.length) });
      if (fault?.kind === 'stall-body') {
        // Headers and a first piece, then silence: the connection stays open until the server closes.
        hanging.add(res);
        res.write(reply.body.subarray(0, fault.bytes));
        return;
      }
      if (fault?.kind === 'drip') {
        hanging.add(res);
        for (let at = 0; at < reply.body.length && !res.destroyed; at += fault.bytes) {
          res.write(reply.body.subarray(at, at + fault.bytes));
          await sleep(fault.everyMs);
        }
        hanging.delete(res);
        res.end();
        return;
      }
      res.end(req.method === 'HEAD' ? undefined : reply.body);
    })().catch((err: unknown) => {
      if (!res.headersSent) {
        res.writeHead(500, { 'content-type': 'text/plain' });
        res.end(String(err));
      }
    });
  });
  server.on('connection', (s: Socket) => {
    s.on('error', () => undefined);
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    rawRequests,
    close: () =>
      new Promise<void>((r) => {
        for (const res of hanging) res.destroy();
        for (const s of sockets) s.destroy();
        server.close(() => r());
      }),
  };
}

/** The `.info` JSON of a fixture. */
function infoOf(m: FixtureModule): Record<string, unknown> {
  const time =
    m.info?.Time ?? (isPseudoVersion(m.version) ? pseudoVersionTime(m.version).toISOString().replace('.000Z', 'Z') : '2020-01-01T00:00:00Z');
  const info: Record<string, unknown> = { Version: m.version, Time: time };
  if (m.info?.Origin) info.Origin = m.info.Origin;
  return info;
}

/** The `.mod` body of a fixture. */
function modOf(m: FixtureModule): string | Buffer {
  if (m.mod !== undefined) return m.mod;
  const f = m.files['go.mod'];
  return f !== undefined ? f : `module ${m.path}\n`;
}

/** Go's choice for @latest: highest release, else highest prerelease, else newest pseudo-version. */
function pickLatest(mods: FixtureModule[]): FixtureModule | undefined {
  const rank = (v: string) => (isPseudoVersion(v) ? 0 : semverPrerelease(v) !== '' ? 1 : 2);
  return [...mods].sort((a, b) => rank(b.version) - rank(a.version) || compareVersions(b.version, a.version))[0];
}

function text(status: number, body: string): Reply {
  return { status, body: Buffer.from(body.endsWith('\n') || body === '' ? body : `${body}\n`), contentType: 'text/plain; charset=utf-8' };
}

function json(v: unknown): Reply {
  return { status: 200, body: Buffer.from(JSON.stringify(v)), contentType: 'application/json' };
}

function safeDecode(url: string): string {
  try {
    return decodeURIComponent(url);
  } catch {
    return url;
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/** Escaped URL of one endpoint, for tests that build URLs by hand. */
export function proxyUrl(base: string, modulePath: string, endpoint: Endpoint, version?: string): string {
  const p = `${base}/${escapePath(modulePath)}`;
  if (endpoint === 'latest') return `${p}/@latest`;
  if (endpoint === 'list') return `${p}/@v/list`;
  return `${p}/@v/${escapeVersion(version!)}.${endpoint}`;
}

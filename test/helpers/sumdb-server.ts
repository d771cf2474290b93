/**
 * A real checksum-database server on 127.0.0.1 for tests: it keeps a log of go.sum records, signs its
 * tree with a freshly generated Ed25519 key, and serves `/latest`, `/lookup/<module>@<version>`,
 * hash tiles `/tile/8/<L>/<N>[.p/<W>]` and data tiles, like golang.org/x/mod/sumdb/server.go.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { escapePath, escapeVersion } from '../../src/gomod/module.js';
import { generateNoteKey, signNote, verifierKeyFromSigner } from '../../src/sumdb/note.js';
import {
  emptyTreeHash,
  formatTree,
  HASH_SIZE,
  parseTilePath,
  recordHash,
  storedLevels,
  subtreeHash,
  tilePath,
  type Tile,
} from '../../src/sumdb/tlog.js';

/** One log entry: the go.sum lines of a module version. */
export interface SumDbRecord {
  path: string;
  version: string;
  /** `h1:` of the zip; omit to leave the line out. */
  h1?: string;
  /** `h1:` of the go.mod; omit to leave the line out. */
  goModH1?: string;
  /** Raw record text instead of the two lines (must end in "\n"). */
  text?: string;
}

/** Options of the test database. */
export interface SumDbServerOptions {
  /** Database name (default `sum.test.example`), used in the key and the note. */
  name?: string;
  records: SumDbRecord[];
  /** Sign a tree of this size (default: all records), e.g. to leave later records unsigned. */
  signedSize?: number;
  /** Answer 404 to partial tiles, so clients must fall back to full tiles (needs a larger log). */
  noPartialTiles?: boolean;
  /** Change any response body before it is sent (tampering tests). */
  mutate?: (url: string, body: Buffer) => Buffer;
  /** Replace the response status (e.g. 500 for outages); return undefined to answer normally. */
  status?: (url: string) => number | undefined;
  /** Key pair to sign with (default: generated); lets tests sign with a key the client doesn't trust. */
  signerKey?: string;
}

/** A running test database. */
export interface SumDbServer {
  url: string;
  /** Verifier key clients should trust: `<name>+<hash>+<key>`. */
  verifierKey: string;
  signerKey: string;
  /** GOSUMDB value pointing a client at this server: `<verifierKey> <url>`. */
  gosumdb: string;
  requests: string[];
  /** Appends records and re-signs a bigger tree (a growing log). */
  append(records: SumDbRecord[]): Promise<void>;
  /** Replaces the whole log and re-signs it (a database showing a different history: a fork). */
  reset(records: SumDbRecord[]): Promise<void>;
  /** The signed tree note currently served. */
  latestNote(): string;
  close(): Promise<void>;
}

const H = 8;

/** Starts the database server. */
export async function startSumDbServer(opts: SumDbServerOptions): Promise<SumDbServer> {
  const name = opts.name ?? 'sum.test.example';
  const keys = opts.signerKey ? { signerKey: opts.signerKey, verifierKey: verifierKeyFromSigner(opts.signerKey) } : generateNoteKey(name);
  const texts: string[] = [];
  const index = new Map<string, number>();
  let levels: Buffer[][] = [];
  let signed = '';
  let signedSize = 0;

  const rebuild = (size: number) => {
    levels = storedLevels(texts.map((t) => recordHash(t)));
    signedSize = size;
  };
  const sign = async (size: number) => {
    rebuild(size);
    const root = size === 0 ? emptyTreeHash() : await subtreeHash(0, size, async (l, i) => levels[l]![i]!);
    signed = signNote(formatTree({ size, hash: root }), keys.signerKey);
  };
  const add = (records: SumDbRecord[]) => {
    for (const r of records) {
      const text = r.text ?? [r.h1 && `${r.path} ${r.version} ${r.h1}\n`, r.goModH1 && `${r.path} ${r.version}/go.mod ${r.goModH1}\n`].filter(Boolean).join('');
      index.set(`${escapePath(r.path)}@${escapeVersion(r.version)}`, texts.length);
      texts.push(text);
    }
  };
  add(opts.records);
  await sign(opts.signedSize ?? texts.length);

  /** The bytes of a hash or data tile, or undefined when it lies beyond the signed tree. */
  const tileBytes = (t: Tile): Buffer | undefined => {
    if (t.H !== H) return undefined;
    if (t.L === -1) {
      const start = t.N * 2 ** H;
      if (start + t.W > signedSize) return undefined;
      return Buffer.from(texts.slice(start, start + t.W).map((x) => `${x}\n`).join(''));
    }
    const level = levels[t.L * H];
    const start = t.N * 2 ** H;
    // Only hashes the signed tree covers, unless the full tile exists in the (bigger) unsigned log.
    const available = Math.floor(texts.length / 2 ** (t.L * H));
    if (!level || start + t.W > available) return undefined;
    return Buffer.concat(level.slice(start, start + t.W));
  };

  const requests: string[] = [];
  const sockets = new Set<Socket>();
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const url = req.url ?? '/';
    requests.push(url);
    const reply = (status: number, body: Buffer | string, type = 'text/plain; charset=utf-8') => {
      let b = Buffer.isBuffer(body) ? body : Buffer.from(body);
      if (status === 200 && opts.mutate) b = opts.mutate(url, b);
      res.writeHead(status, { 'content-type': type, 'content-length': String(b.length) });
      res.end(b);
    };
    const forced = opts.status?.(url);
    if (forced !== undefined) return reply(forced, `forced ${forced}\n`);
    let path = decodeURIComponent(url.replace(/^\/+/, ''));
    // Also answer as a GOPROXY that proxies this database (`<proxy>/sumdb/<name>/...`).
    const proxied = `sumdb/${name}/`;
    if (path.startsWith(proxied)) {
      path = path.slice(proxied.length);
      if (path === 'supported') return reply(200, '');
    }
    if (path === 'latest') return reply(200, signed);
    if (path.startsWith('lookup/')) {
      const id = index.get(path.slice('lookup/'.length));
      if (id === undefined || id >= signedSize) return reply(404, `not found: ${path.slice(7)}\n`);
      return reply(200, `${id}\n${texts[id]}\n${signed}`);
    }
    if (path.startsWith('tile/')) {
      let t: Tile;
      try {
        t = parseTilePath(path);
      } catch {
        return reply(404, 'not found\n');
      }
      if (opts.noPartialTiles && t.W !== 2 ** t.H) return reply(404, 'not found\n');
      const data = tileBytes(t);
      if (!data) return reply(404, 'not found\n');
      return reply(200, data, 'application/octet-stream');
    }
    return reply(404, 'not found\n');
  });
  server.on('connection', (s: Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url: base,
    verifierKey: keys.verifierKey,
    signerKey: keys.signerKey,
    gosumdb: `${keys.verifierKey} ${base}`,
    requests,
    async append(records) {
      add(records);
      await sign(texts.length);
    },
    async reset(records) {
      texts.length = 0;
      index.clear();
      add(records);
      await sign(texts.length);
    },
    latestNote: () => signed,
    close: () =>
      new Promise<void>((r) => {
        for (const s of sockets) s.destroy();
        server.close(() => r());
      }),
  };
}

/** Path of the tile holding leaf `id` at level 0, for tests that tamper with tiles. */
export function leafTilePath(id: number, treeSize: number): string {
  const N = Math.floor(id / 2 ** H);
  const W = Math.min(2 ** H, treeSize - N * 2 ** H);
  return tilePath({ H, L: 0, N, W });
}

export { HASH_SIZE };

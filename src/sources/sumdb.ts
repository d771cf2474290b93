/**
 * Checksum database client (GOSUMDB, default sum.golang.org): `/lookup/<module>@<version>`, signed tree
 * note verification with the database's Ed25519 key, and record inclusion through hash tiles
 * (golang.org/x/mod/sumdb client.go), so the returned h1 hashes are the ones the log committed to.
 */
import { LRUCache } from 'lru-cache';
import { escapePath, escapeVersion } from '../gomod/module.js';
import { isNoSumDb, type GoEnv, type SumDbConfig } from './goenv.js';
import { AbortedError, HttpClient, HttpError, NetworkError, TimeoutError, TooLargeError } from './http.js';
import { MESSAGE_CHARS, oneLine } from './plain-text.js';
import { Inflight } from './inflight.js';
import { NoteError, openNote, parseVerifierKey, type Verifier } from '../sumdb/note.js';
import {
  foldHashes,
  HASH_SIZE,
  nodeTile,
  parseRecord,
  parseTree,
  tilePath,
  TlogError,
  verifyConsistency,
  verifyInclusion,
  type NodeReader,
  type Tile,
  type Tree,
} from '../sumdb/tlog.js';

/** Tile height used by Go's client (client.go). */
export const TILE_HEIGHT = 8;
/** Cap on a `/lookup` response (record + signed note are a few hundred bytes). */
const MAX_LOOKUP_BYTES = 64 * 1024;

/** What a lookup proved. */
export interface SumDbLookup {
  /** Record id (leaf index in the log). */
  id: number;
  /** The record's lines (go.sum lines), without the trailing empty line. */
  lines: string[];
  /** `h1:` hash of the module zip, from the `<path> <version> h1:` line; null if absent. */
  h1: string | null;
  /** `h1:` hash of the go.mod, from the `<path> <version>/go.mod h1:` line; null if absent. */
  goModH1: string | null;
  /** The signed tree the record was checked against (rootHash in base64). */
  tree: { size: number; rootHash: string };
  verified: {
    /** The tree note carried a valid signature by the configured key (always true when returned). */
    signature: true;
    /** The record was proven to be leaf `id` of the signed tree through hash tiles. */
    inclusion: boolean;
  };
  /** Why inclusion is false (tiles unavailable or inclusion checking turned off). */
  inclusionSkipped?: string;
  /** Base URL that answered. */
  source: string;
}

/** Why a checksum-database request failed, as a stable word. */
export type SumDbErrorKind = 'skipped' | 'not-found' | 'unavailable' | 'bad-response' | 'verification-failed';

/** Base class of checksum-database errors; `message` names the module, version and database. */
export class SumDbError extends Error {
  constructor(
    readonly kind: SumDbErrorKind,
    message: string,
    readonly modulePath: string,
    readonly version: string,
    options?: { cause?: unknown },
  ) {
    super(oneLine(message, MESSAGE_CHARS));
    this.name = new.target.name;
    if (options?.cause !== undefined) (this as { cause?: unknown }).cause = options.cause;
  }
}

/** The module is not checked against the database (GOSUMDB=off or a GONOSUMDB/GOPRIVATE match). */
export class SumDbSkippedError extends SumDbError {
  constructor(
    message: string,
    modulePath: string,
    version: string,
    /** e.g. `GOSUMDB=off` or `matches GONOSUMDB=corp.example.com`. */
    readonly reason: string,
  ) {
    super('skipped', message, modulePath, version);
  }
}

/** The database has no record for module@version (404/410). */
export class SumDbNotFoundError extends SumDbError {}

/**
 * The database's answer failed verification: bad or missing signature, wrong key, a record not in the
 * signed tree, or a tree inconsistent with one seen before. Treat as a security problem, not an outage.
 */
export class SumDbVerificationError extends SumDbError {}

/** Options of the client. */
export interface SumDbClientOptions {
  env: GoEnv;
  http?: HttpClient;
  /** 'require' (fail without a proof), 'try' (default: prove when tiles are reachable), 'skip'. */
  inclusion?: 'require' | 'try' | 'skip';
  /** Reach the database through GOPROXY entries that support `/sumdb/<name>/supported` (default true, like Go). */
  viaProxy?: boolean;
  /** Cached tiles (default 256). */
  tileCacheEntries?: number;
}

/** Checksum-database client. */
export class SumDbClient {
  private readonly env: GoEnv;
  private readonly http: HttpClient;
  private readonly mode: 'require' | 'try' | 'skip';
  private readonly viaProxy: boolean;
  private readonly verifier: Verifier | null;
  private readonly config: SumDbConfig | null;
  private base: Promise<string> | undefined;
  /** Only full tiles are cached: they never change once the log has grown past them. */
  private readonly tiles: LRUCache<string, Buffer>;
  private readonly inflight = new Inflight<string, SumDbLookup>();
  /** The largest signed tree seen, to detect a database showing different histories (forks). */
  private latest: Tree | undefined;

  constructor(opts: SumDbClientOptions) {
    this.env = opts.env;
    this.http = opts.http ?? new HttpClient();
    this.mode = opts.inclusion ?? 'try';
    this.viaProxy = opts.viaProxy ?? true;
    this.config = opts.env.sumdb;
    this.verifier = this.config ? parseVerifierKey(this.config.key) : null;
    this.tiles = new LRUCache({ max: opts.tileCacheEntries ?? 256 });
  }

  /** Looks up module@version and verifies the answer (signature always, inclusion per options). */
  async lookup(modulePath: string, version: string, opts: { signal?: AbortSignal } = {}): Promise<SumDbLookup> {
    return this.inflight.run(
      `${modulePath}@${version}`,
      opts.signal,
      (signal) => this.doLookup(modulePath, version, signal),
      (reason) => new SumDbError('unavailable', `${modulePath}@${version}: ${new AbortedError('checksum database lookup', reason).message}`, modulePath, version),
    );
  }

  private async doLookup(modulePath: string, version: string, signal: AbortSignal): Promise<SumDbLookup> {
    const at = `${modulePath}@${version}`;
    if (!this.config || !this.verifier || isNoSumDb(this.env, modulePath)) {
      const reason = !this.config ? 'GOSUMDB=off' : `matches ${this.env.noSumDb.source}=${this.env.noSumDb.patterns}`;
      throw new SumDbSkippedError(`${at}: not checked against the checksum database (${reason})`, modulePath, version, reason);
    }
    let path: string;
    try {
      path = `lookup/${escapePath(modulePath)}@${escapeVersion(version)}`;
    } catch (e) {
      throw new SumDbError('bad-response', `${at}: ${(e as Error).message}`, modulePath, version, { cause: e });
    }
    const base = await this.resolveBase(modulePath, version, signal);
    const body = await this.fetch(base, path, MAX_LOOKUP_BYTES, modulePath, version, signal);
    const fail = (why: string, cause?: unknown) =>
      new SumDbVerificationError(
        'verification-failed',
        `${at}: SECURITY ERROR: checksum database ${this.config!.name} (${base}): ${why}`,
        modulePath,
        version,
        { cause },
      );

    let record;
    let tree: Tree;
    try {
      record = parseRecord(body);
      const note = openNote(record.note, [this.verifier]);
      tree = parseTree(note.text);
    } catch (e) {
      if (e instanceof NoteError || e instanceof TlogError) throw fail(e.message, e);
      throw e;
    }
    if (record.id >= tree.size) throw fail(`record id ${record.id} is outside the signed tree of size ${tree.size}`);

    const lines = record.text.split('\n').filter((l) => l !== '');
    const h1 = hashFor(lines, `${modulePath} ${version} `);
    const goModH1 = hashFor(lines, `${modulePath} ${version}/go.mod `);
    if (h1 === null && goModH1 === null) throw fail(`record ${record.id} has no line for ${at}`);

    let inclusion = false;
    let inclusionSkipped: string | undefined = this.mode === 'skip' ? 'inclusion checking turned off' : undefined;
    if (this.mode !== 'skip') {
      const reader = this.tileReader(base, tree, modulePath, version, signal);
      try {
        if (!(await verifyInclusion(tree, record.id, record.text, reader))) {
          throw fail(`record ${record.id} is not in the signed tree (size ${tree.size}); the tiles do not hash to the signed root`);
        }
        await this.checkAgainstLatest(tree, base, modulePath, version, fail, signal);
        inclusion = true;
      } catch (e) {
        if (e instanceof SumDbVerificationError || this.mode === 'require') throw e;
        if (!(e instanceof SumDbError)) throw e;
        inclusionSkipped = `tiles unavailable: ${e.message}`;
      }
    }
    return {
      id: record.id,
      lines,
      h1,
      goModH1,
      tree: { size: tree.size, rootHash: tree.hash.toString('base64') },
      verified: { signature: true, inclusion },
      ...(inclusionSkipped !== undefined ? { inclusionSkipped } : {}),
      source: base,
    };
  }

  /** Keeps the largest tree seen and proves each new tree consistent with it. */
  private async checkAgainstLatest(
    tree: Tree,
    base: string,
    modulePath: string,
    version: string,
    fail: (why: string) => SumDbVerificationError,
    signal: AbortSignal,
  ): Promise<void> {
    const prev = this.latest;
    if (!prev || (prev.size === tree.size && prev.hash.equals(tree.hash))) {
      this.latest ??= tree;
      return;
    }
    if (prev.size === tree.size) throw fail(`two different signed trees of size ${tree.size} (the database forked)`);
    const larger = prev.size > tree.size ? prev : tree;
    const ok = await verifyConsistency(prev, tree, this.tileReader(base, larger, modulePath, version, signal));
    if (!ok) throw fail(`signed tree of size ${tree.size} is inconsistent with the tree of size ${prev.size} seen earlier (the database forked)`);
    this.latest = larger;
  }

  /** Reads node hashes from hash tiles of the tree, fetching each tile once. */
  private tileReader(base: string, tree: Tree, modulePath: string, version: string, signal: AbortSignal): NodeReader {
    return async (level, index) => {
      const { tile, start, count } = nodeTile(level, index, TILE_HEIGHT, tree.size);
      const data = await this.readTile(base, tile, modulePath, version, signal);
      return foldHashes(data, start, count);
    };
  }

  /** Fetches a hash tile; a missing partial tile falls back to the full tile's prefix (client.go readTile). */
  private async readTile(base: string, tile: Tile, modulePath: string, version: string, signal: AbortSignal): Promise<Buffer> {
    const full = 2 ** tile.H;
    const fullPath = tilePath({ ...tile, W: full });
    const cached = this.tiles.get(fullPath);
    if (cached) return cached.subarray(0, tile.W * HASH_SIZE);
    const want = tile.W * HASH_SIZE;
    if (tile.W === full) {
      const data = await this.fetch(base, fullPath, full * HASH_SIZE, modulePath, version, signal);
      if (data.length !== want) throw this.badTile(fullPath, data.length, want, modulePath, version);
      this.tiles.set(fullPath, data);
      return data;
    }
    const partialPath = tilePath(tile);
    try {
      const data = await this.fetch(base, partialPath, want, modulePath, version, signal);
      if (data.length !== want) throw this.badTile(partialPath, data.length, want, modulePath, version);
      return data;
    } catch (e) {
      if (!(e instanceof SumDbNotFoundError)) throw e;
    }
    const data = await this.fetch(base, fullPath, full * HASH_SIZE, modulePath, version, signal);
    if (data.length !== full * HASH_SIZE) throw this.badTile(fullPath, data.length, full * HASH_SIZE, modulePath, version);
    this.tiles.set(fullPath, data);
    return data.subarray(0, want);
  }

  private badTile(path: string, got: number, want: number, modulePath: string, version: string): SumDbError {
    return new SumDbError('bad-response', `${modulePath}@${version}: tile ${path} has ${got} bytes, want ${want}`, modulePath, version);
  }

  /**
   * Where to send requests: GOSUMDB's explicit URL; else the first GOPROXY entry that answers 200 to
   * `/sumdb/<name>/supported` (404/410, or any error after `|`, tries the next); else `https://<name>`.
   */
  private resolveBase(modulePath: string, version: string, signal: AbortSignal): Promise<string> {
    const cfg = this.config!;
    if (cfg.explicitUrl || !this.viaProxy) return Promise.resolve(cfg.url);
    this.base ??= (async () => {
      for (const spec of this.env.proxies) {
        if (spec.kind !== 'url') break; // direct/off: connect to the database directly
        if (spec.url.startsWith('file:')) continue;
        const candidate = `${spec.url}/sumdb/${cfg.name}`;
        try {
          await this.http.get(`${candidate}/supported`, { maxBytes: 1024, signal });
          return candidate;
        } catch (e) {
          const notFound = e instanceof HttpError && (e.status === 404 || e.status === 410);
          if (notFound || spec.fallBackOnError) continue;
          throw new SumDbError(
            'unavailable',
            `${modulePath}@${version}: checksum database ${cfg.name} unavailable via proxy ${spec.url}: ${(e as Error).message}`,
            modulePath,
            version,
            { cause: e },
          );
        }
      }
      return cfg.url;
    })();
    // A failed probe should not stick: the next lookup tries again.
    this.base.catch(() => (this.base = undefined));
    return this.base;
  }

  /** GETs `<base>/<path>` and maps failures to SumDbError kinds. */
  private async fetch(base: string, path: string, maxBytes: number, modulePath: string, version: string, signal: AbortSignal): Promise<Buffer> {
    const url = `${base}/${path}`;
    const at = `${modulePath}@${version}`;
    try {
      return (await this.http.get(url, { maxBytes, signal })).body;
    } catch (e) {
      if (e instanceof HttpError) {
        const detail = e.excerpt;
        const msg = `${at}: reading ${url}: ${e.status}${detail ? ` (${detail})` : ''}`;
        if (e.status === 404 || e.status === 410) throw new SumDbNotFoundError('not-found', msg, modulePath, version, { cause: e });
        throw new SumDbError(e.status >= 500 || e.status === 429 ? 'unavailable' : 'bad-response', msg, modulePath, version, { cause: e });
      }
      if (e instanceof TooLargeError) throw new SumDbError('bad-response', `${at}: ${e.message}`, modulePath, version, { cause: e });
      if (e instanceof TimeoutError) {
        throw new SumDbError('unavailable', `${at}: checksum database ${e.detail} (${e.url})`, modulePath, version, { cause: e });
      }
      if (e instanceof NetworkError || e instanceof AbortedError) {
        throw new SumDbError('unavailable', `${at}: ${e.message}`, modulePath, version, { cause: e });
      }
      throw e;
    }
  }
}

/** The third field of the first line starting with `prefix` (`<path> <version>[/go.mod] h1:...`). */
function hashFor(lines: string[], prefix: string): string | null {
  for (const line of lines) {
    if (!line.startsWith(prefix)) continue;
    const f = line.split(' ');
    if (f.length === 3 && f[2] !== '') return f[2]!;
  }
  return null;
}

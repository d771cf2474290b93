/**
 * GOPROXY protocol client (go.dev/ref/mod#goproxy-protocol): `@v/list`, `.info`, `.mod`, `.zip` and
 * `@latest`, walking the GOPROXY list exactly like cmd/go (modfetch/proxy.go `TryProxies`), never sending
 * private modules to a proxy, and caching immutable answers by `module@version`.
 */
import { mkdtemp, readFile, rm, stat, copyFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { randomBytes } from 'node:crypto';
import { LRUCache } from 'lru-cache';
import {
  canonicalVersion,
  checkModuleVersion,
  compareVersions,
  escapePath,
  escapeVersion,
  isPseudoVersion,
  isValidVersion,
  semverPrerelease,
  sortVersions,
} from '../gomod/module.js';
import { isNoProxy, type GoEnv, type ProxySpec } from './goenv.js';
import { HttpClient, HttpError, NetworkError, TimeoutError, TooLargeError } from './http.js';

/** Largest module zip Go accepts (modfetch MaxZipFile). */
export const MAX_ZIP_BYTES = 500 * 1024 * 1024;
/** Largest go.mod Go accepts (modfetch MaxGoMod). */
export const MAX_GOMOD_BYTES = 16 * 1024 * 1024;
/** Cap for `.info`/`@latest` JSON. */
const MAX_INFO_BYTES = 1024 * 1024;
/** Cap for `@v/list` (modules with thousands of versions stay far below this). */
const MAX_LIST_BYTES = 16 * 1024 * 1024;

/** The `Origin` object a proxy may include in `.info` (untrusted provenance hint). */
export interface Origin {
  VCS?: string;
  URL?: string;
  Subdir?: string;
  Hash?: string;
  Ref?: string;
  TagPrefix?: string;
  TagSum?: string;
  RepoSum?: string;
}

/** `.info` / `@latest` JSON, plus which proxy answered. */
export interface RevInfo {
  Version: string;
  Time?: string;
  Origin?: Origin;
  /** Base URL of the proxy that served it (not part of the JSON). */
  source: string;
}

/** A module zip downloaded to a temporary file. */
export interface ZipFile {
  /** Path of the temporary file; it lives until the cache evicts it or the client is closed. */
  file: string;
  size: number;
  /** Base URL of the proxy that served it. */
  source: string;
}

/** Why a proxy request failed, as a stable word for callers and reports. */
export type ProxyErrorKind =
  | 'not-found'
  | 'blocked'
  | 'forbidden'
  | 'rate-limited'
  | 'unavailable'
  | 'bad-response'
  | 'invalid-request'
  | 'direct'
  | 'off'
  | 'private';

/** Base class of every GOPROXY client error; `message` names the module, version and proxy. */
export class ProxyError extends Error {
  constructor(
    readonly kind: ProxyErrorKind,
    message: string,
    readonly modulePath: string,
    readonly version?: string,
    /** The URL that failed, when one was requested. */
    readonly url?: string,
    options?: { cause?: unknown },
  ) {
    super(message);
    this.name = new.target.name;
    if (options?.cause !== undefined) (this as { cause?: unknown }).cause = options.cause;
  }
}

/** 404/410: the proxy does not have this module or version (may exist elsewhere). */
export class ModuleNotFoundError extends ProxyError {}

/** 403 whose body says the proxy refuses this module (security block, takedown, disabled). */
export class ProxyBlockedError extends ProxyError {
  constructor(
    message: string,
    modulePath: string,
    version: string | undefined,
    url: string,
    /** The proxy's explanation, as sent. */
    readonly reason: string,
  ) {
    super('blocked', message, modulePath, version, url);
  }
}

/** 429, or a 403 that says it is about request rates/quotas. */
export class RateLimitedError extends ProxyError {
  constructor(
    message: string,
    modulePath: string,
    version: string | undefined,
    url: string,
    /** Seconds from Retry-After, when sent. */
    readonly retryAfterSeconds?: number,
  ) {
    super('rate-limited', message, modulePath, version, url);
  }
}

/** GOPROXY reached `direct`: ModWarden does not fetch from version control, so the result is unverifiable. */
export class DirectModeError extends ProxyError {}

/** GOPROXY reached `off`: module lookups are disabled. */
export class ProxyOffError extends ProxyError {}

/** The module matches GONOPROXY/GOPRIVATE, so it is never sent to a public proxy. */
export class PrivateModuleError extends ProxyError {
  constructor(
    message: string,
    modulePath: string,
    version: string | undefined,
    /** e.g. `matches GOPRIVATE=*.corp.example.com`. */
    readonly reason: string,
  ) {
    super('private', message, modulePath, version);
  }
}

/** Options of the client. */
export interface GoProxyClientOptions {
  env: GoEnv;
  http?: HttpClient;
  /** Most cached immutable answers (default 1000). */
  cacheEntries?: number;
  /** Where zips are downloaded (default: a fresh directory under the OS temp dir, removed by close()). */
  tmpDir?: string;
  /** Timeout of list/info/mod/latest requests (default 60 s). */
  timeoutMs?: number;
  /** Timeout of one zip download (default 10 min: zips may be up to 500 MiB). */
  zipTimeoutMs?: number;
  /** Largest zip accepted (default and maximum: Go's 500 MiB). */
  maxZipBytes?: number;
}

type Cached = RevInfo | Buffer | ZipFile;

/** GOPROXY client. */
export class GoProxyClient {
  private readonly env: GoEnv;
  private readonly http: HttpClient;
  private readonly cache: LRUCache<string, Cached>;
  private readonly inflight = new Map<string, Promise<unknown>>();
  private readonly timeoutMs: number;
  private readonly zipTimeoutMs: number;
  private readonly maxZipBytes: number;
  private tmpDir: Promise<string> | undefined;
  private readonly ownsTmpDir: boolean;

  constructor(opts: GoProxyClientOptions) {
    this.env = opts.env;
    this.http = opts.http ?? new HttpClient();
    this.timeoutMs = opts.timeoutMs ?? 60_000;
    this.zipTimeoutMs = opts.zipTimeoutMs ?? 600_000;
    this.maxZipBytes = Math.min(opts.maxZipBytes ?? MAX_ZIP_BYTES, MAX_ZIP_BYTES);
    this.ownsTmpDir = opts.tmpDir === undefined;
    if (opts.tmpDir !== undefined) this.tmpDir = Promise.resolve(opts.tmpDir);
    this.cache = new LRUCache<string, Cached>({
      max: opts.cacheEntries ?? 1000,
      // A zip evicted from the cache is deleted from disk; callers hash it right after download.
      dispose: (value) => {
        if (isZipFile(value)) void rm(value.file, { force: true });
      },
    });
  }

  /** Known versions from `@v/list`: semver, no pseudo-versions, sorted (Go's proxyRepo.Versions). */
  async list(modulePath: string): Promise<string[]> {
    return this.once(`list:${modulePath}`, false, () =>
      this.tryProxies(modulePath, undefined, async (base) => {
        const body = await this.fetchBytes(base, `${escapePath(modulePath)}/@v/list`, MAX_LIST_BYTES, modulePath);
        return parseVersionList(body.toString('utf8'));
      }),
    );
  }

  /**
   * `.info` of `version`. When `version` is canonical, the reply must name exactly that version
   * (a proxy may not substitute another one); a query such as a branch name may resolve to any version.
   */
  async info(modulePath: string, version: string): Promise<RevInfo> {
    const canonical = canonicalVersion(version) === version;
    return this.once(`info:${modulePath}@${version}`, canonical, () =>
      this.tryProxies(modulePath, version, async (base) => {
        const url = `${escapePath(modulePath)}/@v/${escapeVersion(version)}.info`;
        const info = parseRevInfo(await this.fetchBytes(base, url, MAX_INFO_BYTES, modulePath, version), base, url, modulePath, version);
        if (info.Version !== version && canonical && suitsPath(modulePath, version)) {
          throw new ProxyError(
            'bad-response',
            `${modulePath}@${version}: proxy ${base} returned info for version ${info.Version} instead of requested version`,
            modulePath,
            version,
            `${base}/${url}`,
          );
        }
        return info;
      }),
    );
  }

  /** The go.mod served for `version` (byte-exact), capped at 16 MiB. */
  async mod(modulePath: string, version: string): Promise<Buffer> {
    this.requireCanonical(modulePath, version);
    return this.once(`mod:${modulePath}@${version}`, true, () =>
      this.tryProxies(modulePath, version, (base) =>
        this.fetchBytes(base, `${escapePath(modulePath)}/@v/${escapeVersion(version)}.mod`, MAX_GOMOD_BYTES, modulePath, version),
      ),
    );
  }

  /** Downloads the module zip to a temporary file (capped at 500 MiB, like Go). */
  async zip(modulePath: string, version: string): Promise<ZipFile> {
    this.requireCanonical(modulePath, version);
    return this.once(`zip:${modulePath}@${version}`, true, async () => {
      const dir = await this.tempDir();
      const file = join(dir, `${escapePath(modulePath).replace(/[/!]/g, '_')}@${escapeVersion(version)}-${randomBytes(4).toString('hex')}.zip`);
      return this.tryProxies(modulePath, version, async (base) => {
        const rel = `${escapePath(modulePath)}/@v/${escapeVersion(version)}.zip`;
        const size = await this.fetchToFile(base, rel, file, this.maxZipBytes, modulePath, version);
        return { file, size, source: base };
      });
    });
  }

  /**
   * The version Go would call latest: `@latest` when the proxy serves it, otherwise the highest
   * release (then prerelease) from `@v/list`.
   */
  async latest(modulePath: string): Promise<RevInfo> {
    return this.once(`latest:${modulePath}`, false, () =>
      this.tryProxies(modulePath, undefined, async (base) => {
        const url = `${escapePath(modulePath)}/@latest`;
        try {
          return parseRevInfo(await this.fetchBytes(base, url, MAX_INFO_BYTES, modulePath), base, url, modulePath, undefined);
        } catch (err) {
          // @latest is optional in the protocol: only "not found" means "ask the list instead".
          if (toProxyError(err, modulePath, undefined, base).kind !== 'not-found') throw err;
        }
        const body = await this.fetchBytes(base, `${escapePath(modulePath)}/@v/list`, MAX_LIST_BYTES, modulePath);
        const best = pickLatest(parseVersionList(body.toString('utf8')));
        if (!best) {
          throw new ModuleNotFoundError('not-found', `${modulePath}: no matching versions on proxy ${base}`, modulePath, undefined, `${base}/${url}`);
        }
        const infoUrl = `${escapePath(modulePath)}/@v/${escapeVersion(best)}.info`;
        return parseRevInfo(await this.fetchBytes(base, infoUrl, MAX_INFO_BYTES, modulePath, best), base, infoUrl, modulePath, best);
      }),
    );
  }

  /** Deletes downloaded zips (the whole temp directory if the client created it) and empties the cache. */
  async close(): Promise<void> {
    const zips = [...this.cache.values()].filter(isZipFile);
    this.cache.clear();
    if (this.tmpDir && this.ownsTmpDir) await rm(await this.tmpDir, { recursive: true, force: true });
    else await Promise.all(zips.map((z) => rm(z.file, { force: true })));
    this.tmpDir = this.ownsTmpDir ? undefined : this.tmpDir;
  }

  /** Serves from cache, or joins an identical request in flight, or starts `load`. */
  private async once<T extends Cached | string[]>(key: string, immutable: boolean, load: () => Promise<T>): Promise<T> {
    const hit = this.cache.get(key);
    if (hit !== undefined) return hit as T;
    const running = this.inflight.get(key);
    if (running) return running as Promise<T>;
    const p = load().then(
      (value) => {
        if (immutable) this.cache.set(key, value as Cached);
        return value;
      },
    );
    this.inflight.set(key, p);
    try {
      return await p;
    } finally {
      this.inflight.delete(key);
    }
  }

  /** Walks GOPROXY like cmd/go's TryProxies: after `,` only not-found falls through; after `|` any error. */
  private async tryProxies<T>(modulePath: string, version: string | undefined, f: (base: string) => Promise<T>): Promise<T> {
    const at = version ? `${modulePath}@${version}` : modulePath;
    checkRequest(modulePath, version);
    if (isNoProxy(this.env, modulePath)) {
      const reason = `matches ${this.env.noProxy.source}=${this.env.noProxy.patterns}`;
      throw new PrivateModuleError(
        `${at}: private module (${reason}); not sent to a public proxy, not checked`,
        modulePath,
        version,
        reason,
      );
    }
    let best: ProxyError | undefined;
    let bestRank = 0;
    const tried: string[] = [];
    for (const spec of this.env.proxies) {
      let err: ProxyError;
      if (spec.kind === 'direct') {
        const before = tried.length ? ` after ${tried.join('; ')}` : '';
        err = new DirectModeError(
          'direct',
          `${at}: GOPROXY reached "direct"${before}; fetching from version control is not supported, so this module cannot be verified`,
          modulePath,
          version,
        );
      } else if (spec.kind === 'off') {
        err = new ProxyOffError('off', `${at}: module lookup disabled by GOPROXY=off`, modulePath, version);
      } else {
        try {
          return await f(spec.url);
        } catch (e) {
          err = toProxyError(e, modulePath, version, spec.url);
        }
      }
      tried.push(err instanceof ModuleNotFoundError ? `not found on ${spec.kind === 'url' ? spec.url : spec.kind}` : err.message);
      // Go prefers errors from direct, then real proxy errors, then "not found".
      const rank = err.kind === 'direct' ? 3 : err.kind === 'not-found' ? 1 : 2;
      if (rank > bestRank) {
        best = err;
        bestRank = rank;
      }
      if (!fallsThrough(spec, err)) break;
    }
    throw best ?? new ProxyOffError('off', `${at}: GOPROXY has no usable entries`, modulePath, version);
  }

  /** Reads one proxy resource into memory (http(s) or file://). */
  private async fetchBytes(base: string, rel: string, maxBytes: number, modulePath: string, version?: string): Promise<Buffer> {
    if (base.startsWith('file:')) {
      const path = fileURLToPath(`${base}/${rel}`);
      await this.checkLocalFile(path, maxBytes, base, rel, modulePath, version);
      return readFile(path);
    }
    const res = await this.http.get(`${base}/${encodeUrlPath(rel)}`, { maxBytes, timeoutMs: this.timeoutMs });
    return res.body;
  }

  /** Downloads one proxy resource to `dest` (http(s) or file://) and returns its size. */
  private async fetchToFile(base: string, rel: string, dest: string, maxBytes: number, modulePath: string, version?: string): Promise<number> {
    if (base.startsWith('file:')) {
      const path = fileURLToPath(`${base}/${rel}`);
      const size = await this.checkLocalFile(path, maxBytes, base, rel, modulePath, version);
      await copyFile(path, dest);
      return size;
    }
    const res = await this.http.download(`${base}/${encodeUrlPath(rel)}`, dest, { maxBytes, timeoutMs: this.zipTimeoutMs });
    return res.size;
  }

  /** Stats a file:// proxy entry: missing → not found, too big → bad response. */
  private async checkLocalFile(path: string, maxBytes: number, base: string, rel: string, modulePath: string, version?: string): Promise<number> {
    const st = await stat(path).catch(() => null);
    if (!st || !st.isFile()) {
      throw new ModuleNotFoundError('not-found', `${base}/${rel}: not found`, modulePath, version, `${base}/${rel}`);
    }
    if (st.size > maxBytes) throw new TooLargeError(`${base}/${rel}`, maxBytes, st.size);
    return st.size;
  }

  private requireCanonical(modulePath: string, version: string): void {
    checkRequest(modulePath, version);
    if (canonicalVersion(version) !== version) {
      throw new ProxyError(
        'invalid-request',
        `${modulePath}@${version}: .mod and .zip are only fetched for canonical versions (want ${canonicalVersion(version) || 'a valid semver'})`,
        modulePath,
        version,
      );
    }
  }

  private tempDir(): Promise<string> {
    this.tmpDir ??= mkdtemp(join(tmpdir(), 'modwarden-proxy-'));
    return this.tmpDir;
  }
}

/** Rejects a path or version that cannot be escaped into a proxy URL. */
function checkRequest(modulePath: string, version: string | undefined): void {
  try {
    escapePath(modulePath);
    if (version !== undefined) escapeVersion(version);
  } catch (e) {
    const at = version ? `${modulePath}@${version}` : modulePath;
    throw new ProxyError('invalid-request', `${at}: ${(e as Error).message}`, modulePath, version, undefined, { cause: e });
  }
}

/** After `|` any error falls through; after `,` only not-found (404/410). */
function fallsThrough(spec: ProxySpec, err: ProxyError): boolean {
  if (spec.kind !== 'url') return false;
  return spec.fallBackOnError || err.kind === 'not-found';
}

/** Maps HTTP-layer failures to proxy errors with a message naming module, version and URL. */
export function toProxyError(e: unknown, modulePath: string, version: string | undefined, base: string): ProxyError {
  if (e instanceof ProxyError) return e;
  const at = version ? `${modulePath}@${version}` : modulePath;
  if (e instanceof HttpError) {
    const detail = e.body.trim().split('\n', 1)[0]?.slice(0, 300) ?? '';
    const msg = `${at}: reading ${e.url}: ${e.status}${detail ? ` (${detail})` : ''}`;
    if (e.status === 404 || e.status === 410) return new ModuleNotFoundError('not-found', msg, modulePath, version, e.url);
    if (e.status === 429 || (e.status === 403 && RATE_LIMIT_RE.test(e.body))) {
      return new RateLimitedError(`${msg}: rate limited by proxy ${base}`, modulePath, version, e.url, retryAfter(e.headers));
    }
    if (e.status === 403) {
      // proxy.golang.org answers 403 only for modules blocked for security reasons (golang/go#80655);
      // firewalls and geo-blocks also send 403, so only a body that says so counts as a block.
      if (BLOCKED_RE.test(e.body)) return new ProxyBlockedError(`${msg}: module refused by proxy ${base}`, modulePath, version, e.url, e.body.trim());
      return new ProxyError('forbidden', `${msg}: access forbidden by proxy ${base}`, modulePath, version, e.url);
    }
    return new ProxyError(e.status >= 500 ? 'unavailable' : 'bad-response', msg, modulePath, version, e.url, { cause: e });
  }
  if (e instanceof TooLargeError) return new ProxyError('bad-response', `${at}: ${e.message}`, modulePath, version, e.url, { cause: e });
  if (e instanceof TimeoutError || e instanceof NetworkError) {
    return new ProxyError('unavailable', `${at}: ${e.message}`, modulePath, version, e.url, { cause: e });
  }
  const message = e instanceof Error ? e.message : String(e);
  return new ProxyError('bad-response', `${at}: proxy ${base}: ${message}`, modulePath, version, undefined, { cause: e });
}

const RATE_LIMIT_RE = /rate.?limit|too many requests|quota/i;
const BLOCKED_RE = /secur|malicious|malware|block|disabled|removed|banned|takedown|taken down|not allowed|denylist|blacklist/i;

function retryAfter(headers: Headers): number | undefined {
  const v = headers.get('retry-after');
  return v !== null && /^\d+$/.test(v.trim()) ? Number(v.trim()) : undefined;
}

/** Parses `@v/list`: first field of each line, valid semver and not a pseudo-version, sorted, de-duplicated. */
export function parseVersionList(text: string): string[] {
  const seen = new Set<string>();
  for (const line of text.split('\n')) {
    const v = line.trim().split(/\s+/)[0] ?? '';
    if (v !== '' && isValidVersion(v) && !isPseudoVersion(v)) seen.add(v);
  }
  return sortVersions([...seen]);
}

/** Highest release, else highest prerelease (Go's "latest" choice among listed versions). */
function pickLatest(versions: string[]): string | undefined {
  const releases = versions.filter((v) => semverPrerelease(v) === '');
  const pool = releases.length ? releases : versions;
  return [...pool].sort(compareVersions).at(-1);
}

const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;
const ORIGIN_FIELDS = ['VCS', 'URL', 'Subdir', 'Hash', 'Ref', 'TagPrefix', 'TagSum', 'RepoSum'] as const;

/** Parses and checks `.info` JSON; throws a bad-response ProxyError naming the URL on any problem. */
export function parseRevInfo(body: Buffer, base: string, rel: string, modulePath: string, version: string | undefined): RevInfo {
  const at = version ? `${modulePath}@${version}` : modulePath;
  const bad = (why: string) =>
    new ProxyError('bad-response', `${at}: invalid response from proxy ${base}/${rel}: ${why}`, modulePath, version, `${base}/${rel}`);
  let raw: unknown;
  try {
    raw = JSON.parse(body.toString('utf8'));
  } catch (e) {
    throw bad(`not JSON (${(e as Error).message})`);
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw bad('not a JSON object');
  const o = raw as Record<string, unknown>;
  if (typeof o.Version !== 'string' || canonicalVersion(o.Version) !== o.Version) {
    throw bad(`"Version" must be a canonical version, got ${JSON.stringify(o.Version)}`);
  }
  const info: RevInfo = { Version: o.Version, source: base };
  if (o.Time !== undefined && o.Time !== null) {
    if (typeof o.Time !== 'string' || !RFC3339.test(o.Time) || Number.isNaN(Date.parse(o.Time))) {
      throw bad(`"Time" must be an RFC 3339 time, got ${JSON.stringify(o.Time)}`);
    }
    info.Time = o.Time;
  }
  if (o.Origin !== undefined && o.Origin !== null) {
    if (typeof o.Origin !== 'object' || Array.isArray(o.Origin)) throw bad('"Origin" must be an object');
    const src = o.Origin as Record<string, unknown>;
    const origin: Origin = {};
    for (const f of ORIGIN_FIELDS) {
      const v = src[f];
      if (v === undefined || v === null || v === '') continue;
      if (typeof v !== 'string') throw bad(`"Origin.${f}" must be a string`);
      origin[f] = v;
    }
    info.Origin = origin;
  }
  return info;
}

/** True when `version` is valid for `modulePath` (module.Check): only then must `.info` echo it exactly. */
function suitsPath(modulePath: string, version: string): boolean {
  try {
    checkModuleVersion(modulePath, version);
    return true;
  } catch {
    return false;
  }
}

/**
 * Percent-escapes a URL path exactly as Go's net/url does for paths (what cmd/go sends to proxies):
 * letters, digits, `-_.~` and `$&+,/:;=@` stay, everything else (including `!`) becomes %XX.
 */
export function encodeUrlPath(rel: string): string {
  let out = '';
  for (const byte of Buffer.from(rel, 'utf8')) {
    const c = String.fromCharCode(byte);
    out += /[A-Za-z0-9\-_.~$&+,/:;=@]/.test(c) ? c : `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

function isZipFile(v: unknown): v is ZipFile {
  return typeof v === 'object' && v !== null && 'file' in v && 'size' in v && !Buffer.isBuffer(v);
}

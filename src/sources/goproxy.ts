/**
 * GOPROXY protocol client (go.dev/ref/mod#goproxy-protocol): `@v/list`, `.info`, `.mod`, `.zip` and
 * `@latest`, walking the GOPROXY list exactly like cmd/go (modfetch/proxy.go `TryProxies`), never sending
 * private modules to a proxy, and caching immutable answers by `module@version`.
 */
import { readFile, stat, copyFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
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
import { AbortedError, HttpClient, HttpError, NetworkError, retryAfterMs, TimeoutError, TooLargeError } from './http.js';
import { FileCache, type Leased } from './file-cache.js';
import { Inflight } from './inflight.js';
import { MESSAGE_CHARS, oneLine } from './plain-text.js';

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

/** A module zip downloaded to a file of the on-disk cache. */
export interface ZipFile {
  /** Path of the file; it exists at least until the lease is released (see {@link ZipLease}). */
  file: string;
  size: number;
  /** Base URL of the proxy that served it. */
  source: string;
}

/**
 * A zip held open: the cache may evict it, but the file stays until `release()` (or the lease's time
 * limit, 15 min by default, for callers that never release). Prefer {@link GoProxyClient.withZip}.
 */
export type ZipLease = Leased<ZipFile>;

/** Per-call options: a signal that cancels the request (the caller's deadline). */
export interface CallOptions {
  signal?: AbortSignal;
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
    super(oneLine(message, MESSAGE_CHARS));
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
    /** The proxy's explanation: one line of plain text, at most 200 characters. */
    readonly reason: string,
  ) {
    super('blocked', message, modulePath, version, url);
    this.reason = oneLine(reason);
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

/** Options of the client. Time bounds come from the HttpClient (the operator's MODWARDEN_HTTP_* settings). */
export interface GoProxyClientOptions {
  env: GoEnv;
  http?: HttpClient;
  /** Most cached immutable answers in memory (default 1000). */
  cacheEntries?: number;
  /** Bytes of cached `.info`/`.mod` answers in memory (default 64 MiB). */
  cacheBytes?: number;
  /** The on-disk cache for zips (shared with the origin's tarballs in the engine). Default: a private one. */
  files?: FileCache;
  /** Directory for a private on-disk cache, when `files` is not given (default: a fresh temp directory). */
  tmpDir?: string;
  /** Largest zip accepted (default and maximum: Go's 500 MiB). */
  maxZipBytes?: number;
}

type Cached = RevInfo | Buffer;

/** GOPROXY client. */
export class GoProxyClient {
  private readonly env: GoEnv;
  private readonly http: HttpClient;
  /** Immutable answers (`.info` of canonical versions, `.mod`) by module@version; bounded in entries and bytes. */
  private readonly cache: LRUCache<string, Cached>;
  private readonly inflight = new Inflight<string, unknown>();
  private readonly maxZipBytes: number;
  private readonly files: FileCache;
  private readonly ownsFiles: boolean;

  constructor(opts: GoProxyClientOptions) {
    this.env = opts.env;
    this.http = opts.http ?? new HttpClient();
    this.maxZipBytes = Math.min(opts.maxZipBytes ?? MAX_ZIP_BYTES, MAX_ZIP_BYTES);
    this.ownsFiles = opts.files === undefined;
    this.files = opts.files ?? new FileCache(opts.tmpDir !== undefined ? { dir: opts.tmpDir } : {});
    this.cache = new LRUCache<string, Cached>({
      max: Math.max(1, opts.cacheEntries ?? 1000),
      maxSize: opts.cacheBytes ?? 64 * 1024 * 1024,
      sizeCalculation: (v) => Math.max(1, Buffer.isBuffer(v) ? v.length : JSON.stringify(v).length),
    });
  }

  /** Known versions from `@v/list`: semver, no pseudo-versions, sorted (Go's proxyRepo.Versions). */
  async list(modulePath: string, opts: CallOptions = {}): Promise<string[]> {
    return this.once(`list:${modulePath}`, false, modulePath, undefined, opts, (signal) =>
      this.tryProxies(modulePath, undefined, async (base) => {
        const body = await this.fetchBytes(base, `${escapePath(modulePath)}/@v/list`, MAX_LIST_BYTES, modulePath, undefined, signal);
        return parseVersionList(body.toString('utf8'));
      }),
    );
  }

  /**
   * `.info` of `version`. When `version` is canonical, the reply must name exactly that version
   * (a proxy may not substitute another one); a query such as a branch name may resolve to any version.
   */
  async info(modulePath: string, version: string, opts: CallOptions = {}): Promise<RevInfo> {
    const canonical = canonicalVersion(version) === version;
    return this.once(`info:${modulePath}@${version}`, canonical, modulePath, version, opts, (signal) =>
      this.tryProxies(modulePath, version, async (base) => {
        const url = `${escapePath(modulePath)}/@v/${escapeVersion(version)}.info`;
        const info = parseRevInfo(await this.fetchBytes(base, url, MAX_INFO_BYTES, modulePath, version, signal), base, url, modulePath, version);
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
  async mod(modulePath: string, version: string, opts: CallOptions = {}): Promise<Buffer> {
    this.requireCanonical(modulePath, version);
    return this.once(`mod:${modulePath}@${version}`, true, modulePath, version, opts, (signal) =>
      this.tryProxies(modulePath, version, (base) =>
        this.fetchBytes(base, `${escapePath(modulePath)}/@v/${escapeVersion(version)}.mod`, MAX_GOMOD_BYTES, modulePath, version, signal),
      ),
    );
  }

  /**
   * Downloads the module zip into the on-disk cache (capped at 500 MiB, like Go) and leases it: the file
   * stays until `release()` is called (or the lease times out). {@link withZip} releases for you.
   */
  async zip(modulePath: string, version: string, opts: CallOptions = {}): Promise<ZipLease> {
    this.requireCanonical(modulePath, version);
    const at = `${modulePath}@${version}`;
    try {
      return await this.files.acquire<ZipFile>(
        `zip:${at}`,
        `${escapePath(modulePath)}@${escapeVersion(version)}.zip`,
        (dest, signal) =>
          this.tryProxies(modulePath, version, async (base) => {
            const rel = `${escapePath(modulePath)}/@v/${escapeVersion(version)}.zip`;
            const size = await this.fetchToFile(base, rel, dest, this.maxZipBytes, modulePath, version, signal);
            return { file: dest, size, source: base };
          }),
        opts.signal,
      );
    } catch (e) {
      throw toProxyError(e, modulePath, version, '');
    }
  }

  /** Runs `fn` with the module zip on disk and releases it afterwards, however `fn` ends. */
  async withZip<T>(modulePath: string, version: string, fn: (zip: ZipFile) => Promise<T>, opts: CallOptions = {}): Promise<T> {
    const lease = await this.zip(modulePath, version, opts);
    try {
      return await fn(lease);
    } finally {
      lease.release();
    }
  }

  /**
   * The version Go would call latest: `@latest` when the proxy serves it, otherwise the highest
   * release (then prerelease) from `@v/list`.
   */
  async latest(modulePath: string, opts: CallOptions = {}): Promise<RevInfo> {
    return this.once(`latest:${modulePath}`, false, modulePath, undefined, opts, (signal) =>
      this.tryProxies(modulePath, undefined, async (base) => {
        const url = `${escapePath(modulePath)}/@latest`;
        try {
          return parseRevInfo(await this.fetchBytes(base, url, MAX_INFO_BYTES, modulePath, undefined, signal), base, url, modulePath, undefined);
        } catch (err) {
          // @latest is optional in the protocol: only "not found" means "ask the list instead".
          if (toProxyError(err, modulePath, undefined, base).kind !== 'not-found') throw err;
        }
        const body = await this.fetchBytes(base, `${escapePath(modulePath)}/@v/list`, MAX_LIST_BYTES, modulePath, undefined, signal);
        const best = pickLatest(parseVersionList(body.toString('utf8')));
        if (!best) {
          throw new ModuleNotFoundError('not-found', `${modulePath}: no matching versions on proxy ${base}`, modulePath, undefined, `${base}/${url}`);
        }
        const infoUrl = `${escapePath(modulePath)}/@v/${escapeVersion(best)}.info`;
        return parseRevInfo(await this.fetchBytes(base, infoUrl, MAX_INFO_BYTES, modulePath, best, signal), base, infoUrl, modulePath, best);
      }),
    );
  }

  /** Empties the memory cache and deletes downloaded zips (the on-disk cache too, when this client made it). */
  async close(): Promise<void> {
    this.cache.clear();
    if (this.ownsFiles) await this.files.close();
  }

  /**
   * Serves from the memory cache, or joins an identical request in flight, or starts `load`. Immutable
   * answers are cached; a failure never is.
   */
  private async once<T extends Cached | string[]>(
    key: string,
    immutable: boolean,
    modulePath: string,
    version: string | undefined,
    opts: CallOptions,
    load: (signal: AbortSignal) => Promise<T>,
  ): Promise<T> {
    const hit = this.cache.get(key);
    if (hit !== undefined) return hit as T;
    const value = (await this.inflight.run(
      key,
      opts.signal,
      async (signal) => {
        const v = await load(signal);
        if (immutable) this.cache.set(key, v as Cached);
        return v;
      },
      (reason) => toProxyError(new AbortedError(key, reason), modulePath, version, ''),
    )) as T;
    return value;
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
          // The caller gave up: no other proxy is asked on its behalf.
          if (e instanceof AbortedError) throw err;
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
  private async fetchBytes(base: string, rel: string, maxBytes: number, modulePath: string, version: string | undefined, signal: AbortSignal): Promise<Buffer> {
    if (base.startsWith('file:')) {
      const path = fileURLToPath(`${base}/${rel}`);
      await this.checkLocalFile(path, maxBytes, base, rel, modulePath, version);
      return readFile(path);
    }
    const res = await this.http.get(`${base}/${encodeUrlPath(rel)}`, { maxBytes, signal });
    return res.body;
  }

  /** Downloads one proxy resource to `dest` (http(s) or file://) and returns its size. */
  private async fetchToFile(base: string, rel: string, dest: string, maxBytes: number, modulePath: string, version: string, signal: AbortSignal): Promise<number> {
    if (base.startsWith('file:')) {
      const path = fileURLToPath(`${base}/${rel}`);
      const size = await this.checkLocalFile(path, maxBytes, base, rel, modulePath, version);
      await copyFile(path, dest);
      return size;
    }
    const res = await this.http.download(`${base}/${encodeUrlPath(rel)}`, dest, { maxBytes, signal });
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

/**
 * Maps HTTP-layer failures to proxy errors with a message naming module, version and URL. The proxy's
 * own words (an error body) appear only as one line of plain text, at most 200 characters.
 */
export function toProxyError(e: unknown, modulePath: string, version: string | undefined, base: string): ProxyError {
  if (e instanceof ProxyError) return e;
  const at = version ? `${modulePath}@${version}` : modulePath;
  const proxy = base ? `proxy ${base}` : 'the proxy';
  if (e instanceof HttpError) {
    const detail = e.excerpt;
    const msg = `${at}: reading ${e.url}: ${e.status}${detail ? ` (${detail})` : ''}`;
    if (e.status === 404 || e.status === 410) return new ModuleNotFoundError('not-found', msg, modulePath, version, e.url);
    if (e.status === 429 || (e.status === 403 && RATE_LIMIT_RE.test(e.body))) {
      const wait = retryAfterMs(e.headers);
      return new RateLimitedError(`${msg}: rate limited by ${proxy}`, modulePath, version, e.url, wait === undefined ? undefined : Math.ceil(wait / 1000));
    }
    if (e.status === 403) {
      // proxy.golang.org answers 403 only for modules blocked for security reasons (golang/go#80655);
      // firewalls and geo-blocks also send 403, so only a body that says so counts as a block.
      if (BLOCKED_RE.test(e.body)) return new ProxyBlockedError(`${msg}: module refused by ${proxy}`, modulePath, version, e.url, detail);
      return new ProxyError('forbidden', `${msg}: access forbidden by ${proxy}`, modulePath, version, e.url);
    }
    return new ProxyError(e.status >= 500 ? 'unavailable' : 'bad-response', msg, modulePath, version, e.url, { cause: e });
  }
  if (e instanceof TooLargeError) return new ProxyError('bad-response', `${at}: ${e.message}`, modulePath, version, e.url, { cause: e });
  if (e instanceof TimeoutError) {
    // "proxy https://proxy.example did not answer within 30 s": the bound that ran out, in words.
    return new ProxyError('unavailable', `${at}: ${proxy} ${e.detail} (${e.url})`, modulePath, version, e.url, { cause: e });
  }
  if (e instanceof AbortedError) {
    const why = e.reason instanceof Error && e.reason.name !== 'AbortError' ? ` (${e.reason.message})` : '';
    return new ProxyError('unavailable', `${at}: request to ${proxy} cancelled${why}`, modulePath, version, e.url || undefined, { cause: e });
  }
  if (e instanceof NetworkError) {
    return new ProxyError('unavailable', `${at}: ${e.message}`, modulePath, version, e.url, { cause: e });
  }
  const message = e instanceof Error ? e.message : String(e);
  return new ProxyError('bad-response', `${at}: ${proxy}: ${message}`, modulePath, version, undefined, { cause: e });
}

const RATE_LIMIT_RE = /rate.?limit|too many requests|quota/i;
const BLOCKED_RE = /secur|malicious|malware|block|disabled|removed|banned|takedown|taken down|not allowed|denylist|blacklist/i;

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
    throw bad(`not JSON (${oneLine((e as Error).message, 120)})`);
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw bad('not a JSON object');
  const o = raw as Record<string, unknown>;
  if (typeof o.Version !== 'string' || canonicalVersion(o.Version) !== o.Version) {
    throw bad(`"Version" must be a canonical version, got ${shown(o.Version)}`);
  }
  const info: RevInfo = { Version: o.Version, source: base };
  if (o.Time !== undefined && o.Time !== null) {
    if (typeof o.Time !== 'string' || !RFC3339.test(o.Time) || Number.isNaN(Date.parse(o.Time))) {
      throw bad(`"Time" must be an RFC 3339 time, got ${shown(o.Time)}`);
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

/** A value from the proxy's JSON, quoted and shortened for a message. */
function shown(v: unknown): string {
  return oneLine(JSON.stringify(v) ?? String(v), 80);
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


/**
 * Wires the real checks into the engine: the go.mod diff, the typosquat detector (with near-copy
 * comparison through the proxy), and the divergence check. Clients are made once per process so their
 * caches (proxy answers by module@version, zip file digests) serve every scan; origin state is re-read
 * per scan because a tag can move.
 */
import { LRUCache } from 'lru-cache';
import type { ModuleVersion } from '../gomod/types.js';
import type { RepoConfig } from '../config/repo.js';
import { diffFiles, requiredModules } from './gomod-step.js';
import { createTyposquatDetector, suspectPathOf, typosquatFindings, type TyposquatDetector, type TyposquatResult } from '../checks/typosquat/detector.js';
import { goFileFacts, type FileDigest } from '../checks/typosquat/clone.js';
import { assessModule } from '../checks/typosquat/assess.js';
import { readModuleZip } from '../modzip/reader.js';
import { GoProxyClient } from '../sources/goproxy.js';
import { readGoEnv, type GoEnv } from '../sources/goenv.js';
import { HttpClient, type TimeBounds } from '../sources/http.js';
import { FileCache } from '../sources/file-cache.js';
import { GitHubRest } from '../sources/github/rest.js';
import { GitHubOriginClient } from '../sources/github/origin.js';
import { OriginPolicy } from '../sources/origin-guard.js';
import { GoOriginResolver } from '../sources/origin-resolver.js';
import type { OriginReader } from '../sources/origin-reader.js';
import type { OriginResolver } from '../sources/origin-location.js';
import { SumDbClient } from '../sources/sumdb.js';
import { createGitHubMetaClient, type GitHubMetaClient, type GitHubMetaSource } from '../sources/github/meta.js';
import type { EngineEnv } from '../config/operator.js';
import { createVerifier, type Verifier } from './verify-step.js';
import type { ScanChecks, ScanDeps } from './scan.js';

/** A GOPROXY / GOSUMDB value Go would reject (front doors report it as bad input). */
export { GoEnvError } from '../sources/goenv.js';

/** The operator settings the engine needs (the CLI builds them from the environment too). */
export type EngineSettings = EngineEnv;

/** The network clients the checks use; tests and the demo point them at local servers. */
export interface EngineClients {
  env: GoEnv;
  proxy: GoProxyClient;
  /**
   * Where origins are read: the resolver for any host (GitHub's API, git smart HTTP, GitLab archives,
   * behind the SSRF guard), or a single GitHub reader (tests, the demo); null when origin checks are off.
   */
  origin: OriginResolver | OriginReader | null;
  /** Checksum database client, or null when GOSUMDB=off. */
  sumdb: SumDbClient | null;
  /**
   * Repository metadata for typosquat enrichment (age, stars, forks); null = name check only. The real
   * client is a GitHubMetaSource: `forScan()` gives a scan its own search budget.
   */
  meta: GitHubMetaClient | GitHubMetaSource | null;
  verifier: Verifier;
  /** Deletes the on-disk cache (zips and tarballs). The clients are not to be used afterwards. */
  close?(): Promise<void>;
}

/** Which network sources a front door may use (the CLI's --no-origin / --offline). All on by default. */
export interface SourceSwitches {
  origin?: boolean;
  meta?: boolean;
}

/** The HTTP time bounds of the operator's settings (one config for every client). */
export function timeBoundsOf(s: EngineSettings): Partial<TimeBounds> {
  return {
    timeoutMs: s.httpTimeoutMs,
    ...(s.httpConnectTimeoutMs !== undefined ? { connectTimeoutMs: s.httpConnectTimeoutMs } : {}),
    ...(s.httpStallTimeoutMs !== undefined ? { stallTimeoutMs: s.httpStallTimeoutMs } : {}),
    ...(s.httpMinBytesPerSecond !== undefined ? { minBytesPerSecond: s.httpMinBytesPerSecond } : {}),
  };
}

/**
 * Builds the clients from settings, once per process: their caches serve every scan. One HTTP config;
 * the module proxy (and checksum database) and GitHub get separate pools of `concurrency` slots, so a
 * slow one cannot starve the other. Zips and tarballs share one on-disk cache, bounded in bytes.
 */
export function createClients(s: EngineSettings, on: SourceSwitches = {}): EngineClients {
  const env = readGoEnv({
    GOPROXY: s.goproxy,
    GOSUMDB: s.gosumdb,
    GOPRIVATE: s.goprivate,
    ...(s.gonoproxy !== null ? { GONOPROXY: s.gonoproxy } : {}),
    ...(s.gonosumdb !== null ? { GONOSUMDB: s.gonosumdb } : {}),
  });
  const httpConfig = { concurrency: s.concurrency, ...timeBoundsOf(s) };
  const files = new FileCache(s.diskCacheBytes !== undefined ? { maxBytes: s.diskCacheBytes } : {});
  const http = new HttpClient(httpConfig);
  const proxy = new GoProxyClient({ env, http, files, cacheEntries: s.cacheEntries });
  const needGitHub = on.origin !== false || on.meta !== false;
  const rest = needGitHub
    ? new GitHubRest({
        baseUrl: s.githubApiUrl,
        ...(s.originToken ? { token: s.originToken } : {}),
        http: new HttpClient(httpConfig),
        ...(s.githubRateLimitWaitMs !== undefined ? { maxRateLimitWaitMs: s.githubRateLimitWaitMs } : {}),
      })
    : null;
  const github = on.origin === false || !rest ? null : new GitHubOriginClient({ rest, files, maxTarballBytes: s.tarballMaxBytes });
  const origin = on.origin === false ? null : createOriginResolver(s, github, httpConfig);
  const sumdb = env.sumdb ? new SumDbClient({ env, http }) : null;
  const meta =
    on.meta === false || !rest
      ? null
      : createGitHubMetaClient({
          rest,
          cacheEntries: s.cacheEntries,
          ...(s.githubRateLimitWaitMs !== undefined ? { maxRateLimitWaitMs: s.githubRateLimitWaitMs } : {}),
        });
  return {
    env,
    proxy,
    origin,
    sumdb,
    meta,
    verifier: createVerifier({ proxy, origin, sumdb }),
    close: async () => {
      await proxy.close();
      await files.close();
    },
  };
}

/**
 * Origins beyond GitHub: every origin URL from the network passes the SSRF guard (MODWARDEN_ORIGIN_ALLOW,
 * GOINSECURE); git hosts get their own HTTP pool, with a connect bound of at most 10 s so a blackholed
 * address costs little. Packs and archives share the tarball byte cap.
 */
function createOriginResolver(s: EngineSettings, github: OriginReader | null, httpConfig: { concurrency: number } & Partial<TimeBounds>): OriginResolver {
  const policy = new OriginPolicy({ allow: s.originAllow ?? '', goinsecure: s.goinsecure ?? '' });
  const connectTimeoutMs = Math.min(httpConfig.connectTimeoutMs ?? 10_000, 10_000);
  const http = new HttpClient({ ...httpConfig, connectTimeoutMs, fetch: policy.fetch() });
  return new GoOriginResolver({ github, http, policy, git: { maxPackBytes: s.tarballMaxBytes } });
}

/** Engine dependencies for the app or the CLI, from operator settings. */
export function createScanDeps(s: EngineSettings): ScanDeps {
  return { checks: createScanChecks(createClients(s), { cacheEntries: s.cacheEntries }), concurrency: s.concurrency, goprivate: s.goprivate };
}

/** Go sources small enough to read for imports and `init()` (the content comparison names what a copy adds). */
function keepGoSource(path: string, size: number): boolean {
  return path.endsWith('.go') && size <= 256 * 1024;
}

/** One download per module@version: the proxy client caches the zip, `cache` its file digests. */
export function fileDigests(proxy: GoProxyClient, cache?: LRUCache<string, Promise<FileDigest[]>>): (mv: ModuleVersion) => Promise<FileDigest[]> {
  return (mv) => {
    const key = `${mv.path}@${mv.version}`;
    let p = cache?.get(key);
    if (!p) {
      // The zip is leased while it is read, so the on-disk cache cannot delete it mid-read.
      p = proxy
        .withZip(mv.path, mv.version, (z) => readModuleZip(z.file, mv, { keepContent: keepGoSource }))
        .then((c) => c.files.map((f) => ({ path: f.path, size: f.size, sha256: f.sha256, ...(f.content ? { go: goFileFacts(f.content.toString('utf8')) } : {}) })));
      p.catch(() => cache?.delete(key));
      cache?.set(key, p);
    }
    return p;
  };
}

/** Why a source is missing from a typosquat assessment (worded in the evidence: "offline", "no GitHub token"). */
export interface TyposquatSourceNotes {
  proxyOff?: string;
  metaOff?: string;
  /** Review time, for wording only. */
  now?: Date;
}

/**
 * The whole typosquat assessment of one module, the same for the app and `modwarden typosquat`: the name
 * check, the same-name search, first publication and go.mod from the proxy, repository facts from GitHub, and
 * the content comparison with the target (checks/typosquat/assess.ts decides). A null proxy or meta is a
 * source not used (offline); the verdict says which evidence could not be gathered.
 */
export async function assessTyposquat(
  clients: { proxy: GoProxyClient | null; meta: EngineClients['meta'] },
  detector: TyposquatDetector,
  suspect: { path: string; version: string | null },
  existing: readonly string[],
  fetchFiles: ((mv: ModuleVersion) => Promise<FileDigest[]>) | null = clients.proxy ? fileDigests(clients.proxy) : null,
  notes: TyposquatSourceNotes = {},
): Promise<TyposquatResult> {
  return assessModule(detector, suspect, existing, {
    proxy: clients.proxy,
    meta: clients.meta,
    fetchFiles,
    ...notes,
  });
}

/** The real ScanChecks over a set of clients. Detectors and zip digests are cached across scans. */
export function createScanChecks(clients: EngineClients, options: { cacheEntries?: number } = {}): ScanChecks {
  const detectors = new LRUCache<string, TyposquatDetector>({ max: 16 });
  const digests = new LRUCache<string, Promise<FileDigest[]>>({ max: Math.max(16, options.cacheEntries ?? 1000) });

  const detectorFor = (config: RepoConfig): TyposquatDetector => {
    const allow = config.allow.filter((a) => a.version === null && (a.rules === null || a.rules.includes('typosquat'))).map((a) => a.module);
    const key = JSON.stringify([config.popularModules, allow]);
    let d = detectors.get(key);
    if (!d) {
      d = createTyposquatDetector({ extraPopular: config.popularModules, allow });
      detectors.set(key, d);
    }
    return d;
  };

  const fetchFiles = fileDigests(clients.proxy, digests);

  const checksWith = (meta: GitHubMetaClient | null): ScanChecks => ({
    diff: diffFiles,
    requiredModules,
    async typosquat(change, ctx) {
      const suspect = suspectPathOf(change);
      if (!suspect || !change.fetch) return [];
      const result = await assessTyposquat({ proxy: clients.proxy, meta }, detectorFor(ctx.config), { path: suspect, version: change.fetch.version }, ctx.existing, fetchFiles);
      return typosquatFindings(change, result);
    },
    verify(change, ctx) {
      return clients.verifier(change, ctx);
    },
    // Each scan gets its own GitHub search budget over the shared caches: one huge PR degrades, not all.
    forScan: () => checksWith(isMetaSource(clients.meta) ? clients.meta.forScan() : clients.meta),
  });
  return checksWith(clients.meta);
}

function isMetaSource(meta: EngineClients['meta']): meta is GitHubMetaSource {
  return meta !== null && typeof (meta as Partial<GitHubMetaSource>).forScan === 'function';
}

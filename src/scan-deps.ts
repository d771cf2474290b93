/**
 * Wires the real checks into the engine: the go.mod diff, the typosquat detector (with near-copy
 * comparison through the proxy), and the divergence check. Clients are made once per process so their
 * caches (proxy answers by module@version, zip file digests) serve every scan; origin state is re-read
 * per scan because a tag can move.
 */
import { LRUCache } from 'lru-cache';
import type { ModuleVersion } from './gomod/types.js';
import type { RepoConfig } from './config.js';
import { diffFiles, requiredModules } from './scan-gomod.js';
import { createTyposquatDetector, suspectPathOf, typosquatFindings, type TyposquatDetector } from './checks/typosquat.js';
import { applyClone, compareWithTarget, type FileDigest } from './checks/clone.js';
import { readModuleZip } from './modzip/reader.js';
import { GoProxyClient } from './sources/goproxy.js';
import { readGoEnv, type GoEnv } from './sources/goenv.js';
import { HttpClient } from './sources/http.js';
import { GitHubOriginClient } from './sources/github-origin.js';
import { SumDbClient } from './sources/sumdb.js';
import { createGitHubMetaClient, enrichTyposquat, type GitHubMetaClient } from './sources/github-meta.js';
import type { EngineEnv } from './config.js';
import { createVerifier, type Verifier } from './scan-verify.js';
import type { ScanChecks, ScanDeps } from './scan.js';

/** The operator settings the engine needs (the CLI builds them from the environment too). */
export type EngineSettings = EngineEnv;

/** The network clients the checks use; tests and the demo point them at local servers. */
export interface EngineClients {
  env: GoEnv;
  proxy: GoProxyClient;
  origin: GitHubOriginClient | null;
  /** Repository metadata for typosquat enrichment (age, stars, forks); null = name check only. */
  meta: GitHubMetaClient | null;
  verifier: Verifier;
}

/** Builds the clients from settings. */
export function createClients(s: EngineSettings): EngineClients {
  const env = readGoEnv({
    GOPROXY: s.goproxy,
    GOSUMDB: s.gosumdb,
    GOPRIVATE: s.goprivate,
    ...(s.gonoproxy !== null ? { GONOPROXY: s.gonoproxy } : {}),
    ...(s.gonosumdb !== null ? { GONOSUMDB: s.gonosumdb } : {}),
  });
  const http = new HttpClient({ concurrency: s.concurrency, timeoutMs: s.httpTimeoutMs });
  const proxy = new GoProxyClient({ env, http, cacheEntries: s.cacheEntries });
  const origin = new GitHubOriginClient({
    baseUrl: s.githubApiUrl,
    ...(s.originToken ? { token: s.originToken } : {}),
    maxTarballBytes: s.tarballMaxBytes,
    timeoutMs: s.httpTimeoutMs,
    http: new HttpClient({ concurrency: s.concurrency, timeoutMs: s.httpTimeoutMs }),
  });
  const sumdb = env.sumdb ? new SumDbClient({ env, http, timeoutMs: s.httpTimeoutMs }) : null;
  // Long-lived in the app: a generous search budget, still paced by GitHub's per-minute search limit.
  const meta = createGitHubMetaClient({ baseUrl: s.githubApiUrl, ...(s.originToken ? { token: s.originToken } : {}), searchBudget: 1000 });
  return { env, proxy, origin, meta, verifier: createVerifier({ proxy, origin, sumdb }) };
}

/** Engine dependencies for the app or the CLI, from operator settings. */
export function createScanDeps(s: EngineSettings): ScanDeps {
  return { checks: createScanChecks(createClients(s), { cacheEntries: s.cacheEntries }), concurrency: s.concurrency, goprivate: s.goprivate };
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

  // One download per module@version: the proxy client caches the zip, this caches its file digests.
  const fetchFiles = (mv: ModuleVersion): Promise<FileDigest[]> => {
    const key = `${mv.path}@${mv.version}`;
    let p = digests.get(key);
    if (!p) {
      p = clients.proxy
        .zip(mv.path, mv.version)
        .then((z) => readModuleZip(z.file, mv))
        .then((c) => c.files.map((f) => ({ path: f.path, size: f.size, sha256: f.sha256 })));
      p.catch(() => digests.delete(key));
      digests.set(key, p);
    }
    return p;
  };

  return {
    diff: diffFiles,
    requiredModules,
    async typosquat(change, ctx) {
      const suspect = suspectPathOf(change);
      if (!suspect || !change.fetch) return [];
      let result = detectorFor(ctx.config).check(suspect, { existing: ctx.existing });
      // Repository facts raise a young copy of an old repo, lower a declared popular fork, and find
      // older same-name repos the corpus does not know (never throws; rate limits become notes). A module with
      // no name match at all is still enriched: a copy of a niche repo under a new owner is found only by search.
      if (clients.meta && (result.suspicious || result.score > 0 || result.target === null)) {
        result = await enrichTyposquat(result, clients.meta);
      }
      if (result.suspicious && result.target) {
        // Near-copy evidence: compare with the target's latest version from the same proxy.
        try {
          const latest = await clients.proxy.latest(result.target);
          const clone = await compareWithTarget(change.fetch, { path: result.target, version: latest.Version }, fetchFiles);
          result = applyClone(result, clone);
        } catch (e) {
          result = { ...result, notes: [...(result.notes ?? []), `no content comparison: ${e instanceof Error ? e.message : String(e)}`] };
        }
      }
      return typosquatFindings(change, result);
    },
    verify(change, ctx) {
      return clients.verifier(change, ctx);
    },
  };
}

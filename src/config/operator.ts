/** The operator's settings from the environment, validated with zod: the engine's (EngineEnv) and the app's. */
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { ConfigError, formatIssues } from './errors.js';

const LOG_LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'] as const;

const intFrom = (min: number, max: number, dflt: number) =>
  z
    .string()
    .optional()
    .transform((v, ctx) => {
      if (v === undefined || v.trim() === '') return dflt;
      const n = Number(v);
      if (!Number.isInteger(n) || n < min || n > max) {
        ctx.addIssue({ code: 'custom', message: `expected a whole number from ${min} to ${max}, got "${v}"` });
        return z.NEVER;
      }
      return n;
    });

const httpUrl = (dflt: string) =>
  z
    .string()
    .optional()
    .transform((v, ctx) => {
      const s = v === undefined || v.trim() === '' ? dflt : v.trim();
      try {
        const u = new URL(s);
        if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new Error();
      } catch {
        ctx.addIssue({ code: 'custom', message: `expected an http(s) URL, got "${s}"` });
        return z.NEVER;
      }
      return s.replace(/\/+$/, '');
    });

const optionalString = z
  .string()
  .optional()
  .transform((v) => (v === undefined || v.trim() === '' ? null : v));

const envSchema = z.object({
  APP_ID: z
    .string({ error: 'required: the GitHub App id (a number, from the app settings page)' })
    .regex(/^\d+$/, { message: 'expected the numeric GitHub App id' }),
  PRIVATE_KEY: optionalString,
  PRIVATE_KEY_PATH: optionalString,
  WEBHOOK_SECRET: z.string({ error: 'required: the webhook secret set in the app settings' }).min(1, { message: 'must not be empty' }),
  GOPROXY: z
    .string()
    .optional()
    .transform((v) => (v && v.trim() ? v.trim() : 'https://proxy.golang.org,direct')),
  GOSUMDB: z
    .string()
    .optional()
    .transform((v) => (v && v.trim() ? v.trim() : 'sum.golang.org')),
  GOPRIVATE: z.string().optional().transform((v) => v ?? ''),
  GONOPROXY: z.string().optional().transform((v) => v ?? null),
  GONOSUMDB: z.string().optional().transform((v) => v ?? null),
  GITHUB_API_URL: httpUrl('https://api.github.com'),
  ORIGIN_GITHUB_TOKEN: optionalString,
  GHE_HOST: z
    .string()
    .optional()
    .transform((v, ctx) => {
      if (v === undefined || v.trim() === '') return null;
      if (!/^[A-Za-z0-9.-]+(:\d+)?$/.test(v.trim())) {
        ctx.addIssue({ code: 'custom', message: `expected a host name like github.example.com (no scheme or path), got "${v}"` });
        return z.NEVER;
      }
      return v.trim();
    }),
  MODWARDEN_CONCURRENCY: intFrom(1, 256, 16),
  MODWARDEN_JOB_CONCURRENCY: intFrom(1, 64, 2),
  MODWARDEN_CACHE_ENTRIES: intFrom(0, 1_000_000, 5000),
  MODWARDEN_TARBALL_MAX_BYTES: intFrom(1024, 4 * 1024 ** 3, 200 * 1024 * 1024),
  MODWARDEN_HTTP_TIMEOUT_MS: intFrom(100, 600_000, 60_000),
  // Below undici's own 300 s headers/body timeouts, so ours always fire first and say which bound ran out.
  MODWARDEN_HTTP_CONNECT_TIMEOUT_MS: intFrom(100, 240_000, 30_000),
  MODWARDEN_HTTP_STALL_TIMEOUT_MS: intFrom(100, 240_000, 20_000),
  MODWARDEN_HTTP_MIN_BYTES_PER_SEC: intFrom(1024, 1024 ** 3, 1024 * 1024),
  MODWARDEN_DISK_CACHE_BYTES: intFrom(0, 1024 ** 4, 2 * 1024 ** 3),
  MODWARDEN_GITHUB_RATE_LIMIT_WAIT_MS: intFrom(0, 600_000, 60_000),
  // Origin hosts come from the network; internal addresses are refused unless listed here (hosts or CIDRs).
  MODWARDEN_ORIGIN_ALLOW: z
    .string()
    .optional()
    .transform((v, ctx) => {
      const entries = (v ?? '').split(',').map((x) => x.trim()).filter(Boolean);
      for (const e of entries) {
        const cidr = /^([0-9.]+|\[?[0-9A-Fa-f:.]+\]?)(\/\d{1,3})?$/.test(e) && /[.:]/.test(e);
        const host = /^[A-Za-z0-9.-]+(:\d+)?$/.test(e);
        if (!cidr && !host) {
          ctx.addIssue({ code: 'custom', message: `expected comma-separated host names or CIDRs (e.g. git.corp.example,10.0.0.0/8), got "${e}"` });
          return z.NEVER;
        }
      }
      return entries.join(',');
    }),
  GOINSECURE: z.string().optional().transform((v) => v ?? ''),
  LOG_LEVEL: z.enum(LOG_LEVELS).optional().transform((v) => v ?? 'info'),
  REDIS_URL: z
    .string()
    .optional()
    .transform((v, ctx) => {
      if (v === undefined || v.trim() === '') return null;
      const s = v.trim();
      try {
        const u = new URL(s);
        if (u.protocol !== 'redis:' && u.protocol !== 'rediss:') throw new Error();
      } catch {
        ctx.addIssue({ code: 'custom', message: 'expected a redis:// or rediss:// URL, e.g. redis://redis:6379' });
        return z.NEVER;
      }
      return s;
    }),
  MODWARDEN_SCAN_DEADLINE_MS: intFrom(10_000, 6 * 3600_000, 600_000),
  MODWARDEN_MODULE_DEADLINE_MS: intFrom(1_000, 6 * 3600_000, 300_000),
});

/** The engine's settings (no GitHub App credentials), for the CLI and the demo. */
export interface EngineEnv {
  goproxy: string;
  gosumdb: string;
  goprivate: string;
  gonoproxy: string | null;
  gonosumdb: string | null;
  /** Where origin lookups of github.com modules go (public GitHub by default, even on GHE). */
  githubApiUrl: string;
  originToken: string | null;
  /** Network requests in flight per scan. */
  concurrency: number;
  cacheEntries: number;
  tarballMaxBytes: number;
  /** Whole HTTP request for a small body; larger bodies add size / httpMinBytesPerSecond. */
  httpTimeoutMs: number;
  /** Connecting plus the response headers (default 30 s). */
  httpConnectTimeoutMs?: number;
  /** Longest silence while a body streams (default 20 s). */
  httpStallTimeoutMs?: number;
  /** Slowest transfer accepted, in bytes a second (default 1 MiB/s). */
  httpMinBytesPerSecond?: number;
  /** Byte budget of the on-disk cache of zips and tarballs (default 2 GiB; 0 keeps nothing). */
  diskCacheBytes?: number;
  /** Longest wait for a GitHub rate limit to reset before degrading (default 60 s). */
  githubRateLimitWaitMs?: number;
  /** MODWARDEN_ORIGIN_ALLOW: internal origin hosts or CIDRs the operator allows ('' = none). */
  originAllow?: string;
  /** GOINSECURE: module path patterns whose origins may be read over plain http ('' = none). */
  goinsecure?: string;
}

/** The operator's settings after validation: the engine's, plus the app's credentials and process limits. */
export interface OperatorConfig extends EngineEnv {
  appId: string;
  /** PEM text (from PRIVATE_KEY or the file at PRIVATE_KEY_PATH). */
  privateKey: string;
  webhookSecret: string;
  /** GitHub Enterprise host of the installation (Probot reads it too), or null for github.com. */
  gheHost: string | null;
  /** Scans running at once in the app process. */
  jobConcurrency: number;
  logLevel: (typeof LOG_LEVELS)[number];
  /** Redis shared by replicas (queue, de-duplication, locks, caches); null/absent = in-process, one replica. */
  redisUrl?: string | null;
  /** A check run completes within this from the scan's start (default 10 min). */
  scanDeadlineMs?: number;
  /** One module's checks get at most this, then it is verify-failed with a timeout cause (default 5 min). */
  moduleDeadlineMs?: number;
}

/** Every environment variable the app reads, with what it means (the source of `.env.example`). */
export const ENV_VARS: Record<string, string> = {
  APP_ID: 'GitHub App id (required)',
  PRIVATE_KEY: 'GitHub App private key, PEM text (or PRIVATE_KEY_PATH)',
  PRIVATE_KEY_PATH: 'path to the GitHub App private key .pem (or PRIVATE_KEY)',
  WEBHOOK_SECRET: 'webhook secret (required)',
  GOPROXY: 'module proxy list, Go syntax (default https://proxy.golang.org,direct)',
  GOSUMDB: 'checksum database (default sum.golang.org; "off" disables)',
  GOPRIVATE: 'glob patterns of private modules: never sent to the proxy or checksum database',
  GONOPROXY: 'overrides GOPRIVATE for the proxy',
  GONOSUMDB: 'overrides GOPRIVATE for the checksum database',
  GITHUB_API_URL: 'GitHub API used for origin lookups of github.com modules (default https://api.github.com)',
  ORIGIN_GITHUB_TOKEN: 'optional read-only token for origin and metadata lookups',
  GHE_HOST: 'GitHub Enterprise Server host where the app is installed',
  MODWARDEN_CONCURRENCY: 'network requests in flight per scan (default 16)',
  MODWARDEN_JOB_CONCURRENCY: 'scans running at once (default 2)',
  MODWARDEN_CACHE_ENTRIES: 'immutable module results kept in memory (default 5000)',
  MODWARDEN_TARBALL_MAX_BYTES: 'largest origin tarball downloaded (default 200 MiB)',
  MODWARDEN_HTTP_TIMEOUT_MS: 'whole HTTP request for a small body, ms; bigger bodies add size / MODWARDEN_HTTP_MIN_BYTES_PER_SEC (default 60000)',
  MODWARDEN_HTTP_CONNECT_TIMEOUT_MS: 'connecting plus the response headers, ms (default 30000)',
  MODWARDEN_HTTP_STALL_TIMEOUT_MS: 'longest silence while a response body streams, ms (default 20000)',
  MODWARDEN_HTTP_MIN_BYTES_PER_SEC: 'slowest transfer accepted, bytes a second (default 1048576)',
  MODWARDEN_DISK_CACHE_BYTES: 'on-disk cache of module zips and origin tarballs, bytes (default 2 GiB; 0 keeps nothing)',
  MODWARDEN_GITHUB_RATE_LIMIT_WAIT_MS: 'longest wait for a GitHub rate limit to reset before degrading, ms (default 60000)',
  MODWARDEN_ORIGIN_ALLOW: 'internal origin hosts or CIDRs that may be read although loopback/private/link-local (comma-separated; default none)',
  GOINSECURE: 'module path patterns whose origins may be read over plain http, Go syntax (default none)',
  LOG_LEVEL: 'trace|debug|info|warn|error|fatal|silent (default info)',
  REDIS_URL: 'redis:// URL shared by several replicas (durable queue, de-duplication, locks, caches); unset = one replica, in-process',
  MODWARDEN_SCAN_DEADLINE_MS: 'a check run completes within this from the start of its scan, ms (default 600000)',
  MODWARDEN_MODULE_DEADLINE_MS: "one module's checks get at most this, then it is verify-failed (timeout), ms (default 300000)",
};

/** Options for loadOperatorConfig: how to read PRIVATE_KEY_PATH (injected by tests). */
export interface LoadOperatorOptions {
  readFile?: (path: string) => string;
}

/** Validates the operator's environment; throws ConfigError listing every missing or wrong value. */
export function loadOperatorConfig(env: NodeJS.ProcessEnv, options: LoadOperatorOptions = {}): OperatorConfig {
  const result = envSchema.safeParse(env);
  const problems = result.success ? [] : formatIssues(result.error.issues);
  let privateKey: string | null = null;
  if (result.success) {
    const e = result.data;
    if (e.PRIVATE_KEY) {
      privateKey = decodeKey(e.PRIVATE_KEY);
    } else if (e.PRIVATE_KEY_PATH) {
      try {
        privateKey = (options.readFile ?? defaultReadFile)(e.PRIVATE_KEY_PATH);
      } catch (err) {
        problems.push(`PRIVATE_KEY_PATH: cannot read "${e.PRIVATE_KEY_PATH}" (${(err as NodeJS.ErrnoException).code ?? String(err)})`);
      }
    } else {
      problems.push('PRIVATE_KEY: required: set PRIVATE_KEY (PEM text) or PRIVATE_KEY_PATH (a .pem file)');
    }
    if (privateKey !== null && !/-----BEGIN [A-Z ]*PRIVATE KEY-----/.test(privateKey)) {
      problems.push(`${e.PRIVATE_KEY ? 'PRIVATE_KEY' : 'PRIVATE_KEY_PATH'}: not a PEM private key (expected "-----BEGIN RSA PRIVATE KEY-----")`);
    }
  } else if (!env.PRIVATE_KEY && !env.PRIVATE_KEY_PATH) {
    problems.push('PRIVATE_KEY: required: set PRIVATE_KEY (PEM text) or PRIVATE_KEY_PATH (a .pem file)');
  }
  if (problems.length > 0 || !result.success || privateKey === null) throw new ConfigError('environment', problems);
  const e = result.data;
  return {
    appId: e.APP_ID,
    privateKey,
    webhookSecret: e.WEBHOOK_SECRET,
    goproxy: e.GOPROXY,
    gosumdb: e.GOSUMDB,
    goprivate: e.GOPRIVATE,
    gonoproxy: e.GONOPROXY,
    gonosumdb: e.GONOSUMDB,
    githubApiUrl: e.GITHUB_API_URL,
    originToken: e.ORIGIN_GITHUB_TOKEN,
    gheHost: e.GHE_HOST,
    concurrency: e.MODWARDEN_CONCURRENCY,
    jobConcurrency: e.MODWARDEN_JOB_CONCURRENCY,
    cacheEntries: e.MODWARDEN_CACHE_ENTRIES,
    tarballMaxBytes: e.MODWARDEN_TARBALL_MAX_BYTES,
    ...networkSettings(e),
    logLevel: e.LOG_LEVEL,
    redisUrl: e.REDIS_URL,
    scanDeadlineMs: e.MODWARDEN_SCAN_DEADLINE_MS,
    moduleDeadlineMs: Math.min(e.MODWARDEN_MODULE_DEADLINE_MS, e.MODWARDEN_SCAN_DEADLINE_MS),
  };
}

/** Probot accepts a base64-encoded key for hosts without multi-line variables; so do we. */
function decodeKey(value: string): string {
  if (value.includes('-----BEGIN')) return value.replace(/\\n/g, '\n');
  const decoded = Buffer.from(value, 'base64').toString('utf8');
  return decoded.includes('-----BEGIN') ? decoded : value;
}

function defaultReadFile(path: string): string {
  // Synchronous on purpose: read once at start-up, before any webhook is served.
  return readFileSync(path, 'utf8');
}


const engineSchema = envSchema.pick({
  GOPROXY: true,
  GOSUMDB: true,
  GOPRIVATE: true,
  GONOPROXY: true,
  GONOSUMDB: true,
  GITHUB_API_URL: true,
  ORIGIN_GITHUB_TOKEN: true,
  MODWARDEN_CONCURRENCY: true,
  MODWARDEN_CACHE_ENTRIES: true,
  MODWARDEN_TARBALL_MAX_BYTES: true,
  MODWARDEN_HTTP_TIMEOUT_MS: true,
  MODWARDEN_HTTP_CONNECT_TIMEOUT_MS: true,
  MODWARDEN_HTTP_STALL_TIMEOUT_MS: true,
  MODWARDEN_HTTP_MIN_BYTES_PER_SEC: true,
  MODWARDEN_DISK_CACHE_BYTES: true,
  MODWARDEN_GITHUB_RATE_LIMIT_WAIT_MS: true,
  MODWARDEN_ORIGIN_ALLOW: true,
  GOINSECURE: true,
});

/**
 * Reads the engine's settings from the environment (the CLI's source). GITHUB_TOKEN is accepted as the
 * origin token when ORIGIN_GITHUB_TOKEN is unset, like `modwarden verify`.
 */
export function loadEngineEnv(env: NodeJS.ProcessEnv): EngineEnv {
  const result = engineSchema.safeParse(env);
  if (!result.success) throw new ConfigError('environment', formatIssues(result.error.issues));
  const e = result.data;
  return {
    goproxy: e.GOPROXY,
    gosumdb: e.GOSUMDB,
    goprivate: e.GOPRIVATE,
    gonoproxy: e.GONOPROXY,
    gonosumdb: e.GONOSUMDB,
    githubApiUrl: e.GITHUB_API_URL,
    originToken: e.ORIGIN_GITHUB_TOKEN ?? (env.GITHUB_TOKEN?.trim() ? env.GITHUB_TOKEN.trim() : null),
    concurrency: e.MODWARDEN_CONCURRENCY,
    cacheEntries: e.MODWARDEN_CACHE_ENTRIES,
    tarballMaxBytes: e.MODWARDEN_TARBALL_MAX_BYTES,
    ...networkSettings(e),
  };
}

/** The HTTP time bounds, disk cache and rate-limit wait, as the engine's settings name them. */
function networkSettings(
  e: Pick<
    z.infer<typeof envSchema>,
    | 'MODWARDEN_HTTP_TIMEOUT_MS'
    | 'MODWARDEN_HTTP_CONNECT_TIMEOUT_MS'
    | 'MODWARDEN_HTTP_STALL_TIMEOUT_MS'
    | 'MODWARDEN_HTTP_MIN_BYTES_PER_SEC'
    | 'MODWARDEN_DISK_CACHE_BYTES'
    | 'MODWARDEN_GITHUB_RATE_LIMIT_WAIT_MS'
    | 'MODWARDEN_ORIGIN_ALLOW'
    | 'GOINSECURE'
  >,
): Pick<EngineEnv, 'httpTimeoutMs' | 'httpConnectTimeoutMs' | 'httpStallTimeoutMs' | 'httpMinBytesPerSecond' | 'diskCacheBytes' | 'githubRateLimitWaitMs' | 'originAllow' | 'goinsecure'> {
  return {
    httpTimeoutMs: e.MODWARDEN_HTTP_TIMEOUT_MS,
    httpConnectTimeoutMs: e.MODWARDEN_HTTP_CONNECT_TIMEOUT_MS,
    httpStallTimeoutMs: e.MODWARDEN_HTTP_STALL_TIMEOUT_MS,
    httpMinBytesPerSecond: e.MODWARDEN_HTTP_MIN_BYTES_PER_SEC,
    diskCacheBytes: e.MODWARDEN_DISK_CACHE_BYTES,
    githubRateLimitWaitMs: e.MODWARDEN_GITHUB_RATE_LIMIT_WAIT_MS,
    originAllow: e.MODWARDEN_ORIGIN_ALLOW,
    goinsecure: e.GOINSECURE,
  };
}

/**
 * Reads the Go environment that decides where module content comes from: GOPROXY, GOPRIVATE,
 * GONOPROXY, GONOSUMDB and GOSUMDB. Pure: takes an env object, returns values, never does I/O.
 * Semantics follow cmd/go (modfetch/proxy.go `proxyList`, modfetch/sumdb.go `dbDial`).
 */
import { matchPrefixPatterns } from '../gomod/module.js';
import { parseVerifierKey } from '../sumdb/note.js';

/** Go's default GOPROXY. */
export const DEFAULT_GOPROXY = 'https://proxy.golang.org,direct';
/** Go's default GOSUMDB. */
export const DEFAULT_GOSUMDB = 'sum.golang.org';
/** Verifier keys Go knows by name (modfetch/key.go). */
export const KNOWN_SUMDB_KEYS: Readonly<Record<string, string>> = {
  'sum.golang.org': 'sum.golang.org+033de0ae+Ac4zctda0e5eza+HJyk9SxEdh+s3Ux18htTTAD8OuAn8',
};

/** One GOPROXY entry. `fallBackOnError` is true when the separator after it was `|`. */
export type ProxySpec =
  | { kind: 'url'; url: string; fallBackOnError: boolean }
  | { kind: 'direct' }
  | { kind: 'off' };

/** The checksum database to use, or null when GOSUMDB=off. */
export interface SumDbConfig {
  /** Database name, e.g. `sum.golang.org` (taken from the verifier key). */
  name: string;
  /** Full verifier key `<name>+<hash>+<base64>`. */
  key: string;
  /** Base URL: the explicit one from GOSUMDB, else `https://<name>`. */
  url: string;
  /** True when GOSUMDB named the URL itself (Go then bypasses proxies for the database). */
  explicitUrl: boolean;
}

/** A pattern list together with the variable it came from (for "not checked because…" messages). */
export interface PatternSetting {
  patterns: string;
  /** `GONOPROXY`, `GONOSUMDB` or `GOPRIVATE` (when the former were unset and defaulted to it). */
  source: string;
}

/** The parsed settings. */
export interface GoEnv {
  /** GOPROXY entries in order; ends at the first `direct` or `off`. */
  proxies: ProxySpec[];
  /** The raw GOPROXY value used (after defaulting). */
  goproxy: string;
  noProxy: PatternSetting;
  noSumDb: PatternSetting;
  goPrivate: string;
  /** null when GOSUMDB=off. */
  sumdb: SumDbConfig | null;
}

/** A Go environment variable that cannot be used; the message names the variable and value. */
export class GoEnvError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'GoEnvError';
  }
}

/** Parses the module-related Go variables from `env` (unset or empty means Go's default). */
export function readGoEnv(env: Record<string, string | undefined>): GoEnv {
  const goPrivate = env.GOPRIVATE ?? '';
  const noProxy = patternSetting(env, 'GONOPROXY', goPrivate);
  const noSumDb = patternSetting(env, 'GONOSUMDB', goPrivate);
  const goproxy = nonEmpty(env.GOPROXY) ?? DEFAULT_GOPROXY;
  return {
    proxies: parseGoProxy(goproxy),
    goproxy,
    noProxy,
    noSumDb,
    goPrivate,
    sumdb: parseGoSumDb(nonEmpty(env.GOSUMDB) ?? DEFAULT_GOSUMDB),
  };
}

/** Parses a GOPROXY value into entries, exactly like cmd/go's proxyList. */
export function parseGoProxy(value: string): ProxySpec[] {
  const list: ProxySpec[] = [];
  let rest = value;
  while (rest !== '') {
    let entry: string;
    let fallBackOnError = false;
    const i = rest.search(/[,|]/);
    if (i >= 0) {
      entry = rest.slice(0, i);
      fallBackOnError = rest[i] === '|';
      rest = rest.slice(i + 1);
    } else {
      entry = rest;
      rest = '';
    }
    entry = entry.trim();
    if (entry === '') continue;
    if (entry === 'off') {
      // "off" always fails hard, so nothing after it can matter.
      list.push({ kind: 'off' });
      break;
    }
    if (entry === 'direct') {
      // Go ignores entries after "direct" (reserved for future fallback behaviour).
      list.push({ kind: 'direct' });
      break;
    }
    // Single words are reserved; anything with ":/" or an absolute path must be a full URL.
    if (/[.:/]/.test(entry) && !entry.includes(':/') && !entry.startsWith('/')) entry = `https://${entry}`;
    list.push({ kind: 'url', url: checkProxyUrl(entry), fallBackOnError });
  }
  if (list.length === 0) {
    throw new GoEnvError(`GOPROXY=${JSON.stringify(value)}: GOPROXY list is not the empty string, but contains no entries`);
  }
  return list;
}

/** Checks one proxy URL the way newProxyRepo does and returns it without a trailing slash. */
function checkProxyUrl(raw: string): string {
  let u: URL;
  try {
    u = new URL(raw);
  } catch {
    throw new GoEnvError(
      raw.includes(':') ? `GOPROXY: invalid proxy URL: ${raw}` : `GOPROXY: invalid proxy URL missing scheme: ${raw}`,
    );
  }
  const scheme = u.protocol.replace(/:$/, '');
  if (scheme !== 'https' && scheme !== 'http' && scheme !== 'file') {
    throw new GoEnvError(`GOPROXY: invalid proxy URL scheme (must be https, http, file): ${raw}`);
  }
  if (scheme === 'file' && (u.host !== '' || u.search !== '' || u.hash !== '' || u.username !== '')) {
    throw new GoEnvError(`GOPROXY: invalid file:// proxy URL with non-path elements: ${raw}`);
  }
  if (u.search !== '' || u.hash !== '') {
    throw new GoEnvError(`GOPROXY: proxy URL may not have a query or fragment: ${raw}`);
  }
  return u.href.replace(/\/+$/, '');
}

/**
 * Parses GOSUMDB: `off`, a known name, a full verifier key, or `<key> <url>` (modfetch/sumdb.go dbDial).
 * Returns null for `off`.
 */
export function parseGoSumDb(value: string): SumDbConfig | null {
  let v = value.trim();
  if (v === 'sum.golang.google.cn') v = 'sum.golang.org https://sum.golang.google.cn';
  if (v === 'off') return null;
  const fields = v.split(/\s+/).filter((f) => f !== '');
  if (fields.length === 0) throw new GoEnvError('GOSUMDB: missing GOSUMDB');
  if (fields.length > 2) throw new GoEnvError(`GOSUMDB=${JSON.stringify(value)}: invalid GOSUMDB: too many fields`);
  const key = KNOWN_SUMDB_KEYS[fields[0]!] ?? fields[0]!;
  let name: string;
  try {
    name = parseVerifierKey(key).name;
  } catch (e) {
    throw new GoEnvError(
      `GOSUMDB=${JSON.stringify(value)}: invalid GOSUMDB: ${(e as Error).message} (want a known name or <name>+<hash>+<key>)`,
    );
  }
  if (!/^[A-Za-z0-9.-]+(:[0-9]+)?(\/[A-Za-z0-9._~-]+)*$/.test(name)) {
    throw new GoEnvError(`GOSUMDB=${JSON.stringify(value)}: invalid sumdb name (must be host[/path]): ${name}`);
  }
  let url = `https://${name}`;
  if (fields.length === 2) {
    try {
      const u = new URL(fields[1]!);
      if (u.protocol !== 'https:' && u.protocol !== 'http:') throw new Error('scheme');
      url = u.href.replace(/\/+$/, '');
    } catch {
      throw new GoEnvError(`GOSUMDB=${JSON.stringify(value)}: invalid GOSUMDB URL: ${fields[1]}`);
    }
  }
  return { name, key, url, explicitUrl: fields.length === 2 };
}

/** True when `modulePath` matches GONOPROXY (never send it to a proxy). */
export function isNoProxy(env: GoEnv, modulePath: string): boolean {
  return matchPrefixPatterns(env.noProxy.patterns, modulePath);
}

/** True when `modulePath` skips the checksum database (GOSUMDB=off or GONOSUMDB match). */
export function isNoSumDb(env: GoEnv, modulePath: string): boolean {
  if (env.sumdb === null) return true;
  // cmd/go always checks the toolchain module, whatever GONOSUMDB says.
  if (modulePath === 'golang.org/toolchain') return false;
  return matchPrefixPatterns(env.noSumDb.patterns, modulePath);
}

function patternSetting(env: Record<string, string | undefined>, name: string, goPrivate: string): PatternSetting {
  const own = nonEmpty(env[name]);
  return own !== undefined ? { patterns: own, source: name } : { patterns: goPrivate, source: 'GOPRIVATE' };
}

function nonEmpty(v: string | undefined): string | undefined {
  return v === undefined || v === '' ? undefined : v;
}

/**
 * Module paths and versions as the Go toolchain defines them (golang.org/x/mod/module and /semver):
 * path validity, case-escaping, major-version suffixes, Go-flavoured semver and pseudo-versions.
 *
 * Semver is implemented here following Go's semver.go rather than npm `semver`, because npm differs where it
 * matters for us (see golang.org/x/mod/semver/semver.go): it makes the leading `v` optional, rejects the `v1`/`v1.2` shorthands, caps
 * sizes, and drops `+incompatible` from `.version`. npm `semver` is used as a cross-check oracle in tests.
 */
import { goQuote, goQuoteRune, hasLoneSurrogate } from './quote.js';

/** An invalid module path or version; `message` is worded exactly like Go's error. */
export class ModuleError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ModuleError';
  }
}

// ---------------------------------------------------------------------------------------------------------
// Paths

type PathKind = 'module' | 'import' | 'file';

const BAD_WINDOWS_NAMES = [
  'CON', 'PRN', 'AUX', 'NUL',
  'COM1', 'COM2', 'COM3', 'COM4', 'COM5', 'COM6', 'COM7', 'COM8', 'COM9',
  'LPT1', 'LPT2', 'LPT3', 'LPT4', 'LPT5', 'LPT6', 'LPT7', 'LPT8', 'LPT9',
];

function isAsciiAlnum(c: number): boolean {
  return (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a);
}

/** Go's modPathOK: ASCII letters, digits and `- . _ ~`. */
function modPathOK(c: number): boolean {
  return c === 0x2d || c === 0x2e || c === 0x5f || c === 0x7e || isAsciiAlnum(c);
}

/** Go's importPathOK: modPathOK plus `+`. */
function importPathOK(c: number): boolean {
  return modPathOK(c) || c === 0x2b;
}

const FILE_PUNCT = '!#$%&()+,-.=@[]^_{}~ ';

/** Go's fileNameOK: ASCII letters, digits, some punctuation and space; any Unicode letter. */
function fileNameOK(c: number): boolean {
  if (c < 0x80) return isAsciiAlnum(c) || FILE_PUNCT.includes(String.fromCharCode(c));
  return /^\p{L}$/u.test(String.fromCodePoint(c));
}

/** Go's firstPathOK: characters allowed in the first (domain) element of a module path. */
function firstPathOK(c: number): boolean {
  return c === 0x2d || c === 0x2e || (c >= 0x30 && c <= 0x39) || (c >= 0x61 && c <= 0x7a);
}

/** Returns the reason an element is invalid (worded like Go), or null. */
function checkElem(elem: string, kind: PathKind): string | null {
  if (elem === '') return 'empty path element';
  if (/^\.+$/.test(elem)) return `invalid path element ${goQuote(elem)}`;
  if (elem[0] === '.' && kind === 'module') return 'leading dot in path element';
  if (elem[elem.length - 1] === '.') return 'trailing dot in path element';
  const ok = kind === 'module' ? modPathOK : kind === 'import' ? importPathOK : fileNameOK;
  for (const ch of elem) {
    const c = ch.codePointAt(0)!;
    if (!ok(c)) return `invalid char ${goQuoteRune(c)}`;
  }
  // Windows reserves some names regardless of extension and case.
  const dot = elem.indexOf('.');
  const short = dot >= 0 ? elem.slice(0, dot) : elem;
  const upper = short.toUpperCase();
  if (BAD_WINDOWS_NAMES.includes(upper) && /^[A-Za-z0-9]+$/.test(short)) {
    return `${goQuote(short)} disallowed as path element component on Windows`;
  }
  if (kind === 'file') return null;
  // Windows short names (EXAMPL~1) are only a problem for import paths.
  const tilde = short.lastIndexOf('~');
  if (tilde >= 0 && tilde < short.length - 1 && /^[0-9]+$/.test(short.slice(tilde + 1))) {
    return 'trailing tilde and digits in path element';
  }
  return null;
}

/** Go's internal checkPath: the reason a general path is invalid, or null. */
function checkGeneralPath(path: string, kind: PathKind): string | null {
  if (hasLoneSurrogate(path)) return 'invalid UTF-8';
  if (path === '') return 'empty string';
  if (path[0] === '-' && kind !== 'file') return 'leading dash';
  if (path.includes('//')) return 'double slash';
  if (path[path.length - 1] === '/') return 'trailing slash';
  for (const elem of path.split('/')) {
    const err = checkElem(elem, kind);
    if (err) return err;
  }
  return null;
}

/** The reason `path` is not a valid module path (Go's CheckPath message), or null when it is valid. */
export function modulePathError(path: string): string | null {
  const bad = (why: string) => `malformed module path ${goQuote(path)}: ${why}`;
  const err = checkGeneralPath(path, 'module');
  if (err) return bad(err);
  let i = path.indexOf('/');
  if (i < 0) i = path.length;
  if (i === 0) return bad('leading slash');
  const first = path.slice(0, i);
  if (!first.includes('.')) return bad('missing dot in first path element');
  if (path[0] === '-') return bad('leading dash in first path element');
  for (const ch of first) {
    const c = ch.codePointAt(0)!;
    if (!firstPathOK(c)) return bad(`invalid char ${goQuoteRune(c)} in first path element`);
  }
  if (!splitPathVersion(path)) return bad('invalid version');
  return null;
}

/** Checks a module path like Go's `module.CheckPath`; throws `ModuleError` with Go's message. */
export function checkPath(path: string): void {
  const err = modulePathError(path);
  if (err) throw new ModuleError(err);
}

/** True when `path` is a valid module path (`checkPath` would not throw). */
export function isValidPath(path: string): boolean {
  return modulePathError(path) === null;
}

/** Checks an import path like Go's `module.CheckImportPath` (allows `+`, no domain rules); throws `ModuleError`. */
export function checkImportPath(path: string): void {
  const err = checkGeneralPath(path, 'import');
  if (err) throw new ModuleError(`malformed import path ${goQuote(path)}: ${err}`);
}

/** Checks a slash-separated file path inside a module like Go's `module.CheckFilePath`; throws `ModuleError`. */
export function checkFilePath(path: string): void {
  const err = checkGeneralPath(path, 'file');
  if (err) throw new ModuleError(`malformed file path ${goQuote(path)}: ${err}`);
}

/**
 * Splits a module path into prefix and major-version suffix (`/vN`, N ≥ 2, or gopkg.in's `.vN[-unstable]`).
 * Returns null where Go's SplitPathVersion reports !ok (e.g. `x.com/a/v1`, `x.com/a/v1.2`, `gopkg.in/yaml`).
 */
export function splitPathVersion(path: string): { prefix: string; pathMajor: string } | null {
  if (path.startsWith('gopkg.in/')) return splitGopkgIn(path);
  let i = path.length;
  let dot = false;
  while (i > 0 && ((path[i - 1]! >= '0' && path[i - 1]! <= '9') || path[i - 1] === '.')) {
    if (path[i - 1] === '.') dot = true;
    i--;
  }
  if (i <= 1 || i === path.length || path[i - 1] !== 'v' || path[i - 2] !== '/') {
    return { prefix: path, pathMajor: '' };
  }
  const prefix = path.slice(0, i - 2);
  const pathMajor = path.slice(i - 2);
  if (dot || pathMajor.length <= 2 || pathMajor[2] === '0' || pathMajor === '/v1') return null;
  return { prefix, pathMajor };
}

function splitGopkgIn(path: string): { prefix: string; pathMajor: string } | null {
  let i = path.length;
  if (path.endsWith('-unstable')) i -= '-unstable'.length;
  while (i > 0 && path[i - 1]! >= '0' && path[i - 1]! <= '9') i--;
  // Every gopkg.in path must end in .vN.
  if (i <= 1 || path[i - 1] !== 'v' || path[i - 2] !== '.') return null;
  const prefix = path.slice(0, i - 2);
  const pathMajor = path.slice(i - 2);
  if (pathMajor.length <= 2 || (pathMajor[2] === '0' && pathMajor !== '.v0')) return null;
  return { prefix, pathMajor };
}

/**
 * Go's CheckPathMajor as a message: null when version `v` suits the path's major suffix, otherwise the reason
 * (`should be v2, not v1`), without the `version "…" invalid:` wrapper.
 */
export function pathMajorMismatch(v: string, pathMajor: string): string | null {
  if (pathMajor.startsWith('.v') && pathMajor.endsWith('-unstable')) pathMajor = pathMajor.slice(0, -'-unstable'.length);
  // Old bug: v0.0.0- pseudo-versions were generated for gopkg.in .v1 paths; still allowed.
  if (v.startsWith('v0.0.0-') && pathMajor === '.v1') return null;
  const parsed = parseVersion(v);
  const m = parsed ? 'v' + parsed.major : '';
  let want: string;
  if (pathMajor === '') {
    if (m === 'v0' || m === 'v1' || parsed?.build === '+incompatible') return null;
    want = 'v0 or v1';
  } else {
    if (m === pathMajor.slice(1)) return null;
    want = pathMajor.slice(1);
  }
  return `should be ${want}, not ${m}`;
}

/** True when version `v` is allowed for a path with major suffix `pathMajor` (Go's CheckPathMajor == nil). */
export function checkPathMajor(version: string, pathMajor: string): boolean {
  return pathMajorMismatch(version, pathMajor) === null;
}

/** Go's `module.Check(path, version)`: valid path, valid semver, matching major. Throws `ModuleError`. */
export function checkModuleVersion(path: string, version: string): void {
  checkPath(path);
  if (!isValidVersion(version)) throw new ModuleError(`malformed semantic version ${version}`);
  const { pathMajor } = splitPathVersion(path)!;
  if (!checkPathMajor(version, pathMajor)) {
    let want = pathMajor === '' ? 'v0 or v1' : pathMajor;
    if (want.startsWith('.') || want.startsWith('/')) want = want.slice(1);
    throw new ModuleError(`mismatched module path ${path} and version ${version} (want ${want})`);
  }
}

// ---------------------------------------------------------------------------------------------------------
// Case-escaping (proxy URLs and cache directories)

function escapeString(s: string): string {
  let out = '';
  for (const ch of s) {
    const c = ch.codePointAt(0)!;
    if (ch === '!' || c >= 0x80) throw new ModuleError('internal error: inconsistency in EscapePath');
    out += c >= 0x41 && c <= 0x5a ? '!' + ch.toLowerCase() : ch;
  }
  return out;
}

function unescapeString(escaped: string): string | null {
  let out = '';
  let bang = false;
  for (const ch of escaped) {
    const c = ch.codePointAt(0)!;
    if (c >= 0x80) return null;
    if (bang) {
      bang = false;
      if (c < 0x61 || c > 0x7a) return null;
      out += ch.toUpperCase();
      continue;
    }
    if (ch === '!') {
      bang = true;
      continue;
    }
    if (c >= 0x41 && c <= 0x5a) return null;
    out += ch;
  }
  return bang ? null : out;
}

/** Escapes a module path for URLs and the module cache (`A` → `!a`); throws `ModuleError` on an invalid path. */
export function escapePath(path: string): string {
  checkPath(path);
  return escapeString(path);
}

/** Escapes a version (need not be semver, must be a valid file-name element without `!`); throws `ModuleError`. */
export function escapeVersion(v: string): string {
  if (checkElem(v, 'file') !== null || v.includes('!')) {
    throw new ModuleError(`version ${goQuote(v)} invalid: disallowed version string`);
  }
  return escapeString(v);
}

/** Reverses `escapePath`; throws `ModuleError` on a malformed escape or an invalid resulting path. */
export function unescapePath(escaped: string): string {
  const path = unescapeString(escaped);
  if (path === null) throw new ModuleError(`invalid escaped module path ${goQuote(escaped)}`);
  const err = modulePathError(path);
  if (err) throw new ModuleError(`invalid escaped module path ${goQuote(escaped)}: ${err}`);
  return path;
}

/** Reverses `escapeVersion`; throws `ModuleError` on a malformed escape or an invalid version string. */
export function unescapeVersion(escaped: string): string {
  const v = unescapeString(escaped);
  if (v === null) throw new ModuleError(`invalid escaped version ${goQuote(escaped)}`);
  const err = checkElem(v, 'file');
  if (err) throw new ModuleError(`invalid escaped version ${goQuote(v)}: ${err}`);
  return v;
}

// ---------------------------------------------------------------------------------------------------------
// Semantic versions, Go flavour (golang.org/x/mod/semver)

interface ParsedVersion {
  major: string;
  minor: string;
  patch: string;
  short: string;
  prerelease: string;
  build: string;
}

function isDigit(c: string | undefined): boolean {
  return c !== undefined && c >= '0' && c <= '9';
}

function isIdentChar(c: string): boolean {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c === '-';
}

/** End index of a number starting at i (no leading zeros), or -1. */
function scanNum(v: string, i: number): number {
  const start = i;
  while (i < v.length && isDigit(v[i])) i++;
  if (i === start || (v[start] === '0' && i - start > 1)) return -1;
  return i;
}

/** True when v[start:end] is all digits with a leading zero (not allowed in a numeric prerelease identifier). */
function isBadNum(v: string, start: number, end: number): boolean {
  if (end - start < 2 || v[start] !== '0') return false;
  for (let i = start; i < end; i++) if (!isDigit(v[i])) return false;
  return true;
}

/** End index of a `-prerelease` (or `+build` when `build`) suffix starting at i, or -1 (semver.go rules). */
function scanSuffix(v: string, i: number, build: boolean): number {
  let start = ++i;
  while (i < v.length && (build || v[i] !== '+')) {
    const c = v[i]!;
    if (c === '.') {
      if (start === i || (!build && isBadNum(v, start, i))) return -1;
      start = i + 1;
    } else if (!isIdentChar(c)) {
      return -1;
    }
    i++;
  }
  if (start === i || (!build && isBadNum(v, start, i))) return -1;
  return i;
}

/** Go's semver parse, scanning by index (this runs for every version in every go.mod, so no slicing). */
function parseVersion(v: string): ParsedVersion | null {
  if (v.length < 2 || v[0] !== 'v') return null;
  const majEnd = scanNum(v, 1);
  if (majEnd < 0) return null;
  const major = v.slice(1, majEnd);
  if (majEnd === v.length) return { major, minor: '0', patch: '0', short: '.0.0', prerelease: '', build: '' };
  if (v[majEnd] !== '.') return null;
  const minEnd = scanNum(v, majEnd + 1);
  if (minEnd < 0) return null;
  const minor = v.slice(majEnd + 1, minEnd);
  if (minEnd === v.length) return { major, minor, patch: '0', short: '.0', prerelease: '', build: '' };
  if (v[minEnd] !== '.') return null;
  const patEnd = scanNum(v, minEnd + 1);
  if (patEnd < 0) return null;
  let i = patEnd;
  let prerelease = '';
  let build = '';
  if (v[i] === '-') {
    const e = scanSuffix(v, i, false);
    if (e < 0) return null;
    prerelease = v.slice(i, e);
    i = e;
  }
  if (v[i] === '+') {
    const e = scanSuffix(v, i, true);
    if (e < 0) return null;
    build = v.slice(i, e);
    i = e;
  }
  if (i !== v.length) return null;
  return { major, minor, patch: v.slice(minEnd + 1, patEnd), short: '', prerelease, build };
}

/** True when `v` is a valid Go semantic version (`v1`, `v1.2`, `v1.2.3-pre+build`; the `v` is required). */
export function isValidVersion(v: string): boolean {
  return parseVersion(v) !== null;
}

/**
 * Go's `module.CanonicalVersion`: `v1.2` → `v1.2.0`, build metadata dropped except `+incompatible`;
 * '' for an invalid version.
 */
export function canonicalVersion(v: string): string {
  const p = parseVersion(v);
  if (!p) return '';
  let cv: string;
  if (p.build !== '') cv = v.slice(0, v.length - p.build.length);
  else cv = v + p.short;
  if (p.build === '+incompatible') cv += '+incompatible';
  return cv;
}

/** Go's `semver.Canonical` (drops every build suffix, including `+incompatible`); '' if invalid. */
export function semverCanonical(v: string): string {
  const p = parseVersion(v);
  if (!p) return '';
  return p.build !== '' ? v.slice(0, v.length - p.build.length) : v + p.short;
}

/** The major version prefix (`v2` for `v2.1.0`), or '' if invalid. */
export function semverMajor(v: string): string {
  const p = parseVersion(v);
  return p ? 'v' + p.major : '';
}

/** `vMAJOR.MINOR` of a version, or '' if invalid. */
export function semverMajorMinor(v: string): string {
  const p = parseVersion(v);
  return p ? `v${p.major}.${p.minor}` : '';
}

/** The prerelease suffix including its `-` (e.g. `-rc.1`), or ''. */
export function semverPrerelease(v: string): string {
  return parseVersion(v)?.prerelease ?? '';
}

/** The build suffix including its `+` (e.g. `+incompatible`), or ''. */
export function semverBuild(v: string): string {
  return parseVersion(v)?.build ?? '';
}

function compareInt(x: string, y: string): number {
  if (x === y) return 0;
  if (x.length !== y.length) return x.length < y.length ? -1 : 1;
  return x < y ? -1 : 1;
}

function comparePrerelease(x: string, y: string): number {
  if (x === y) return 0;
  if (x === '') return 1;
  if (y === '') return -1;
  const xs = x.slice(1).split('.');
  const ys = y.slice(1).split('.');
  for (let i = 0; i < xs.length && i < ys.length; i++) {
    const dx = xs[i]!;
    const dy = ys[i]!;
    if (dx === dy) continue;
    const ix = /^[0-9]+$/.test(dx);
    const iy = /^[0-9]+$/.test(dy);
    if (ix !== iy) return ix ? -1 : 1;
    if (ix && dx.length !== dy.length) return dx.length < dy.length ? -1 : 1;
    return dx < dy ? -1 : 1;
  }
  return xs.length < ys.length ? -1 : xs.length > ys.length ? 1 : 0;
}

/**
 * Compares two versions as Go's `semver.Compare` does: -1, 0 or +1. Build metadata is ignored; an invalid
 * version is lower than every valid one and equal to other invalid ones.
 */
export function compareVersions(a: string, b: string): number {
  const pa = parseVersion(a);
  const pb = parseVersion(b);
  if (!pa && !pb) return 0;
  if (!pa) return -1;
  if (!pb) return 1;
  return (
    compareInt(pa.major, pb.major) ||
    compareInt(pa.minor, pb.minor) ||
    compareInt(pa.patch, pb.patch) ||
    comparePrerelease(pa.prerelease, pb.prerelease)
  );
}

/** Sorts versions ascending like Go's `semver.Sort` (ties broken by plain string order). Returns a new array. */
export function sortVersions(list: readonly string[]): string[] {
  return [...list].sort((a, b) => compareVersions(a, b) || (a < b ? -1 : a > b ? 1 : 0));
}

/** True when the version carries the `+incompatible` build suffix (a v2+ tag of a module without go.mod). */
export function isIncompatible(v: string): boolean {
  return semverBuild(v) === '+incompatible';
}

// ---------------------------------------------------------------------------------------------------------
// Pseudo-versions (golang.org/x/mod/module/pseudo.go)

const PSEUDO_RE =
  /^v[0-9]+\.(0\.0-|\d+\.\d+-([^+]*\.)?0\.)\d{14}-[A-Za-z0-9]+(\+[0-9A-Za-z-]+(\.[0-9A-Za-z-]+)*)?$/;

/** True when `v` is a pseudo-version in any of its three forms. */
export function isPseudoVersion(v: string): boolean {
  return (v.match(/-/g)?.length ?? 0) >= 2 && isValidVersion(v) && PSEUDO_RE.test(v);
}

/** `vX.0.0-00010101000000-000000000000`, the pseudo-version Go uses as a placeholder (`major` like `v2`). */
export function zeroPseudoVersion(major: string): string {
  return `${major || 'v0'}.0.0-00010101000000-000000000000`;
}

/** True when `v` is the zero pseudo-version of its major version. */
export function isZeroPseudoVersion(v: string): boolean {
  return v === zeroPseudoVersion(semverMajor(v));
}

function pseudoError(v: string, why: string): ModuleError {
  return new ModuleError(`pseudo-version ${goQuote(v)} invalid: ${why}`);
}

function parsePseudo(v: string): { base: string; timestamp: string; rev: string; build: string } {
  if (!isPseudoVersion(v)) throw pseudoError(v, 'syntax error');
  const build = semverBuild(v);
  let s = v.slice(0, v.length - build.length);
  const j = s.lastIndexOf('-');
  const rev = s.slice(j + 1);
  s = s.slice(0, j);
  const i = s.lastIndexOf('-');
  const k = s.lastIndexOf('.');
  if (k > i) return { base: s.slice(0, k), timestamp: s.slice(k + 1), rev, build };
  return { base: s.slice(0, i), timestamp: s.slice(i + 1), rev, build };
}

/** The revision (normally a 12-hex commit prefix) inside a pseudo-version; throws `ModuleError` if not one. */
export function pseudoVersionRev(v: string): string {
  return parsePseudo(v).rev;
}

/** The UTC commit time inside a pseudo-version; throws `ModuleError` if not one or the time is malformed. */
export function pseudoVersionTime(v: string): Date {
  const { timestamp } = parsePseudo(v);
  const m = /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})$/.exec(timestamp)!;
  const [y, mo, d, h, mi, s] = m.slice(1).map(Number) as [number, number, number, number, number, number];
  const t = new Date(Date.UTC(y, mo - 1, d, h, mi, s));
  t.setUTCFullYear(y); // Date.UTC maps years 0-99 to 1900-1999; Go does not.
  const valid =
    mo >= 1 && mo <= 12 && d >= 1 && h <= 23 && mi <= 59 && s <= 59 &&
    t.getUTCMonth() === mo - 1 && t.getUTCDate() === d;
  if (!valid) throw pseudoError(v, `malformed time ${goQuote(timestamp)}`);
  return t;
}

/** Decrements a decimal string (`10` → `9`), as pseudo.go's decDecimal; throws on all zeros. */
function decDecimal(decimal: string): string {
  const digits = decimal.split('');
  let i = digits.length - 1;
  for (; i >= 0 && digits[i] === '0'; i--) digits[i] = '9';
  if (i < 0) throw new Error(`cannot decrement ${decimal}`);
  if (i === 0 && digits[i] === '1' && digits.length > 1) digits.shift();
  else digits[i] = String(Number(digits[i]) - 1);
  return digits.join('');
}

/** Increments a decimal string (`9` → `10`). */
function incDecimal(decimal: string): string {
  const digits = decimal.split('');
  let i = digits.length - 1;
  for (; i >= 0 && digits[i] === '9'; i--) digits[i] = '0';
  if (i >= 0) digits[i] = String(Number(digits[i]) + 1);
  else digits.unshift('1');
  return digits.join('');
}

/**
 * The tag a pseudo-version was derived from: '' for `vX.0.0-…` (no base), `vX.Y.Z` for `vX.Y.(Z+1)-0.…`,
 * `vX.Y.Z-pre` for `vX.Y.Z-pre.0.…`; any `+incompatible` is kept. Throws `ModuleError` when invalid.
 */
export function pseudoVersionBase(v: string): string {
  let { base, build } = parsePseudo(v);
  const pre = semverPrerelease(base);
  if (pre === '') {
    // "vX.0.0-" says there is no parent tag while "+incompatible" says there is one: nonsensical.
    if (build !== '') throw pseudoError(v, `lacks base version, but has build metadata ${goQuote(build)}`);
    return '';
  }
  if (pre === '-0') {
    base = base.slice(0, base.length - pre.length);
    const i = base.lastIndexOf('.');
    try {
      base = base.slice(0, i + 1) + decDecimal(base.slice(i + 1));
    } catch (e) {
      throw pseudoError(v, (e as Error).message);
    }
  } else {
    base = base.slice(0, -'.0'.length);
  }
  return base + build;
}

function formatPseudoTime(t: Date): string {
  const p = (n: number, w = 2) => String(n).padStart(w, '0');
  return (
    p(t.getUTCFullYear(), 4) + p(t.getUTCMonth() + 1) + p(t.getUTCDate()) +
    p(t.getUTCHours()) + p(t.getUTCMinutes()) + p(t.getUTCSeconds())
  );
}

/**
 * Builds a pseudo-version like Go's `module.PseudoVersion(major, older, t, rev)`: `major` like `v2` (default
 * v0), `older` the base tag or '', `t` the commit time, `rev` the 12-hex revision.
 */
export function pseudoVersion(major: string, older: string, t: Date, rev: string): string {
  const build = semverBuild(older);
  const base = canonicalVersion(older).replace(/\+incompatible$/, '');
  const segment = `${formatPseudoTime(t)}-${rev}${build}`;
  if (base === '') return `${major || 'v0'}.0.0-${segment}`;
  if (semverPrerelease(base) !== '') return `${base}.0.${segment}`;
  const i = base.lastIndexOf('.');
  return `${base.slice(0, i + 1)}${incDecimal(base.slice(i + 1))}-0.${segment}`;
}

// ---------------------------------------------------------------------------------------------------------
// GOPRIVATE-style glob lists (module.MatchPrefixPatterns + path.Match)

class BadPattern extends Error {}

function scanChunk(pattern: string[]): { star: boolean; chunk: string[]; rest: string[] } {
  let star = false;
  while (pattern.length > 0 && pattern[0] === '*') {
    pattern = pattern.slice(1);
    star = true;
  }
  let inrange = false;
  let i = 0;
  scan: for (; i < pattern.length; i++) {
    switch (pattern[i]) {
      case '\\':
        if (i + 1 < pattern.length) i++;
        break;
      case '[':
        inrange = true;
        break;
      case ']':
        inrange = false;
        break;
      case '*':
        if (!inrange) break scan;
        break;
    }
  }
  return { star, chunk: pattern.slice(0, i), rest: pattern.slice(i) };
}

function getEsc(chunk: string[]): [string, string[]] {
  if (chunk.length === 0 || chunk[0] === '-' || chunk[0] === ']') throw new BadPattern();
  if (chunk[0] === '\\') {
    chunk = chunk.slice(1);
    if (chunk.length === 0) throw new BadPattern();
  }
  const r = chunk[0]!;
  const rest = chunk.slice(1);
  if (rest.length === 0) throw new BadPattern();
  return [r, rest];
}

/** path.matchChunk: the rest of `s` after matching `chunk` at its start, or null. Throws BadPattern. */
function matchChunk(chunk: string[], s: string[]): string[] | null {
  let failed = false;
  while (chunk.length > 0) {
    if (!failed && s.length === 0) failed = true;
    const c = chunk[0]!;
    if (c === '[') {
      let r = '';
      if (!failed) {
        r = s[0]!;
        s = s.slice(1);
      }
      chunk = chunk.slice(1);
      let negated = false;
      if (chunk.length > 0 && chunk[0] === '^') {
        negated = true;
        chunk = chunk.slice(1);
      }
      let match = false;
      let nrange = 0;
      for (;;) {
        if (chunk.length > 0 && chunk[0] === ']' && nrange > 0) {
          chunk = chunk.slice(1);
          break;
        }
        let lo: string;
        let hi: string;
        [lo, chunk] = getEsc(chunk);
        hi = lo;
        if (chunk[0] === '-') [hi, chunk] = getEsc(chunk.slice(1));
        const rc = r.codePointAt(0) ?? -1;
        if (lo.codePointAt(0)! <= rc && rc <= hi.codePointAt(0)!) match = true;
        nrange++;
      }
      if (match === negated) failed = true;
    } else if (c === '?') {
      if (!failed) {
        if (s[0] === '/') failed = true;
        s = s.slice(1);
      }
      chunk = chunk.slice(1);
    } else {
      if (c === '\\') {
        chunk = chunk.slice(1);
        if (chunk.length === 0) throw new BadPattern();
      }
      if (!failed) {
        if (chunk[0] !== s[0]) failed = true;
        s = s.slice(1);
      }
      chunk = chunk.slice(1);
    }
  }
  return failed ? null : s;
}

/** Go's `path.Match(pattern, name)`; a malformed pattern counts as no match (Go returns ErrBadPattern). */
export function pathMatch(pattern: string, name: string): boolean {
  try {
    return pathMatchOrThrow([...pattern], [...name]);
  } catch (e) {
    if (e instanceof BadPattern) return false;
    throw e;
  }
}

function pathMatchOrThrow(pattern: string[], name: string[]): boolean {
  pat: while (pattern.length > 0) {
    const { star, chunk, rest } = scanChunk(pattern);
    pattern = rest;
    if (star && chunk.length === 0) return !name.includes('/');
    const t = matchChunk(chunk, name);
    if (t !== null && (t.length === 0 || pattern.length > 0)) {
      name = t;
      continue;
    }
    if (star) {
      for (let i = 0; i < name.length && name[i] !== '/'; i++) {
        const t2 = matchChunk(chunk, name.slice(i + 1));
        if (t2 !== null) {
          if (pattern.length === 0 && t2.length > 0) continue;
          name = t2;
          continue pat;
        }
      }
    }
    // Before reporting no match, make sure the rest of the pattern is well-formed (Go does the same).
    while (pattern.length > 0) {
      const next = scanChunk(pattern);
      pattern = next.rest;
      matchChunk(next.chunk, []);
    }
    return false;
  }
  return name.length === 0;
}

/**
 * Go's `module.MatchPrefixPatterns`: does any comma-separated glob in `globs` match a path-element prefix of
 * `path`? (`*.corp.example.com` matches `git.corp.example.com/x`; `rsc.io/private` matches `rsc.io/private/q`.)
 */
export function matchPrefixPatterns(globs: string, path: string): boolean {
  for (let glob of globs.split(',')) {
    if (glob.endsWith('/')) glob = glob.slice(0, -1);
    if (glob === '') continue;
    // A glob with n slashes is matched against the first n+1 elements of the path.
    let n = glob.split('/').length - 1;
    let prefix = path;
    for (let i = 0; i < path.length; i++) {
      if (path[i] === '/') {
        if (n === 0) {
          prefix = path.slice(0, i);
          break;
        }
        n--;
      }
    }
    if (n > 0) continue;
    if (pathMatch(glob, prefix)) return true;
  }
  return false;
}

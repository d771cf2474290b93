/**
 * go.sum parsing: one `path version[/go.mod] h1:<base64 sha256>` entry per line, blank lines skipped
 * (golang/go modfetch/fetch.go readGoSum). Go itself only checks the field count; we also reject hashes that
 * could never verify and versions that are not semver, so a broken go.sum is named line by line.
 */
import { isValidVersion } from './module.js';
import { decodeText } from './modfile.js';
import { ModFileError, type ModFileErrorEntry } from './syntax.js';

/** One go.sum line. `goMod` = the hash is of the module's go.mod only (`version/go.mod`). */
export interface GoSumEntry {
  path: string;
  version: string;
  goMod: boolean;
  hash: string;
  /** 1-based line in the go.sum. */
  line: number;
}

/** A parsed go.sum. */
export interface GoSum {
  /** File path used in errors. */
  path: string;
  entries: GoSumEntry[];
}

/** The h1 hash of an empty go.mod, written by an old Go bug; Go ignores such lines and so do we. */
export const EMPTY_GO_MOD_HASH = 'h1:G7mAYYxgmS0lVkHyy2hEOLQCFB0DlQFTMLWggykrydY=';

const H1_RE = /^h1:[A-Za-z0-9+/]{43}=$/;

/**
 * Reads go.sum text leniently: every well-formed entry, and a problem for each malformed line. The checks
 * use it to compare what does parse; parseGoSum (for the change's own go.sum) refuses any problem.
 */
export function readGoSum(path: string, content: string | Uint8Array): { sum: GoSum; errors: ModFileErrorEntry[] } {
  const text = decodeText(content);
  const entries: GoSumEntry[] = [];
  const errors: ModFileErrorEntry[] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const lineNo = i + 1;
    // strings.Fields: split on any white space (CR included, so CRLF files read fine).
    const f = lines[i]!.split(/[\s\u0085\u00a0]+/u).filter((s) => s !== '');
    if (f.length === 0) continue;
    const fail = (message: string) => void errors.push({ file: path, line: lineNo, col: 1, message });
    if (f.length !== 3) {
      fail(`wrong number of fields ${f.length}`);
      continue;
    }
    const [modPath, rawVersion, hash] = f as [string, string, string];
    const goMod = rawVersion.endsWith('/go.mod');
    const version = goMod ? rawVersion.slice(0, -'/go.mod'.length) : rawVersion;
    if (!isValidVersion(version)) {
      fail(`malformed version ${JSON.stringify(rawVersion)} for ${modPath}`);
      continue;
    }
    if (hash === EMPTY_GO_MOD_HASH) continue;
    // Named as a problem, but kept as Go keeps it (readGoSum checks only the field count): a hash that can
    // never verify must still show up as a mismatch when the lines are compared.
    if (!H1_RE.test(hash)) fail(`malformed hash ${JSON.stringify(hash)} for ${modPath} ${rawVersion} (want h1: and 44 base64 characters)`);
    entries.push({ path: modPath, version, goMod, hash, line: lineNo });
  }
  return { sum: { path, entries }, errors };
}

/** Parses go.sum text; throws ModFileError listing every malformed line (`go.sum:LINE: message`). */
export function parseGoSum(path: string, content: string | Uint8Array): GoSum {
  const { sum, errors } = readGoSum(path, content);
  if (errors.length > 0) throw new ModFileError(errors);
  return sum;
}

const indexCache = new WeakMap<GoSum, Map<string, string[]>>();

function keyOf(path: string, version: string, goMod: boolean): string {
  return `${path} ${version}${goMod ? '/go.mod' : ''}`;
}

/** Every hash go.sum records for path@version (zip hash, or go.mod hash when `goMod`), in file order. */
export function goSumHashes(sum: GoSum, path: string, version: string, goMod = false): string[] {
  let index = indexCache.get(sum);
  if (!index) {
    index = new Map();
    for (const e of sum.entries) {
      const k = keyOf(e.path, e.version, e.goMod);
      const list = index.get(k);
      if (list) list.push(e.hash);
      else index.set(k, [e.hash]);
    }
    indexCache.set(sum, index);
  }
  return index.get(keyOf(path, version, goMod)) ?? [];
}

/** The hash go.sum records for path@version (the go.mod hash when `goMod`), or null when there is none. */
export function goSumHash(sum: GoSum, path: string, version: string, goMod = false): string | null {
  return goSumHashes(sum, path, version, goMod)[0] ?? null;
}

/** The go.sum entry (with its line) for path@version, or null. */
export function goSumEntry(sum: GoSum, path: string, version: string, goMod = false): GoSumEntry | null {
  return sum.entries.find((e) => e.path === path && e.version === version && e.goMod === goMod) ?? null;
}

/** The two hashes recorded for one module version: of its zip and of its go.mod; null when absent. */
export interface VersionSums {
  h1: string | null;
  goModH1: string | null;
}

/** The first zip hash and the first go.mod hash go.sum records for path@version. */
export function versionSums(sum: GoSum, path: string, version: string): VersionSums {
  return { h1: goSumHash(sum, path, version), goModH1: goSumHash(sum, path, version, true) };
}

/**
 * Checksum consistency: does what the proxy serves hash to what go.sum (the PR) and the checksum database
 * (the world) recorded for this module version? Pure: hashes in, mismatches out.
 */
import { readGoSum, versionSums } from '../gomod/gosum.js';
import { EMPTY_GO_MOD_H1 } from '../modzip/hash.js';

/** The two go.sum hashes of a module version; either may be unknown. */
export interface ModuleSums {
  /** `h1:` of the module zip. */
  h1?: string | null;
  /** `h1:` of the go.mod (the `/go.mod` line). */
  goModH1?: string | null;
}

/** One disagreement between a recorded hash and the proxy's content. */
export interface SumMismatch {
  /** Who recorded the expected hash. */
  source: 'go.sum' | 'sumdb';
  /** Which hash: the zip's or the go.mod's. */
  kind: 'zip' | 'go.mod';
  /** What was recorded. */
  recorded: string;
  /** What the proxy's content hashes to. */
  served: string;
}

/**
 * Compares recorded hashes with the proxy's. A hash missing on either side is not a mismatch; the go.mod
 * hash of an empty file is ignored in go.sum, as the go command does (an old bug wrote it).
 */
export function compareSums(source: SumMismatch['source'], recorded: ModuleSums, served: ModuleSums): SumMismatch[] {
  const out: SumMismatch[] = [];
  if (recorded.h1 && served.h1 && recorded.h1 !== served.h1) {
    out.push({ source, kind: 'zip', recorded: recorded.h1, served: served.h1 });
  }
  const goModIgnored = source === 'go.sum' && recorded.goModH1 === EMPTY_GO_MOD_H1;
  if (recorded.goModH1 && served.goModH1 && recorded.goModH1 !== served.goModH1 && !goModIgnored) {
    out.push({ source, kind: 'go.mod', recorded: recorded.goModH1, served: served.goModH1 });
  }
  return out;
}

/**
 * The hashes go.sum text records for `path@version` (`<path> <version> h1:…` and `<path> <version>/go.mod h1:…`),
 * read by the one go.sum reader; malformed lines are skipped here (the go.sum's own parse errors are reported
 * by the go.mod step).
 */
export function sumsFromLines(text: string, path: string, version: string): ModuleSums {
  return versionSums(readGoSum('go.sum', text).sum, path, version);
}

/** One sentence describing a mismatch, for reasons and findings. */
export function describeMismatch(m: SumMismatch, mv: string): string {
  const what = m.kind === 'zip' ? 'module content' : 'go.mod';
  const who = m.source === 'go.sum' ? "the pull request's go.sum" : 'the checksum database';
  return `${who} records ${m.recorded} for the ${what} of ${mv}, but the proxy serves content hashing to ${m.served}`;
}

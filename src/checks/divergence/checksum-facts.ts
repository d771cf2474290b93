/**
 * The recorded hashes of a version: the PR's go.sum (handed in) and the checksum database's answer.
 */
import type { ModuleVersion } from '../../gomod/types.js';
import type { ModuleSums } from '../consistency.js';
import { oneLine } from './faults.js';

/** What verifyModule needs from a checksum database client (SumDbClient fits: its lookup has h1 and goModH1). */
export interface SumDbSource {
  lookup(path: string, version: string): Promise<ModuleSums>;
}

/** What the checksum database said about a version. */
export type SumDbAnswer =
  | { status: 'off' }
  | { status: 'found'; sums: ModuleSums }
  | { status: 'not-found' }
  /** The answer failed its signature or log proof: forged or forked, a security signal. */
  | { status: 'invalid'; detail: string }
  | { status: 'unavailable'; detail: string };

/** The hashes recorded elsewhere for a version. */
export interface ChecksumFacts {
  /** The PR's go.sum hashes for this version, when it has them. */
  goSum: ModuleSums | null;
  sumdb: SumDbAnswer;
}

/** Asks the checksum database (when there is one); never throws. */
export async function gatherChecksums(mv: ModuleVersion, sumdb: SumDbSource | null, goSum: ModuleSums | null): Promise<ChecksumFacts> {
  if (!sumdb) return { goSum, sumdb: { status: 'off' } };
  try {
    const sums = await sumdb.lookup(mv.path, mv.version);
    return { goSum, sumdb: { status: 'found', sums: { h1: sums.h1 ?? null, goModH1: sums.goModH1 ?? null } } };
  } catch (e) {
    const kind = (e as { kind?: unknown })?.kind;
    const detail = oneLine((e as Error)?.message ?? String(e), `${mv.path}@${mv.version}`);
    if (kind === 'verification-failed') return { goSum, sumdb: { status: 'invalid', detail } };
    if (kind === 'not-found') return { goSum, sumdb: { status: 'not-found' } };
    if (kind === 'skipped') return { goSum, sumdb: { status: 'off' } };
    return { goSum, sumdb: { status: 'unavailable', detail } };
  }
}

/**
 * The divergence side of the engine: verify the version a change makes the build fetch, with the PR's
 * go.sum hashes, and turn the verdicts into findings. A source that fails (the proxy down, a corrupt zip,
 * GitHub rate limits) is a `verify-failed` finding on the module's go.mod line, high by default, so an
 * unreviewed change never passes and the reviewer sees which module and why.
 */
import type { Finding } from '../findings.js';
import type { RequirementChange } from '../gomod/types.js';
import { readGoSum, versionSums } from '../gomod/gosum.js';
import type { RepoConfig } from '../config/repo.js';
import { divergenceFindings, verifyModule, type SumDbSource, type VerifyDeps, type VerifyResult } from '../checks/divergence/verify.js';
import type { ModuleSums } from '../checks/consistency.js';
import type { GoProxyClient } from '../sources/goproxy.js';

/** Verifies one change; rejects only on a bug (every source failure is a finding). */
export type Verifier = (change: RequirementChange, ctx: { goSum: { path: string; content: string } | null; config: RepoConfig; signal?: AbortSignal }) => Promise<Finding[]>;

/** Builds the verifier over shared clients (their caches make one download serve every check). */
export function createVerifier(deps: { proxy: GoProxyClient; origin: VerifyDeps['origin']; sumdb?: SumDbSource | null }): Verifier {
  return async (change, ctx) => {
    const mv = change.fetch;
    if (!mv) return [];
    // Malformed go.sum lines are the go.mod step's parse errors; the well-formed ones still count here.
    const goSum = ctx.goSum ? versionSums(readGoSum(ctx.goSum.path, ctx.goSum.content).sum, mv.path, mv.version) : null;
    // The module's deadline travels as `signal` for the sources that honour it; the engine enforces the
    // deadline either way (scan.ts), so a source that ignores it only wastes its own slot.
    const verifyDeps: VerifyDeps & { signal?: AbortSignal } = { proxy: deps.proxy, origin: deps.origin, sumdb: deps.sumdb ?? null, goSum, signal: ctx.signal };
    const result = await verifyModule(mv, verifyDeps);
    return divergenceFindings(change, result);
  };
}

/** `modwarden verify`'s question on the engine's clients: the full verification result of one module version. */
export function verifyVersion(
  deps: { proxy: GoProxyClient; origin: VerifyDeps['origin']; sumdb?: SumDbSource | null },
  mv: { path: string; version: string },
  goSum: ModuleSums | null,
): Promise<VerifyResult> {
  return verifyModule(mv, { proxy: deps.proxy, origin: deps.origin, sumdb: deps.sumdb ?? null, goSum });
}

/**
 * The divergence side of the engine: verify the version a change makes the build fetch, with the PR's
 * go.sum hashes, and turn the verdicts into findings. A proxy that is down is a scan error (the check
 * fails with that message), not a quiet "unverifiable": an unreviewed change must not pass.
 */
import type { Finding } from '../findings.js';
import type { RequirementChange } from '../gomod/types.js';
import type { RepoConfig } from '../config/repo.js';
import { divergenceFindings, verifyModule, type SumDbSource, type VerifyResult } from '../checks/divergence/verify.js';
import { sumsFromLines, type ModuleSums } from '../checks/consistency.js';
import { ProxyError, type GoProxyClient } from '../sources/goproxy.js';
import type { GitHubOriginClient } from '../sources/github/origin.js';

/** Verifies one change; throws only when the scan itself cannot go on (proxy unavailable). */
export type Verifier = (change: RequirementChange, ctx: { goSum: { path: string; content: string } | null; config: RepoConfig }) => Promise<Finding[]>;

/** The module proxy could not be reached or answered with server errors. */
export class ProxyUnavailableError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ProxyUnavailableError';
  }
}

/** Builds the verifier over shared clients (their caches make one download serve every check). */
export function createVerifier(deps: { proxy: GoProxyClient; origin: GitHubOriginClient | null; sumdb?: SumDbSource | null }): Verifier {
  return async (change, ctx) => {
    const mv = change.fetch;
    if (!mv) return [];
    try {
      // Cached by the proxy client, so verifyModule's own .info request costs nothing more.
      await deps.proxy.info(mv.path, mv.version);
    } catch (e) {
      if (e instanceof ProxyError && e.kind === 'unavailable') throw new ProxyUnavailableError(`the module proxy is unavailable: ${e.message}`);
      // Anything else (not found, blocked, private...) is judged by verifyModule below.
    }
    const goSum = ctx.goSum ? sumsFromLines(ctx.goSum.content, mv.path, mv.version) : null;
    const result = await verifyModule(mv, { proxy: deps.proxy, origin: deps.origin, sumdb: deps.sumdb ?? null, goSum });
    return divergenceFindings(change, result);
  };
}

/** `modwarden verify`'s question on the engine's clients: the full verification result of one module version. */
export function verifyVersion(
  deps: { proxy: GoProxyClient; origin: GitHubOriginClient | null; sumdb?: SumDbSource | null },
  mv: { path: string; version: string },
  goSum: ModuleSums | null,
): Promise<VerifyResult> {
  return verifyModule(mv, { proxy: deps.proxy, origin: deps.origin, sumdb: deps.sumdb ?? null, goSum });
}

/**
 * Verdicts shared by replicas: the divergence check's findings for one module@version (with the PR's
 * go.sum lines for it, which the verdict depends on) kept in the Store for a while, so a module verified by
 * one replica is not downloaded and compared again by the next PR on any replica. Only complete answers
 * are kept: a `verify-failed` (a source failed, timed out, was rate-limited) is asked again next time.
 * The TTL is short because an origin tag can move after the verdict.
 */
import { createHash } from 'node:crypto';
import type { Finding } from '../findings.js';
import type { ScanChecks } from '../engine/scan.js';
import type { Store } from '../sources/store/store.js';

export const DEFAULT_VERDICT_TTL_MS = 3600_000;

type Stored = Omit<Finding, 'goModPath' | 'line'>[];

/** The go.sum lines about `path version` (h1 of the zip and of the go.mod), sorted. */
function sumLines(content: string | null, path: string, version: string): string[] {
  if (!content) return [];
  return content
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l.startsWith(`${path} ${version} `) || l.startsWith(`${path} ${version}/go.mod `))
    .sort();
}

/** `checks` whose `verify` answers from the shared Store when it can. */
export function withSharedVerdicts(checks: ScanChecks, store: Store, ttlMs = DEFAULT_VERDICT_TTL_MS): ScanChecks {
  const cached: ScanChecks = {
    ...checks,
    async verify(change, ctx) {
      const mv = change.fetch;
      if (!mv) return checks.verify(change, ctx);
      const digest = createHash('sha256').update(JSON.stringify([mv.path, mv.version, sumLines(ctx.goSum?.content ?? null, mv.path, mv.version)])).digest('hex');
      const key = `verdict:${digest}`;
      const hit = await store.get(key).catch(() => null);
      if (hit !== null) {
        try {
          return (JSON.parse(hit) as Stored).map((f) => ({ ...f, goModPath: change.goModPath, line: change.line }) as Finding);
        } catch {
          /* unreadable: verify again */
        }
      }
      const findings = await checks.verify(change, ctx);
      if (!findings.some((f) => f.rule === 'verify-failed')) {
        const stored: Stored = findings.map(({ goModPath: _p, line: _l, ...rest }) => rest);
        await store.set(key, JSON.stringify(stored), { ttlMs }).catch(() => {});
      }
      return findings;
    },
  };
  // The per-scan view (search budgets) keeps the shared verdicts.
  if (checks.forScan) cached.forScan = () => withSharedVerdicts(checks.forScan!(), store, ttlMs);
  return cached;
}

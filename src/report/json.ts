/** JSON report: the scan result plus its conclusion, stable for scripts. */
import type { RepoConfig } from '../config/repo.js';
import { conclusionOf, sortFindings, type ScanResult } from '../engine/result.js';
import { findingFingerprint } from './fingerprint.js';

/** Renders a scan as pretty-printed JSON. */
export function renderJson(result: ScanResult, config: Pick<RepoConfig, 'failOn'>): string {
  const out = {
    conclusion: conclusionOf(result, config.failOn),
    failOn: config.failOn,
    findings: sortFindings(result.findings).map((f) => ({ ...f, fingerprint: findingFingerprint(f) })),
    modules: result.modules,
    changes: result.changes,
    errors: result.errors,
    scannedFiles: result.scannedFiles,
    skippedFiles: result.skippedFiles,
  };
  return JSON.stringify(out, null, 2) + '\n';
}

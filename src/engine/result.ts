/** What a scan returns, shared by the engine, the reports and the review output. */
import { atOrAbove, type Finding, type RuleId, type Severity } from '../findings.js';
import type { RequirementChange } from '../gomod/types.js';

/** Verdict of one changed module in the summary table. */
export type ModuleVerdict = 'ok' | 'warning' | 'failing' | 'ignored' | 'unverifiable' | 'not-checked' | 'removed';

/** One row of the changed-modules table. */
export interface ModuleRow {
  goModPath: string;
  module: string;
  kind: RequirementChange['kind'];
  from: string | null;
  to: string | null;
  /** What the build downloads (differs from module when replaced). */
  fetch: string | null;
  line: number | null;
  verdict: ModuleVerdict;
  /** Rules that fired on this module (ignored ones included). */
  rules: RuleId[];
  /** Why a module was not checked (private, local replace, allow-listed...). */
  note: string | null;
}

/** The engine's output. */
export interface ScanResult {
  changes: RequirementChange[];
  findings: Finding[];
  modules: ModuleRow[];
  /** Problems that stopped part of the scan (not findings about the change). */
  errors: string[];
  /** go.mod / go.sum / go.work files the change touches and the scan read. */
  scannedFiles: string[];
  /** Go files skipped by the repo config's skipPaths. */
  skippedFiles: string[];
}

/** The check's overall outcome: failure at/above the threshold, neutral below it, success when clean. */
export type Conclusion = 'success' | 'neutral' | 'failure';

/** Findings that count against the threshold (not ignored). */
export function activeFindings(findings: readonly Finding[]): Finding[] {
  return findings.filter((f) => !f.ignored);
}

/** Findings at or above the failure threshold that are not ignored. */
export function failingFindings(findings: readonly Finding[], failOn: Severity): Finding[] {
  return activeFindings(findings).filter((f) => atOrAbove(f.severity, failOn));
}

/** Conclusion of a scan under a threshold. Scan errors fail the check: an incomplete scan must not pass. */
export function conclusionOf(result: Pick<ScanResult, 'findings' | 'errors'>, failOn: Severity): Conclusion {
  if (result.errors.length > 0 || failingFindings(result.findings, failOn).length > 0) return 'failure';
  return activeFindings(result.findings).some((f) => f.severity !== 'info') ? 'neutral' : 'success';
}

/** Orders findings most severe first, then by file and line (stable for rendering and de-dup). */
export function sortFindings(findings: readonly Finding[]): Finding[] {
  const rank = (s: Severity) => ['critical', 'high', 'medium', 'low', 'info'].indexOf(s);
  return [...findings].sort(
    (a, b) =>
      Number(!!a.ignored) - Number(!!b.ignored) ||
      rank(a.severity) - rank(b.severity) ||
      a.goModPath.localeCompare(b.goModPath) ||
      (a.line ?? 0) - (b.line ?? 0) ||
      a.module.localeCompare(b.module) ||
      a.rule.localeCompare(b.rule),
  );
}

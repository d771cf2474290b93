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

/** How many findings a scan reports in detail; the rest are counted in one finding. */
export interface FindingLimits {
  /** Per module version in one go.mod (per file for findings about no module, e.g. parse errors). */
  perModule: number;
  /** Per scan. */
  perScan: number;
}

/** 10 per module and 200 per scan: more than anyone reads, far fewer than a hostile go.mod can produce. */
export const FINDING_LIMITS: FindingLimits = { perModule: 10, perScan: 200 };

/** Summary findings made here, with how many findings each stands for. */
const SUMMARIES = new WeakMap<Finding, number>();

/**
 * Keeps at most `limits.perModule` findings per module and `limits.perScan` per scan, most severe first; the
 * rest become one finding that says how many were left out, of which rules, and why. Its severity is the
 * highest of the findings it stands for (ignored ones only count when nothing else is left out), so the
 * conclusion is the same as with every finding listed.
 */
export function boundFindings(findings: readonly Finding[], limits: FindingLimits = FINDING_LIMITS): Finding[] {
  const perModule = Math.max(1, limits.perModule);
  const perScan = Math.max(1, limits.perScan);
  const groups = new Map<string, Finding[]>();
  for (const f of sortFindings(findings)) {
    const key = [f.goModPath, f.module, f.version ?? ''].join('\0');
    const group = groups.get(key);
    if (group) group.push(f);
    else groups.set(key, [f]);
  }
  const kept: Finding[] = [];
  for (const group of groups.values()) {
    if (group.length <= perModule) kept.push(...group);
    else kept.push(...group.slice(0, perModule - 1), summarise(group.slice(perModule - 1), `at most ${perModule} per module`));
  }
  if (kept.length <= perScan) return kept;
  const sorted = sortFindings(kept);
  return [...sorted.slice(0, perScan - 1), summarise(sorted.slice(perScan - 1), `at most ${perScan} per scan`)];
}

/** One finding standing for `left` (never empty): how many, which rules, and why they are not listed. */
function summarise(left: Finding[], limit: string): Finding {
  const active = activeFindings(left);
  const basis = active.length ? active : left;
  const head = sortFindings(basis)[0]!;
  const total = left.reduce((n, f) => n + omittedCount(f), 0);
  const byRule = new Map<RuleId, number>();
  for (const f of left) byRule.set(f.rule, (byRule.get(f.rule) ?? 0) + omittedCount(f));
  const rules = [...byRule].map(([rule, n]) => `${rule} ×${n}`).join(', ');
  const sameModule = left.every((f) => f.module === head.module && f.version === head.version && f.goModPath === head.goModPath);
  const where = sameModule ? (head.module ? `for ${head.module}${head.version ? `@${head.version}` : ''}` : `in ${head.goModPath}`) : 'in this change';
  const summary: Finding = {
    rule: head.rule,
    severity: head.severity,
    module: sameModule ? head.module : '',
    version: sameModule ? head.version : null,
    goModPath: head.goModPath,
    line: sameModule ? head.line : null,
    title: `${total} more finding${total === 1 ? '' : 's'} ${where} not listed (${rules})`,
    message: `ModWarden lists ${limit}, most severe first, so the report stays readable; ${total} more were found (${rules}). Fix the ones listed and scan again to see the rest.`,
    evidence: { omitted: total, rules: Object.fromEntries(byRule), limit },
    ignored: active.length ? null : (head.ignored ?? null),
  };
  SUMMARIES.set(summary, total);
  return summary;
}


/** A summary finding stands for `omitted` findings; any other finding for itself. */
function omittedCount(f: Finding): number {
  return SUMMARIES.get(f) ?? 1;
}

/**
 * One vocabulary for everything ModWarden reports: the check run, review comments, the CLI and SARIF
 * all render these values and nothing else.
 */

/** Severities, lowest first. The repo config's failure threshold is one of these. */
export const SEVERITIES = ['info', 'low', 'medium', 'high', 'critical'] as const;
export type Severity = (typeof SEVERITIES)[number];

/** Stable rule ids. Never rename one: users allow-list and filter by them. */
export const RULE_IDS = [
  'typosquat',
  'tag-moved',
  'tag-missing',
  'content-diverged',
  'gosum-mismatch',
  'sumdb-mismatch',
  'proxy-blocked',
  'unverifiable',
  'parse-error',
  'config-error',
] as const;
export type RuleId = (typeof RULE_IDS)[number];

/** A single problem found in a change, anchored to a go.mod line when there is one. */
export interface Finding {
  rule: RuleId;
  severity: Severity;
  /** The module path the finding is about (the path the build fetches). */
  module: string;
  /** The version concerned, or null when the finding is not about one version. */
  version: string | null;
  /** Repo-relative path of the go.mod (or go.sum / go.work) the finding points at. */
  goModPath: string;
  /** 1-based line in the head version of goModPath, or null when there is no line to point at. */
  line: number | null;
  /** One short sentence: what is wrong. */
  title: string;
  /** Why it matters and what to do, in a few sentences of Markdown. */
  message: string;
  /** Machine-readable evidence (hashes, commits, file lists, scores). */
  evidence: Record<string, unknown>;
  /** Set when a `/ignore` comment or the repo config waived this finding. */
  ignored?: { by: string; reason: string } | null;
}

/** Numeric rank of a severity, for threshold comparisons. */
export function severityRank(s: Severity): number {
  return SEVERITIES.indexOf(s);
}

/** True when `s` is at or above `threshold`. */
export function atOrAbove(s: Severity, threshold: Severity): boolean {
  return severityRank(s) >= severityRank(threshold);
}

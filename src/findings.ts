/**
 * One vocabulary for everything ModWarden reports: the check run, review comments, the CLI and SARIF
 * all render these values and nothing else.
 */

/** Severities, lowest first. The repo config's failure threshold is one of these. */
export const SEVERITIES = ['info', 'low', 'medium', 'high', 'critical'] as const;
export type Severity = (typeof SEVERITIES)[number];

/** Which part of the engine emits a rule. */
export type RuleProducer = 'typosquat' | 'divergence' | 'gomod' | 'config';

/** One rule: its stable id, the severity it has unless evidence or the repo config says otherwise, and its docs. */
export interface RuleSpec {
  /** Stable id. Never rename one: users allow-list, ignore and filter by them. */
  id: string;
  defaultSeverity: Severity;
  producer: RuleProducer;
  /** SARIF rule name (PascalCase). */
  name: string;
  /** One line: what the rule reports. */
  short: string;
  /** What it means and what to do. */
  help: string;
}

/**
 * THE rule table. Config validation, divergence severities, SARIF rules and the README's rule list all come
 * from here; nothing else may list rule ids or their default severities.
 */
export const RULES = [
  {
    id: 'typosquat',
    defaultSeverity: 'high',
    producer: 'typosquat',
    name: 'TyposquatModule',
    short: 'Module path looks like a popular or already-used module',
    help: 'The added module path imitates another module (one-letter changes, look-alike owners, copied repo names). Check that you meant this module; if not, require the real one.',
  },
  {
    id: 'tag-moved',
    defaultSeverity: 'high',
    producer: 'divergence',
    name: 'TagMoved',
    short: 'The origin tag now points at a different commit than the proxy recorded',
    help: 'The module proxy cached this version from one commit, and the tag at the origin points at another today. Builds use the proxy copy, which reviewers of the repo cannot see. A retag triaged benign (the proxy holds the commit it recorded, the tag moved within the project\'s own history, no code an attacker adds) is reported at medium; one triaged suspicious (content only in the proxy, the recorded commit gone, unrelated history, new init() or network/exec imports, a look-alike module) at critical. Pin a version whose tag was never moved or review the proxy content.',
  },
  {
    id: 'tag-missing',
    defaultSeverity: 'medium',
    producer: 'divergence',
    name: 'TagMissing',
    short: 'The version is served by the proxy but its tag is gone at the origin',
    help: 'The proxy still serves this version, but the origin no longer has the tag, so the code cannot be reviewed at its source. Prefer a version that exists at the origin.',
  },
  {
    id: 'content-diverged',
    defaultSeverity: 'critical',
    producer: 'divergence',
    name: 'ContentDiverged',
    short: 'The proxy serves different files than the origin holds for this version',
    help: 'The module zip from the proxy differs from the module built from the origin at the tag: the code you build is not the code you can read. The finding carries the retag triage (benign: medium; suspicious: critical). Read the differing files before using this version.',
  },
  {
    id: 'gosum-mismatch',
    defaultSeverity: 'high',
    producer: 'divergence',
    name: 'GoSumMismatch',
    short: 'go.sum does not match what the proxy serves',
    help: 'The hash recorded in go.sum differs from the proxy content. Either go.sum was edited by hand or the content changed: find out which before merging.',
  },
  {
    id: 'sumdb-mismatch',
    defaultSeverity: 'critical',
    producer: 'divergence',
    name: 'SumDbMismatch',
    short: 'The checksum database disagrees with the proxy',
    help: 'The checksum database records a different hash for this version than the proxy serves. Treat the proxy content as untrusted.',
  },
  {
    id: 'sumdb-invalid',
    defaultSeverity: 'high',
    producer: 'divergence',
    name: 'SumDbAnswerInvalid',
    short: "The checksum database's answer failed verification",
    help: "The checksum database answered with a note whose signature, inclusion proof or tree consistency does not verify: someone may be serving forged checksums. Do not merge until it verifies; check GOSUMDB and the network path to it.",
  },
  {
    id: 'proxy-blocked',
    defaultSeverity: 'critical',
    producer: 'divergence',
    name: 'ProxyBlocked',
    short: 'The module proxy refuses to serve this version',
    help: 'The proxy answered that it will not serve this module version, which public proxies do for modules taken down as malicious. Remove the dependency.',
  },
  {
    id: 'verify-failed',
    defaultSeverity: 'high',
    producer: 'divergence',
    name: 'VerificationFailed',
    short: 'The version could not be verified because a source failed',
    help: 'A source ModWarden needs (the module proxy, the origin, the checksum database) failed, timed out, hit a size cap or stayed rate-limited, so the content was never compared. The go command would not build with such answers either. Run /rescan to retry; if it persists, review the dependency by hand.',
  },
  {
    id: 'unverifiable',
    defaultSeverity: 'low',
    producer: 'divergence',
    name: 'Unverifiable',
    short: 'The version could not be compared with its origin (unsupported or refused origin)',
    help: 'ModWarden cannot compare this module with its origin (a version control system other than git, an origin address refused by the SSRF rules unless MODWARDEN_ORIGIN_ALLOW allows it, no repository found, a private module). This is not evidence of an attack. Review the dependency by hand or allow-list it in .github/modwarden.yml.',
  },
  {
    id: 'parse-error',
    defaultSeverity: 'high',
    producer: 'gomod',
    name: 'ParseError',
    short: 'A go.mod, go.sum or go.work file could not be parsed',
    help: 'The Go command would reject this file too, so its dependencies cannot be reviewed. Fix the syntax error at the given line.',
  },
  {
    id: 'config-error',
    defaultSeverity: 'high',
    producer: 'config',
    name: 'ConfigError',
    short: 'The ModWarden configuration is invalid',
    help: 'Fix the named key in .github/modwarden.yml.',
  },
] as const satisfies readonly RuleSpec[];

/** Stable rule ids, in table order. */
export type RuleId = (typeof RULES)[number]['id'];
export const RULE_IDS: readonly RuleId[] = RULES.map((r) => r.id);

const BY_ID = new Map<string, RuleSpec>(RULES.map((r) => [r.id, r]));

/** The table row of a rule. */
export function ruleSpec(id: RuleId): RuleSpec {
  return BY_ID.get(id)!;
}

/** The severity a rule has when neither evidence nor the repo config says otherwise. */
export function defaultSeverity(id: RuleId): Severity {
  return ruleSpec(id).defaultSeverity;
}

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

/**
 * Wraps a value in a Markdown code span whose backtick fence is longer than any backtick run inside, so the
 * renderer reads it back as one code span whatever the value holds. Checks use it for every value they did
 * not write themselves (module paths, file names, tags, error text) when they put it in a title or message;
 * the renderer still treats titles and messages as untrusted and makes everything in them inert.
 */
export function codeSpan(value: string): string {
  const clean = value.replace(/\r\n?|\n/g, ' ');
  const longest = Math.max(0, ...(clean.match(/`+/g) ?? []).map((m) => m.length));
  const fence = '`'.repeat(longest + 1);
  const pad = clean.startsWith('`') || clean.endsWith('`') || clean === '' ? ' ' : '';
  return `${fence}${pad}${clean}${pad}${fence}`;
}

/**
 * The repo's `.github/modwarden.yml`, validated with zod (reviewed like code, read through Probot's loader so
 * an org-wide `.github` repo default works). Every error names the offending key, e.g.
 * `failOn: expected one of info|low|medium|high|critical`.
 */
import { z } from 'zod';
import { parse as parseYaml } from 'yaml';
import { RULE_IDS, SEVERITIES, type RuleId, type Severity } from '../findings.js';
import { ConfigError, formatIssues } from './errors.js';

export { ConfigError, formatIssues } from './errors.js';

const severity = z.enum(SEVERITIES);
const ruleId = z.enum(RULE_IDS);

/** `module@version` or a bare module path, as written in allow and ignore entries. */
const moduleRef = z.string().min(1).regex(/^[^\s@]+(@[^\s@]+)?$/, { message: 'expected <module> or <module>@<version>' });

const allowEntry = z.union([
  moduleRef,
  z
    .object({
      module: z.string().min(1),
      version: z.string().min(1).optional(),
      reason: z.string().optional(),
      rules: z.array(ruleId).optional(),
    })
    .strict(),
]);

const ignoreEntry = z
  .object({
    module: moduleRef,
    version: z.string().min(1).optional(),
    reason: z.string().min(1, { message: 'a reason is required for a permanent ignore' }),
    rules: z.array(ruleId).optional(),
  })
  .strict();

const ruleSetting = z.union([
  z.boolean(),
  z.enum(['on', 'off']),
  z.object({ enabled: z.boolean().optional(), severity: severity.optional() }).strict(),
]);

const patternList = z.union([z.string(), z.array(z.string())]);

/** Schema of `.github/modwarden.yml`. Unknown keys are errors: a typo must not silently do nothing. */
export const repoConfigSchema = z
  .object({
    failOn: severity.optional(),
    rules: z.partialRecord(ruleId, ruleSetting).optional(),
    allow: z.array(allowEntry).optional(),
    popularModules: z.array(z.string().min(1)).optional(),
    reviewComments: z.boolean().optional(),
    privateModules: patternList.optional(),
    skipPaths: z.array(z.string().min(1)).optional(),
    ignore: z.array(ignoreEntry).optional(),
    /** The dependency watch: `false` opts the repo out; `openIssueAt` is the severity that opens the issue. */
    watch: z.union([z.boolean(), z.object({ enabled: z.boolean().optional(), openIssueAt: severity.optional() }).strict()]).optional(),
  })
  .strict();

/** An allow-list entry: the module (optionally one version) is trusted for the listed rules (all when absent). */
export interface AllowEntry {
  module: string;
  version: string | null;
  reason: string | null;
  rules: RuleId[] | null;
}

/** A permanent ignore: the finding stays listed, marked ignored, and no longer fails the check. */
export interface IgnoreEntry {
  module: string;
  version: string | null;
  reason: string;
  rules: RuleId[] | null;
  by: string;
}

/** Repo settings after validation, with every default filled in. */
export interface RepoConfig {
  failOn: Severity;
  /** Rules switched off. */
  disabledRules: RuleId[];
  /** Severity overrides per rule. */
  severityOverrides: Partial<Record<RuleId, Severity>>;
  allow: AllowEntry[];
  popularModules: string[];
  reviewComments: boolean;
  /** GOPRIVATE-style comma-separated glob list. */
  privateModules: string;
  skipPaths: string[];
  ignore: IgnoreEntry[];
  /** The dependency watch (absent = on, the issue opens at `failOn`). */
  watch?: { enabled: boolean; openIssueAt: Severity | null };
}

/** The settings used when a repo has no config file. */
export const DEFAULT_REPO_CONFIG: RepoConfig = Object.freeze({
  failOn: 'high',
  disabledRules: [],
  severityOverrides: {},
  allow: [],
  popularModules: [],
  reviewComments: true,
  privateModules: '',
  skipPaths: [],
  ignore: [],
}) as RepoConfig;

function splitRef(ref: string): { module: string; version: string | null } {
  const at = ref.indexOf('@');
  return at < 0 ? { module: ref, version: null } : { module: ref.slice(0, at), version: ref.slice(at + 1) };
}

/** Validates a parsed repo config object (null/undefined = no file) and fills in defaults. */
export function parseRepoConfig(raw: unknown, source = '.github/modwarden.yml'): RepoConfig {
  if (raw === null || raw === undefined) return { ...DEFAULT_REPO_CONFIG };
  if (typeof raw !== 'object' || Array.isArray(raw)) throw new ConfigError(source, ['expected a mapping of keys']);
  const result = repoConfigSchema.safeParse(raw);
  if (!result.success) throw new ConfigError(source, formatIssues(result.error.issues));
  const c = result.data;
  const disabledRules: RuleId[] = [];
  const severityOverrides: Partial<Record<RuleId, Severity>> = {};
  for (const [rule, setting] of Object.entries(c.rules ?? {}) as [RuleId, z.infer<typeof ruleSetting>][]) {
    const enabled = typeof setting === 'boolean' ? setting : typeof setting === 'string' ? setting === 'on' : setting.enabled !== false;
    if (!enabled) disabledRules.push(rule);
    if (typeof setting === 'object' && setting.severity) severityOverrides[rule] = setting.severity;
  }
  const allow: AllowEntry[] = (c.allow ?? []).map((a) => {
    if (typeof a === 'string') return { ...splitRef(a), reason: null, rules: null };
    return { module: a.module, version: a.version ?? null, reason: a.reason ?? null, rules: a.rules ?? null };
  });
  const ignore: IgnoreEntry[] = (c.ignore ?? []).map((i) => {
    const ref = splitRef(i.module);
    return { module: ref.module, version: i.version ?? ref.version, reason: i.reason, rules: i.rules ?? null, by: source };
  });
  const privateModules = Array.isArray(c.privateModules) ? c.privateModules.join(',') : (c.privateModules ?? '');
  return {
    failOn: c.failOn ?? DEFAULT_REPO_CONFIG.failOn,
    disabledRules,
    severityOverrides,
    allow,
    popularModules: c.popularModules ?? [],
    reviewComments: c.reviewComments ?? true,
    privateModules,
    skipPaths: c.skipPaths ?? [],
    ignore,
    ...(c.watch === undefined
      ? {}
      : { watch: typeof c.watch === 'boolean' ? { enabled: c.watch, openIssueAt: null } : { enabled: c.watch.enabled !== false, openIssueAt: c.watch.openIssueAt ?? null } }),
  };
}

/** Parses the YAML text of a repo config file (null = no file) and validates it. */
export function parseRepoConfigText(text: string | null, source = '.github/modwarden.yml'): RepoConfig {
  if (text === null) return { ...DEFAULT_REPO_CONFIG };
  let raw: unknown;
  try {
    raw = parseYaml(text, { logLevel: 'error' });
  } catch (e) {
    const msg = e instanceof Error ? e.message.split('\n')[0] : String(e);
    throw new ConfigError(source, [`invalid YAML: ${msg}`]);
  }
  return parseRepoConfig(raw ?? null, source);
}

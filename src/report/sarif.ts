/**
 * SARIF 2.1.0 for GitHub code scanning: tool.driver.rules with help, results with ruleId, level,
 * message, a physical location (repo-relative uri + startLine) and partialFingerprints so alerts
 * match across runs.
 */
import { RULES, RULE_IDS, atOrAbove, type Finding, type Severity } from '../findings.js';
import type { RepoConfig } from '../config/repo.js';
import { sortFindings, type ScanResult } from '../engine/result.js';
import { findingFingerprint } from './fingerprint.js';
import { moduleRef } from './markdown.js';

export const SARIF_SCHEMA = 'https://json.schemastore.org/sarif-2.1.0.json';

/** GitHub ranks security alerts by this 0.0-10.0 score (rules' `security-severity`). */
const SECURITY_SEVERITY: Record<Severity, string> = { critical: '9.5', high: '8.0', medium: '5.5', low: '3.0', info: '0.0' };
type SarifLevel = 'error' | 'warning' | 'note';

function levelOf(f: Pick<Finding, 'severity'>, failOn: Severity): SarifLevel {
  if (atOrAbove(f.severity, failOn)) return 'error';
  return f.severity === 'info' ? 'note' : 'warning';
}

/**
 * A result's message: the same words as the Markdown report (the module, the title, the message), kept raw
 * because `message.text` is plain text, not Markdown.
 */
export function sarifMessage(f: Finding): string {
  const what = f.module ? `${moduleRef(f)}: ${f.title}` : f.title;
  return f.message ? `${what}\n\n${f.message}` : what;
}

/** Builds the SARIF log object (not yet serialised). */
export function buildSarif(result: ScanResult, config: Pick<RepoConfig, 'failOn'>, toolVersion = '0.0.0'): Record<string, unknown> {
  const rules = RULES.map((r) => ({
    id: r.id,
    name: r.name,
    shortDescription: { text: r.short },
    fullDescription: { text: r.help },
    help: { text: r.help, markdown: r.help },
    defaultConfiguration: { level: levelOf({ severity: r.defaultSeverity }, config.failOn) },
    properties: { tags: ['security', 'supply-chain', 'go'], 'security-severity': SECURITY_SEVERITY[r.defaultSeverity] },
  }));
  const results = sortFindings(result.findings).map((f) => {
    const res: Record<string, unknown> = {
      ruleId: f.rule,
      ruleIndex: RULE_IDS.indexOf(f.rule),
      level: f.ignored ? 'note' : levelOf(f, config.failOn),
      message: { text: sarifMessage(f) },
      locations: [
        {
          physicalLocation: {
            artifactLocation: { uri: f.goModPath, uriBaseId: '%SRCROOT%' },
            region: { startLine: f.line ?? 1 },
          },
        },
      ],
      partialFingerprints: { 'modwarden/v1': findingFingerprint(f) },
      properties: { severity: f.severity, module: f.module, version: f.version, evidence: f.evidence },
    };
    if (f.ignored) res.suppressions = [{ kind: 'external', justification: `${f.ignored.reason} (${f.ignored.by})` }];
    return res;
  });
  return {
    $schema: SARIF_SCHEMA,
    version: '2.1.0',
    runs: [
      {
        tool: { driver: { name: 'ModWarden', informationUri: 'https://github.com/modwarden/modwarden', semanticVersion: toolVersion, version: toolVersion, rules } },
        results,
        invocations: [{ executionSuccessful: result.errors.length === 0, toolExecutionNotifications: result.errors.map((e) => ({ message: { text: e }, level: 'error' })) }],
      },
    ],
  };
}

/** Renders a scan as SARIF 2.1.0 JSON text. */
export function renderSarif(result: ScanResult, config: Pick<RepoConfig, 'failOn'>, toolVersion?: string): string {
  return JSON.stringify(buildSarif(result, config, toolVersion), null, 2) + '\n';
}

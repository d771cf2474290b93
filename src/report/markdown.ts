/**
 * The one Markdown renderer: the check-run summary, the review body and comments, and the CLI's
 * `--format markdown` all say the same thing in the same words.
 * Text that comes from the network (file names, diffs) is escaped so it cannot break out of its
 * code block or forge our hidden markers.
 */
import type { Finding, Severity } from '../findings.js';
import type { RepoConfig } from '../config/repo.js';
import { activeFindings, conclusionOf, failingFindings, sortFindings, type ModuleRow, type ScanResult } from '../engine/result.js';

const ICON: Record<Severity, string> = { critical: '🛑', high: '❌', medium: '🟠', low: '🟡', info: 'ℹ️' };

/** Keeps untrusted text inside an inline code span. */
export function code(text: string): string {
  const clean = neutraliseMarkers(text).replace(/[\r\n]+/g, ' ');
  const longest = Math.max(0, ...(clean.match(/`+/g) ?? []).map((m) => m.length));
  const fence = '`'.repeat(longest + 1);
  const pad = clean.startsWith('`') || clean.endsWith('`') ? ' ' : '';
  return `${fence}${pad}${clean}${pad}${fence}`;
}

/** A fenced block whose fence is longer than any backtick run inside, so the content cannot close it. */
export function fenced(text: string, lang = ''): string {
  const clean = neutraliseMarkers(text);
  const longest = Math.max(2, ...(clean.match(/`+/g) ?? []).map((m) => m.length));
  const fence = '`'.repeat(longest + 1);
  return `${fence}${lang}\n${clean.replace(/\n$/, '')}\n${fence}`;
}

/** Breaks `<!--` so text from a module cannot plant a hidden marker of ours. */
export function neutraliseMarkers(text: string): string {
  return text.replace(/<!--/g, '<\u200b!--').replace(/-->/g, '--\u200b>');
}

/** Escapes text for a Markdown table cell. */
function cell(text: string): string {
  return neutraliseMarkers(text).replace(/\|/g, '\\|').replace(/[\r\n]+/g, ' ');
}

/** `module@version`, or the module alone. */
export function moduleRef(f: Pick<Finding, 'module' | 'version'>): string {
  return f.version ? `${f.module}@${f.version}` : f.module;
}

/** `go.mod:12`, or the file alone. */
export function location(f: Pick<Finding, 'goModPath' | 'line'>): string {
  return f.line ? `${f.goModPath}:${f.line}` : f.goModPath;
}

/** One-line heading of a finding: icon, severity, rule, module. */
export function findingHeadline(f: Finding): string {
  const status = f.ignored ? '⚪ ignored · ' : '';
  return `${status}${ICON[f.severity]} **${f.severity}** · \`${f.rule}\` · ${code(moduleRef(f))}`;
}

const MAX_LIST = 20;
const MAX_EVIDENCE_CHARS = 6000;

/** Evidence keys already said in the finding's message: shown once, not twice. */
const SAID_IN_MESSAGE = new Set(['reasons', 'verdict', 'verdicts']);

function isFileDiff(v: unknown): v is { path: string; diff: string } {
  return typeof v === 'object' && v !== null && typeof (v as { path?: unknown }).path === 'string' && typeof (v as { diff?: unknown }).diff === 'string';
}

/** Renders a finding's evidence: file lists, diffs and scalars, capped so one finding cannot flood a page. */
export function renderEvidence(evidence: Record<string, unknown>): string {
  const lines: string[] = [];
  const blocks: string[] = [];
  for (const [key, value] of Object.entries(evidence)) {
    if (value === null || value === undefined || value === '' || SAID_IN_MESSAGE.has(key)) continue;
    if (Array.isArray(value) && value.length > 0 && value.every(isFileDiff)) {
      for (const d of value.slice(0, 3)) blocks.push(`${code(d.path)}:\n\n${fenced(d.diff.length > 3000 ? d.diff.slice(0, 3000) + '\n… (cut)' : d.diff, 'diff')}`);
      if (value.length > 3) lines.push(`- ${cell(key)}: ${value.length - 3} more not shown`);
      continue;
    }
    if (typeof value === 'string' && (value.includes('\n') || /diff$/i.test(key))) {
      blocks.push(`${cell(key)}:\n\n${fenced(value.length > 3000 ? value.slice(0, 3000) + '\n… (cut)' : value, /diff/i.test(key) ? 'diff' : '')}`);
    } else if (Array.isArray(value)) {
      if (value.length === 0) continue;
      lines.push(`- ${cell(key)}: ${listOf(value)}`);
    } else if (typeof value === 'object') {
      const entries = Object.entries(value as Record<string, unknown>).filter(([, v]) => v !== null && v !== undefined && !(Array.isArray(v) && v.length === 0));
      if (entries.length === 0) continue;
      if (entries.every(([, v]) => Array.isArray(v))) {
        lines.push(`- ${cell(key)}:`);
        for (const [k, v] of entries) lines.push(`  - ${cell(k)}: ${listOf(v as unknown[])}`);
      } else {
        lines.push(`- ${cell(key)}: ${entries.map(([k, v]) => `${cell(k)} ${scalar(v)}`).join(', ')}`);
      }
    } else {
      lines.push(`- ${cell(key)}: ${scalar(value)}`);
    }
  }
  let text = [lines.join('\n'), ...blocks].filter(Boolean).join('\n\n');
  if (text.length > MAX_EVIDENCE_CHARS) text = text.slice(0, MAX_EVIDENCE_CHARS) + '\n\n… (evidence cut; run `modwarden verify` for all of it)';
  return text;
}

function listOf(values: unknown[]): string {
  const shown = values.slice(0, MAX_LIST).map(scalar).join(', ');
  return values.length > MAX_LIST ? `${shown} and ${values.length - MAX_LIST} more` : shown;
}

function scalar(v: unknown): string {
  if (typeof v === 'string') return code(v.length > 200 ? v.slice(0, 200) + '…' : v);
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  const json = JSON.stringify(v) ?? String(v);
  return code(json.length > 200 ? json.slice(0, 200) + '…' : json);
}

/** The full explanation of one finding: headline, title, message, evidence, ignore note. */
export function renderFinding(f: Finding, options: { headingLevel?: number; withLocation?: boolean; evidenceShown?: Set<string> } = {}): string {
  const h = '#'.repeat(options.headingLevel ?? 4);
  const parts = [`${h} ${findingHeadline(f)}`];
  const where = options.withLocation === false ? '' : ` (${location(f)})`;
  parts.push(`**${neutraliseMarkers(f.title)}**${where}`);
  if (f.message) parts.push(neutraliseMarkers(f.message));
  if (f.ignored) parts.push(`_Ignored by ${neutraliseMarkers(f.ignored.by)}: ${neutraliseMarkers(f.ignored.reason)}_`);
  const ev = renderEvidence(f.evidence);
  // Checks attach one evidence object to several verdicts of a module (tag-moved + content-diverged): show it once.
  const key = `${moduleRef(f)}\0${ev}`;
  if (ev && options.evidenceShown?.has(key)) parts.push('_Evidence: as above._');
  else if (ev) parts.push(`<details><summary>Evidence</summary>\n\n${ev}\n\n</details>`);
  options.evidenceShown?.add(key);
  return parts.join('\n\n');
}

/** An inline review comment for the findings on one go.mod line. */
export function renderLineComment(findings: Finding[]): string {
  const evidenceShown = new Set<string>();
  return sortFindings(findings)
    .map((f) => renderFinding(f, { headingLevel: 4, withLocation: false, evidenceShown }))
    .join('\n\n---\n\n');
}

const VERDICT_TEXT: Record<ModuleRow['verdict'], string> = {
  ok: '✅ ok',
  warning: '⚠️ warning',
  failing: '❌ failing',
  ignored: '⚪ ignored',
  unverifiable: '❔ unverifiable',
  'not-checked': '➖ not checked',
  removed: '➖ removed',
};

function changeText(r: ModuleRow): string {
  const fetch = r.fetch && r.fetch !== `${r.module}@${r.to}` ? ` → ${code(r.fetch)}` : '';
  switch (r.kind) {
    case 'added':
      return `added ${r.to ?? ''}${fetch}`;
    case 'removed':
      return `removed ${r.from ?? ''}`;
    case 'upgraded':
    case 'downgraded':
      // Same version on both sides: only its go.sum lines changed.
      if (r.from === r.to) return `go.sum changed for ${r.to}`;
      return `${r.kind} ${r.from} → ${r.to}${fetch}`;
    case 'replaced':
      return `replaced${fetch}`;
  }
}

/** The table of changed modules with their verdicts (capped; the rest are counted). */
export function renderModulesTable(rows: readonly ModuleRow[], max = 100): string {
  if (rows.length === 0) return '_No requirement changed._';
  const order: ModuleRow['verdict'][] = ['failing', 'warning', 'unverifiable', 'ignored', 'not-checked', 'ok', 'removed'];
  const sorted = [...rows].sort((a, b) => order.indexOf(a.verdict) - order.indexOf(b.verdict) || a.module.localeCompare(b.module));
  const out = ['| Module | Change | Where | Verdict |', '|---|---|---|---|'];
  for (const r of sorted.slice(0, max)) {
    const rules = r.rules.length ? ` (${r.rules.join(', ')})` : '';
    const note = r.note ? ` — ${cell(r.note)}` : '';
    out.push(`| ${code(r.module)} | ${cell(changeText(r))} | ${cell(location({ goModPath: r.goModPath, line: r.line }))} | ${VERDICT_TEXT[r.verdict]}${rules}${note} |`);
  }
  if (sorted.length > max) out.push(`\n_…and ${sorted.length - max} more modules (all ok or listed above by severity)._`);
  return out.join('\n');
}

/** One line that says what the scan concluded. */
export function renderHeadline(result: ScanResult, config: Pick<RepoConfig, 'failOn'>): string {
  const failing = failingFindings(result.findings, config.failOn).length;
  const active = activeFindings(result.findings).length;
  const ignored = result.findings.length - active;
  const conclusion = conclusionOf(result, config.failOn);
  const n = (k: number, w: string) => `${k} ${w}${k === 1 ? '' : 's'}`;
  const tail = ignored ? `, ${ignored} ignored` : '';
  if (result.errors.length > 0) return `The scan could not finish: ${n(result.errors.length, 'error')}.`;
  if (conclusion === 'failure') return `${n(failing, 'finding')} at or above \`${config.failOn}\`${tail}.`;
  if (conclusion === 'neutral') return `${n(active, 'finding')} below the \`${config.failOn}\` threshold${tail}.`;
  const changed = result.modules.length;
  return `${n(changed, 'changed module')}, no problems found${tail}.`;
}

/** The check-run summary, review body and CLI markdown report all start from this. */
export function renderSummary(result: ScanResult, config: Pick<RepoConfig, 'failOn'>, options: { maxFindings?: number } = {}): string {
  const parts = [`### ModWarden: ${renderHeadline(result, config)}`];
  if (result.errors.length) parts.push(result.errors.map((e) => `- ⚠️ ${neutraliseMarkers(e)}`).join('\n'));
  parts.push(renderModulesTable(result.modules));
  const findings = sortFindings(result.findings);
  const max = options.maxFindings ?? 50;
  if (findings.length) {
    parts.push('---');
    const evidenceShown = new Set<string>();
    parts.push(findings.slice(0, max).map((f) => renderFinding(f, { evidenceShown })).join('\n\n'));
    if (findings.length > max) parts.push(`_…and ${findings.length - max} more findings (see the annotations)._`);
  }
  if (result.skippedFiles.length) parts.push(`_Skipped by config: ${result.skippedFiles.map(code).join(', ')}._`);
  return parts.join('\n\n');
}

/** Renders a scan as Markdown for the CLI (same text as the check-run summary, with every finding). */
export function renderMarkdown(result: ScanResult, config: Pick<RepoConfig, 'failOn'>): string {
  return renderSummary(result, config, { maxFindings: 1000 }) + '\n';
}

/**
 * The one Markdown renderer: the check-run summary, the review's body and inline comments, and the CLI's
 * `--format markdown` say the same thing in the same words.
 *
 * ESCAPING POLICY: every byte that did not come from this file is untrusted — finding titles and messages
 * (checks quote module paths, file names, tags, error bodies and go.mod comments in them), evidence keys and
 * values, diffs and file contents, `/ignore` reasons and `ignored.by`, config values, scan errors, file paths
 * from the pull request. Untrusted text reaches the output only through the primitives of ./inert.ts:
 *
 * - Titles and messages are parsed the way CommonMark does into prose and code spans (a backtick run of
 *   length n closes only with a run of exactly n). Code spans are re-emitted with `code()`: a fence longer
 *   than any backtick run inside, CR/CRLF/LF as spaces. Prose is escaped so nothing in it is live: Markdown
 *   punctuation (`\ ` * _ [ ] < > # | ~ & $`) gets a backslash, so there are no links, images, raw HTML
 *   (`<img>`, `<details>`, `<!-- -->`), emphasis, headings, tables or math; words GitHub would turn into
 *   something live — URLs, `www.` hosts, domain-like words, e-mail addresses, `@mentions`/`@org/team`,
 *   `#123`/`GH-123` — are shown as code, where GitHub links and notifies nothing. The only structure kept is
 *   ours: paragraphs, `- ` bullet lines and `**bold**`.
 * - Closed fenced blocks inside a message are dropped, never passed through: diffs and file contents are rendered
 *   only from structured evidence (`{ path, diff }`) with `fenced()`, which turns CR and CRLF into LF *before*
 *   choosing a fence longer than any backtick run inside (a lone CR is a line break on GitHub).
 * - Everywhere, `<!--` and `-->` are broken with a zero-width space, so nobody can plant or close one of our
 *   hidden markers in the raw body; control and bidi characters are shown as U+FFFD.
 * - Table cells also escape `|`, inside code spans too.
 *
 * Plain-text outputs (Checks API annotations, SARIF `message.text`, JSON) keep the raw value, since they are
 * not Markdown; the terminal text format passes it through `plain()` (control characters made visible).
 *
 * LAYOUT: one section per module — the headline verdict in one line (its most severe finding), the decisive
 * evidence (that finding's message and the diff, once), and everything else folded in `<details>`.
 */
import type { Finding, Severity } from '../findings.js';
import type { RepoConfig } from '../config/repo.js';
import { activeFindings, conclusionOf, failingFindings, sortFindings, type ModuleRow, type ScanResult } from '../engine/result.js';
import { code, fenced, inline, inlineLine } from './inert.js';

export { code, fenced, inline, inlineLine, neutraliseMarkers, plain } from './inert.js';

const ICON: Record<Severity, string> = { critical: '🛑', high: '❌', medium: '🟠', low: '🟡', info: 'ℹ️' };
const IGNORED_ICON = '⚪';

/** `module@version`, or the module alone. */
export function moduleRef(f: Pick<Finding, 'module' | 'version'>): string {
  return f.version ? `${f.module}@${f.version}` : f.module;
}

/** `go.mod:12`, or the file alone. */
export function location(f: Pick<Finding, 'goModPath' | 'line'>): string {
  return f.line ? `${f.goModPath}:${f.line}` : f.goModPath;
}

/** What a finding is about: `module@version`, or its file when it is about no module (parse and config errors). */
function subjectOf(f: Pick<Finding, 'module' | 'version' | 'goModPath'>): string {
  return f.module ? moduleRef(f) : f.goModPath;
}

function iconOf(f: Finding): string {
  return f.ignored ? IGNORED_ICON : ICON[f.severity];
}

/** `critical `content-diverged``: severity and rule, as every headline names them. */
function verdictOf(f: Finding): string {
  return `${f.severity} \`${f.rule}\``;
}

function ignoredNote(f: Finding): string {
  return f.ignored ? `_Ignored by ${inlineLine(f.ignored.by)}: ${inlineLine(f.ignored.reason)}_` : '';
}

// ---------------------------------------------------------------------------------------------------
// Modules: the unit a reviewer reads

/** The findings about one module version in one go.mod (or about one file, for parse and config errors). */
export interface ModuleFindings {
  module: string;
  version: string | null;
  goModPath: string;
  line: number | null;
  /** Most severe first, ignored ones last; `findings[0]` is the headline. */
  findings: Finding[];
}

/** Groups findings by module, the modules ordered by their headline finding (most severe first). */
export function groupByModule(findings: readonly Finding[]): ModuleFindings[] {
  const groups = new Map<string, ModuleFindings>();
  for (const f of sortFindings(findings)) {
    const key = [f.goModPath, f.module, f.version ?? ''].join('\0');
    const g = groups.get(key);
    if (g) g.findings.push(f);
    else groups.set(key, { module: f.module, version: f.version, goModPath: f.goModPath, line: f.line, findings: [f] });
  }
  // sortFindings put each group's headline in order, and Map keeps first-insertion order.
  return [...groups.values()];
}

/** A file diff carried as structured evidence. */
export interface FileDiff {
  path: string;
  diff: string;
}

function isFileDiff(v: unknown): v is FileDiff {
  return typeof v === 'object' && v !== null && typeof (v as { path?: unknown }).path === 'string' && typeof (v as { diff?: unknown }).diff === 'string';
}

/** Diffs in a finding's evidence: arrays of `{ path, diff }` under any key, or a string under a `*diff` key. */
export function evidenceDiffs(evidence: Record<string, unknown>): FileDiff[] {
  const out: FileDiff[] = [];
  for (const [key, value] of Object.entries(evidence)) {
    if (Array.isArray(value) && value.length > 0 && value.every(isFileDiff)) out.push(...value);
    else if (typeof value === 'string' && /diff$/i.test(key) && value) out.push({ path: '', diff: value });
  }
  return out;
}

/** Distinct diffs of a module's findings, in finding order. */
function moduleDiffs(findings: readonly Finding[]): FileDiff[] {
  const seen = new Set<string>();
  const out: FileDiff[] = [];
  for (const f of findings) {
    for (const d of evidenceDiffs(f.evidence)) {
      const key = `${d.path}\0${d.diff}`;
      if (!seen.has(key) && seen.add(key)) out.push(d);
    }
  }
  return out;
}

const DIFF_LINES = 40;
const DIFF_CHARS = 4000;

/** One file's diff as a fenced block, cut to a readable size. */
export function renderDiff(d: FileDiff): string {
  let text = d.diff.replace(/\r\n?/g, '\n');
  const lines = text.split('\n');
  let cut = '';
  if (lines.length > DIFF_LINES) {
    text = lines.slice(0, DIFF_LINES).join('\n');
    cut = `${lines.length - DIFF_LINES} more lines`;
  }
  if (text.length > DIFF_CHARS) {
    text = text.slice(0, DIFF_CHARS);
    cut = 'cut';
  }
  const head = d.path ? `${code(d.path)}:\n\n` : '';
  const tail = cut ? `\n\n_Diff ${cut === 'cut' ? 'cut' : `cut: ${cut}`}; \`modwarden verify\` prints all of it._` : '';
  return `${head}${fenced(text, 'diff')}${tail}`;
}

// ---------------------------------------------------------------------------------------------------
// Evidence (folded)

const MAX_LIST = 20;
const MAX_EVIDENCE_CHARS = 3000;

/** Evidence keys the message already says (and diffs, shown as blocks): listed once, not twice. */
const SAID_ELSEWHERE = new Set(['reasons', 'verdict', 'verdicts']);

function scalar(v: unknown): string {
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  const s = typeof v === 'string' ? v : (JSON.stringify(v) ?? String(v));
  return code(s.length > 160 ? s.slice(0, 160) + '…' : s);
}

function listOf(values: unknown[]): string {
  const shown = values.slice(0, MAX_LIST).map(scalar).join(', ');
  return values.length > MAX_LIST ? `${shown} and ${values.length - MAX_LIST} more` : shown;
}

/** A finding's evidence as a short list (keys and values untrusted), diffs left out, capped. */
export function renderEvidence(evidence: Record<string, unknown>): string {
  const lines: string[] = [];
  for (const [key, value] of Object.entries(evidence)) {
    if (value === null || value === undefined || value === '' || SAID_ELSEWHERE.has(key)) continue;
    // Diffs are shown as blocks of their own.
    if (Array.isArray(value) && value.length > 0 && value.every(isFileDiff)) continue;
    if (typeof value === 'string' && /diff$/i.test(key)) continue;
    const k = inlineLine(key);
    if (Array.isArray(value)) {
      if (value.length) lines.push(`- ${k}: ${listOf(value)}`);
    } else if (typeof value === 'object') {
      const entries = Object.entries(value as Record<string, unknown>).filter(([, v]) => v !== null && v !== undefined && !(Array.isArray(v) && v.length === 0));
      if (entries.length === 0) continue;
      if (entries.every(([, v]) => Array.isArray(v))) {
        lines.push(`- ${k}:`);
        for (const [sub, v] of entries) lines.push(`  - ${inlineLine(sub)}: ${listOf(v as unknown[])}`);
      } else {
        lines.push(`- ${k}: ${entries.map(([sub, v]) => `${inlineLine(sub)} ${scalar(v)}`).join(', ')}`);
      }
    } else {
      lines.push(`- ${k}: ${scalar(value)}`);
    }
  }
  let text = lines.join('\n');
  if (text.length > MAX_EVIDENCE_CHARS) {
    const cut = text.lastIndexOf('\n', MAX_EVIDENCE_CHARS);
    text = text.slice(0, cut > 0 ? cut : MAX_EVIDENCE_CHARS) + '\n- … (evidence cut; `modwarden verify` prints all of it)';
  }
  return text;
}

// ---------------------------------------------------------------------------------------------------
// One module section

/** The headline line of a module: icon, what, where, and the headline finding's verdict. */
function sectionHeading(m: ModuleFindings, level: number): string {
  const head = m.findings[0]!;
  const where = m.module ? ` · ${code(location(head))}` : head.line ? ` · line ${head.line}` : '';
  return `${'#'.repeat(level)} ${iconOf(head)} ${code(subjectOf(head))}${where}`;
}

/** `**critical `rule`**: title`, the one line that says what is wrong. */
function findingLine(f: Finding): string {
  const ignored = f.ignored ? ' (ignored)' : '';
  return `**${verdictOf(f)}${ignored}**: ${inlineLine(f.title)}`;
}

/**
 * One module: the headline finding (what is wrong, its message, the diff once), then the other findings and
 * the evidence folded.
 */
export function renderModuleSection(m: ModuleFindings, options: { headingLevel?: number } = {}): string {
  const [head, ...rest] = m.findings as [Finding, ...Finding[]];
  const parts = [sectionHeading(m, options.headingLevel ?? 4), findingLine(head)];
  if (head.ignored) parts.push(ignoredNote(head));
  const diffs = moduleDiffs(m.findings);
  // Checks explain related verdicts with the same sentences (a moved tag and diverged content): say each once.
  const said = new Set<string>();
  const unsaid = (message: string) => {
    const fresh = inline(message)
      .split('\n\n')
      .filter((p) => p && !said.has(p));
    fresh.forEach((p) => said.add(p));
    return fresh.join('\n\n');
  };
  // An ignored module stays short: the reviewer already decided.
  const open = !head.ignored;
  const headMessage = unsaid(head.message);
  if (open && headMessage) parts.push(headMessage);
  if (open && diffs[0]) parts.push(renderDiff(diffs[0]));

  const folded: string[] = [];
  if (!open && headMessage) folded.push(headMessage);
  for (const f of rest) {
    folded.push(`${iconOf(f)} ${findingLine(f)}`);
    if (f.ignored) folded.push(ignoredNote(f));
    const message = unsaid(f.message);
    if (message) folded.push(message);
  }
  for (const d of open ? diffs.slice(1) : diffs) folded.push(renderDiff(d));
  const evidence = new Map<string, string[]>();
  for (const f of m.findings) {
    const ev = renderEvidence(f.evidence);
    if (ev) evidence.set(ev, [...(evidence.get(ev) ?? []), f.rule]);
  }
  for (const [ev, rules] of evidence) folded.push(`Evidence (${rules.map((r) => `\`${r}\``).join(', ')}):\n\n${ev}`);
  if (folded.length) {
    const more = rest.length ? `${rest.length} more finding${rest.length === 1 ? '' : 's'}: ${rest.map((f) => `${iconOf(f)} ${f.rule}`).join(', ')}; evidence` : 'Evidence';
    parts.push(`<details><summary>${more}</summary>\n\n${folded.join('\n\n')}\n\n</details>`);
  }
  return parts.join('\n\n');
}

/** One line per module, for modules past the sections a page can hold. */
export function renderModuleLine(m: ModuleFindings): string {
  const head = m.findings[0]!;
  const also = m.findings.length > 1 ? ` (+${m.findings.length - 1})` : '';
  return `- ${iconOf(head)} ${code(subjectOf(head))} ${code(location(head))}: ${findingLine(head)}${also}`;
}

// ---------------------------------------------------------------------------------------------------
// Short texts: review comments and the review body

const KEY_EVIDENCE_CHARS = 400;

/** The first paragraph of a message (outside code blocks), cut at a word boundary: the key evidence. */
export function keyEvidence(message: string): string {
  const paragraphs = message.replace(/\r\n?/g, '\n').split(/\n[ \t]*\n/);
  const first = paragraphs.find((p) => p.trim() !== '' && !/^ {0,3}(`{3,}|~{3,})/.test(p)) ?? '';
  if (first.length <= KEY_EVIDENCE_CHARS) return first.trim();
  const cut = first.lastIndexOf(' ', KEY_EVIDENCE_CHARS);
  return first.slice(0, cut > 0 ? cut : KEY_EVIDENCE_CHARS).trim() + ' …';
}

/** A URL we link to (the check run's, from GitHub's API), only when it is a plain https URL. */
export function safeUrl(url: string | null | undefined): string | null {
  return url && /^https:\/\/[A-Za-z0-9.-]+(:\d+)?\/[A-Za-z0-9/._~%-]*$/.test(url) ? url : null;
}

/**
 * The short text for one module's findings (inline review comments, the review body, SARIF-like one-offs):
 * what is wrong in one line, the key evidence, the other findings one line each, and a link to the check
 * run for the diff and the rest.
 */
export function renderShortModule(m: ModuleFindings, options: { checkRunUrl?: string | null } = {}): string {
  const [head, ...rest] = m.findings as [Finding, ...Finding[]];
  const parts = [`${iconOf(head)} ${findingLine(head)}`];
  const key = keyEvidence(head.message);
  if (key) parts.push(inline(key));
  if (rest.length) parts.push(rest.map((f) => `- ${iconOf(f)} ${findingLine(f)}`).join('\n'));
  const url = safeUrl(options.checkRunUrl);
  const hasDiff = moduleDiffs(m.findings).length > 0;
  const what = hasDiff ? 'The diff and the evidence are' : 'The evidence is';
  parts.push(url ? `[${what} in the check run.](${url})` : `${what} in the ModWarden check run.`);
  return parts.join('\n\n');
}

/** An inline review comment for the findings on one go.mod line. */
export function renderLineComment(findings: Finding[], options: { checkRunUrl?: string | null } = {}): string {
  return groupByModule(findings)
    .map((m) => renderShortModule(m, options))
    .join('\n\n---\n\n');
}

// ---------------------------------------------------------------------------------------------------
// The summary

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
  const v = (s: string | null) => (s ? inlineLine(s, { cell: true }) : '');
  const fetch = r.fetch && r.fetch !== `${r.module}@${r.to}` ? ` → ${code(r.fetch, { cell: true })}` : '';
  switch (r.kind) {
    case 'added':
      return `added ${v(r.to)}${fetch}`;
    case 'removed':
      return `removed ${v(r.from)}`;
    case 'upgraded':
    case 'downgraded':
      // Same version on both sides: only its go.sum lines changed.
      if (r.from === r.to) return `go.sum changed for ${v(r.to)}`;
      return `${r.kind} ${v(r.from)} → ${v(r.to)}${fetch}`;
    case 'replaced':
      return `replaced${fetch}`;
  }
}

const TABLE_ORDER: ModuleRow['verdict'][] = ['failing', 'warning', 'unverifiable', 'ignored', 'not-checked', 'ok', 'removed'];

function tableRow(r: ModuleRow): string {
  const rules = r.rules.length ? ` (${r.rules.join(', ')})` : '';
  const note = r.note ? ` — ${inlineLine(r.note, { cell: true })}` : '';
  return `| ${code(r.module, { cell: true })} | ${changeText(r)} | ${code(location({ goModPath: r.goModPath, line: r.line }), { cell: true })} | ${VERDICT_TEXT[r.verdict]}${rules}${note} |`;
}

/**
 * The table of changed modules with their verdicts. With more than `open` rows, the ones with nothing to
 * say (ok, removed, not checked) are folded; at most `max` rows in all, the rest counted.
 */
export function renderModulesTable(rows: readonly ModuleRow[], options: { open?: number; max?: number } = {}): string {
  if (rows.length === 0) return '_No requirement changed._';
  const max = options.max ?? 100;
  const open = options.open ?? 10;
  const sorted = [...rows].sort((a, b) => TABLE_ORDER.indexOf(a.verdict) - TABLE_ORDER.indexOf(b.verdict) || a.module.localeCompare(b.module)).slice(0, max);
  const header = ['| Module | Change | Where | Verdict |', '|---|---|---|---|'];
  const quiet = (r: ModuleRow) => r.verdict === 'ok' || r.verdict === 'removed' || r.verdict === 'not-checked';
  const shown = sorted.length > open ? sorted.filter((r) => !quiet(r)) : sorted;
  const folded = sorted.length > open ? sorted.filter(quiet) : [];
  const out: string[] = [];
  if (shown.length) out.push([...header, ...shown.map(tableRow)].join('\n'));
  if (folded.length) out.push(`<details><summary>${folded.length} more module${folded.length === 1 ? '' : 's'} with nothing to report</summary>\n\n${[...header, ...folded.map(tableRow)].join('\n')}\n\n</details>`);
  if (rows.length > max) out.push(`_…and ${rows.length - max} more modules._`);
  return out.join('\n\n');
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

/** Options of the summary. */
export interface SummaryOptions {
  /** Modules rendered as full sections; the others get one line each. Default 20. */
  maxSections?: number;
  /** A note appended at the end (e.g. how many annotations were left out). */
  footer?: string;
}

const MAX_MODULE_LINES = 100;

/** The check-run summary and the CLI's Markdown report. */
export function renderSummary(result: ScanResult, config: Pick<RepoConfig, 'failOn'>, options: SummaryOptions = {}): string {
  const parts = [`### ModWarden: ${renderHeadline(result, config)}`];
  if (result.errors.length) parts.push(result.errors.map((e) => `- ⚠️ ${inlineLine(e)}`).join('\n'));
  if (result.modules.length) parts.push(renderModulesTable(result.modules));
  const modules = groupByModule(result.findings);
  const maxSections = options.maxSections ?? 20;
  for (const m of modules.slice(0, maxSections)) parts.push(renderModuleSection(m));
  const more = modules.slice(maxSections);
  if (more.length) {
    const lines = more.slice(0, MAX_MODULE_LINES).map(renderModuleLine);
    if (more.length > MAX_MODULE_LINES) lines.push(`- …and ${more.length - MAX_MODULE_LINES} more`);
    parts.push(`${more.length} more module${more.length === 1 ? '' : 's'} with findings:\n\n${lines.join('\n')}`);
  }
  if (result.skippedFiles.length) parts.push(`_Skipped by config: ${result.skippedFiles.map((p) => code(p)).join(', ')}._`);
  if (options.footer) parts.push(options.footer);
  return parts.join('\n\n');
}

/** Renders a scan as Markdown for the CLI: the check-run summary's text, every module as a section. */
export function renderMarkdown(result: ScanResult, config: Pick<RepoConfig, 'failOn'>): string {
  return renderSummary(result, config, { maxSections: 1000 }) + '\n';
}

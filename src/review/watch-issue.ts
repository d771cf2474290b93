/**
 * The body of the one "ModWarden: dependency watch" issue per repository: what changed since the last run,
 * then what is still open, rendered by the same Markdown renderer as the check run. A hidden marker
 * identifies the issue, so it is found and updated in place, never opened twice.
 */
import type { RepoConfig } from '../config/repo.js';
import type { FindingDelta } from '../engine/audit-changes.js';
import { activeFindings, type ScanResult } from '../engine/result.js';
import type { Finding } from '../findings.js';
import { code, inlineLine, moduleRef, renderSummary } from '../report/markdown.js';
import { truncateChars } from './checkrun.js';

/** Hidden marker of the watch issue (never changes: it is how the issue is found again). */
export const WATCH_MARKER = '<!-- modwarden:watch -->';

/** GitHub refuses issue bodies over 65,536 characters. */
const MAX_BODY_CHARS = 60_000;
/** Change lines listed before the rest are counted. */
const MAX_CHANGE_LINES = 50;

function changeLine(mark: string, f: Finding): string {
  const what = f.module ? code(moduleRef(f)) : code(f.goModPath);
  return `- ${mark} **${f.severity}** \`${f.rule}\` ${what} in ${code(f.goModPath)}: ${inlineLine(f.title)}${f.ignored ? ' _(ignored)_' : ''}`;
}

/** The "since the last run" list (empty string when nothing changed or this is the first run). */
export function renderChanges(delta: FindingDelta | null): string {
  if (!delta) return '';
  const lines = [
    ...delta.added.map((f) => changeLine('🆕 new:', f)),
    ...delta.changed.map((c) => changeLine(`✏️ changed (was ${c.before.severity}${c.before.ignored ? ', ignored' : ''}):`, c.after)),
    ...delta.resolved.map((f) => changeLine('✅ resolved:', f)),
  ];
  if (lines.length === 0) return '';
  const shown = lines.slice(0, MAX_CHANGE_LINES);
  if (lines.length > shown.length) shown.push(`- …and ${lines.length - shown.length} more`);
  return shown.join('\n');
}

/** What the issue says about the repository's default branch today. */
export interface WatchIssueInput {
  branch: string;
  headSha: string;
  checkedAt: Date;
  result: ScanResult;
  config: Pick<RepoConfig, 'failOn'>;
  /** Changes since the previous run (null on the first one). */
  delta: FindingDelta | null;
}

/** The issue body. */
export function renderWatchIssue(input: WatchIssueInput): string {
  const { result } = input;
  const open = activeFindings(result.findings).length;
  const when = input.checkedAt.toISOString().replace(/\.\d+Z$/, 'Z');
  const parts = [
    WATCH_MARKER,
    `ModWarden re-checks every module version that the default branch ${code(input.branch)} pins (every go.mod and go.sum, sub-modules included): ` +
      'look-alike module paths, and whether the module proxy still serves what the origin repository holds.',
    `Last checked: ${code(input.headSha.slice(0, 12))} at ${when}.${open === 0 ? ' **Everything is clean again**; this issue is closed until something changes.' : ''}`,
  ];
  const changes = renderChanges(input.delta);
  if (changes) parts.push(`### Since the last run\n\n${changes}`);
  parts.push(`### Still open\n\n${renderSummary(result, input.config, { maxSections: 10 })}`);
  parts.push(
    '---\nComment `/ignore <module>@<version> <reason>` here (write access) to accept a finding: it stays listed as ignored. ' +
      '`/rescan` re-checks now. Permanent exceptions, the severity that opens this issue (`watch.openIssueAt`) and opting out ' +
      '(`watch: false`) go in `.github/modwarden.yml`.',
  );
  return truncateChars(parts.join('\n\n'), MAX_BODY_CHARS);
}

/** The body left in the issue when the repository opts out (`watch: false`); the issue is closed with it. */
export function renderOptedOut(): string {
  return `${WATCH_MARKER}\n\nModWarden no longer watches this repository's dependencies: \`.github/modwarden.yml\` says \`watch: false\`. Remove it to turn the watch back on.`;
}

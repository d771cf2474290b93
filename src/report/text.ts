/** Plain-text report for terminals: one line per finding, then a verdict line. */
import type { RepoConfig } from '../config/repo.js';
import { conclusionOf, sortFindings, type ScanResult } from '../engine/result.js';
import { plain } from './inert.js';
import { location, moduleRef, renderHeadline } from './markdown.js';

/**
 * Renders a scan as plain text (no Markdown, no colour). Values keep their text, but control characters
 * (terminal escapes included) are shown as U+FFFD and line breaks as spaces: one finding, one line.
 */
export function renderText(result: ScanResult, config: Pick<RepoConfig, 'failOn'>): string {
  const lines: string[] = [];
  for (const e of result.errors) lines.push(`error: ${plain(e)}`);
  for (const f of sortFindings(result.findings)) {
    const ignored = f.ignored ? ` [ignored by ${plain(f.ignored.by)}: ${plain(f.ignored.reason)}]` : '';
    lines.push(plain(`${location(f)}: ${f.severity} ${f.rule}: ${moduleRef(f)}: ${f.title}`) + ignored);
  }
  const changed = result.modules.filter((m) => m.kind !== 'removed').length;
  lines.push(`${conclusionOf(result, config.failOn)}: ${plainHeadline(renderHeadline(result, config))} (${changed} module${changed === 1 ? '' : 's'} checked in ${result.scannedFiles.length} file${result.scannedFiles.length === 1 ? '' : 's'})`);
  return lines.join('\n') + '\n';
}

function plainHeadline(md: string): string {
  return md.replace(/`/g, '');
}

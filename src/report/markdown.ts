/** Markdown report for the CLI: the very renderer the app uses for its check-run summary. */
import type { RepoConfig } from '../config.js';
import type { ScanResult } from '../scan-types.js';
import { renderSummary } from '../review/markdown.js';

/** Renders a scan as Markdown (same text as the check-run summary). */
export function renderMarkdown(result: ScanResult, config: Pick<RepoConfig, 'failOn'>): string {
  return renderSummary(result, config, { maxFindings: 1000 }) + '\n';
}

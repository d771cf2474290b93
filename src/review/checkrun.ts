/**
 * Check-run output: conclusion from the threshold, a title, the Markdown summary, and annotations on
 * the exact go.mod lines — at most 50 per request, as the Checks API requires, within its size limits.
 */
import { atOrAbove, type Finding } from '../findings.js';
import type { RepoConfig } from '../config/repo.js';
import { activeFindings, conclusionOf, failingFindings, sortFindings, type Conclusion, type ScanResult } from '../engine/result.js';
import { moduleRef, renderEvidence, renderHeadline, renderSummary } from '../report/markdown.js';

/** Limits of the Checks API (docs: "Update a check run"). */
export const CHECKS_LIMITS = {
  annotationsPerRequest: 50,
  summaryChars: 65535,
  textChars: 65535,
  titleChars: 255,
  annotationMessageBytes: 64 * 1024,
  annotationTitleChars: 255,
  annotationRawDetailsBytes: 64 * 1024,
} as const;

/** One annotation as the Checks API takes it. */
export interface Annotation {
  path: string;
  start_line: number;
  end_line: number;
  annotation_level: 'notice' | 'warning' | 'failure';
  title: string;
  message: string;
  raw_details?: string;
}

/** Everything the final check-run update needs. */
export interface CheckRunOutput {
  conclusion: Conclusion;
  title: string;
  summary: string;
  annotations: Annotation[];
}

/** Cuts text to `max` characters, ending with a note saying so. */
export function truncateChars(text: string, max: number, note = '\n\n… (cut to fit GitHub’s size limit)'): string {
  if (text.length <= max) return text;
  return text.slice(0, Math.max(0, max - note.length)) + note;
}

/** Cuts text to `max` UTF-8 bytes (never splitting a character), ending with a note. */
export function truncateBytes(text: string, max: number, note = '\n… (cut)'): string {
  if (Buffer.byteLength(text, 'utf8') <= max) return text;
  const budget = max - Buffer.byteLength(note, 'utf8');
  let out = '';
  let used = 0;
  for (const ch of text) {
    const b = Buffer.byteLength(ch, 'utf8');
    if (used + b > budget) break;
    out += ch;
    used += b;
  }
  return out + note;
}

function annotationOf(f: Finding, config: Pick<RepoConfig, 'failOn'>): Annotation | null {
  if (f.line === null) return null;
  const level: Annotation['annotation_level'] = f.ignored
    ? 'notice'
    : atOrAbove(f.severity, config.failOn)
      ? 'failure'
      : f.severity === 'info'
        ? 'notice'
        : 'warning';
  const ignored = f.ignored ? ` (ignored by ${f.ignored.by}: ${f.ignored.reason})` : '';
  const message = `${f.title}${ignored}\n\n${f.message}`;
  const details = renderEvidence(f.evidence);
  const a: Annotation = {
    path: f.goModPath,
    start_line: f.line,
    end_line: f.line,
    annotation_level: level,
    title: truncateChars(`${f.severity} ${f.rule}: ${moduleRef(f)}`, CHECKS_LIMITS.annotationTitleChars, '…'),
    message: truncateBytes(message, CHECKS_LIMITS.annotationMessageBytes),
  };
  if (details) a.raw_details = truncateBytes(details, CHECKS_LIMITS.annotationRawDetailsBytes);
  return a;
}

/** Builds the conclusion, title, summary and annotations of a finished scan. */
export function buildCheckRunOutput(result: ScanResult, config: Pick<RepoConfig, 'failOn'>): CheckRunOutput {
  const conclusion = conclusionOf(result, config.failOn);
  const failing = failingFindings(result.findings, config.failOn).length;
  const active = activeFindings(result.findings).length;
  let title: string;
  if (result.errors.length) title = 'Scan failed: ' + result.errors[0];
  else if (conclusion === 'failure') title = `${failing} finding${failing === 1 ? '' : 's'} at or above ${config.failOn}`;
  else if (conclusion === 'neutral') title = `${active} finding${active === 1 ? '' : 's'} below ${config.failOn}`;
  else title = renderHeadline(result, config).replace(/`/g, '').replace(/\.$/, '');
  const annotations = sortFindings(result.findings)
    .map((f) => annotationOf(f, config))
    .filter((a): a is Annotation => a !== null);
  let summary = renderSummary(result, config);
  // Long summaries drop per-finding details first (the annotations carry them), then get cut.
  if (summary.length > CHECKS_LIMITS.summaryChars) summary = renderSummary(result, config, { maxFindings: 10 });
  summary = truncateChars(summary, CHECKS_LIMITS.summaryChars);
  return { conclusion, title: truncateChars(title, CHECKS_LIMITS.titleChars, '…'), summary, annotations };
}

/** Splits annotations into batches of at most `size` (50, the Checks API maximum per request). */
export function batchAnnotations<T>(annotations: readonly T[], size: number = CHECKS_LIMITS.annotationsPerRequest): T[][] {
  const batches: T[][] = [];
  for (let i = 0; i < annotations.length; i += size) batches.push(annotations.slice(i, i + size));
  return batches.length ? batches : [[]];
}

/** The PATCH bodies that finish a check run: all but the last add annotations, the last completes it. */
export function checkRunUpdates(output: CheckRunOutput, completedAt = new Date()): Record<string, unknown>[] {
  const batches = batchAnnotations(output.annotations);
  return batches.map((batch, i) => {
    const last = i === batches.length - 1;
    const body: Record<string, unknown> = {
      output: { title: output.title, summary: output.summary, ...(batch.length ? { annotations: batch } : {}) },
    };
    if (last) Object.assign(body, { status: 'completed', conclusion: output.conclusion, completed_at: completedAt.toISOString() });
    return body;
  });
}

/** Output of a check run whose scan broke: a failure that says why and what to do. */
export function brokenScanOutput(message: string): CheckRunOutput {
  const summary = truncateChars(
    `### ModWarden could not finish the scan\n\n${message}\n\nThe check fails so an unreviewed change cannot slip through. Comment \`/rescan\` on the pull request to try again.`,
    CHECKS_LIMITS.summaryChars,
  );
  return { conclusion: 'failure', title: truncateChars(`Scan failed: ${message.split('\n')[0]}`, CHECKS_LIMITS.titleChars, '…'), summary, annotations: [] };
}

/**
 * Check-run output: conclusion from the threshold, a title, the Markdown summary, and annotations on
 * the exact go.mod lines — at most 50, the most severe, sent with the completing request, within the
 * Checks API's size limits.
 */
import { atOrAbove, type Finding } from '../findings.js';
import type { RepoConfig } from '../config/repo.js';
import { activeFindings, conclusionOf, failingFindings, sortFindings, type Conclusion, type ScanResult } from '../engine/result.js';
import { evidenceDiffs, inline, moduleRef, plain, renderHeadline, renderSummary } from '../report/markdown.js';

/** Limits of the Checks API (docs: "Update a check run"). */
export const CHECKS_LIMITS = {
  annotationsPerRequest: 50,
  /**
   * Annotations per check run. GitHub accepts more (50 per request) but nobody reads hundreds: 50 keep the
   * whole output in one request, and the summary lists every module anyway.
   */
  annotationsPerRun: 50,
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
  const bytes = Buffer.from(text, 'utf8');
  if (bytes.length <= max) return text;
  let end = Math.max(0, max - Buffer.byteLength(note, 'utf8'));
  // Back off to the start of a character: continuation bytes are 10xxxxxx.
  while (end > 0 && (bytes[end]! & 0xc0) === 0x80) end--;
  return bytes.subarray(0, end).toString('utf8') + note;
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
  // Annotations are plain text (not Markdown): the raw words, as in SARIF and JSON.
  const ignored = f.ignored ? ` (ignored by ${f.ignored.by}: ${f.ignored.reason})` : '';
  const message = f.message ? `${f.title}${ignored}\n\n${f.message}` : `${f.title}${ignored}`;
  const details = plainEvidence(f.evidence);
  const a: Annotation = {
    path: f.goModPath,
    start_line: f.line,
    end_line: f.line,
    annotation_level: level,
    title: truncateChars(`${f.severity} ${f.rule}: ${f.module ? moduleRef(f) : f.goModPath}`, CHECKS_LIMITS.annotationTitleChars, '…'),
    message: truncateBytes(message, CHECKS_LIMITS.annotationMessageBytes),
  };
  if (details) a.raw_details = truncateBytes(details, CHECKS_LIMITS.annotationRawDetailsBytes);
  return a;
}

/** Evidence as plain text for `raw_details`: one `key: value` line each (JSON values), then the diffs. */
function plainEvidence(evidence: Record<string, unknown>): string {
  const diffs = evidenceDiffs(evidence);
  const lines: string[] = [];
  for (const [key, value] of Object.entries(evidence)) {
    if (value === null || value === undefined || value === '' || key === 'reasons') continue;
    if ((typeof value === 'string' && /diff$/i.test(key)) || (Array.isArray(value) && value.length > 0 && value.every((v) => diffs.includes(v)))) continue;
    lines.push(`${key}: ${typeof value === 'string' ? value : JSON.stringify(value)}`);
  }
  return [lines.join('\n'), ...diffs.map((d) => d.diff)].filter(Boolean).join('\n\n');
}

/** Builds the conclusion, title, summary and annotations of a finished scan. */
export function buildCheckRunOutput(result: ScanResult, config: Pick<RepoConfig, 'failOn'>): CheckRunOutput {
  const conclusion = conclusionOf(result, config.failOn);
  const failing = failingFindings(result.findings, config.failOn).length;
  const active = activeFindings(result.findings).length;
  let title: string;
  if (result.errors.length) title = 'Scan failed: ' + plain(result.errors[0]!);
  else if (conclusion === 'failure') title = `${failing} finding${failing === 1 ? '' : 's'} at or above ${config.failOn}`;
  else if (conclusion === 'neutral') title = `${active} finding${active === 1 ? '' : 's'} below ${config.failOn}`;
  else title = renderHeadline(result, config).replace(/`/g, '').replace(/\.$/, '');
  const all = sortFindings(result.findings)
    .map((f) => annotationOf(f, config))
    .filter((a): a is Annotation => a !== null);
  const annotations = all.slice(0, CHECKS_LIMITS.annotationsPerRun);
  const left = all.length - annotations.length;
  const footer = left
    ? `_${left} more finding${left === 1 ? ' has' : 's have'} no annotation on the diff: a check run shows at most ${CHECKS_LIMITS.annotationsPerRun}, the most severe first. Every module is listed above._`
    : undefined;
  let summary = renderSummary(result, config, { footer });
  // Long summaries show fewer modules as full sections (the others get one line each), then get cut.
  if (summary.length > CHECKS_LIMITS.summaryChars) summary = renderSummary(result, config, { footer, maxSections: 5 });
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
    `### ModWarden could not finish the scan\n\n${inline(message)}\n\nThe check fails so an unreviewed change cannot slip through. Comment \`/rescan\` on the pull request to try again.`,
    CHECKS_LIMITS.summaryChars,
  );
  return { conclusion: 'failure', title: truncateChars(`Scan failed: ${plain(message.split(/\r\n?|\n/)[0] ?? '')}`, CHECKS_LIMITS.titleChars, '…'), summary, annotations: [] };
}

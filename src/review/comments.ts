/**
 * Pull-request review output: inline comments on go.mod lines that are in the PR diff (right side),
 * everything else in the review body, and hidden markers so a rescan never repeats a comment.
 */
import type { Finding } from '../findings.js';
import { activeFindings, sortFindings } from '../engine/result.js';
import { findingFingerprint } from '../report/fingerprint.js';
import { code, groupByModule, location, moduleRef, renderLineComment, renderModuleLine, renderShortModule, safeUrl } from '../report/markdown.js';

/** A file of a pull request as `GET /repos/{owner}/{repo}/pulls/{n}/files` returns it. */
export interface PullFile {
  filename: string;
  status?: string;
  /** Unified diff hunks; absent for binary or very large diffs. */
  patch?: string;
  /** The old path of a renamed file. */
  previous_filename?: string;
}

/** One inline comment for `POST /repos/{owner}/{repo}/pulls/{n}/reviews`. */
export interface ReviewComment {
  path: string;
  line: number;
  side: 'RIGHT';
  body: string;
}

/** A review ready to post, or nothing to say. */
export interface ReviewPlan {
  commit_id: string;
  event: 'COMMENT';
  body: string;
  comments: ReviewComment[];
  /** Fingerprints of every finding this review reports. */
  fingerprints: string[];
}

/** Inline comments per review; findings on further lines are listed in the review body. */
export const MAX_INLINE_COMMENTS = 25;

const HUNK = /^@@ -\d+(?:,\d+)? \+(\d+)(?:,\d+)? @@/;

/**
 * Lines of the new file that a review comment can point at with `side: RIGHT`: added lines and
 * context lines inside the hunks of `patch`. Removed lines exist only on the left side.
 */
export function rightSideLines(patch: string | undefined | null): Set<number> {
  const lines = new Set<number>();
  if (!patch) return lines;
  let right = 0;
  let inHunk = false;
  for (const raw of patch.split('\n')) {
    const line = raw.replace(/\r$/, '');
    const m = HUNK.exec(line);
    if (m) {
      right = Number(m[1]);
      inHunk = true;
      continue;
    }
    if (!inHunk) continue;
    const c = line[0];
    if (c === '+' || c === ' ') lines.add(right++);
    else if (c === '-' || c === '\\') continue; // removed line, or "\ No newline at end of file"
    else if (line === '') lines.add(right++); // some tools strip the space of an empty context line
  }
  return lines;
}

const FP_MARKER = /<!-- modwarden:fp=([0-9a-f,]+) -->/g;

/** The hidden marker that carries fingerprints in a comment or review body. */
export function fingerprintMarker(fingerprints: readonly string[]): string {
  return `<!-- modwarden:fp=${[...fingerprints].sort().join(',')} -->`;
}

/** Fingerprints found in hidden markers of earlier comments and review bodies (ours only: callers filter authors). */
export function postedFingerprints(bodies: readonly (string | null | undefined)[]): Set<string> {
  const out = new Set<string>();
  for (const body of bodies) {
    if (!body) continue;
    for (const m of body.matchAll(FP_MARKER)) for (const fp of m[1]!.split(',')) if (fp) out.add(fp);
  }
  return out;
}

/** Findings worth a review comment: not ignored, above `info`. Info stays in the check run. */
export function reviewableFindings(findings: readonly Finding[]): Finding[] {
  return sortFindings(activeFindings(findings).filter((f) => f.severity !== 'info'));
}

/**
 * Plans one review for a head commit: findings on lines in the diff become inline comments, the rest
 * go in the body; findings already posted (same fingerprint, any earlier commit) are left out, so a
 * rescan or a new commit with the same findings posts nothing. Returns null when there is nothing new.
 */
export function planReview(input: {
  findings: readonly Finding[];
  files: readonly PullFile[];
  headSha: string;
  posted: ReadonlySet<string>;
  checkRunUrl?: string | null;
}): ReviewPlan | null {
  const fresh = reviewableFindings(input.findings).filter((f) => !input.posted.has(findingFingerprint(f)));
  if (fresh.length === 0) return null;
  const commentable = new Map<string, Set<number>>();
  for (const file of input.files) commentable.set(file.filename, rightSideLines(file.patch));
  const byLine = new Map<string, Finding[]>();
  const outside: Finding[] = [];
  for (const f of fresh) {
    if (f.line !== null && commentable.get(f.goModPath)?.has(f.line)) {
      const key = `${f.goModPath}\0${f.line}`;
      const group = byLine.get(key);
      if (group) group.push(f);
      else byLine.set(key, [f]);
    } else {
      outside.push(f);
    }
  }
  // A review with hundreds of inline comments is a flood: the most severe lines get one, the rest go in the body.
  const lines = [...byLine.values()];
  for (const group of lines.slice(MAX_INLINE_COMMENTS)) outside.push(...group);
  const comments: ReviewComment[] = lines.slice(0, MAX_INLINE_COMMENTS).map((group) => ({
    path: group[0]!.goModPath,
    line: group[0]!.line!,
    side: 'RIGHT',
    body: `${renderLineComment(group, { checkRunUrl: input.checkRunUrl })}\n\n${fingerprintMarker(group.map(findingFingerprint))}`,
  }));
  const fingerprints = fresh.map(findingFingerprint);
  const n = fresh.length;
  const modules = groupByModule(fresh).length;
  const parts = [`**ModWarden** found ${n} problem${n === 1 ? '' : 's'} in ${modules} module${modules === 1 ? '' : 's'} with the Go dependencies in this change.`];
  if (comments.length) parts.push(`See the comment${comments.length === 1 ? '' : 's'} on ${comments.map((c) => code(`${c.path}:${c.line}`)).join(', ')}.`);
  if (outside.length) {
    const modules = groupByModule(outside);
    parts.push(lines.length > MAX_INLINE_COMMENTS ? `On lines outside the diff, or past the first ${MAX_INLINE_COMMENTS} comments:` : 'On lines outside the diff:');
    // Short texts for the first few modules, one line each after that: the check run has everything.
    parts.push(modules.slice(0, 10).map((m) => renderShortModule(m, { checkRunUrl: input.checkRunUrl })).join('\n\n---\n\n'));
    if (modules.length > 10) parts.push(modules.slice(10).map(renderModuleLine).join('\n'));
  } else if (safeUrl(input.checkRunUrl)) {
    parts.push(`[Full report in the check run](${safeUrl(input.checkRunUrl)})`);
  }
  parts.push(`<sub>Allow a finding with \`/ignore <module>@<version> <reason>\` (write access) or in \`.github/modwarden.yml\`.</sub>`);
  // Every fingerprint goes in the body marker, so listing reviews alone is enough to de-dup.
  parts.push(`<!-- modwarden:review head=${input.headSha} -->\n${fingerprintMarker(fingerprints)}`);
  return { commit_id: input.headSha, event: 'COMMENT', body: parts.join('\n\n'), comments, fingerprints };
}

/** A one-line description of a finding for logs and replies. */
export function describeFinding(f: Finding): string {
  return `${location(f)} ${f.rule} ${moduleRef(f)}`;
}

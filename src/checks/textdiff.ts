/**
 * A short unified diff of two small text files, so a reviewer can see the lines the proxy serves that the
 * origin does not (the backdoor). Pure; meant for files of a few thousand lines at most.
 */

/** Options of {@link unifiedDiff}. */
export interface DiffOptions {
  /** Lines of context around each change (default 3, like `diff -u`). */
  context?: number;
  /** Most output lines before the diff is cut with a `... (N more lines)` marker (default 200). */
  maxLines?: number;
  /** Refuse to diff when `lines(a) * lines(b)` exceeds this (the LCS table's size). Default 4 000 000. */
  maxCells?: number;
}

type Op = { kind: ' ' | '-' | '+'; text: string };

/** Splits text into lines, keeping track of a missing final newline as `diff` does. */
function splitLines(text: string): { lines: string[]; noFinalNewline: boolean } {
  if (text === '') return { lines: [], noFinalNewline: false };
  const noFinalNewline = !text.endsWith('\n');
  const lines = (noFinalNewline ? text : text.slice(0, -1)).split('\n');
  return { lines, noFinalNewline };
}

/**
 * Returns a unified diff (`--- a` / `+++ b` / `@@` hunks) from `oldText` to `newText`, '' when they are
 * equal, or null when the files are too large to diff within `maxCells`.
 */
export function unifiedDiff(oldName: string, newName: string, oldText: string, newText: string, options: DiffOptions = {}): string | null {
  if (oldText === newText) return '';
  const context = options.context ?? 3;
  const maxLines = options.maxLines ?? 200;
  const a = splitLines(oldText);
  const b = splitLines(newText);
  // A last line without its newline differs from the same text with one (diff -u shows that change too).
  const NO_NL = '\u0000';
  const keysA = a.noFinalNewline ? [...a.lines.slice(0, -1), a.lines.at(-1) + NO_NL] : a.lines;
  const keysB = b.noFinalNewline ? [...b.lines.slice(0, -1), b.lines.at(-1) + NO_NL] : b.lines;
  const ops = diffLines(keysA, keysB, options.maxCells ?? 4_000_000);
  if (ops === null) return null;
  for (const op of ops) if (op.text.endsWith(NO_NL)) op.text = op.text.slice(0, -1);
  const out: string[] = [`--- ${oldName}`, `+++ ${newName}`];
  for (const hunk of hunks(ops, context)) {
    out.push(hunk.header);
    for (const op of hunk.ops) {
      out.push(op.kind + op.text);
      // Like diff -u, flag the last line of a side that has no final newline.
      const isLastOld = op.kind !== '+' && op.oldLine === a.lines.length && a.noFinalNewline;
      const isLastNew = op.kind !== '-' && op.newLine === b.lines.length && b.noFinalNewline;
      if ((op.kind === '-' && isLastOld) || (op.kind === '+' && isLastNew) || (op.kind === ' ' && (isLastOld || isLastNew))) {
        out.push('\\ No newline at end of file');
      }
    }
  }
  if (out.length > maxLines) {
    const more = out.length - maxLines;
    return [...out.slice(0, maxLines), `... (${more} more lines)`].join('\n') + '\n';
  }
  return out.join('\n') + '\n';
}

/** Edit script from a to b by longest common subsequence (after trimming the common head and tail). */
function diffLines(a: string[], b: string[], maxCells: number): Op[] | null {
  let head = 0;
  while (head < a.length && head < b.length && a[head] === b[head]) head++;
  let tail = 0;
  while (tail < a.length - head && tail < b.length - head && a[a.length - 1 - tail] === b[b.length - 1 - tail]) tail++;
  const am = a.slice(head, a.length - tail);
  const bm = b.slice(head, b.length - tail);
  const n = am.length;
  const m = bm.length;
  if ((n + 1) * (m + 1) > maxCells) return null;
  // lcs[i][j] = LCS length of am[i..] and bm[j..], stored row-major in one typed array.
  const w = m + 1;
  const lcs = new Uint32Array((n + 1) * w);
  for (let i = n - 1; i >= 0; i--) {
    for (let j = m - 1; j >= 0; j--) {
      lcs[i * w + j] = am[i] === bm[j] ? lcs[(i + 1) * w + j + 1] + 1 : Math.max(lcs[(i + 1) * w + j], lcs[i * w + j + 1]);
    }
  }
  const ops: Op[] = a.slice(0, head).map((text) => ({ kind: ' ', text }));
  let i = 0;
  let j = 0;
  while (i < n || j < m) {
    if (i < n && j < m && am[i] === bm[j]) {
      ops.push({ kind: ' ', text: am[i] });
      i++;
      j++;
    } else if (j < m && (i === n || lcs[i * w + j + 1] >= lcs[(i + 1) * w + j])) {
      // Prefer deletions before insertions within a change block, like diff -u.
      if (i < n && lcs[(i + 1) * w + j] === lcs[i * w + j + 1]) {
        ops.push({ kind: '-', text: am[i] });
        i++;
      } else {
        ops.push({ kind: '+', text: bm[j] });
        j++;
      }
    } else {
      ops.push({ kind: '-', text: am[i] });
      i++;
    }
  }
  for (const text of a.slice(a.length - tail)) ops.push({ kind: ' ', text });
  return ops;
}

interface NumberedOp extends Op {
  oldLine: number;
  newLine: number;
}

/** Groups the edit script into hunks with `context` lines around changes and `@@ -l,s +l,s @@` headers. */
function hunks(ops: Op[], context: number): { header: string; ops: NumberedOp[] }[] {
  const numbered: NumberedOp[] = [];
  let oldLine = 0;
  let newLine = 0;
  for (const op of ops) {
    if (op.kind !== '+') oldLine++;
    if (op.kind !== '-') newLine++;
    numbered.push({ ...op, oldLine, newLine });
  }
  const changed = numbered.map((op, k) => (op.kind !== ' ' ? k : -1)).filter((k) => k >= 0);
  const result: { header: string; ops: NumberedOp[] }[] = [];
  let start = -1;
  let end = -1;
  const flush = () => {
    if (start < 0) return;
    const slice = numbered.slice(start, end + 1);
    const oldCount = slice.filter((op) => op.kind !== '+').length;
    const newCount = slice.filter((op) => op.kind !== '-').length;
    // Line numbers count from 1; an empty side names the line before the hunk (0 at the top).
    // oldLine/newLine count the lines consumed up to and including each op, so an op that does not consume
    // a side sits just after that side's line `oldLine`.
    const first = slice[0];
    const oldFrom = oldCount > 0 && first.kind === '+' ? first.oldLine + 1 : first.oldLine;
    const newFrom = newCount > 0 && first.kind === '-' ? first.newLine + 1 : first.newLine;
    result.push({ header: `@@ -${range(oldFrom, oldCount)} +${range(newFrom, newCount)} @@`, ops: slice });
  };
  for (const k of changed) {
    const from = Math.max(0, k - context);
    const to = Math.min(numbered.length - 1, k + context);
    if (start >= 0 && from <= end + 1) {
      end = Math.max(end, to);
    } else {
      flush();
      start = from;
      end = to;
    }
  }
  flush();
  return result;
}

function range(startLine: number, count: number): string {
  return count === 1 ? `${startLine}` : `${startLine},${count}`;
}

/** True when bytes look like text worth diffing: no NUL byte and valid UTF-8. */
export function isProbablyText(bytes: Uint8Array): boolean {
  if (bytes.includes(0)) return false;
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(bytes);
    return true;
  } catch {
    return false;
  }
}

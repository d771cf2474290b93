/**
 * A short unified diff of two small text files, so a reviewer can see the lines the proxy serves that the
 * origin does not (the backdoor). Pure. The `diff` package does the work; its edit length is bounded so a
 * hostile pair of files cannot make it quadratic.
 */
import { FILE_HEADERS_ONLY, formatPatch, structuredPatch } from 'diff';

/** Options of {@link unifiedDiff}. */
export interface DiffOptions {
  /** Lines of context around each change (default 3, like `diff -u`). */
  context?: number;
  /** Most output lines before the diff is cut with a `... (N more lines)` marker (default 200). */
  maxLines?: number;
  /**
   * Most changed lines the diff algorithm may look for when both sides have text (default 1000); past it
   * the diff is refused (null). A whole file added or removed costs only its length and is always shown.
   */
  maxEditLength?: number;
}

/**
 * Returns a unified diff (`--- a` / `+++ b` / `@@` hunks) from `oldText` to `newText`, '' when they are
 * equal, or null when they differ in more lines than `maxEditLength` allows.
 */
export function unifiedDiff(oldName: string, newName: string, oldText: string, newText: string, options: DiffOptions = {}): string | null {
  if (oldText === newText) return '';
  const context = options.context ?? 3;
  const maxLines = options.maxLines ?? 200;
  // One empty side: the edit is the other side, found in linear time, so no bound is needed.
  const oneSided = oldText === '' || newText === '';
  const patch = oneSided
    ? structuredPatch(oldName, newName, oldText, newText, undefined, undefined, { context })
    : structuredPatch(oldName, newName, oldText, newText, undefined, undefined, { context, maxEditLength: options.maxEditLength ?? 1000 });
  if (patch === undefined) return null;
  const out = formatPatch(patch, FILE_HEADERS_ONLY).replace(/\n$/, '').split('\n');
  if (out.length > maxLines) {
    const more = out.length - maxLines;
    return [...out.slice(0, maxLines), `... (${more} more lines)`].join('\n') + '\n';
  }
  return out.join('\n') + '\n';
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

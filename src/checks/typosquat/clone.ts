/**
 * Near-copy comparison: is a suspect module a copy of its target with a few files changed? This is the
 * strongest typosquat evidence there is ("looks like" becomes "is a modified copy of"). Pure except for
 * `compareWithTarget`, which takes the file-fetching function (proxy + zip reader) from the caller.
 */
import type { ModuleVersion } from '../../gomod/types.js';

/** A file of a module as the zip reader returns it: path relative to the module root, size, SHA-256. */
export interface FileDigest {
  path: string;
  size: number;
  sha256: string;
  /** For Go source files whose content was read: the import paths and whether it declares `func init()`. */
  go?: GoFileFacts;
}

/** What a Go source file imports and whether it runs code at import time. */
export interface GoFileFacts {
  imports: string[];
  init: boolean;
}

/** Reads the import paths and `func init()` of Go source text (comments and strings are not parsed: good enough to point at). */
export function goFileFacts(text: string): GoFileFacts {
  const code = text.replace(/\/\*[\s\S]*?\*\//g, '').replace(/\/\/[^\n]*/g, '');
  const imports = new Set<string>();
  for (const m of code.matchAll(/^\s*import\s*\(([\s\S]*?)\)/gm)) {
    for (const q of m[1]!.matchAll(/"([^"\n]+)"/g)) imports.add(q[1]!);
  }
  for (const m of code.matchAll(/^\s*import\s+(?:[\w.]+\s+)?"([^"\n]+)"/gm)) imports.add(m[1]!);
  return { imports: [...imports].sort(), init: /^func\s+init\s*\(\s*\)/m.test(code) };
}

/** The outcome of comparing two modules' file lists. */
export interface CloneComparison {
  status: 'compared' | 'unavailable';
  /** Why the comparison could not be made (status `unavailable`). */
  reason?: string;
  suspect?: string;
  target?: string;
  /** Files with the same path and content. */
  identical: number;
  targetFiles: number;
  suspectFiles: number;
  /** Paths whose content differs (go.mod excluded: its module line always differs in a copy). */
  modified: string[];
  /** In the suspect only. */
  added: string[];
  /** In the target only. */
  removed: string[];
  /** Same content under another path: [suspect path, target path]. */
  moved: Array<[string, string]>;
  /** identical / files of the target. */
  similarity: number;
  /** Most files identical and only a few changed: a modified copy. */
  nearCopy: boolean;
  /** Every file identical (go.mod aside): a copy with no changes yet. */
  identicalCopy: boolean;
  /** Added or modified Go files that declare `func init()` where the target's did not (when contents were read). */
  addedInit?: string[];
  /** Imports of the suspect's changed files that no file of the target has (when contents were read). */
  newImports?: string[];
}

/** Imports that give a payload its reach (network, processes, raw memory, loaded code). */
export const RISKY_IMPORTS = new Set(['net', 'net/http', 'os/exec', 'syscall', 'unsafe', 'plugin']);

/** Most changed files a module may have and still count as a near-copy (at least this, or 30% of the target). */
const MAX_CHANGED = 5;

/** Compares the files of a suspect module with those of its target. */
export function compareFileLists(suspect: readonly FileDigest[], target: readonly FileDigest[]): CloneComparison {
  const t = new Map(target.map((f) => [f.path, f]));
  const s = new Map(suspect.map((f) => [f.path, f]));
  let identical = 0;
  let identicalCode = 0;
  const modified: string[] = [];
  const addedRaw: FileDigest[] = [];
  for (const f of suspect) {
    const other = t.get(f.path);
    if (!other) addedRaw.push(f);
    else if (other.sha256 === f.sha256) {
      identical++;
      if (f.path !== 'go.mod') identicalCode++;
    }
    else if (f.path !== 'go.mod') modified.push(f.path);
  }
  const removedRaw = target.filter((f) => !s.has(f.path));
  // A file moved without change is not a change of code.
  const removedBySha = new Map<string, FileDigest[]>();
  for (const f of removedRaw) removedBySha.set(f.sha256, [...(removedBySha.get(f.sha256) ?? []), f]);
  const moved: Array<[string, string]> = [];
  const added: string[] = [];
  const movedTargets = new Set<string>();
  for (const f of addedRaw) {
    const cands = removedBySha.get(f.sha256);
    const hit = cands?.find((c) => !movedTargets.has(c.path));
    if (hit) {
      moved.push([f.path, hit.path]);
      movedTargets.add(hit.path);
    } else added.push(f.path);
  }
  const removed = removedRaw.filter((f) => !movedTargets.has(f.path)).map((f) => f.path);
  const comparable = target.filter((f) => f.path !== 'go.mod').length;
  const same = identicalCode + moved.length;
  const changed = modified.length + added.length + removed.length;
  const similarity = comparable === 0 ? 0 : Math.min(1, same / comparable);
  const allowed = Math.max(MAX_CHANGED, Math.floor(comparable * 0.3));
  const identicalCopy = comparable >= 2 && changed === 0 && similarity >= 0.999;
  const nearCopy = comparable >= 2 && !identicalCopy && similarity >= 0.5 && changed >= 1 && changed <= allowed;
  // What the changed Go files add: code that runs at import time, and imports the target never had.
  const changedGo = [...modified, ...added].map((p) => s.get(p)!).filter((f) => f.go);
  const targetImports = new Set(target.flatMap((f) => f.go?.imports ?? []));
  const addedInit = changedGo.filter((f) => f.go!.init && !t.get(f.path)?.go?.init).map((f) => f.path).sort();
  const newImports = [...new Set(changedGo.flatMap((f) => f.go!.imports).filter((i) => !targetImports.has(i)))].sort();
  return {
    status: 'compared',
    ...(changedGo.length ? { addedInit, newImports } : {}),
    identical,
    targetFiles: target.length,
    suspectFiles: suspect.length,
    modified: modified.sort(),
    added: added.sort(),
    removed: removed.sort(),
    moved,
    similarity: Math.round(similarity * 1000) / 1000,
    nearCopy,
    identicalCopy,
  };
}

/** One line that says what the comparison found, naming the changed files. */
export function describeClone(c: CloneComparison): string {
  if (c.status !== 'compared') return `content comparison unavailable: ${c.reason ?? 'unknown reason'}`;
  const names = (label: string, list: string[]) => (list.length ? `${label}: ${list.slice(0, 10).map((p) => `\`${p}\``).join(', ')}${list.length > 10 ? `, and ${list.length - 10} more` : ''}` : '');
  const parts = [names('modified', c.modified), names('added', c.added), names('removed', c.removed)].filter(Boolean).join('; ');
  const of = `${c.identical} of ${c.targetFiles} files identical`;
  if (c.identicalCopy) return `\`${c.suspect}\` is a copy of \`${c.target}\` (${of}, nothing changed yet)`;
  if (c.nearCopy) {
    const n = c.modified.length + c.added.length + c.removed.length;
    const risky = [
      c.addedInit?.length ? `\`init()\` added in ${c.addedInit.map((p) => `\`${p}\``).join(', ')}` : '',
      c.newImports?.length ? `new imports ${c.newImports.slice(0, 10).map((i) => `\`${i}\`${RISKY_IMPORTS.has(i) ? ' (risky)' : ''}`).join(', ')}` : '',
    ].filter(Boolean).join('; ');
    return `\`${c.suspect}\` is a modified copy of \`${c.target}\` with ${n} file${n === 1 ? '' : 's'} changed (${of}; ${parts})${risky ? `; ${risky}` : ''}`;
  }
  return `\`${c.suspect}\` is not a near-copy of \`${c.target}\` (${of}, similarity ${c.similarity})`;
}

/**
 * Fetches both modules' file lists with `fetchFiles` (the proxy + zip reader) and compares them. Never
 * throws: a fetch failure gives status `unavailable` with the reason.
 */
export async function compareWithTarget(
  suspect: ModuleVersion,
  target: ModuleVersion,
  fetchFiles: (mv: ModuleVersion) => Promise<readonly FileDigest[]>,
): Promise<CloneComparison> {
  const label = (mv: ModuleVersion) => `${mv.path}@${mv.version}`;
  let s: readonly FileDigest[];
  let t: readonly FileDigest[];
  try {
    [s, t] = await Promise.all([fetchFiles(suspect), fetchFiles(target)]);
  } catch (e) {
    return {
      status: 'unavailable',
      reason: `could not fetch module files: ${e instanceof Error ? e.message : String(e)}`,
      suspect: label(suspect),
      target: label(target),
      identical: 0,
      targetFiles: 0,
      suspectFiles: 0,
      modified: [],
      added: [],
      removed: [],
      moved: [],
      similarity: 0,
      nearCopy: false,
      identicalCopy: false,
    };
  }
  return { ...compareFileLists(s, t), suspect: label(suspect), target: label(target) };
}

/** Folds a comparison into a typosquat result: a near-copy makes it critical-grade evidence. */
export function applyClone<R extends { score: number; suspicious: boolean; reasons: string[]; signals: string[]; notes?: string[]; clone?: CloneComparison }>(
  result: R,
  c: CloneComparison,
  threshold = 0.5,
): R {
  const out = { ...result, reasons: [...result.reasons], signals: [...result.signals], notes: [...(result.notes ?? [])], clone: c };
  if (c.status !== 'compared') {
    out.notes.push(describeClone(c));
    return out;
  }
  out.reasons.unshift(describeClone(c));
  if (c.nearCopy) {
    out.signals.push('near-copy');
    out.score = Math.max(out.score, 0.95);
  } else if (c.identicalCopy) {
    out.signals.push('identical-copy');
    out.score = Math.max(out.score, 0.8);
  }
  out.suspicious = out.score >= threshold;
  return out;
}

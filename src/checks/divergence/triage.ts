/**
 * Retag triage: when the proxy's copy and the tag's content today differ (or the tag moved), tell a
 * maintainer's re-tag from an attack. Pure: reads facts, returns a verdict with its reasons.
 *
 * - benign: the proxy's files are exactly the commit the proxy recorded, that commit is still in the
 *   repository, the tag moved within the project's own history (forward, back, or an amended sibling),
 *   and what the proxy's copy adds carries none of the shapes an attacker needs.
 * - suspicious: content that exists only in the proxy, a recorded commit that is gone or unrelated to the
 *   tag's history, code with attacker shapes (new init(), network/exec/unsafe imports, //go:linkname,
 *   cgo, long encoded strings, new Go files), or a look-alike module path.
 * - undetermined: not enough evidence either way (no recorded commit, a host that cannot compare
 *   commits): the default severities stand.
 */
import type { CommitRelation } from '../../sources/origin-reader.js';
import type { FileChanges } from './types.js';

/** What the commit the proxy recorded (`.info` Origin.Hash) looks like at the origin today. */
export interface RecordedFacts {
  commit: string;
  /** Still in the repository (true), gone (false), or could not tell (null). */
  exists: boolean | null;
  /** The proxy's files are exactly the commit's module files (compared by git blob id). */
  matchesProxy: 'yes' | 'no' | 'unknown';
  /** Files of the proxy that differ from the recorded commit (first few), when matchesProxy is 'no'. */
  mismatched: string[];
  /** Where the tag's commit today stands relative to the recorded commit. */
  relation: CommitRelation;
  /** Why something is unknown (one line each). */
  notes: string[];
}

export type FileClass = 'docs' | 'tests' | 'ci' | 'generated' | 'build' | 'code' | 'other';

/** An attacker's shape found in the proxy's copy and not in the origin's. */
export interface CodeShape {
  path: string;
  shape: 'init' | 'import' | 'linkname' | 'cgo' | 'encoded-string' | 'new-go-file';
  /** What was found (our words plus a short quoted value). */
  detail: string;
}

export interface RetagTriage {
  kind: 'benign' | 'suspicious' | 'undetermined';
  /** Why, one sentence each, the deciding ones first. */
  why: string[];
  /** Differing files by class (paths inside the module). */
  classes: Partial<Record<FileClass, string[]>>;
  shapes: CodeShape[];
  recorded?: RecordedFacts;
}

/** The inputs of the triage. */
export interface TriageInput {
  /** The tag names another commit than the proxy recorded. */
  moved: boolean;
  /** The proxy's files differ from the tag's content today. */
  diverged: boolean;
  files: FileChanges;
  /** Proxy bytes by module path (small files only). */
  proxyContent: ReadonlyMap<string, Buffer>;
  /** Origin bytes by module path (differing small files only). */
  originContent: ReadonlyMap<string, Buffer>;
  recorded?: RecordedFacts;
  /** The tag still names the commit the proxy recorded, and that commit's files were the ones compared. */
  recordedIsCompared?: boolean;
  /** The module path looks like another module's (from the typosquat check, when the caller knows). */
  lookalike?: boolean;
}

/** Imports that give code the network, processes, raw memory or foreign code. */
const RISKY_IMPORTS = new Set(['net', 'net/http', 'os/exec', 'syscall', 'unsafe', 'plugin', 'golang.org/x/sys/unix', 'golang.org/x/sys/windows']);
/** A string literal this long made only of base64 or hex characters hides data or code. */
const ENCODED_MIN = 120;

/** Sorts a module path into a class of file. */
export function classifyPath(path: string, content?: Buffer): FileClass {
  const base = path.split('/').pop() ?? path;
  if (path.endsWith('_test.go') || /(^|\/)testdata\//.test(path)) return 'tests';
  if (/^(\.github|\.circleci|\.gitlab|\.buildkite)\//.test(path) || /^(\.travis\.yml|\.gitlab-ci\.yml|appveyor\.yml|\.golangci\.ya?ml|\.goreleaser\.ya?ml|Makefile|Dockerfile|codecov\.yml|\.editorconfig|\.gitignore|\.gitattributes)$/.test(path)) return 'ci';
  if (/\.(md|markdown|txt|rst|adoc)$/i.test(base) || /^(LICENSE|LICENCE|NOTICE|AUTHORS|CONTRIBUTORS|PATENTS|CHANGELOG|README)(\..*)?$/i.test(base) || /^docs?\//.test(path)) return 'docs';
  if (base === 'go.mod' || base === 'go.sum') return 'build';
  if (/\.go$/.test(base)) {
    if (/\.pb\.go$|_gen\.go$|^zz_generated/.test(base)) return 'generated';
    if (content && /^\/\/ Code generated .* DO NOT EDIT\.$/m.test(content.subarray(0, 4096).toString('utf8'))) return 'generated';
    return 'code';
  }
  if (/\.(s|c|h|cc|cpp|m|syso)$/.test(base)) return 'code';
  return 'other';
}

/** Shapes in `after` (the proxy's Go file) that `before` (the origin's, or null when new) lacks. */
export function codeShapes(path: string, before: string | null, after: string): CodeShape[] {
  const out: CodeShape[] = [];
  const count = (text: string | null, re: RegExp) => (text === null ? 0 : (text.match(re) ?? []).length);
  const inits = /^func\s+init\s*\(\s*\)/gm;
  if (count(after, inits) > count(before, inits)) out.push({ path, shape: 'init', detail: 'adds an init() function (runs on import)' });
  const had = new Set(before === null ? [] : goImports(before));
  for (const imp of goImports(after)) {
    if (!had.has(imp) && RISKY_IMPORTS.has(imp)) out.push({ path, shape: 'import', detail: `adds import "${imp}"` });
    if (!had.has(imp) && imp === 'C') out.push({ path, shape: 'cgo', detail: 'adds cgo (import "C")' });
  }
  const linkname = /^\/\/go:linkname\b/gm;
  if (count(after, linkname) > count(before, linkname)) out.push({ path, shape: 'linkname', detail: 'adds a //go:linkname directive' });
  const encoded = new RegExp(`["\`]([A-Za-z0-9+/=_-]{${ENCODED_MIN},}|(?:\\\\x[0-9a-fA-F]{2}){${ENCODED_MIN / 4},})["\`]`, 'g');
  const hadStrings = new Set(before === null ? [] : [...before.matchAll(encoded)].map((m) => m[1]));
  const found = [...after.matchAll(encoded)].find((m) => !hadStrings.has(m[1]));
  if (found) out.push({ path, shape: 'encoded-string', detail: `adds a ${found[1]!.length}-character encoded string literal` });
  if (before === null && !path.endsWith('_test.go')) out.push({ path, shape: 'new-go-file', detail: 'a Go file the origin does not have' });
  return out;
}

/** The import paths of a Go source file (single and grouped forms). */
export function goImports(src: string): string[] {
  const out: string[] = [];
  for (const m of src.matchAll(/^import\s*(?:[A-Za-z_.][A-Za-z0-9_]*\s+)?"([^"]+)"/gm)) out.push(m[1]!);
  for (const block of src.matchAll(/^import\s*\(([\s\S]*?)\)/gm)) {
    for (const m of block[1]!.matchAll(/^\s*(?:[A-Za-z_.][A-Za-z0-9_]*\s+)?"([^"]+)"/gm)) out.push(m[1]!);
  }
  return out;
}

const WITHIN_HISTORY: Record<CommitRelation, string | null> = {
  identical: 'names the same commit',
  descendant: 'moved forward: its commit today descends from the recorded one',
  ancestor: 'moved back: its commit today is an ancestor of the recorded one',
  sibling: 'was re-pointed at a sibling commit (amended or rebased: both grow from a common commit)',
  unrelated: null,
  unknown: null,
};

/** Triage of a moved tag or diverged content; null when neither happened. */
export function triageRetag(input: TriageInput): RetagTriage | null {
  if (!input.moved && !input.diverged) return null;
  const { files } = input;
  const differing = [...files.added, ...files.modified, ...files.removed];
  const classes: Partial<Record<FileClass, string[]>> = {};
  for (const p of differing) (classes[classifyPath(p, input.proxyContent.get(p) ?? input.originContent.get(p))] ??= []).push(p);

  // What the proxy's copy adds: the Go files only in the proxy or changed there.
  const shapes: CodeShape[] = [];
  const uninspected: string[] = [];
  for (const p of [...files.added, ...files.modified]) {
    if (!/\.go$/.test(p) && !/\.(s|c|h|cc|cpp|syso)$/.test(p)) continue;
    const after = input.proxyContent.get(p);
    const before = files.modified.includes(p) ? input.originContent.get(p) : null;
    if (!/\.go$/.test(p)) {
      if (files.added.includes(p)) shapes.push({ path: p, shape: 'cgo', detail: 'a non-Go source or object file only in the proxy' });
      continue;
    }
    if (after === undefined || before === undefined) {
      uninspected.push(p);
      continue;
    }
    shapes.push(...codeShapes(p, before === null ? null : before.toString('utf8'), after.toString('utf8')));
  }

  const suspicious: string[] = [];
  const notBenign: string[] = [];
  const r = input.recorded;
  if (input.lookalike) suspicious.push('the module path looks like another module (typosquat check)');
  if (shapes.length > 0) {
    const shown = shapes.slice(0, 4).map((s) => `${s.path} ${s.detail}`).join('; ');
    suspicious.push(`the proxy's copy carries code an attacker needs: ${shown}${shapes.length > 4 ? ` and ${shapes.length - 4} more` : ''}`);
  }
  if (r) {
    if (r.exists === false) suspicious.push(`the commit the proxy recorded (${r.commit.slice(0, 12)}) is gone from the repository: the proxy's content exists nowhere else`);
    else if (r.matchesProxy === 'no') {
      suspicious.push(`the proxy's files are not the recorded commit ${r.commit.slice(0, 12)}'s (${r.mismatched.slice(0, 5).join(', ')}): that content exists only in the proxy`);
    }
    if (r.relation === 'unrelated') suspicious.push(`the tag's commit today shares no history with the recorded commit ${r.commit.slice(0, 12)}`);
    if (r.exists === null) notBenign.push(`could not tell whether the recorded commit ${r.commit.slice(0, 12)} still exists${r.notes[0] ? ` (${r.notes[0]})` : ''}`);
    if (r.matchesProxy === 'unknown' && r.exists !== false) notBenign.push(`could not compare the proxy's files with the recorded commit${r.notes[0] ? ` (${r.notes[0]})` : ''}`);
    if (r.relation === 'unknown') notBenign.push("the host could not say how the tag's commit relates to the recorded one");
  } else if (input.recordedIsCompared) {
    suspicious.push("the proxy's files differ from the very commit it recorded, which the tag still names: that content exists only in the proxy");
  } else if (input.moved) {
    notBenign.push('the recorded commit was not examined');
  } else {
    notBenign.push("the proxy recorded no origin commit, so its content cannot be traced to the repository's history");
  }
  if (uninspected.length > 0) notBenign.push(`Go files too large to inspect: ${uninspected.slice(0, 5).join(', ')}`);

  const base = { classes, shapes, ...(r ? { recorded: r } : {}) };
  if (suspicious.length > 0) return { kind: 'suspicious', why: suspicious, ...base };
  if (notBenign.length > 0) return { kind: 'undetermined', why: notBenign, ...base };
  const how = r ? WITHIN_HISTORY[r.relation] : null;
  const what = Object.entries(classes)
    .map(([c, ps]) => `${c} (${ps.length})`)
    .join(', ');
  return {
    kind: 'benign',
    why: [
      `the proxy's copy is exactly the recorded commit ${r!.commit.slice(0, 12)}, which is still in the repository`,
      `the tag ${how ?? 'moved within the project history'}`,
      what ? `what differs: ${what}, with no new init(), network/exec/unsafe imports, linkname, cgo or encoded blobs` : 'the module content is the same',
    ],
    ...base,
  };
}

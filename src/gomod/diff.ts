/**
 * Requirement diff between the base and head of go.mod files, on the *effective* dependency edges: a
 * `replace` is applied the way the go command applies it (a version-specific replace wins over a wildcard
 * one), so `fetch` names what the build really downloads.
 */
import { compareVersions } from './module.js';
import { ModFileError, parseModFile, type ModFile, type Replacement } from './modfile.js';
import type { ChangeKind, RequirementChange } from './types.js';

/** One side of a go.mod diff: its repo-relative path and content. */
export interface GoModSide {
  path: string;
  content: string | Uint8Array;
}

/** Options for diffGoMod. */
export interface DiffOptions {
  /** BOM policy passed to the parser (default 'error', as Go). */
  bom?: 'error' | 'strip';
  /**
   * When the base does not parse: 'throw' (default) or 'empty' (diff against an empty go.mod, so every head
   * requirement is reviewed as added — a PR that repairs a broken go.mod is not blamed for the base).
   */
  baseErrors?: 'throw' | 'empty';
}

/** The requirement of one module after replaces are applied. */
interface Edge {
  module: string;
  version: string;
  indirect: boolean;
  line: number;
  replacement: Replacement | null;
}

interface Effective {
  /** Required modules by path. */
  edges: Map<string, Edge>;
  /** Every replace by its left side key (`path@version` or `path`). */
  replaces: Map<string, Replacement>;
  /** Replace keys used by a required module. */
  consumed: Set<string>;
}

function replaceKey(path: string, version: string | null): string {
  return version === null ? path : `${path}@${version}`;
}

function targetString(r: Replacement): string {
  return r.new.version === null ? r.new.path : `${r.new.path}@${r.new.version}`;
}

function sameTarget(a: Replacement | null, b: Replacement | null): boolean {
  if (!a || !b) return a === b;
  return a.new.path === b.new.path && a.new.version === b.new.version;
}

/** Builds the effective requirement graph edges of one parsed go.mod (throws ModFileError on conflicting replaces). */
function effective(f: ModFile): Effective {
  const replaces = new Map<string, Replacement>();
  for (const r of f.replace) {
    const key = replaceKey(r.old.path, r.old.version);
    const prev = replaces.get(key);
    // The go command refuses two different replacements for the same module (version).
    if (prev && !sameTarget(prev, r)) {
      throw new ModFileError([
        {
          file: f.path,
          line: r.line,
          col: r.col,
          message: `conflicting replacements for ${key}:\n\t${targetString(prev)}\n\t${targetString(r)}`,
        },
      ]);
    }
    replaces.set(key, r);
  }
  const edges = new Map<string, Edge>();
  for (const req of f.require) {
    const prev = edges.get(req.path);
    // Repeated requirements of one module: minimal version selection keeps the highest.
    if (prev && compareVersions(prev.version, req.version) >= 0) continue;
    edges.set(req.path, { module: req.path, version: req.version, indirect: req.indirect, line: req.line, replacement: null });
  }
  const consumed = new Set<string>();
  for (const e of edges.values()) {
    const exact = replaceKey(e.module, e.version);
    const key = replaces.has(exact) ? exact : replaces.has(e.module) ? e.module : null;
    if (key !== null) {
      e.replacement = replaces.get(key)!;
      consumed.add(key);
    }
  }
  return { edges, replaces, consumed };
}

const EMPTY: Effective = { edges: new Map(), replaces: new Map(), consumed: new Set() };

function replacementOf(r: Replacement | null): RequirementChange['replacement'] {
  return r ? { path: r.new.path, version: r.new.version, local: r.local, line: r.line } : null;
}

function fetchOf(module: string, version: string | null, r: Replacement | null): RequirementChange['fetch'] {
  if (r) return r.local ? null : { path: r.new.path, version: r.new.version! };
  return version === null ? null : { path: module, version };
}

function change(
  goModPath: string,
  module: string,
  kind: ChangeKind,
  from: string | null,
  to: string | null,
  line: number | null,
  indirect: boolean,
  r: Replacement | null,
  fetch: RequirementChange['fetch'],
): RequirementChange {
  return { goModPath, module, kind, from, to, line, indirect, replacement: replacementOf(r), fetch };
}

/** Diffs two effective graphs of the same go.mod path. */
function diffEffective(goModPath: string, base: Effective, head: Effective, headExists: boolean): RequirementChange[] {
  const out: RequirementChange[] = [];
  const paths = new Set([...base.edges.keys(), ...head.edges.keys()]);
  for (const p of paths) {
    const b = base.edges.get(p);
    const h = head.edges.get(p);
    if (!b && h) {
      out.push(change(goModPath, p, 'added', null, h.version, h.line, h.indirect, h.replacement, fetchOf(p, h.version, h.replacement)));
    } else if (b && !h) {
      out.push(change(goModPath, p, 'removed', b.version, null, null, b.indirect, null, null));
    } else if (b && h) {
      const versionKind: ChangeKind | null =
        b.version === h.version ? null : compareVersions(h.version, b.version) > 0 ? 'upgraded' : 'downgraded';
      let kind: ChangeKind | null;
      if (sameTarget(b.replacement, h.replacement)) kind = versionKind;
      else if (h.replacement) kind = 'replaced';
      else kind = versionKind ?? 'replaced'; // a replace stopped applying: the module is fetched from its own path again
      if (kind === null) continue;
      const line = kind === 'replaced' && h.replacement ? h.replacement.line : h.line;
      out.push(change(goModPath, p, kind, b.version, h.version, line, h.indirect, h.replacement, fetchOf(p, h.version, h.replacement)));
    }
  }
  if (!headExists) return out;
  // Replaces of modules this go.mod does not require directly still steer the build when the module is
  // reached through another dependency: report new or changed ones, and ones that stopped applying.
  for (const [key, r] of head.replaces) {
    if (head.consumed.has(key)) continue;
    const before = base.replaces.get(key) ?? null;
    if (sameTarget(before, r)) continue;
    out.push(change(goModPath, r.old.path, 'replaced', before ? r.old.version : null, r.old.version, r.line, true, r, fetchOf(r.old.path, null, r)));
  }
  for (const [key, r] of base.replaces) {
    if (head.replaces.has(key) || base.consumed.has(key) || head.edges.has(r.old.path)) continue;
    out.push(change(goModPath, r.old.path, 'replaced', r.old.version, null, null, true, null, null));
  }
  return out;
}

function sortChanges(list: RequirementChange[]): RequirementChange[] {
  return list.sort(
    (a, b) =>
      (a.line ?? Number.MAX_SAFE_INTEGER) - (b.line ?? Number.MAX_SAFE_INTEGER) ||
      (a.module < b.module ? -1 : a.module > b.module ? 1 : 0),
  );
}

/**
 * The requirement changes between base and head of one go.mod (null base = new file, null head = deleted).
 * Throws ModFileError when head (or, unless `baseErrors: 'empty'`, base) does not parse.
 */
export function diffGoMod(base: GoModSide | null, head: GoModSide | null, opts: DiffOptions = {}): RequirementChange[] {
  const goModPath = head?.path ?? base?.path ?? 'go.mod';
  const headEff = head ? effective(parseModFile(head.path, head.content, { bom: opts.bom })) : EMPTY;
  let baseEff = EMPTY;
  if (base) {
    try {
      baseEff = effective(parseModFile(base.path, base.content, { bom: opts.bom }));
    } catch (e) {
      if (!(e instanceof ModFileError) || opts.baseErrors !== 'empty') throw e;
    }
  }
  return sortChanges(diffEffective(goModPath, baseEff, headEff, head !== null));
}

/** One go.mod in a repository diff: null base = added in the PR, null head = deleted. */
export interface RepoGoModFile {
  path: string;
  base: string | null;
  head: string | null;
}

/** The result of diffing many go.mod files: all changes, and the files whose head does not parse. */
export interface RepoDiff {
  changes: RequirementChange[];
  errors: ModFileError[];
}

/**
 * Diffs every go.mod of a repository (root, sub-modules, tools/go.mod…). A head that does not parse is
 * collected in `errors` (the engine turns it into parse-error findings) and the other files still diff; a
 * base that does not parse is treated as empty, so the head is reviewed in full.
 */
export function diffRepo(files: readonly RepoGoModFile[], opts: Omit<DiffOptions, 'baseErrors'> = {}): RepoDiff {
  const changes: RequirementChange[] = [];
  const errors: ModFileError[] = [];
  for (const f of files) {
    try {
      changes.push(
        ...diffGoMod(
          f.base === null ? null : { path: f.path, content: f.base },
          f.head === null ? null : { path: f.path, content: f.head },
          { ...opts, baseErrors: 'empty' },
        ),
      );
    } catch (e) {
      if (!(e instanceof ModFileError)) throw e;
      errors.push(e);
    }
  }
  return { changes, errors };
}

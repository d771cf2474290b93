/**
 * Which files of a source tree go into a module zip, following golang.org/x/mod/zip exactly
 * (listFilesInDir + checkFiles for a directory, the go command's coderepo.Zip + Create for a VCS tree).
 * Works on an abstract entry list so the origin side can feed it a streamed tarball. Pure.
 */
import { canonicalVersion, checkFilePath, checkModuleVersion, isIncompatible, ModuleError } from '../gomod/module.js';
import { atLeastGo124 } from './govers.js';
import { cleanPath, compareWalkOrder, dirOf, equalFoldAscii, foldKey, splitPath } from './paths.js';

/** One entry of a source tree, path relative to the tree root, slash-separated. */
export interface TreeEntry {
  path: string;
  type: 'file' | 'dir' | 'symlink' | 'other';
  size: number;
}

/** A file that belongs in the module zip: `path` is relative to the module root, `sourcePath` is where it is in the input tree. */
export interface SelectedFile extends TreeEntry {
  sourcePath: string;
}

/** A file (or directory) left out or refused, with Go's reason. */
export interface FileProblem {
  path: string;
  reason: string;
}

/** Options of selectModuleFiles. */
export interface SelectOptions {
  modulePath: string;
  version: string;
  /** The module's directory inside the tree (a repo sub-directory module, or a `vN/` major-version directory). */
  subdir?: string;
  /**
   * 'dir' = zip.CreateFromDir (skips .git/.hg/.svn/.bzr, lists only regular files);
   * 'vcs' = what the go command (and so the proxy) builds from a repository commit: git archive files through
   * zip.Create, plus the repository-root LICENSE for a sub-directory module without one.
   * Default: 'vcs' when `subdir` is given, else 'dir'.
   */
  mode?: 'dir' | 'vcs';
  /** Content of the module root's go.mod, for Go 1.24's vendor rules (read leniently; absent = older rules). */
  goMod?: Uint8Array | string | null;
}

/** What selectModuleFiles found: the zip's files, the silently omitted ones, and the ones that make the zip invalid. */
export interface FileSelection {
  files: SelectedFile[];
  omitted: FileProblem[];
  errors: FileProblem[];
}

/** Go's zip size limits. */
export const MAX_ZIP_FILE = 500 << 20;
export const MAX_GO_MOD = 16 << 20;
export const MAX_LICENSE = 16 << 20;

const VCS_DIRS = new Set(['.bzr', '.git', '.hg', '.svn']);

/**
 * Go's `isVendoredPackage`, including the pre-1.24 offset bug (golang.org/issue/37397) that checksums
 * have frozen, and Go 1.24's exclusion of vendor/modules.txt.
 */
export function isVendoredPackage(name: string, go124: boolean): boolean {
  if (go124 && name === 'vendor/modules.txt') return true;
  let i: number;
  if (name.startsWith('vendor/')) {
    i = 'vendor/'.length;
  } else {
    const j = name.indexOf('/vendor/');
    if (j < 0) return false;
    i = go124 ? j + '/vendor/'.length : '/vendor/'.length;
  }
  return name.slice(i).includes('/');
}

/**
 * Applies Go's module zip rules to a tree listing and returns the files of the module zip (relative to the
 * module root), the omitted entries and the invalid ones. A non-empty `errors` means Go would refuse to
 * build the zip.
 */
export function selectModuleFiles(entries: readonly TreeEntry[], opts: SelectOptions): FileSelection {
  const mode = opts.mode ?? (opts.subdir !== undefined ? 'vcs' : 'dir');
  const go124 = atLeastGo124(opts.goMod);
  const errors: FileProblem[] = [];
  const mv = `${opts.modulePath}@${opts.version}`;
  if (canonicalVersion(opts.version) !== opts.version) {
    errors.push({ path: mv, reason: `version "${opts.version}" is not canonical (should be "${canonicalVersion(opts.version)}")` });
  } else {
    try {
      checkModuleVersion(opts.modulePath, opts.version);
    } catch (e) {
      if (!(e instanceof ModuleError)) throw e;
      errors.push({ path: mv, reason: e.message });
    }
  }

  const subdir = opts.subdir === undefined ? '' : opts.subdir.replace(/^\/+|\/+$/g, '');
  const prefix = subdir === '' ? '' : subdir + '/';
  const inModule: { rel: string; e: TreeEntry }[] = [];
  for (const e of entries) {
    if (prefix !== '' && !e.path.startsWith(prefix)) continue;
    const rel = e.path.slice(prefix.length);
    if (rel === '' || rel === '.') continue;
    inModule.push({ rel, e });
  }

  const candidates = mode === 'dir' ? listLikeWalk(inModule, go124) : listLikeVcs(inModule, entries, subdir);
  // checkFiles reads the go version only from a regular root go.mod among its files (a symlinked one counts
  // for the directory walk, which reads it with os.ReadFile, but not here).
  const rootGoModListed = candidates.files.some((f) => f.path === 'go.mod' && f.type === 'file');
  const checked = checkFiles(candidates.files, go124 && rootGoModListed);
  const result: FileSelection = {
    files: checked.valid,
    omitted: [...checked.omitted, ...candidates.omitted],
    errors: [...errors, ...checked.invalid],
  };

  if (isIncompatible(opts.version) && result.files.some((f) => f.path === 'go.mod')) {
    result.errors.push({
      path: 'go.mod',
      reason: `invalid version ${opts.version}: +incompatible suffix not allowed: module contains a go.mod file, so module path must match major version`,
    });
  }
  return result;
}

interface Candidates {
  files: SelectedFile[];
  omitted: FileProblem[];
}

// zip.listFilesInDir: a Walk that skips VCS directories and nested modules, and lists only regular files.
function listLikeWalk(inModule: { rel: string; e: TreeEntry }[], go124: boolean): Candidates {
  const sorted = [...inModule].sort((a, b) => compareWalkOrder(a.rel, b.rel));
  const byPath = new Map(sorted.map((x) => [x.rel, x.e]));
  const files: SelectedFile[] = [];
  const omitted: FileProblem[] = [];
  const skipped: string[] = []; // directory prefixes (with trailing slash) whose content Walk never visits
  for (const { rel, e } of sorted) {
    if (skipped.some((d) => rel.startsWith(d))) continue;
    if (isVendoredPackage(rel, go124)) {
      omitted.push({ path: rel, reason: 'file is in vendor directory' });
      continue;
    }
    if (e.type === 'dir') {
      const base = rel.slice(rel.lastIndexOf('/') + 1);
      if (VCS_DIRS.has(base)) {
        omitted.push({ path: rel, reason: 'directory is a version control repository' });
        skipped.push(rel + '/');
        continue;
      }
      // os.Lstat(dir/go.mod) succeeding on a non-directory (a symlink counts) marks a nested module.
      const gm = byPath.get(rel + '/go.mod');
      if (gm && gm.type !== 'dir') {
        omitted.push({ path: rel, reason: 'directory is in another module' });
        skipped.push(rel + '/');
      }
      continue;
    }
    if (e.type !== 'file') {
      omitted.push({ path: rel, reason: 'not a regular file' });
      continue;
    }
    files.push({ path: rel, type: 'file', size: e.size, sourcePath: e.path });
  }
  return { files, omitted };
}

// coderepo.Zip: every non-directory entry of the module directory, plus the repository-root LICENSE for a
// sub-directory module that has none.
function listLikeVcs(inModule: { rel: string; e: TreeEntry }[], all: readonly TreeEntry[], subdir: string): Candidates {
  const files: SelectedFile[] = [];
  let haveLicense = false;
  for (const { rel, e } of inModule) {
    if (e.type === 'dir') continue;
    files.push({ path: rel, type: e.type, size: e.size, sourcePath: e.path });
    if (rel === 'LICENSE') haveLicense = true;
  }
  if (!haveLicense && subdir !== '') {
    const root = all.find((e) => e.path === 'LICENSE' && e.type === 'file');
    if (root) files.push({ path: 'LICENSE', type: 'file', size: root.size, sourcePath: root.path });
  }
  return { files, omitted: [] };
}

interface Checked {
  valid: SelectedFile[];
  omitted: FileProblem[];
  invalid: FileProblem[];
}

// zip.checkFiles, rule for rule and in the same order.
function checkFiles(files: SelectedFile[], go124: boolean): Checked {
  const out: Checked = { valid: [], omitted: [], invalid: [] };
  const seen = new Set<string>();
  const add = (path: string, omitted: boolean, reason: string) => {
    if (seen.has(path)) return;
    seen.add(path);
    (omitted ? out.omitted : out.invalid).push({ path, reason });
  };

  const haveGoMod = new Set<string>();
  for (const f of files) {
    const [dir, base] = splitPath(f.path);
    if (equalFoldAscii(base, 'go.mod') && f.type === 'file') haveGoMod.add(dir);
  }
  const inSubmodule = (p: string): boolean => {
    for (;;) {
      const [dir] = splitPath(p);
      if (dir === '') return false;
      if (haveGoMod.has(dir)) return true;
      p = dir.slice(0, -1);
    }
  };

  const collisions = new CollisionChecker();
  let maxSize = MAX_ZIP_FILE;
  let sizeError = false;
  for (const f of files) {
    const p = f.path;
    if (p !== cleanPath(p)) {
      add(p, false, 'file path is not clean');
      continue;
    }
    if (p.startsWith('/')) {
      add(p, false, 'file path is not relative');
      continue;
    }
    if (isVendoredPackage(p, go124)) {
      add(p, true, 'file is in vendor directory');
      continue;
    }
    if (inSubmodule(p)) {
      add(p, true, 'file is in another module');
      continue;
    }
    if (p === '.hg_archival.txt') {
      add(p, true, "file is inserted by 'hg archive' and is always omitted");
      continue;
    }
    try {
      checkFilePath(p);
    } catch (e) {
      if (!(e instanceof ModuleError)) throw e;
      add(p, false, e.message);
      continue;
    }
    if (p.toLowerCase() === 'go.mod' && p !== 'go.mod') {
      add(p, false, 'go.mod files must have lowercase names');
      continue;
    }
    const collision = collisions.check(p, false);
    if (collision) {
      add(p, false, collision);
      continue;
    }
    if (f.type === 'symlink') {
      add(p, true, 'file is a symbolic link');
      continue;
    }
    if (f.type !== 'file') {
      add(p, true, 'not a regular file');
      continue;
    }
    if (f.size >= 0 && f.size <= maxSize) {
      maxSize -= f.size;
    } else if (!sizeError) {
      sizeError = true;
      out.invalid.push({ path: p, reason: `module source tree too large (max size is ${MAX_ZIP_FILE} bytes)` });
    }
    if (p === 'go.mod' && f.size > MAX_GO_MOD) {
      add(p, false, `go.mod file too large (max size is ${MAX_GO_MOD} bytes)`);
      continue;
    }
    if (p === 'LICENSE' && f.size > MAX_LICENSE) {
      add(p, false, `LICENSE file too large (max size is ${MAX_LICENSE} bytes)`);
      continue;
    }
    out.valid.push(f);
  }
  return out;
}

/**
 * Go's zip collisionChecker: names that fold to the same key, a name used as both file and directory, and
 * duplicate files. Returns Go's message, or null.
 */
export class CollisionChecker {
  private readonly seen = new Map<string, { path: string; isDir: boolean }>();

  /** Records `p` (and its parent directories) and returns the collision message, or null. */
  check(p: string, isDir: boolean): string | null {
    const fold = foldKey(p);
    const other = this.seen.get(fold);
    if (other) {
      if (p !== other.path) return `case-insensitive file name collision: ${goQuote(other.path)} and ${goQuote(p)}`;
      if (isDir !== other.isDir) return `entry ${goQuote(p)} is both a file and a directory`;
      if (!isDir) return `multiple entries for file ${goQuote(p)}`;
    } else {
      this.seen.set(fold, { path: p, isDir });
    }
    const parent = dirOf(p);
    return parent !== '.' ? this.check(parent, true) : null;
  }
}

// Go's %q for the names we print (JSON escaping agrees with Go for printable text).
function goQuote(s: string): string {
  return JSON.stringify(s);
}

/**
 * The I/O edge of modzip: list a directory (lstat, never following symlinks), hash the module zip Go would
 * build from it (zip.CreateFromDir), and optionally write that zip.
 */
import { createReadStream, createWriteStream } from 'node:fs';
import { lstat, readdir, readFile, stat } from 'node:fs/promises';
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import yazl from 'yazl';
import { MAX_GO_MOD, selectModuleFiles, type FileProblem, type SelectOptions, type SelectedFile, type TreeEntry } from './fileset.js';
import { hash1 } from './hash.js';
import type { ModuleFile } from './reader.js';

/** A source tree Go would refuse to turn into a module zip (or that could not be read). */
export class TreeRejectedError extends Error {
  constructor(
    readonly entry: string | null,
    readonly reason: string,
    readonly problems: FileProblem[] = [],
  ) {
    super(entry === null ? reason : `${entry}: ${reason}`);
    this.name = 'TreeRejectedError';
  }
}

/** Options for listTree. */
export interface ListOptions {
  /** Do not descend into a directory (relative path, base name) for which this returns true; it is still listed. */
  prune?: (path: string, name: string) => boolean;
}

/** Lists every entry under `dir` with lstat semantics (symlinks are reported, never followed). */
export async function listTree(dir: string, opts: ListOptions = {}): Promise<TreeEntry[]> {
  const out: TreeEntry[] = [];
  const walk = async (rel: string): Promise<void> => {
    const names = (await readdir(rel === '' ? dir : join(dir, rel))).sort();
    for (const name of names) {
      const path = rel === '' ? name : `${rel}/${name}`;
      const st = await lstat(join(dir, path));
      const type = st.isFile() ? 'file' : st.isDirectory() ? 'dir' : st.isSymbolicLink() ? 'symlink' : 'other';
      out.push({ path, type, size: type === 'file' ? st.size : 0 });
      if (type === 'dir' && !opts.prune?.(path, name)) await walk(path);
    }
  };
  await walk('');
  return out;
}

/** Options for hashDir and writeModuleZipFromDir. */
export type DirOptions = Pick<SelectOptions, 'modulePath' | 'version' | 'subdir' | 'mode'>;

/** Result of hashDir: the h1 of the module zip Go would build, its files, and what was left out. */
export interface DirHash {
  h1: string;
  files: ModuleFile[];
  omitted: FileProblem[];
}

const VCS_DIRS = new Set(['.bzr', '.git', '.hg', '.svn']);

/** Selects the module's files in `dir` like zip.CreateFromDir; throws TreeRejectedError where Go would fail. */
export async function selectDir(dir: string, opts: DirOptions): Promise<{ files: SelectedFile[]; omitted: FileProblem[] }> {
  let entries: TreeEntry[];
  try {
    // VCS directories are skipped whole by Go; not walking them keeps a big .git cheap.
    entries = await listTree(dir, { prune: (_p, name) => VCS_DIRS.has(name) });
  } catch (e) {
    throw new TreeRejectedError(null, `cannot read directory ${dir}: ${(e as Error).message}`);
  }
  const modDir = opts.subdir ? join(dir, opts.subdir) : dir;
  // Like Go's listFilesInDir, which reads the root go.mod with os.ReadFile (following a symlink). One over
  // the size limit is refused later anyway, so it is not read into memory.
  const goMod = await readCapped(join(modDir, 'go.mod'), MAX_GO_MOD);
  // On disk the default is zip.CreateFromDir; 'vcs' must be asked for explicitly (it would keep a .git).
  const sel = selectModuleFiles(entries, { ...opts, mode: opts.mode ?? 'dir', goMod });
  if (sel.errors.length > 0) {
    const first = sel.errors[0]!;
    throw new TreeRejectedError(first.path, first.reason, sel.errors);
  }
  return { files: sel.files, omitted: sel.omitted };
}

async function readCapped(path: string, max: number): Promise<Buffer | null> {
  try {
    const st = await stat(path);
    return st.isFile() && st.size <= max ? await readFile(path) : null;
  } catch {
    return null;
  }
}

/** Hashes the module zip Go would build from `dir` (zip.CreateFromDir + dirhash), streaming each file. */
export async function hashDir(dir: string, opts: DirOptions): Promise<DirHash> {
  return (await hashSelected(dir, opts)).hashed;
}

async function hashSelected(dir: string, opts: DirOptions): Promise<{ hashed: DirHash; files: SelectedFile[] }> {
  const { files, omitted } = await selectDir(dir, opts);
  const prefix = `${opts.modulePath}@${opts.version}/`;
  const out: ModuleFile[] = [];
  for (const f of files) {
    const sha = createHash('sha256');
    let n = 0;
    try {
      for await (const chunk of createReadStream(join(dir, f.sourcePath)) as AsyncIterable<Buffer>) {
        n += chunk.length;
        // Go's Create reads at most the listed size + 1 and fails if the file grew meanwhile.
        if (n > f.size) throw new TreeRejectedError(f.path, 'file is larger than declared size (it changed while being read)');
        sha.update(chunk);
      }
    } catch (e) {
      if (e instanceof TreeRejectedError) throw e;
      throw new TreeRejectedError(f.path, `cannot read file: ${(e as Error).message}`);
    }
    out.push({ path: f.path, size: n, sha256: sha.digest('hex') });
  }
  return { hashed: { h1: hash1(out.map((f) => ({ name: prefix + f.path, sha256: f.sha256 }))), files: out, omitted }, files };
}

/** Writes the module zip Go would build from `dir` to `outPath` (entries `module@version/...`) and returns its hash. */
export async function writeModuleZipFromDir(dir: string, opts: DirOptions, outPath: string): Promise<DirHash> {
  const { hashed, files } = await hashSelected(dir, opts);
  const prefix = `${opts.modulePath}@${opts.version}/`;
  const zip = new yazl.ZipFile();
  for (const f of files) zip.addFile(join(dir, f.sourcePath), prefix + f.path, { mtime: new Date(0), mode: 0o644 });
  zip.end();
  await new Promise<void>((resolve, reject) => {
    const ws = createWriteStream(outPath);
    zip.outputStream.pipe(ws).on('finish', resolve).on('error', reject);
    zip.outputStream.on('error', reject);
  });
  return hashed;
}

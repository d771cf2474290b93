/**
 * Reads a module zip as hostile input: checks every name and size the way golang.org/x/mod/zip's CheckZip
 * does, then streams each entry through sha256 counting the bytes really inflated (entry-hash.ts), on this
 * thread and, for large zips, on worker threads too (hash-pool.ts), and returns the h1 that dirhash.HashZip
 * would compute. Nothing is held in memory but digests, unless keepContent asks.
 */
import { createHash } from 'node:crypto';
import { open, stat, type FileHandle } from 'node:fs/promises';
import yauzl, { type Entry, type ZipFile } from 'yauzl';
import { canonicalVersion, checkFilePath, checkModuleVersion, ModuleError } from '../gomod/module.js';
import { ZipRejectedError, type EntryTask, type RawSource } from './entry-hash.js';
import { WindowedFileReader } from './file-reader.js';
import { CollisionChecker, MAX_GO_MOD, MAX_LICENSE, MAX_ZIP_FILE } from './fileset.js';
import { hash1, type HashedFile } from './hash.js';
import { HashJob, planBatches, runHashJob, sharedHashPool, type HashPool } from './hash-pool.js';
import { cleanPath, equalFoldAscii } from './paths.js';
import { WindowSource } from './window-source.js';

export { ZipRejectedError };

/** Caps applied while reading a zip. */
export interface ZipLimits {
  /** Size of the zip file itself (Go: MaxZipFile, 500 MiB). */
  maxZipBytes: number;
  /** Sum of the files' uncompressed sizes, declared and real (Go: MaxZipFile). */
  maxTotalUncompressed: number;
  /** Root go.mod (Go: MaxGoMod, 16 MiB). */
  maxGoMod: number;
  /** Root LICENSE (Go: MaxLICENSE, 16 MiB). */
  maxLicense: number;
  /** Entries in the central directory (Go has no cap; ours bounds memory for the entry list). */
  maxEntries: number;
}

/** Go's limits, plus an entry cap far above real modules (the largest hold tens of thousands of files). */
export const DEFAULT_ZIP_LIMITS: ZipLimits = {
  maxZipBytes: MAX_ZIP_FILE,
  maxTotalUncompressed: MAX_ZIP_FILE,
  maxGoMod: MAX_GO_MOD,
  maxLicense: MAX_LICENSE,
  maxEntries: 200_000,
};

/** One file of a module, relative to the module root. */
export interface ModuleFile {
  path: string;
  size: number;
  /** Lowercase hex SHA-256 of the content. */
  sha256: string;
  /** The bytes, only when keepContent asked for them. */
  content?: Buffer;
  /** Git's blob id of the content (SHA-1 of `blob <size>\0` and the bytes), only when gitBlobIds asked. */
  gitBlobId?: string;
}

/** What a module zip holds: its h1 (as go.sum has it), the h1 of its go.mod, and its files. */
export interface ModuleZipContents {
  h1: string;
  /** `/go.mod h1:` of the zip's root go.mod, or null when the zip has none. */
  goModH1: string | null;
  files: ModuleFile[];
}

/** Options of readModuleZip. */
export interface ReadOptions {
  /** Return `content` for the files this accepts (e.g. go.mod); everything else is only hashed. */
  keepContent?: (path: string, size: number) => boolean;
  /** Also compute each file's git blob id, to match files against a commit's tree without keeping their bytes. */
  gitBlobIds?: boolean;
  limits?: Partial<ZipLimits>;
  /**
   * Worker threads that help hash a zip read from a file: 'auto' (the default) for zips with enough data to
   * gain from them, 'always' for any, 'off' for none (this thread alone). The answer is the same either way.
   */
  workers?: 'auto' | 'always' | 'off';
  /** The pool to use instead of the process-wide one (sized from os.availableParallelism()). */
  pool?: HashPool;
}

interface CheckedEntry {
  entry: Entry;
  name: string; // full entry name
  rel: string; // relative to the module root ('' for the prefix directory itself)
  isDir: boolean;
}

const utf8 = new TextDecoder('utf-8', { fatal: true });
const EMPTY_SHA256 = createHash('sha256').digest('hex');

/**
 * Reads and hashes a module zip (a file path or bytes) for module@version `mv`, rejecting with
 * ZipRejectedError anything Go would refuse plus zip bombs and corrupted data.
 */
export async function readModuleZip(
  source: string | Buffer,
  mv: { path: string; version: string },
  opts: ReadOptions = {},
): Promise<ModuleZipContents> {
  const limits = { ...DEFAULT_ZIP_LIMITS, ...opts.limits };
  checkModule(mv);
  const { zip, raw, fd, close } = await openZip(source, limits);
  try {
    // Workers start now, so that they are up by the time the central directory is read and checked.
    const pool = hashPoolFor(zip.fileSize, fd, opts);
    pool?.start();
    const entries = await readCentralDirectory(zip, limits);
    const checked = checkEntries(entries, `${mv.path}@${mv.version}/`, limits);
    return await hashEntries(zip, checked, limits, raw, fd, opts.keepContent, opts.gitBlobIds ?? false, pool);
  } finally {
    await close();
  }
}

/**
 * Finds the `module@version` that every entry of a zip starts with, for callers that were not told it.
 * Throws ZipRejectedError when the entries do not share one `<path>@<version>/` prefix.
 */
export async function zipModuleVersion(source: string | Buffer, limits: Partial<ZipLimits> = {}): Promise<{ path: string; version: string }> {
  const lim = { ...DEFAULT_ZIP_LIMITS, ...limits };
  const { zip, close } = await openZip(source, lim);
  try {
    const entries = await readCentralDirectory(zip, lim);
    let prefix: string | null = null;
    for (const e of entries) {
      const name = decodeName(e);
      const at = name.indexOf('@');
      const slash = at < 0 ? -1 : name.indexOf('/', at);
      if (slash < 0) throw new ZipRejectedError(name, 'entry name has no "<module>@<version>/" prefix');
      const p = name.slice(0, slash + 1);
      if (prefix === null) prefix = p;
      else if (p !== prefix) throw new ZipRejectedError(name, `entry does not share the prefix ${JSON.stringify(prefix)} of the first entry`);
    }
    if (prefix === null) throw new ZipRejectedError(null, 'zip has no entries, so its module@version cannot be derived');
    const at = prefix.lastIndexOf('@');
    return { path: prefix.slice(0, at), version: prefix.slice(at + 1, -1) };
  } finally {
    await close();
  }
}

function checkModule(mv: { path: string; version: string }): void {
  const canon = canonicalVersion(mv.version);
  if (canon !== mv.version) throw new ZipRejectedError(null, `version "${mv.version}" is not canonical (should be "${canon}")`);
  try {
    checkModuleVersion(mv.path, mv.version);
  } catch (e) {
    if (e instanceof ModuleError) throw new ZipRejectedError(null, e.message);
    throw e;
  }
}

interface OpenedZip {
  zip: ZipFile;
  /** Raw byte ranges of the zip file for hashing (same file as yauzl reads). */
  raw: RawSource;
  /** The open file's descriptor, for worker threads; null for an in-memory zip. */
  fd: number | null;
  close(): Promise<void>;
}

async function openZip(source: string | Buffer, limits: ZipLimits): Promise<OpenedZip> {
  const size = typeof source === 'string' ? (await statOrReject(source)).size : source.length;
  if (size > limits.maxZipBytes) {
    throw new ZipRejectedError(null, `module zip file is too large (${size} bytes; limit is ${limits.maxZipBytes} bytes)`);
  }
  // decodeStrings:false keeps names as raw bytes, as Go reads them (yauzl would otherwise prefer the
  // Info-ZIP Unicode Path extra field, which Go ignores: a name Go and we would see differently).
  const options = { lazyEntries: true, decodeStrings: false, validateEntrySizes: false, autoClose: false, strictFileNames: false };
  if (typeof source !== 'string') {
    const zip = await yauzl.fromBufferPromise(source, options).catch(notAZip);
    const view = async (start: number, len: number) => {
      if (start + len > source.length) throw new Error('unexpected end of file');
      return source.subarray(start, start + len);
    };
    return { zip, raw: { range: view, readInto: (_b, start, len) => view(start, len) }, fd: null, close: async () => zip.close() };
  }
  let fh: FileHandle;
  try {
    fh = await open(source, 'r');
  } catch (e) {
    throw new ZipRejectedError(null, `cannot read ${source}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  const reader = new WindowedFileReader(fh, size);
  try {
    const zip = await yauzl.fromRandomAccessReaderPromise(reader, size, options).catch(notAZip);
    // Hashing starts once yauzl has read the central directory: its reads can then share reused buffers.
    const raw = new WindowSource(async (buf, offset, length, position) => (await fh.read(buf, offset, length, position)).bytesRead, size);
    return { zip, raw, fd: fh.fd, close: async () => (zip.close(), await fh.close()) };
  } catch (e) {
    await fh.close();
    throw e;
  }
}

function notAZip(e: Error): never {
  throw new ZipRejectedError(null, `not a valid zip file: ${e.message}`);
}

async function statOrReject(path: string) {
  try {
    return await stat(path);
  } catch (e) {
    throw new ZipRejectedError(null, `cannot read ${path}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
}

function readCentralDirectory(zip: ZipFile, limits: ZipLimits): Promise<Entry[]> {
  if (zip.entryCount > limits.maxEntries) {
    return Promise.reject(new ZipRejectedError(null, `zip has ${zip.entryCount} entries (limit is ${limits.maxEntries})`));
  }
  return new Promise((resolve, reject) => {
    const entries: Entry[] = [];
    zip.on('entry', (e: Entry) => {
      entries.push(e);
      zip.readEntry();
    });
    zip.on('end', () => resolve(entries));
    zip.on('error', (err: Error) => {
      // yauzl fails on the entry after the last good one, before it has a name to report.
      reject(new ZipRejectedError(`entry #${entries.length + 1}`, `corrupt central directory: ${err.message}`));
    });
    zip.readEntry();
  });
}

function decodeName(e: Entry): string {
  const raw = e.fileNameRaw;
  try {
    return utf8.decode(raw);
  } catch {
    throw new ZipRejectedError(JSON.stringify(raw.toString('latin1')), 'file name is not valid UTF-8');
  }
}

// zip.checkZip, rule for rule, except that every problem is fatal (we need the whole zip to hash it).
function checkEntries(entries: Entry[], prefix: string, limits: ZipLimits): CheckedEntry[] {
  const collisions = new CollisionChecker();
  const out: CheckedEntry[] = [];
  let declaredTotal = 0;
  for (const entry of entries) {
    const name = decodeName(entry);
    const reject = (reason: string): never => {
      throw new ZipRejectedError(name, reason);
    };
    // The encryption flag is ignored, as Go's archive/zip does: the bytes are hashed as stored (real
    // encrypted data then fails the CRC check).
    if (entry.compressionMethod !== 0 && entry.compressionMethod !== 8) reject(`unsupported compression method ${entry.compressionMethod}`);
    if (entry.compressionMethod === 0 && entry.compressedSize !== entry.uncompressedSize) {
      reject(`stored entry declares ${entry.compressedSize} compressed but ${entry.uncompressedSize} uncompressed bytes`);
    }
    if (!name.startsWith(prefix)) reject(`path does not have prefix ${JSON.stringify(prefix)}`);
    let rel = name.slice(prefix.length);
    const isDir = rel === '' || rel.endsWith('/');
    // Go's archive/zip refuses to read a directory entry with uncompressed data (and tolerates compressed
    // bytes that inflate to nothing, as the jar tool writes); its content is then empty.
    if (isDir && entry.uncompressedSize !== 0) reject('directory entry has data');
    if (rel === '') {
      out.push({ entry, name, rel, isDir: true });
      continue;
    }
    if (isDir) rel = rel.slice(0, -1);
    if (cleanPath(rel) !== rel) reject('file path is not clean');
    try {
      checkFilePath(rel);
    } catch (e) {
      if (e instanceof ModuleError) reject(e.message);
      throw e;
    }
    const collision = collisions.check(rel, isDir);
    if (collision) reject(collision);
    if (!isDir) {
      const base = rel.slice(rel.lastIndexOf('/') + 1);
      if (equalFoldAscii(base, 'go.mod')) {
        if (base !== rel) reject('go.mod file not in module root directory');
        if (rel !== 'go.mod') reject('go.mod files must have lowercase names');
      }
      const size = entry.uncompressedSize;
      if (size > limits.maxTotalUncompressed - declaredTotal) {
        reject(`total uncompressed size of module contents too large (max size is ${limits.maxTotalUncompressed} bytes)`);
      }
      declaredTotal += size;
      if (rel === 'go.mod' && size > limits.maxGoMod) reject(`go.mod file too large (max size is ${limits.maxGoMod} bytes)`);
      if (rel === 'LICENSE' && size > limits.maxLicense) reject(`LICENSE file too large (max size is ${limits.maxLicense} bytes)`);
    }
    out.push({ entry, name, rel, isDir });
  }
  return out;
}

/** Below this zip size, starting worker threads costs more than they save. */
const WORKERS_MIN_ZIP_BYTES = 8 << 20;

/** The pool whose workers help hash this zip, or null for this thread alone. */
function hashPoolFor(zipSize: number, fd: number | null, opts: ReadOptions): HashPool | null {
  const mode = opts.workers ?? 'auto';
  const use = fd !== null && (mode === 'always' || (mode === 'auto' && zipSize >= WORKERS_MIN_ZIP_BYTES));
  return use ? (opts.pool ?? sharedHashPool()) : null;
}

async function hashEntries(
  zip: ZipFile,
  checked: CheckedEntry[],
  limits: ZipLimits,
  raw: RawSource,
  fd: number | null,
  keepContent: ReadOptions['keepContent'],
  gitBlobIds: boolean,
  pool: HashPool | null,
): Promise<ModuleZipContents> {
  const fileEntries = checked.filter((c) => !c.isDir);
  const tasks: EntryTask[] = fileEntries.map((c) => ({
    name: c.name,
    headerOffset: c.entry.relativeOffsetOfLocalHeader,
    method: c.entry.compressionMethod,
    compressedSize: c.entry.compressedSize,
    declaredSize: c.entry.uncompressedSize,
    crc32: c.entry.crc32,
    keep: keepContent?.(c.rel, c.entry.uncompressedSize) ?? false,
    gitBlobId: gitBlobIds,
  }));
  const digests = await runHashJob(new HashJob(planBatches(tasks), fd, zip.fileSize), raw, pool);

  const hashed: HashedFile[] = [];
  const files: ModuleFile[] = [];
  let goModH1: string | null = null;
  let realTotal = 0;
  let next = 0;
  for (const c of checked) {
    if (c.isDir) {
      // dirhash.HashZip lists directory entries too; Go refuses one with data, so its content is empty.
      hashed.push({ name: c.name, sha256: EMPTY_SHA256 });
      continue;
    }
    const d = digests[next++]!;
    // Each entry's real size was held to its declared size while inflating, and checkEntries held the
    // declared sizes to the limit; the real total is checked again all the same.
    realTotal += d.size;
    if (realTotal > limits.maxTotalUncompressed) {
      throw new ZipRejectedError(c.name, `total uncompressed size of module contents too large (max size is ${limits.maxTotalUncompressed} bytes)`);
    }
    hashed.push({ name: c.name, sha256: d.sha256 });
    const file: ModuleFile = { path: c.rel, size: d.size, sha256: d.sha256 };
    if (d.content) file.content = d.content;
    if (d.gitBlobId) file.gitBlobId = d.gitBlobId;
    files.push(file);
    if (c.rel === 'go.mod') goModH1 = hash1([{ name: 'go.mod', sha256: d.sha256 }]);
  }
  return { h1: hash1(hashed), goModH1, files };
}

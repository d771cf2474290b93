/**
 * Reads a module zip as hostile input: checks every name and size the way golang.org/x/mod/zip's CheckZip
 * does, then streams each entry through sha256 counting the bytes really inflated, and returns the h1
 * that dirhash.HashZip would compute. Nothing is held in memory but digests, unless keepContent asks.
 */
import { createHash } from 'node:crypto';
import { open, stat, type FileHandle } from 'node:fs/promises';
import { createInflateRaw, crc32, inflateRawSync } from 'node:zlib';
import yauzl, { type Entry, type ZipFile } from 'yauzl';
import { canonicalVersion, checkFilePath, checkModuleVersion, ModuleError } from '../gomod/module.js';
import { WindowedFileReader } from './file-reader.js';
import { CollisionChecker, MAX_GO_MOD, MAX_LICENSE, MAX_ZIP_FILE } from './fileset.js';
import { hash1, type HashedFile } from './hash.js';
import { cleanPath, equalFoldAscii } from './paths.js';

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

/** A zip refused as a module zip; `entry` names the offending entry (null when the zip as a whole is at fault). */
export class ZipRejectedError extends Error {
  constructor(
    readonly entry: string | null,
    readonly reason: string,
  ) {
    super(entry === null ? reason : `${entry}: ${reason}`);
    this.name = 'ZipRejectedError';
  }
}

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
  const { zip, raw, close } = await openZip(source, limits);
  try {
    const entries = await readCentralDirectory(zip, limits);
    const checked = checkEntries(entries, `${mv.path}@${mv.version}/`, limits);
    return await hashEntries(zip, checked, limits, opts.keepContent, raw, opts.gitBlobIds ?? false);
  } finally {
    await close();
  }
}

/** Streamed entries go through a reused buffer of this size (no garbage per piece for stored data). */
const PIECE = 256 << 10;

// The local file header in front of an entry's data: checked like yauzl does, parsed without a second read.
async function dataStart(raw: RawSource, entry: Entry, fileSize: number): Promise<number> {
  const off = entry.relativeOffsetOfLocalHeader;
  const h = await raw.range(off, 30);
  if (h.readUInt32LE(0) !== 0x04034b50) throw new Error(`invalid local file header signature: 0x${h.readUInt32LE(0).toString(16)}`);
  const start = off + 30 + h.readUInt16LE(26) + h.readUInt16LE(28);
  if (start + entry.compressedSize > fileSize) throw new Error(`file data overflows file bounds: ${start} + ${entry.compressedSize} > ${fileSize}`);
  return start;
}

/** Entries this small (compressed and declared) are read and inflated in one go; the rest are streamed. */
const ONE_SHOT_MAX = 1 << 20;

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
  /** Raw byte ranges of the zip file (same file as yauzl reads). */
  raw: RawSource;
  close(): Promise<void>;
}

/** Raw access to the zip's bytes. Returned buffers are only valid until the next call. */
interface RawSource {
  /** A range, typically small (headers, small entries). */
  range(start: number, length: number): Promise<Buffer>;
  /** A range read into `buf` (reused by the caller), or a view of an in-memory zip. */
  readInto(buf: Buffer, start: number, length: number): Promise<Buffer>;
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
    return { zip, raw: { range: view, readInto: (_b, start, len) => view(start, len) }, close: async () => zip.close() };
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
    const raw: RawSource = { range: (start, len) => reader.range(start, len), readInto: (b, start, len) => reader.readInto(b, start, len) };
    return { zip, raw, close: async () => (zip.close(), await fh.close()) };
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

async function hashEntries(
  zip: ZipFile,
  checked: CheckedEntry[],
  limits: ZipLimits,
  keepContent: ReadOptions['keepContent'],
  raw: RawSource,
  gitBlobIds: boolean,
): Promise<ModuleZipContents> {
  const piece = Buffer.allocUnsafe(PIECE);
  const hashed: HashedFile[] = [];
  const files: ModuleFile[] = [];
  let goModH1: string | null = null;
  let realTotal = 0;
  for (const c of checked) {
    if (c.isDir) {
      // dirhash.HashZip lists directory entries too; Go refuses one with data, so its content is empty.
      hashed.push({ name: c.name, sha256: EMPTY_SHA256 });
      continue;
    }
    const declared = c.entry.uncompressedSize;
    const keep = keepContent?.(c.rel, declared) ?? false;
    const chunks: Buffer[] = [];
    const sha = createHash('sha256');
    // A wrong declared size is refused below, so hashing under the declared size is safe.
    const blob = gitBlobIds ? createHash('sha1').update(`blob ${declared}\0`) : null;
    let crc = 0;
    let n = 0;
    const take = (chunk: Buffer) => {
      n += chunk.length;
      realTotal += chunk.length;
      // Count what really comes out of the inflater: a bomb is stopped here, whatever the headers say.
      if (n > declared) throw new ZipRejectedError(c.name, `uncompressed data is larger than its declared size (${declared} bytes)`);
      if (realTotal > limits.maxTotalUncompressed) {
        throw new ZipRejectedError(c.name, `total uncompressed size of module contents too large (max size is ${limits.maxTotalUncompressed} bytes)`);
      }
      sha.update(chunk);
      blob?.update(chunk);
      crc = crc32(chunk, crc);
      // Chunks may be views of a reused buffer: copy what we keep.
      if (keep) chunks.push(Buffer.from(chunk));
    };
    let start: number;
    try {
      start = await dataStart(raw, c.entry, zip.fileSize);
    } catch (e) {
      throw new ZipRejectedError(c.name, `corrupt entry: ${(e as Error).message}`);
    }
    if (c.entry.compressedSize <= ONE_SHOT_MAX && declared <= ONE_SHOT_MAX) {
      let bytes: Buffer;
      try {
        bytes = await raw.range(start, c.entry.compressedSize);
      } catch (e) {
        throw new ZipRejectedError(c.name, `corrupt entry: ${(e as Error).message}`);
      }
      let data: Buffer;
      if (c.entry.compressionMethod === 0) {
        data = bytes;
      } else {
        try {
          // maxOutputLength caps what zlib may produce: one byte over the declared size is enough to refuse.
          data = inflateRawSync(bytes, { maxOutputLength: declared + 1 });
        } catch (e) {
          if ((e as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE') {
            throw new ZipRejectedError(c.name, `uncompressed data is larger than its declared size (${declared} bytes)`);
          }
          throw new ZipRejectedError(c.name, `corrupt data: ${(e as Error).message}`);
        }
      }
      take(data);
    } else {
      await streamEntry(c, start, raw, piece, take);
    }
    if (n !== declared) throw new ZipRejectedError(c.name, `uncompressed data is ${n} bytes but ${declared} were declared`);
    // Go's archive/zip skips the check when the header's CRC is 0; so do we, to hash what Go accepts.
    if (c.entry.crc32 !== 0 && (crc >>> 0) !== c.entry.crc32 >>> 0) {
      throw new ZipRejectedError(c.name, `checksum error (CRC-32 ${hex32(crc)}, header says ${hex32(c.entry.crc32)})`);
    }
    const sha256 = sha.digest('hex');
    hashed.push({ name: c.name, sha256 });
    const file: ModuleFile = { path: c.rel, size: n, sha256 };
    if (keep) file.content = Buffer.concat(chunks, n);
    if (blob) file.gitBlobId = blob.digest('hex');
    files.push(file);
    if (c.rel === 'go.mod') goModH1 = hash1([{ name: 'go.mod', sha256 }]);
  }
  return { h1: hash1(hashed), goModH1, files };
}

// A large entry, in pieces: stored data is hashed straight from the reused buffer; deflated data goes
// through one inflate stream whose every output chunk is counted by `take` (which throws on a bomb).
async function streamEntry(c: CheckedEntry, start: number, raw: RawSource, piece: Buffer, take: (b: Buffer) => void): Promise<void> {
  const size = c.entry.compressedSize;
  const read = async (pos: number, len: number) => {
    try {
      return await raw.readInto(piece, start + pos, len);
    } catch (e) {
      throw new ZipRejectedError(c.name, `corrupt entry: ${(e as Error).message}`);
    }
  };
  if (c.entry.compressionMethod === 0) {
    for (let pos = 0; pos < size; pos += PIECE) take(await read(pos, Math.min(PIECE, size - pos)));
    return;
  }
  const inflate = createInflateRaw({ chunkSize: 64 << 10 });
  let failure: unknown = null;
  const ended = new Promise<void>((resolve) => {
    inflate.on('data', (chunk: Buffer) => {
      if (failure) return;
      try {
        take(chunk);
      } catch (e) {
        failure = e;
        inflate.destroy();
        resolve();
      }
    });
    inflate.on('error', (e) => {
      failure ??= new ZipRejectedError(c.name, `corrupt data: ${e.message}`);
      resolve();
    });
    inflate.on('end', resolve);
    inflate.on('close', resolve);
  });
  for (let pos = 0; pos < size && !failure; pos += PIECE) {
    const chunk = await read(pos, Math.min(PIECE, size - pos));
    // The piece buffer is reused: wait until zlib has consumed this chunk before reading the next one.
    await Promise.race([new Promise<void>((resolve) => inflate.write(chunk, () => resolve())), ended]);
  }
  if (!failure) inflate.end();
  await ended;
  if (failure) throw failure;
}

function hex32(n: number): string {
  return (n >>> 0).toString(16).padStart(8, '0');
}

/**
 * One zip entry's data, read as hostile input: find it behind its local header, inflate it counting the bytes
 * that really come out (a bomb is stopped there, whatever the headers say), check size and CRC-32, and return
 * its sha256. The same code runs on the calling thread and in the hashing workers (hash-worker.ts), so both
 * give the same answers and the same errors. It imports only node built-ins and the pure stored-deflate.ts, so
 * that workers start quickly.
 */
import { createHash } from 'node:crypto';
import { createInflateRaw, crc32, inflateRawSync } from 'node:zlib';
import { isStoredBlock, StoredBlockReader } from './stored-deflate.js';

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

/** Raw access to the zip's bytes. Returned buffers are only valid until the next call. */
export interface RawSource {
  /** A range, typically small (headers, small entries). */
  range(start: number, length: number): Promise<Buffer>;
  /** A range read into `buf` (reused by the caller), or a view of an in-memory zip. */
  readInto(buf: Buffer, start: number, length: number): Promise<Buffer>;
}

/** What hashing one entry needs from the central directory: plain data, so it can be posted to a worker. */
export interface EntryTask {
  /** Full entry name, for error messages. */
  name: string;
  /** Offset of the entry's local file header. */
  headerOffset: number;
  /** 0 (stored) or 8 (deflate); checkEntries refused anything else. */
  method: number;
  compressedSize: number;
  /** Uncompressed size the central directory declares. */
  declaredSize: number;
  /** CRC-32 the central directory declares (0: not checked, as in Go). */
  crc32: number;
  /** Return the bytes too (only ever on the calling thread). */
  keep: boolean;
  /** Also compute the git blob id (sha1 of "blob <size>\0" + content), to match a commit's tree. */
  gitBlobId?: boolean;
}

/** An entry's digest: its real size, the sha256 of its content, and the content when kept. */
export interface EntryDigest {
  size: number;
  sha256: string;
  content?: Buffer;
  gitBlobId?: string;
}

/** Streamed entries go through a reused piece buffer of this size (no garbage per piece for stored data). */
export const PIECE = 256 << 10;

/** Entries this small (compressed and declared) are read and inflated in one go; the rest are streamed. */
export const ONE_SHOT_MAX = 1 << 20;

/** zlib's smallest output chunk (zlib.constants.Z_MIN_CHUNK). */
const MIN_CHUNK = 64;

/** Whether an entry is read in one go (else streamed through a PIECE buffer). */
export function isOneShot(t: Pick<EntryTask, 'compressedSize' | 'declaredSize'>): boolean {
  return t.compressedSize <= ONE_SHOT_MAX && t.declaredSize <= ONE_SHOT_MAX;
}

/**
 * Hashes one entry of a zip of `zipSize` bytes. `piece` is a PIECE-sized scratch buffer the caller reuses.
 * Throws ZipRejectedError naming the entry for anything wrong with it.
 */
export async function hashEntry(raw: RawSource, zipSize: number, t: EntryTask, piece: Buffer): Promise<EntryDigest> {
  let start: number;
  try {
    start = await dataStart(raw, t, zipSize);
  } catch (e) {
    throw new ZipRejectedError(t.name, `corrupt entry: ${(e as Error).message}`);
  }
  const read = async (buf: Buffer | null, pos: number, len: number) => {
    try {
      return await (buf ? raw.readInto(buf, start + pos, len) : raw.range(start + pos, len));
    } catch (e) {
      throw new ZipRejectedError(t.name, `corrupt entry: ${(e as Error).message}`);
    }
  };
  if (isOneShot(t)) {
    const bytes = await read(null, 0, t.compressedSize);
    if (t.method === 0) return digestOf(t, [bytes]);
    return digestOf(t, storedBlocksContent(bytes, t.declaredSize) ?? [inflateOneShot(t, bytes)]);
  }
  if (t.method === 0) {
    const d = new EntryDigester(t);
    for (let pos = 0; pos < t.compressedSize; pos += PIECE) d.take(await read(piece, pos, Math.min(PIECE, t.compressedSize - pos)));
    return d.finish();
  }
  const first = t.compressedSize > 0 ? (await read(null, 0, 1))[0]! : 0;
  if (isStoredBlock(first)) {
    const d = await streamStoredBlocks(t, read, piece);
    if (d) return d;
  }
  return streamInflate(t, read, piece);
}

/** Reads `len` bytes of the entry's data at `pos`: into `buf` (reused), or as a short-lived view when null. */
type ReadData = (buf: Buffer | null, pos: number, len: number) => Promise<Buffer>;

function digestOf(t: EntryTask, content: Buffer[]): EntryDigest {
  const d = new EntryDigester(t);
  for (const c of content) d.take(c);
  return d.finish();
}

/** Counts, hashes and (when asked) keeps an entry's bytes, then checks size and CRC-32 against the headers. */
class EntryDigester {
  private readonly sha = createHash('sha256');
  // A wrong declared size is refused in finish(), so the blob header may use the declared size.
  private readonly blob;
  private crc = 0;
  private size = 0;
  private readonly kept: Buffer[] = [];

  constructor(private readonly t: EntryTask) {
    this.blob = t.gitBlobId ? createHash('sha1').update(`blob ${t.declaredSize}\0`) : null;
  }

  /** Whether `n` more bytes stay within the declared size. */
  fits(n: number): boolean {
    return this.size + n <= this.t.declaredSize;
  }

  /** Counts what really comes out of the inflater: a bomb is stopped here, whatever the headers say. */
  count(chunk: Buffer): void {
    if (!this.fits(chunk.length)) {
      throw new ZipRejectedError(this.t.name, `uncompressed data is larger than its declared size (${this.t.declaredSize} bytes)`);
    }
    this.size += chunk.length;
  }

  /** Hashes bytes already counted, in order. */
  update(chunk: Buffer): void {
    this.sha.update(chunk);
    this.blob?.update(chunk);
    this.crc = crc32(chunk, this.crc);
    // Chunks may be views of a reused buffer: copy what we keep.
    if (this.t.keep) this.kept.push(Buffer.from(chunk));
  }

  take(chunk: Buffer): void {
    this.count(chunk);
    this.update(chunk);
  }

  finish(): EntryDigest {
    const { t, size } = this;
    if (size !== t.declaredSize) throw new ZipRejectedError(t.name, `uncompressed data is ${size} bytes but ${t.declaredSize} were declared`);
    // Go's archive/zip skips the check when the header's CRC is 0; so do we, to hash what Go accepts.
    if (t.crc32 !== 0 && this.crc >>> 0 !== t.crc32 >>> 0) {
      throw new ZipRejectedError(t.name, `checksum error (CRC-32 ${hex32(this.crc)}, header says ${hex32(t.crc32)})`);
    }
    const digest: EntryDigest = { size, sha256: this.sha.digest('hex') };
    if (t.keep) digest.content = Buffer.concat(this.kept, size);
    if (this.blob) digest.gitBlobId = this.blob.digest('hex');
    return digest;
  }
}

// The local file header in front of an entry's data: checked like yauzl does, parsed without a second read.
async function dataStart(raw: RawSource, t: EntryTask, zipSize: number): Promise<number> {
  const off = t.headerOffset;
  const h = await raw.range(off, 30);
  if (h.readUInt32LE(0) !== 0x04034b50) throw new Error(`invalid local file header signature: 0x${h.readUInt32LE(0).toString(16)}`);
  const start = off + 30 + h.readUInt16LE(26) + h.readUInt16LE(28);
  if (start + t.compressedSize > zipSize) throw new Error(`file data overflows file bounds: ${start} + ${t.compressedSize} > ${zipSize}`);
  return start;
}

// The content of a small deflated entry made of stored blocks (views of `bytes`), or null for zlib to inflate:
// any other stream, and one holding more than the declared size (zlib then words the refusal).
function storedBlocksContent(bytes: Buffer, declared: number): Buffer[] | null {
  if (bytes.length === 0 || !isStoredBlock(bytes[0]!)) return null;
  const blocks = new StoredBlockReader();
  const out: Buffer[] = [];
  let size = 0;
  const ok = blocks.feed(bytes, (b) => {
    out.push(b);
    size += b.length;
  });
  return ok && blocks.done && size <= declared ? out : null;
}

function inflateOneShot(t: EntryTask, bytes: Buffer): Buffer {
  try {
    // maxOutputLength caps what zlib may produce: one byte over the declared size is enough to refuse.
    // An output chunk that holds it all spares zlib a list of 16 KiB chunks and their concatenation.
    const cap = t.declaredSize + 1;
    return inflateRawSync(bytes, { maxOutputLength: cap, chunkSize: Math.max(cap, MIN_CHUNK) });
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE') {
      throw new ZipRejectedError(t.name, `uncompressed data is larger than its declared size (${t.declaredSize} bytes)`);
    }
    throw new ZipRejectedError(t.name, `corrupt data: ${(e as Error).message}`);
  }
}

// A large deflated entry made of stored blocks, hashed from the pieces read. Null when it turns out to be
// anything else, or to hold more than the declared size: the caller then inflates it all with zlib, which
// gives the same content for what was read so far and words any refusal.
async function streamStoredBlocks(t: EntryTask, read: ReadData, piece: Buffer): Promise<EntryDigest | null> {
  const d = new EntryDigester(t);
  const blocks = new StoredBlockReader();
  let fits = true;
  const content = (b: Buffer) => {
    if (fits && d.fits(b.length)) d.take(b);
    else fits = false;
  };
  for (let pos = 0; pos < t.compressedSize; pos += PIECE) {
    if (!blocks.feed(await read(piece, pos, Math.min(PIECE, t.compressedSize - pos)), content) || !fits) return null;
  }
  return blocks.done ? d.finish() : null;
}

// A large deflated entry through one inflate stream whose every output chunk is counted as it comes
// (which throws on a bomb).
async function streamInflate(t: EntryTask, read: ReadData, piece: Buffer): Promise<EntryDigest> {
  const d = new EntryDigester(t);
  const size = t.compressedSize;
  const inflate = createInflateRaw({ chunkSize: 64 << 10 });
  let failure: unknown = null;
  // zlib hands out each output chunk before it asks its thread for the next, and never writes into a chunk
  // it has handed out: hashing chunks a microtask later lets the inflating and the hashing overlap.
  const unhashed: Buffer[] = [];
  const hashUnhashed = () => {
    for (const c of unhashed) d.update(c);
    unhashed.length = 0;
  };
  const ended = new Promise<void>((resolve) => {
    inflate.on('data', (chunk: Buffer) => {
      if (failure) return;
      try {
        d.count(chunk);
      } catch (e) {
        failure = e;
        inflate.destroy();
        resolve();
        return;
      }
      if (unhashed.push(chunk) === 1) queueMicrotask(hashUnhashed);
    });
    inflate.on('error', (e) => {
      failure ??= new ZipRejectedError(t.name, `corrupt data: ${e.message}`);
      resolve();
    });
    inflate.on('end', resolve);
    inflate.on('close', resolve);
  });
  try {
    for (let pos = 0; pos < size && !failure; pos += PIECE) {
      const chunk = await read(piece, pos, Math.min(PIECE, size - pos));
      // The piece buffer is reused: wait until zlib has consumed this chunk before reading the next one.
      await Promise.race([new Promise<void>((resolve) => inflate.write(chunk, () => resolve())), ended]);
    }
  } catch (e) {
    inflate.destroy();
    throw e;
  }
  if (!failure) inflate.end();
  await ended;
  if (failure) throw failure;
  hashUnhashed();
  return d.finish();
}

/** How a run of entries went: the digests of those hashed, and the first failure (which ends the run). */
export interface BatchOutcome {
  digests: EntryDigest[];
  /** `index` is the failing task's position in the run; the digests before it are complete. */
  failure?: { index: number; error: unknown };
}

/** Hashes entries one after the other, stopping at the first that fails (as reading them in order would). */
export async function hashBatch(raw: RawSource, zipSize: number, tasks: readonly EntryTask[], piece: Buffer): Promise<BatchOutcome> {
  const digests: EntryDigest[] = [];
  for (const t of tasks) {
    try {
      digests.push(await hashEntry(raw, zipSize, t, piece));
    } catch (error) {
      return { digests, failure: { index: digests.length, error } };
    }
  }
  return { digests };
}

function hex32(n: number): string {
  return (n >>> 0).toString(16).padStart(8, '0');
}

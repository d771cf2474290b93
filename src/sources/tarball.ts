import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';
import tar from 'tar-stream';
import { MESSAGE_CHARS, oneLine } from './plain-text.js';

/** One entry of a repository tarball, after the top-level `owner-repo-sha/` directory was stripped. */
export interface TarEntry {
  /** Slash-separated path relative to the repository root. */
  path: string;
  /** Regular files are hashed; symlinks and anything else are listed but carry no content. */
  type: 'file' | 'symlink' | 'directory' | 'other';
  /** Size in bytes (0 for non-regular entries). */
  size: number;
  /** Lowercase hex SHA-256 of the content; empty for non-regular entries. */
  sha256: string;
  /** The bytes, kept only when `keepContent` asked for them. */
  content?: Buffer;
}

/** Limits and options for {@link readTarGz}. */
export interface ReadTarGzOptions {
  /** Cap on compressed bytes read from the source. */
  maxBytes: number;
  /** Cap on uncompressed bytes (a gzip bomb stops here). Defaults to 500 MiB, Go's MaxZipFile. */
  maxUncompressedBytes?: number;
  /** Cap on the number of entries. Defaults to 200 000. */
  maxEntries?: number;
  /** Says whether to keep a regular file's bytes in memory (e.g. small text files, go.mod files). */
  keepContent?: (path: string, size: number) => boolean;
  /** Where the bytes come from, for error messages. */
  label?: string;
}

/** What {@link readTarGz} found besides the entries. */
export interface TarSummary {
  /** The stripped top-level directory, e.g. `boltdb-bolt-fd01fc7`, or null for an empty archive. */
  topDir: string | null;
  entries: number;
  compressedBytes: number;
  uncompressedBytes: number;
}

/** Raised when an archive goes past a byte or entry cap; nothing past the cap is read. */
export class TarballTooLargeError extends Error {
  constructor(
    readonly limit: number,
    readonly what: 'compressed bytes' | 'uncompressed bytes' | 'entries',
    label: string,
  ) {
    super(oneLine(`${label} is larger than the limit of ${limit} ${what}`, MESSAGE_CHARS));
    this.name = 'TarballTooLargeError';
  }
}

/** Raised for an archive that is not a well-formed repository tarball (bad gzip/tar, unsafe paths). */
export class TarballFormatError extends Error {
  constructor(message: string) {
    super(oneLine(message, MESSAGE_CHARS));
    this.name = 'TarballFormatError';
  }
}

const DEFAULT_MAX_UNCOMPRESSED = 500 << 20;
const DEFAULT_MAX_ENTRIES = 200_000;

/**
 * Streams a gzip'd tar (the shape GitHub's tarball endpoint returns) and calls `onEntry` for every entry
 * with its path relative to the single top-level directory, its SHA-256 and, when asked, its bytes.
 * Memory stays bounded: only kept contents are buffered. Rejects with TarballTooLargeError past a cap
 * and TarballFormatError for corrupt archives, absolute or `..` paths, or more than one top directory.
 */
export async function readTarGz(
  source: Readable | AsyncIterable<Uint8Array>,
  options: ReadTarGzOptions,
  onEntry: (entry: TarEntry) => void,
): Promise<TarSummary> {
  const label = options.label ?? 'tarball';
  const maxUncompressed = options.maxUncompressedBytes ?? DEFAULT_MAX_UNCOMPRESSED;
  const maxEntries = options.maxEntries ?? DEFAULT_MAX_ENTRIES;
  const summary: TarSummary = { topDir: null, entries: 0, compressedBytes: 0, uncompressedBytes: 0 };

  const input = source instanceof Readable ? source : Readable.from(source);
  const countCompressed = async function* (chunks: AsyncIterable<Buffer>) {
    for await (const chunk of chunks) {
      summary.compressedBytes += chunk.length;
      if (summary.compressedBytes > options.maxBytes) {
        throw new TarballTooLargeError(options.maxBytes, 'compressed bytes', label);
      }
      yield chunk;
    }
  };
  const countUncompressed = async function* (chunks: AsyncIterable<Buffer>) {
    for await (const chunk of chunks) {
      summary.uncompressedBytes += chunk.length;
      if (summary.uncompressedBytes > maxUncompressed) {
        throw new TarballTooLargeError(maxUncompressed, 'uncompressed bytes', label);
      }
      yield chunk;
    }
  };

  const extract = tar.extract();
  const consume = (async () => {
    for await (const entry of extract) {
      summary.entries++;
      if (summary.entries > maxEntries) throw new TarballTooLargeError(maxEntries, 'entries', label);
      const rel = stripTopDir(entry.header.name, summary, label);
      const type = entryType(entry.header.type);
      if (type !== 'file') {
        // Drain the (normally empty) body so the extractor moves on.
        for await (const _ of entry as AsyncIterable<Buffer>) void _;
        if (rel !== null) onEntry({ path: rel, type, size: 0, sha256: '' });
        continue;
      }
      const size = entry.header.size ?? 0;
      const keep = rel !== null && (options.keepContent?.(rel, size) ?? false);
      const hash = createHash('sha256');
      const parts: Buffer[] = [];
      for await (const chunk of entry as AsyncIterable<Buffer>) {
        hash.update(chunk);
        if (keep) parts.push(chunk);
      }
      // A regular file at the archive root (outside the top directory) cannot come from git archive.
      if (rel === null) throw new TarballFormatError(`${label}: file ${quoted(entry.header.name)} is outside the top-level directory`);
      const out: TarEntry = { path: rel, type, size, sha256: hash.digest('hex') };
      if (keep) out.content = Buffer.concat(parts);
      onEntry(out);
    }
  })();

  const pump = pipeline(input, countCompressed, createGunzip(), countUncompressed, extract);
  // Both halves are observed here, so whichever fails second never becomes an unhandled rejection.
  pump.catch(() => undefined);
  consume.catch(() => undefined);
  try {
    await Promise.all([pump, consume]);
  } catch (e) {
    extract.destroy();
    input.destroy();
    if (e instanceof TarballTooLargeError || e instanceof TarballFormatError) throw e;
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'Z_DATA_ERROR' || code === 'Z_BUF_ERROR' || /gzip|header|tar|Unexpected end/i.test(String(e))) {
      throw new TarballFormatError(`${label} is not a valid tar.gz archive: ${(e as Error).message}`);
    }
    throw e;
  }
  return summary;
}

function entryType(t: tar.Header['type'] | null | undefined): TarEntry['type'] {
  switch (t) {
    case 'file':
    case 'contiguous-file':
    case undefined:
    case null:
      return 'file';
    case 'symlink':
      return 'symlink';
    case 'directory':
      return 'directory';
    default:
      return 'other';
  }
}

/**
 * Returns the path below the single top-level directory (null for the directory itself) and records
 * that directory. GitHub names it `owner-repo-<short sha>`; we accept any one name but only one.
 */
function stripTopDir(name: string, summary: TarSummary, label: string): string | null {
  if (name.startsWith('/') || name.includes('\\') || name.includes('\0')) {
    throw new TarballFormatError(`${label}: unsafe entry name ${quoted(name)}`);
  }
  const trimmed = name.replace(/\/+$/, '');
  const slash = trimmed.indexOf('/');
  const top = slash === -1 ? trimmed : trimmed.slice(0, slash);
  if (summary.topDir === null) summary.topDir = top;
  else if (summary.topDir !== top) {
    throw new TarballFormatError(`${label}: entry ${quoted(name)} is not under the top-level directory ${quoted(`${summary.topDir}/`)}`);
  }
  if (slash === -1) return null;
  const rel = trimmed.slice(slash + 1);
  if (rel.split('/').some((el) => el === '' || el === '.' || el === '..')) {
    throw new TarballFormatError(`${label}: unsafe entry name ${quoted(name)}`);
  }
  return rel;
}

/** An entry name from the archive, quoted (control characters escaped) and shortened for a message. */
function quoted(name: string): string {
  return oneLine(JSON.stringify(name), 200);
}

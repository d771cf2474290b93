/**
 * Go's `h1:` hashes (golang.org/x/mod/sumdb/dirhash Hash1), bit for bit.
 * Pure: callers stream file contents through sha256 themselves and pass the hex digests.
 */
import { createHash } from 'node:crypto';

/** One file as Hash1 sees it: its full name (for a zip, including `module@version/`) and content digest. */
export interface HashedFile {
  name: string;
  /** Lowercase hex SHA-256 of the file's content. */
  sha256: string;
}

/** Thrown when a file name cannot be hashed (Go refuses names with a newline). */
export class HashError extends Error {
  constructor(
    message: string,
    readonly file: string,
  ) {
    super(message);
    this.name = 'HashError';
  }
}

/** Lowercase hex SHA-256 of some bytes. */
export function sha256Hex(bytes: Uint8Array | string): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** Orders names as Go's sort.Strings does: bytewise over UTF-8 (JS `<` compares UTF-16 units). */
export function compareUtf8(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
}

/**
 * dirhash.Hash1: sort the names, write `"<hex>  <name>\n"` per file, and return
 * `"h1:" + base64(sha256(summary))`. Throws HashError for a name containing a newline, as Go does.
 */
export function hash1(files: readonly HashedFile[]): string {
  // Each name is encoded once, not once per comparison (a large module has tens of thousands of files).
  const keyed = files.map((f) => ({ f, key: Buffer.from(f.name, 'utf8') }));
  keyed.sort((x, y) => Buffer.compare(x.key, y.key));
  const summary = createHash('sha256');
  for (const { f } of keyed) {
    if (f.name.includes('\n')) throw new HashError(`dirhash: filenames with newlines are not supported: ${JSON.stringify(f.name)}`, f.name);
    if (!/^[0-9a-f]{64}$/.test(f.sha256)) throw new HashError(`not a sha256 hex digest for ${JSON.stringify(f.name)}`, f.name);
    summary.update(`${f.sha256}  ${f.name}\n`, 'utf8');
  }
  return 'h1:' + summary.digest('base64');
}

/** The `/go.mod h1:` hash of go.sum: Hash1 over the single file named `go.mod` holding exactly these bytes. */
export function hashGoMod(bytes: Uint8Array | string): string {
  return hash1([{ name: 'go.mod', sha256: sha256Hex(bytes) }]);
}

/** The go.mod the go command synthesises (and the proxy serves) for a module that has none. */
export function syntheticGoMod(modulePath: string): string {
  return `module ${modulePath}\n`;
}

/** h1 of Go's empty go.mod, which the go command ignores in go.sum because an old bug wrote it. */
export const EMPTY_GO_MOD_H1 = 'h1:G7mAYYxgmS0lVkHyy2hEOLQCFB0DlQFTMLWggykrydY=';

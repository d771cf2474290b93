/**
 * Transparency-log pieces of the Go checksum database (golang.org/x/mod/sumdb/tlog): RFC 6962 hashing,
 * tree-note and lookup-record parsing, tile paths, and computing a tree root from node hashes so that
 * record inclusion and tree consistency can be checked against a signed root. Pure: no I/O.
 */
import { createHash } from 'node:crypto';
import { decodeStdBase64 } from './note.js';

/** Size of every hash in the tree. */
export const HASH_SIZE = 32;

/** A signed tree head: size and root hash. */
export interface Tree {
  size: number;
  /** 32-byte root hash. */
  hash: Buffer;
}

/** Malformed tree note, record or tile path. */
export class TlogError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TlogError';
  }
}

/** RFC 6962 leaf hash: SHA-256(0x00 ‖ data). */
export function recordHash(data: Buffer | string): Buffer {
  return createHash('sha256').update(Buffer.from([0])).update(data).digest();
}

/** RFC 6962 interior node hash: SHA-256(0x01 ‖ left ‖ right). */
export function nodeHash(left: Buffer, right: Buffer): Buffer {
  return createHash('sha256').update(Buffer.from([1])).update(left).update(right).digest();
}

/** Hash of the empty tree: SHA-256 of nothing. */
export function emptyTreeHash(): Buffer {
  return createHash('sha256').digest();
}

/** Parses the text of a tree note: "go.sum database tree\n<N>\n<base64 hash>\n[...]" (tlog.ParseTree). */
export function parseTree(text: string): Tree {
  if (text.length > 1e6) throw new TlogError('malformed tree note: too long');
  const lines = text.split('\n');
  if (lines.length < 4 || lines[0] !== 'go.sum database tree') {
    throw new TlogError('malformed tree note: first line must be "go.sum database tree"');
  }
  const n = lines[1]!;
  if (!/^(0|[1-9][0-9]*)$/.test(n) || !Number.isSafeInteger(Number(n))) {
    throw new TlogError(`malformed tree note: bad tree size ${JSON.stringify(n)}`);
  }
  const hash = decodeStdBase64(lines[2]!);
  if (!hash || hash.length !== HASH_SIZE) throw new TlogError(`malformed tree note: bad root hash ${JSON.stringify(lines[2])}`);
  return { size: Number(n), hash };
}

/** Formats a tree note text (tlog.FormatTree). */
export function formatTree(tree: Tree): string {
  return `go.sum database tree\n${tree.size}\n${tree.hash.toString('base64')}\n`;
}

/** A parsed `/lookup` response: record id, record text and the (still unverified) signed tree note. */
export interface LookupRecord {
  id: number;
  text: string;
  note: Buffer;
}

/** Splits a `/lookup` body into id, record text and note (tlog.ParseRecord), checking the record text. */
export function parseRecord(body: Buffer): LookupRecord {
  const nl = body.indexOf(0x0a);
  if (nl < 0) throw new TlogError('malformed record: no id line');
  const idText = body.subarray(0, nl).toString('latin1');
  if (!/^(0|[1-9][0-9]*)$/.test(idText) || !Number.isSafeInteger(Number(idText))) {
    throw new TlogError(`malformed record: bad id ${JSON.stringify(idText.slice(0, 40))}`);
  }
  const rest = body.subarray(nl + 1);
  const end = rest.indexOf('\n\n');
  if (end < 0) throw new TlogError('malformed record: no blank line after the record text');
  const textBytes = rest.subarray(0, end + 1);
  const text = textBytes.toString('utf8');
  if (!Buffer.from(text, 'utf8').equals(textBytes)) throw new TlogError('malformed record: not valid UTF-8');
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u0009\u000b-\u001f]/.test(text)) throw new TlogError('malformed record: control character in record text');
  return { id: Number(idText), text, note: rest.subarray(end + 2) };
}

/** A tile of height H at level L (-1 for record data), index N, width W (tlog.Tile). */
export interface Tile {
  H: number;
  L: number;
  N: number;
  W: number;
}

/** The URL path of a tile (tlog.Tile.Path), e.g. `tile/8/0/x001/x234/067.p/7`. */
export function tilePath(t: Tile): string {
  let n = t.N;
  let nStr = String(n % 1000).padStart(3, '0');
  while (n >= 1000) {
    n = Math.floor(n / 1000);
    nStr = `x${String(n % 1000).padStart(3, '0')}/${nStr}`;
  }
  const p = t.W !== 2 ** t.H ? `.p/${t.W}` : '';
  return `tile/${t.H}/${t.L === -1 ? 'data' : t.L}/${nStr}${p}`;
}

/** Parses a tile path back into a Tile (tlog.ParseTilePath); throws TlogError if malformed. */
export function parseTilePath(path: string): Tile {
  const m = /^tile\/([1-9]|[1-2][0-9]|30)\/(data|0|[1-9][0-9]*)\/((?:x[0-9]{3}\/)*[0-9]{3})(?:\.p\/([1-9][0-9]*))?$/.exec(path);
  if (!m) throw new TlogError(`malformed tile path ${JSON.stringify(path)}`);
  const H = Number(m[1]);
  const L = m[2] === 'data' ? -1 : Number(m[2]);
  const N = Number(m[3]!.replace(/x/g, '').replace(/\//g, ''));
  const W = m[4] !== undefined ? Number(m[4]) : 2 ** H;
  if (W > 2 ** H || (m[4] !== undefined && W === 2 ** H) || !Number.isSafeInteger(N)) {
    throw new TlogError(`malformed tile path ${JSON.stringify(path)}`);
  }
  return { H, L, N, W };
}

/** Reads the hash of the complete node (level, index) — covering leaves [index·2^level, (index+1)·2^level). */
export type NodeReader = (level: number, index: number) => Promise<Buffer>;

/**
 * Root hash of leaves [lo, hi) following RFC 6962's split (largest power of two first). Complete,
 * aligned subtrees are read with `read` unless `descend(lo, hi)` says to go inside; `leaf(i)` may
 * supply a locally computed leaf hash (return undefined to read it).
 */
export async function subtreeHash(
  lo: number,
  hi: number,
  read: NodeReader,
  descend: (lo: number, hi: number) => boolean = () => false,
  leaf: (i: number) => Buffer | undefined = () => undefined,
): Promise<Buffer> {
  const n = hi - lo;
  if (n === 1) return leaf(lo) ?? read(0, lo);
  if (isPow2(n) && lo % n === 0 && !descend(lo, hi)) return read(Math.log2(n), lo / n);
  const k = largestPow2Below(n);
  const left = await subtreeHash(lo, lo + k, read, descend, leaf);
  const right = await subtreeHash(lo + k, hi, read, descend, leaf);
  return nodeHash(left, right);
}

/** Root hash of the first `size` leaves, reading complete nodes through `read`. */
export function treeHash(size: number, read: NodeReader): Promise<Buffer> {
  if (size === 0) return Promise.resolve(emptyTreeHash());
  return subtreeHash(0, size, read);
}

/**
 * Checks that `recordText` is leaf `id` of `tree`: recomputes the root from the record's own hash and the
 * sibling hashes `read` supplies, and compares it with the signed root. Any forged node or record fails.
 */
export async function verifyInclusion(tree: Tree, id: number, recordText: string | Buffer, read: NodeReader): Promise<boolean> {
  if (!(id >= 0 && id < tree.size)) return false;
  const mine = recordHash(recordText);
  const root = await subtreeHash(
    0,
    tree.size,
    read,
    (lo, hi) => lo <= id && id < hi,
    (i) => (i === id ? mine : undefined),
  );
  return root.equals(tree.hash);
}

/**
 * Checks that `older` is a prefix of `newer` (no fork): computes the newer root while descending into
 * every range that straddles the older size, then the older root from exactly those node hashes.
 */
export async function verifyConsistency(older: Tree, newer: Tree, read: NodeReader): Promise<boolean> {
  if (older.size > newer.size) return verifyConsistency(newer, older, read);
  if (older.size === 0) return older.hash.equals(emptyTreeHash());
  const seen = new Map<string, Buffer>();
  const remember: NodeReader = async (level, index) => {
    const h = await read(level, index);
    seen.set(`${level}/${index}`, h);
    return h;
  };
  const newRoot = await subtreeHash(0, newer.size, remember, (lo, hi) => lo < older.size && older.size < hi);
  if (!newRoot.equals(newer.hash)) return false;
  // The older root may only use nodes the newer root was just authenticated with.
  const fromSeen: NodeReader = async (level, index) => {
    const h = seen.get(`${level}/${index}`);
    if (!h) throw new TlogError(`consistency check needs node ${level}/${index}, which the newer root does not cover`);
    return h;
  };
  return (await subtreeHash(0, older.size, fromSeen)).equals(older.hash);
}

/** Where the hash of node (level, index) lives in tiles of height H: the tile and the range of entries to fold. */
export function nodeTile(level: number, index: number, H: number, treeSize: number): { tile: Tile; start: number; count: number } {
  const L = Math.floor(level / H);
  const r = level - L * H;
  const first = index * 2 ** r; // index of the first covered hash at level L·H
  const N = Math.floor(first / 2 ** H);
  const storedAtLevel = Math.floor(treeSize / 2 ** (L * H));
  const W = Math.min(2 ** H, storedAtLevel - N * 2 ** H);
  return { tile: { H, L, N, W }, start: first - N * 2 ** H, count: 2 ** r };
}

/** Folds `count` consecutive 32-byte hashes (a power of two) into one subtree hash (tlog tileHash). */
export function foldHashes(data: Buffer, start: number, count: number): Buffer {
  if (count === 1) return Buffer.from(data.subarray(start * HASH_SIZE, (start + 1) * HASH_SIZE));
  const half = count / 2;
  return nodeHash(foldHashes(data, start, half), foldHashes(data, start + half, half));
}

/** Hashes stored at every level of a tree of `leaves` (level 0 = leaf hashes); used to build tiles. */
export function storedLevels(leafHashes: Buffer[]): Buffer[][] {
  const levels: Buffer[][] = [leafHashes];
  while (levels.at(-1)!.length >= 2) {
    const prev = levels.at(-1)!;
    const next: Buffer[] = [];
    for (let i = 0; i + 1 < prev.length; i += 2) next.push(nodeHash(prev[i]!, prev[i + 1]!));
    levels.push(next);
  }
  return levels;
}

function isPow2(n: number): boolean {
  return n > 0 && Number.isInteger(Math.log2(n));
}

function largestPow2Below(n: number): number {
  let k = 1;
  while (k * 2 < n) k *= 2;
  return k;
}

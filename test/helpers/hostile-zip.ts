/**
 * A raw zip writer for tests that need zips a well-behaved library refuses to write: lying sizes and CRCs,
 * duplicate and traversing names, raw bytes in names, overlapping entries, bombs. No zip64.
 */
import { crc32, deflateRawSync } from 'node:zlib';

export interface RawEntry {
  /** Entry name (a string is written as UTF-8). */
  name: string | Buffer;
  /** Uncompressed content. */
  data?: Buffer | string;
  /** 0 = stored, 8 = deflate (default), anything else is written as is. */
  method?: number;
  /** Bytes to write as the file data instead of compressing `data`. */
  rawData?: Buffer;
  /** Lies for the central directory (and local header). */
  declaredSize?: number;
  declaredCompressedSize?: number;
  crc?: number;
  flags?: number;
  /** Point this entry's central record at the local header of an earlier entry (overlapping-file bombs). */
  sameDataAs?: number;
  /** Unix mode in the high 16 bits of the external attributes (e.g. 0o120777 for a symlink). */
  unixMode?: number;
  /** Extra field bytes for the central record. */
  extra?: Buffer;
}

/** Builds a zip from raw entries, writing whatever it is told. */
export function buildRawZip(entries: RawEntry[]): Buffer {
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  const offsets: number[] = [];
  const records: { name: Buffer; method: number; crc: number; csize: number; usize: number; flags: number; offset: number; extra: Buffer; attrs: number }[] = [];
  let offset = 0;
  for (const e of entries) {
    const name = typeof e.name === 'string' ? Buffer.from(e.name, 'utf8') : e.name;
    const data = typeof e.data === 'string' ? Buffer.from(e.data, 'utf8') : (e.data ?? Buffer.alloc(0));
    const method = e.method ?? 8;
    const compressed = e.rawData ?? (method === 8 ? deflateRawSync(data) : data);
    const rec = {
      name,
      method,
      crc: e.crc ?? crc32(data),
      csize: e.declaredCompressedSize ?? compressed.length,
      usize: e.declaredSize ?? data.length,
      flags: e.flags ?? 0x800,
      offset,
      extra: e.extra ?? Buffer.alloc(0),
      attrs: ((e.unixMode ?? 0o100644) << 16) >>> 0,
    };
    if (e.sameDataAs !== undefined) {
      const first = records[e.sameDataAs]!;
      records.push({ ...rec, offset: first.offset, crc: e.crc ?? first.crc, csize: e.declaredCompressedSize ?? first.csize, usize: e.declaredSize ?? first.usize, method: first.method });
      offsets.push(first.offset);
      continue;
    }
    const lh = Buffer.alloc(30);
    lh.writeUInt32LE(0x04034b50, 0);
    lh.writeUInt16LE(20, 4);
    lh.writeUInt16LE(rec.flags, 6);
    lh.writeUInt16LE(method, 8);
    lh.writeUInt32LE(rec.crc >>> 0, 14);
    lh.writeUInt32LE(rec.csize >>> 0, 18);
    lh.writeUInt32LE(rec.usize >>> 0, 22);
    lh.writeUInt16LE(name.length, 26);
    locals.push(lh, name, compressed);
    offsets.push(offset);
    records.push(rec);
    offset += 30 + name.length + compressed.length;
  }
  const cdStart = offset;
  for (const r of records) {
    const ch = Buffer.alloc(46);
    ch.writeUInt32LE(0x02014b50, 0);
    ch.writeUInt16LE((3 << 8) | 20, 4); // made by Unix
    ch.writeUInt16LE(20, 6);
    ch.writeUInt16LE(r.flags, 8);
    ch.writeUInt16LE(r.method, 10);
    ch.writeUInt32LE(r.crc >>> 0, 16);
    ch.writeUInt32LE(r.csize >>> 0, 20);
    ch.writeUInt32LE(r.usize >>> 0, 24);
    ch.writeUInt16LE(r.name.length, 28);
    ch.writeUInt16LE(r.extra.length, 30);
    ch.writeUInt32LE(r.attrs, 38);
    ch.writeUInt32LE(r.offset, 42);
    centrals.push(ch, r.name, r.extra);
  }
  const cd = Buffer.concat(centrals);
  const eocd = Buffer.alloc(22);
  eocd.writeUInt32LE(0x06054b50, 0);
  eocd.writeUInt16LE(records.length, 8);
  eocd.writeUInt16LE(records.length, 10);
  eocd.writeUInt32LE(cd.length, 12);
  eocd.writeUInt32LE(cdStart, 16);
  return Buffer.concat([...locals, cd, eocd]);
}

/** Deflated zeros: `size` bytes of output from a tiny input (ratio ≈ 1000:1). */
export function deflatedZeros(size: number): Buffer {
  return deflateRawSync(Buffer.alloc(size), { level: 9 });
}

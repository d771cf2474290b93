/**
 * Reading deflate streams of stored blocks without zlib: whenever the reader accepts a stream, its content is
 * exactly what zlib inflates; whenever anything is off, it declines (and the caller falls back to zlib).
 */
import { randomBytes } from 'node:crypto';
import { deflateRawSync, inflateRawSync } from 'node:zlib';
import fc from 'fast-check';
import { isStoredBlock, StoredBlockReader } from '../../src/modzip/stored-deflate.js';

/** Feeds `stream` in pieces of the given sizes (cycled); returns the content, or null when the reader declined. */
function read(stream: Buffer, pieces: number[] = [stream.length || 1]): { content: Buffer; done: boolean } | null {
  const r = new StoredBlockReader();
  const out: Buffer[] = [];
  for (let pos = 0, i = 0; pos < stream.length; i++) {
    const n = Math.max(1, pieces[i % pieces.length]!);
    if (!r.feed(stream.subarray(pos, pos + n), (b) => out.push(Buffer.from(b)))) return null;
    pos += n;
  }
  return { content: Buffer.concat(out), done: r.done };
}

/** A stored block: header byte (BFINAL, BTYPE 00, padding bits), LEN, NLEN, data. */
function block(data: Buffer, final: boolean, padding = 0, nlen = data.length ^ 0xffff): Buffer {
  const h = Buffer.alloc(5);
  h[0] = (final ? 1 : 0) | (padding << 3);
  h.writeUInt16LE(data.length, 1);
  h.writeUInt16LE(nlen, 3);
  return Buffer.concat([h, data]);
}

function inflated(stream: Buffer): Buffer | null {
  try {
    return inflateRawSync(stream);
  } catch {
    return null;
  }
}

describe('StoredBlockReader', () => {
  it('reads what zlib writes for incompressible data, at any level and in any pieces', () => {
    const data = randomBytes(300_000);
    for (const level of [0, 1, 6, 9]) {
      const stream = deflateRawSync(data, { level });
      for (const pieces of [[stream.length], [1], [3, 7, 65536], [5], [65540, 2]]) {
        const got = read(stream, pieces);
        expect(got?.done).toBe(true);
        expect(got!.content.equals(data)).toBe(true);
      }
    }
  });

  it('declines a compressed stream at its first block', () => {
    const stream = deflateRawSync(Buffer.from('package main\n'.repeat(1000)));
    expect(isStoredBlock(stream[0]!)).toBe(false);
    expect(read(stream)).toBeNull();
  });

  it('declines lengths that disagree, bytes after the final block, and a compressed block after stored ones', () => {
    const a = randomBytes(100);
    expect(read(block(a, true, 0, 1234))).toBeNull();
    expect(read(Buffer.concat([block(a, true), Buffer.from([0])]))).toBeNull();
    expect(read(Buffer.concat([block(a, false), deflateRawSync(Buffer.from('x'.repeat(500)))]))).toBeNull();
  });

  it('is not done with a stream cut short or without a final block (zlib then decides)', () => {
    const a = randomBytes(1000);
    expect(read(block(a, true).subarray(0, 500))?.done).toBe(false);
    expect(read(block(a, true).subarray(0, 3))?.done).toBe(false);
    expect(read(block(a, false))?.done).toBe(false);
  });

  it('reads empty blocks, an empty final block, and ignores padding bits as zlib does', () => {
    const a = randomBytes(10);
    const stream = Buffer.concat([block(Buffer.alloc(0), false, 31), block(a, false, 5), block(Buffer.alloc(0), true)]);
    const got = read(stream, [2]);
    expect(got?.done).toBe(true);
    expect(got!.content.equals(a)).toBe(true);
    expect(inflated(stream)!.equals(a)).toBe(true);
  });

  it('accepts only streams zlib inflates to the same content (fuzzed)', () => {
    // Mostly well-formed blocks, with now and then a wrong NLEN or a block type other than stored.
    const rarely = fc.integer({ min: 0, max: 9 }).map((x) => x === 0);
    const blockArb = fc.record({
      data: fc.uint8Array({ maxLength: 300 }),
      padding: fc.integer({ min: 0, max: 31 }),
      badNlen: rarely,
      type: fc.integer({ min: 0, max: 11 }).map((x) => Math.max(0, x - 8)),
    });
    let accepted = 0;
    fc.assert(
      fc.property(fc.array(blockArb, { minLength: 1, maxLength: 6 }), rarely, fc.array(fc.integer({ min: 1, max: 400 }), { minLength: 1, maxLength: 4 }), fc.oneof(fc.constant(0), fc.nat(40)), (blocks, trailing, pieces, cut) => {
        const parts = blocks.map((b, i) => {
          const data = Buffer.from(b.data);
          const built = block(data, i === blocks.length - 1, b.padding, b.badNlen ? (data.length ^ 0xffff ^ 1) : undefined);
          built[0] = built[0]! | (b.type << 1);
          return built;
        });
        let stream = Buffer.concat([...parts, trailing ? Buffer.from([7]) : Buffer.alloc(0)]);
        if (cut > 0 && cut < stream.length) stream = stream.subarray(0, stream.length - cut);
        const got = read(stream, pieces);
        if (got?.done) {
          accepted++;
          const z = inflated(stream);
          expect(z).not.toBeNull();
          expect(got.content.equals(z!)).toBe(true);
        }
      }),
      { numRuns: 2000 },
    );
    // The property was really exercised on accepted streams, not only on declined ones.
    expect(accepted).toBeGreaterThan(200);
  });
});

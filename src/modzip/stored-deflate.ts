/**
 * Raw deflate streams made only of stored blocks, which is what deflate writes for incompressible data
 * (archives, images, binaries in testdata): their content is the blocks' own bytes (RFC 1951 §3.2.4), so it
 * can be hashed straight from the bytes read, with no inflater and no output buffer per chunk.
 * Only the well-formed case is recognised; for anything else (a compressed block, lengths that disagree, a
 * stream cut short or going on after its final block) the caller hands the whole stream to zlib, which
 * decides. Pure: bytes in, views of them out.
 */

const HEADER = 5; // block header byte (BFINAL, BTYPE; the rest is padding to the byte boundary), LEN, NLEN

/** Whether a block starting with this byte (at a byte boundary) is a stored block. */
export function isStoredBlock(firstByte: number): boolean {
  return ((firstByte >> 1) & 3) === 0; // BTYPE 00 is stored; 01 and 10 are compressed, 11 is invalid
}

/** Follows a stream of stored blocks fed in pieces. */
export class StoredBlockReader {
  private readonly header = Buffer.alloc(HEADER);
  private headerHave = 0;
  private remaining = 0;
  private final = false;
  /** True once the final block has been read to its end. */
  done = false;

  /**
   * Takes the next bytes of the stream and passes on (as views of `chunk`, in order) the content they carry.
   * Returns false as soon as the stream is not a plain sequence of stored blocks; nothing more may be fed then.
   */
  feed(chunk: Buffer, content: (bytes: Buffer) => void): boolean {
    let i = 0;
    while (i < chunk.length) {
      if (this.done) return false; // bytes after the final block
      if (this.remaining > 0) {
        const n = Math.min(this.remaining, chunk.length - i);
        content(chunk.subarray(i, i + n));
        i += n;
        this.remaining -= n;
        if (this.remaining === 0 && this.final) this.done = true;
        continue;
      }
      const n = Math.min(HEADER - this.headerHave, chunk.length - i);
      chunk.copy(this.header, this.headerHave, i, i + n);
      this.headerHave += n;
      i += n;
      if (this.headerHave < HEADER) break;
      this.headerHave = 0;
      const h = this.header[0]!;
      if (!isStoredBlock(h)) return false;
      const len = this.header.readUInt16LE(1);
      if ((len ^ 0xffff) !== this.header.readUInt16LE(3)) return false;
      this.final = (h & 1) === 1;
      this.remaining = len;
      if (len === 0 && this.final) this.done = true;
    }
    return true;
  }
}

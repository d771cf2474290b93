/**
 * Positional reads of a zip file for hashing: small ranges come from one reused window (one read serves a
 * run of small entries), longer ones from one reused buffer. Views are valid until the next call, which is
 * all entry-hash.ts asks of a RawSource, so nothing is allocated per entry.
 */
import { ONE_SHOT_MAX, type RawSource } from './entry-hash.js';

/** Reads up to `length` bytes at `position` into `buf` at `offset`; returns how many (0 at end of file). */
export type ReadAt = (buf: Buffer, offset: number, length: number, position: number) => number | Promise<number>;

const WINDOW = 256 << 10;

export class WindowSource implements RawSource {
  private readonly win = Buffer.allocUnsafe(WINDOW);
  private long: Buffer | null = null;
  private winStart = 0;
  private winLength = 0;

  constructor(
    private readAt: ReadAt,
    private size: number,
  ) {}

  /** Points the source at another file; forgets the window. */
  reset(readAt: ReadAt, size: number): void {
    this.readAt = readAt;
    this.size = size;
    this.winLength = 0;
  }

  async range(start: number, length: number): Promise<Buffer> {
    this.checkBounds(start, length);
    if (start >= this.winStart && start + length <= this.winStart + this.winLength) {
      return this.win.subarray(start - this.winStart, start - this.winStart + length);
    }
    if (length > WINDOW) {
      if (!this.long || this.long.length < length) this.long = Buffer.allocUnsafe(Math.max(length, ONE_SHOT_MAX));
      return this.fill(this.long, start, length);
    }
    const fill = Math.min(WINDOW, this.size - start);
    this.winLength = 0;
    await this.fill(this.win, start, fill);
    this.winStart = start;
    this.winLength = fill;
    return this.win.subarray(0, length);
  }

  async readInto(buf: Buffer, start: number, length: number): Promise<Buffer> {
    this.checkBounds(start, length);
    return this.fill(buf, start, length);
  }

  private checkBounds(start: number, length: number): void {
    if (start < 0 || start + length > this.size) throw new Error('unexpected end of file');
  }

  private async fill(buf: Buffer, start: number, length: number): Promise<Buffer> {
    let done = 0;
    while (done < length) {
      const n = await this.readAt(buf, done, length - done, start + done);
      if (n === 0) throw new Error('unexpected end of file');
      done += n;
    }
    return buf.subarray(0, length);
  }
}

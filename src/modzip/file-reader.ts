/**
 * A yauzl RandomAccessReader over a file that serves reads from a 64 KiB window: a module zip of thousands
 * of small entries then costs a few large reads instead of several tiny async reads (each through three
 * streams in yauzl's default reader) per entry.
 */
import type { FileHandle } from 'node:fs/promises';
import { Readable } from 'node:stream';
import yauzl from 'yauzl';

const WINDOW = 64 << 10;

/** Windowed positional reads of one open file, for yauzl's reading of the central directory. */
export class WindowedFileReader extends yauzl.RandomAccessReader {
  private winStart = 0;
  private win: Buffer = Buffer.alloc(0);

  constructor(
    private readonly fh: FileHandle,
    readonly size: number,
  ) {
    super();
  }

  /**
   * Bytes [start, start + length). Up to the window size the result is a view of the current window, valid
   * until the caller's next await; larger ranges get a buffer of their own.
   */
  async range(start: number, length: number): Promise<Buffer> {
    if (start < 0 || start + length > this.size) throw new Error('unexpected end of file');
    if (start >= this.winStart && start + length <= this.winStart + this.win.length) {
      return this.win.subarray(start - this.winStart, start - this.winStart + length);
    }
    if (length > WINDOW) return this.fresh(start, length);
    // A new buffer per window (never reused), so views handed out earlier stay intact.
    this.win = await this.fresh(start, Math.min(WINDOW, this.size - start));
    this.winStart = start;
    return this.win.subarray(0, length);
  }

  private async fresh(start: number, length: number): Promise<Buffer> {
    const buf = Buffer.allocUnsafe(length);
    let done = 0;
    while (done < length) {
      const { bytesRead } = await this.fh.read(buf, done, length - done, start + done);
      if (bytesRead === 0) throw new Error('unexpected end of file');
      done += bytesRead;
    }
    return buf;
  }

  override read(buffer: Buffer, offset: number, length: number, position: number, callback: (err: Error | null) => void): void {
    this.range(position, length).then(
      (b) => {
        b.copy(buffer, offset);
        callback(null);
      },
      (e: Error) => callback(e),
    );
  }

  override _readStreamForRange(start: number, end: number): Readable {
    const self = this;
    return Readable.from(
      (async function* () {
        for (let pos = start; pos < end; pos += WINDOW) yield await self.fresh(pos, Math.min(WINDOW, end - pos));
      })(),
      { objectMode: false },
    );
  }

  override close(callback: (err: Error | null) => void): void {
    // The caller owns the file handle and closes it.
    setImmediate(() => callback(null));
  }
}

/**
 * A hashing worker thread (started by hash-pool.ts): hashes runs of entries of a zip the calling thread holds open,
 * reading through its file descriptor with positional reads, and answers with the digests or the first failure.
 */
import { readSync } from 'node:fs';
import { parentPort } from 'node:worker_threads';
import { hashBatch, ONE_SHOT_MAX, PIECE, type RawSource } from './entry-hash.js';
import { toWire, type BatchReply, type BatchRequest, type ReadyMessage } from './hash-protocol.js';

/** Reads of small entries go through a window of this size: one read serves a run of them. */
const WINDOW = 256 << 10;

/**
 * Synchronous positional reads through a reused window, and a reused buffer for the rare longer range (a
 * one-shot entry of up to ONE_SHOT_MAX bytes). Views are valid until the next call, so nothing is allocated
 * per entry.
 */
class FdSource implements RawSource {
  private readonly win = Buffer.allocUnsafe(WINDOW);
  private long: Buffer | null = null;
  private winStart = 0;
  private winLength = 0;
  private fd = -1;
  private size = 0;

  /** Points the source at another zip; forgets the window, as the descriptor may now name another file. */
  use(fd: number, size: number): void {
    this.fd = fd;
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
    this.fill(this.win, start, fill);
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

  private fill(buf: Buffer, start: number, length: number): Buffer {
    let done = 0;
    while (done < length) {
      const n = readSync(this.fd, buf, done, length - done, start + done);
      if (n === 0) throw new Error('unexpected end of file');
      done += n;
    }
    return buf.subarray(0, length);
  }
}

const port = parentPort;
if (!port) throw new Error('hash-worker.js runs as a worker thread of hash-pool.ts');

const source = new FdSource();
const piece = Buffer.allocUnsafe(PIECE);
// The pool may post the next run before this one is done: runs share the buffers, so they go one at a time.
let queue = Promise.resolve();
port.on('message', (req: BatchRequest) => {
  queue = queue.then(async () => {
    source.use(req.fd, req.zipSize);
    const out = await hashBatch(source, req.zipSize, req.tasks, piece);
    const reply: BatchReply = { id: req.id, digests: out.digests };
    if (out.failure) reply.failure = { index: out.failure.index, error: toWire(out.failure.error) };
    port.postMessage(reply);
  });
});
port.postMessage({ ready: true } satisfies ReadyMessage);

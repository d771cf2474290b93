/**
 * A hashing worker thread (started by hash-pool.ts): hashes runs of entries of a zip the calling thread holds open,
 * reading through its file descriptor with positional reads, and answers with the digests or the first failure.
 */
import { readSync } from 'node:fs';
import { parentPort } from 'node:worker_threads';
import { hashBatch, PIECE } from './entry-hash.js';
import { toWire, type BatchReply, type BatchRequest, type ReadyMessage } from './hash-protocol.js';
import { WindowSource } from './window-source.js';

const port = parentPort;
if (!port) throw new Error('hash-worker.js runs as a worker thread of hash-pool.ts');

// Synchronous reads: blocking this thread is what it is for, and they cost less than a trip through libuv.
const source = new WindowSource(() => 0, 0);
const piece = Buffer.allocUnsafe(PIECE);
// The pool may post the next run before this one is done: runs share the buffers, so they go one at a time.
let queue = Promise.resolve();
port.on('message', (req: BatchRequest) => {
  queue = queue.then(async () => {
    // reset() forgets the window: the descriptor may name another file by now.
    source.reset((buf, offset, length, position) => readSync(req.fd, buf, offset, length, position), req.zipSize);
    const out = await hashBatch(source, req.zipSize, req.tasks, piece);
    const reply: BatchReply = { id: req.id, digests: out.digests };
    if (out.failure) reply.failure = { index: out.failure.index, error: toWire(out.failure.error) };
    port.postMessage(reply);
  });
});
port.postMessage({ ready: true } satisfies ReadyMessage);

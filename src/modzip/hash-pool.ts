/**
 * Hashing a zip's entries on several threads. The entries are cut into runs (batches) that the calling thread
 * and a process-wide pool of worker threads claim in order. The calling thread starts at once and the workers
 * join when they are up, so no read waits for a thread to start. After a failure nothing past it is claimed,
 * and the error reported is the one reading the entries in order would have met first.
 * Memory stays bounded: a worker holds at most PER_WORKER batches, each a run of small entries (at most about
 * BATCH_BYTES) or one large entry that is streamed through a fixed buffer.
 */
import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { hashBatch, isOneShot, PIECE, type BatchOutcome, type EntryDigest, type EntryTask, type RawSource } from './entry-hash.js';
import { fromWire, type BatchReply, type BatchRequest, type ReadyMessage } from './hash-protocol.js';

/** A run of consecutive entries, hashed one after the other by one thread. */
export interface Batch {
  tasks: EntryTask[];
  /** Compressed plus declared bytes: the work in it. */
  bytes: number;
  /** Workers may take it; entries whose content is kept stay on the calling thread. */
  shareable: boolean;
}

/** Runs of small entries end once they hold this much work (or this many entries). */
const BATCH_BYTES = 1 << 20;
const BATCH_ENTRIES = 512;

/**
 * Cuts the entries into batches, in order: small entries in runs, each large (streamed) entry and each entry
 * whose content is kept alone. Pure.
 */
export function planBatches(tasks: readonly EntryTask[]): Batch[] {
  const out: Batch[] = [];
  let run: EntryTask[] = [];
  let bytes = 0;
  const flush = () => {
    if (run.length) out.push({ tasks: run, bytes, shareable: true });
    run = [];
    bytes = 0;
  };
  for (const t of tasks) {
    const work = t.compressedSize + t.declaredSize;
    if (t.keep || !isOneShot(t)) {
      flush();
      out.push({ tasks: [t], bytes: work, shareable: !t.keep });
      continue;
    }
    run.push(t);
    bytes += work;
    if (bytes >= BATCH_BYTES || run.length >= BATCH_ENTRIES) flush();
  }
  flush();
  return out;
}

/** One zip's batches, claimed in order by the calling thread and the pool's workers. */
export class HashJob {
  private readonly claimed: boolean[];
  private readonly outcomes: (BatchOutcome | undefined)[];
  private nextForCaller = 0;
  private nextForWorker = 0;
  private running = 0;
  private firstFailure: { batch: number; error: unknown } | null = null;
  private whenIdle: (() => void) | null = null;

  /** `fd` is the open zip's descriptor (workers read through it), null for an in-memory zip. */
  constructor(
    readonly batches: readonly Batch[],
    readonly fd: number | null,
    readonly zipSize: number,
  ) {
    this.claimed = batches.map(() => false);
    this.outcomes = batches.map(() => undefined);
  }

  /** The next batch for the calling thread (any) or a worker (shareable ones), or null. Nothing past a failure is claimed. */
  claim(by: 'caller' | 'worker'): number | null {
    if (by === 'worker' && this.fd === null) return null;
    const end = this.firstFailure ? this.firstFailure.batch : this.batches.length;
    let i = by === 'caller' ? this.nextForCaller : this.nextForWorker;
    while (i < end && (this.claimed[i] || (by === 'worker' && !this.batches[i]!.shareable))) i++;
    if (by === 'caller') this.nextForCaller = i;
    else this.nextForWorker = i;
    if (i >= end) return null;
    this.claimed[i] = true;
    this.running++;
    return i;
  }

  /** Records how a claimed batch went. */
  settle(batch: number, outcome: BatchOutcome): void {
    this.outcomes[batch] = outcome;
    // A batch stops at its first failure, so the earliest failing batch holds the earliest failure.
    if (outcome.failure && (!this.firstFailure || batch < this.firstFailure.batch)) this.firstFailure = { batch, error: outcome.failure.error };
    this.running--;
    if (this.running === 0) this.whenIdle?.();
  }

  /** Resolves once no claimed batch is still running. */
  settled(): Promise<void> {
    return this.running === 0 ? Promise.resolve() : new Promise((resolve) => (this.whenIdle = resolve));
  }

  /** Every entry's digest in order, or the failure reading them in order would have met first. */
  digests(): EntryDigest[] {
    if (this.firstFailure) throw this.firstFailure.error;
    return this.outcomes.flatMap((o) => {
      if (!o) throw new Error('hash job: a batch was never hashed');
      return o.digests;
    });
  }
}

/**
 * Hashes a job's batches on this thread, with the pool's workers (when given) claiming batches alongside,
 * and returns every entry's digest in order.
 */
export async function runHashJob(job: HashJob, raw: RawSource, pool: HashPool | null): Promise<EntryDigest[]> {
  const piece = Buffer.allocUnsafe(PIECE);
  pool?.attach(job);
  try {
    for (let b = job.claim('caller'); b !== null; b = job.claim('caller')) {
      job.settle(b, await hashBatch(raw, job.zipSize, job.batches[b]!.tasks, piece));
    }
    await job.settled();
  } finally {
    pool?.detach(job);
  }
  return job.digests();
}

/**
 * Batches a worker holds at once: one running and one waiting, so it never idles while the calling thread is
 * busy; the second only while the first is small, so that large entries spread over the threads.
 */
const PER_WORKER = 2;
const PREFETCH_BELOW_BYTES = 4 << 20;

interface Running {
  job: HashJob;
  batch: number;
}

/** One worker thread and the batches it holds. */
class Helper {
  ready = false;
  /** Settles when the worker is ready, or lost before it was. */
  readonly up: Promise<void>;
  readonly markUp: () => void;
  readonly running = new Map<number, Running>();
  heldBytes = 0;

  constructor(readonly worker: Worker) {
    let markUp!: () => void;
    this.up = new Promise((resolve) => (markUp = resolve));
    this.markUp = markUp;
  }

  hasRoom(): boolean {
    return this.ready && (this.running.size === 0 || (this.running.size < PER_WORKER && this.heldBytes < PREFETCH_BELOW_BYTES));
  }
}

/** Worker threads that claim batches of the jobs attached to them. */
export class HashPool {
  private readonly helpers = new Set<Helper>();
  private readonly jobs: HashJob[] = [];
  private nextId = 1;
  private batchesHashed = 0;
  private broken = false;
  private idleTimer: NodeJS.Timeout | null = null;

  /**
   * `size` workers, started on first use and stopped after `idleMs` without work. While idle they do not keep
   * the process alive.
   */
  constructor(
    readonly size: number,
    private readonly workerUrl: URL = WORKER_URL,
    private readonly idleMs = 30_000,
  ) {}

  /** Starts the workers (if not up yet), ahead of a job. */
  start(): void {
    this.grow();
    this.armIdleTimer();
  }

  /** Starts the workers and resolves once they take batches (at once where they cannot start). */
  async ready(): Promise<void> {
    this.start();
    const starting = [...this.helpers].filter((h) => !h.ready);
    // Someone waits on them now: they hold the process open until they are up (feed() then unrefs idle ones).
    for (const h of starting) h.worker.ref();
    await Promise.all(starting.map((h) => h.up));
  }

  /** Lets the workers claim the job's batches (until detach). */
  attach(job: HashJob): void {
    if (job.fd === null) return;
    this.jobs.push(job);
    this.grow();
    this.feed();
  }

  /** Stops handing out the job's batches; those already running still settle. */
  detach(job: HashJob): void {
    const i = this.jobs.indexOf(job);
    if (i >= 0) this.jobs.splice(i, 1);
    this.feed();
  }

  /** Stops every worker now. */
  async close(): Promise<void> {
    const all = [...this.helpers];
    this.helpers.clear();
    for (const h of all) this.failRunning(h, new Error('hash pool closed'));
    await Promise.all(all.map((h) => h.worker.terminate()));
  }

  /** Workers currently started, and batches the workers have hashed so far (for tests and figures). */
  get stats(): { workers: number; batches: number } {
    return { workers: this.helpers.size, batches: this.batchesHashed };
  }

  private grow(): void {
    while (!this.broken && this.helpers.size < this.size) this.spawn();
  }

  private spawn(): void {
    const worker = new Worker(this.workerUrl);
    const h = new Helper(worker);
    this.helpers.add(h);
    worker.unref();
    worker.on('message', (m: BatchReply | ReadyMessage) => {
      if ('ready' in m) {
        h.ready = true;
        h.markUp();
        this.feed();
      } else {
        this.settle(h, m);
      }
    });
    worker.on('error', (e) => this.lose(h, e));
    worker.on('exit', (code) => this.lose(h, new Error(`hash worker exited with code ${code}`)));
  }

  private settle(h: Helper, reply: BatchReply): void {
    const r = h.running.get(reply.id);
    if (!r) return;
    h.running.delete(reply.id);
    h.heldBytes -= r.job.batches[r.batch]!.bytes;
    this.batchesHashed++;
    const failure = reply.failure && { index: reply.failure.index, error: fromWire(reply.failure.error) };
    r.job.settle(r.batch, failure ? { digests: reply.digests, failure } : { digests: reply.digests });
    this.feed();
  }

  // A worker that failed or exited: its batches fail (the read reports it); one that never came up means
  // workers cannot run here, and the calling threads do all the work from now on.
  private lose(h: Helper, e: Error): void {
    if (!this.helpers.delete(h)) return;
    if (!h.ready) this.broken = true;
    h.markUp();
    this.failRunning(h, e);
    void h.worker.terminate();
    this.feed();
  }

  private failRunning(h: Helper, e: Error): void {
    for (const r of h.running.values()) r.job.settle(r.batch, { digests: [], failure: { index: 0, error: e } });
    h.running.clear();
    h.heldBytes = 0;
  }

  // Hands batches to ready workers with room, and keeps a worker referenced only while it has work, so that
  // an idle pool never holds the process open but a pending hash does.
  private feed(): void {
    for (const h of this.helpers) {
      while (h.hasRoom()) {
        const next = this.claim();
        if (!next) break;
        const id = this.nextId++;
        h.running.set(id, next);
        h.heldBytes += next.job.batches[next.batch]!.bytes;
        const req: BatchRequest = { id, fd: next.job.fd!, zipSize: next.job.zipSize, tasks: next.job.batches[next.batch]!.tasks };
        h.worker.postMessage(req);
      }
      if (h.running.size) h.worker.ref();
      else if (h.ready) h.worker.unref();
    }
    this.armIdleTimer();
  }

  private claim(): Running | null {
    for (const job of this.jobs) {
      const batch = job.claim('worker');
      if (batch !== null) return { job, batch };
    }
    return null;
  }

  private armIdleTimer(): void {
    const busy = this.jobs.length > 0 || [...this.helpers].some((h) => h.running.size > 0);
    if (busy || this.helpers.size === 0) {
      if (this.idleTimer) clearTimeout(this.idleTimer);
      this.idleTimer = null;
      return;
    }
    if (this.idleTimer) return;
    this.idleTimer = setTimeout(() => {
      this.idleTimer = null;
      void this.close();
    }, this.idleMs);
    this.idleTimer.unref();
  }
}

const WORKER_URL = new URL('./hash-worker.js', import.meta.url);

/**
 * Workers of the shared pool: one per core beside the calling thread, which hashes too; at most four, as each
 * thread may hold up to about 64 MiB of inflated chunks that V8 has not collected yet.
 */
export function defaultPoolSize(): number {
  return Math.min(4, Math.max(1, availableParallelism() - 1));
}

let shared: HashPool | null | undefined;

/**
 * The process-wide pool, or null where there is no compiled worker beside this module (running from the
 * TypeScript sources, as jest does): reads then hash on the calling thread alone.
 */
export function sharedHashPool(): HashPool | null {
  if (shared === undefined) shared = existsSync(fileURLToPath(WORKER_URL)) ? new HashPool(defaultPoolSize()) : null;
  return shared;
}

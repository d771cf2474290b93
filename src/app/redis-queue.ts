/**
 * The durable queue for several replicas: BullMQ on Redis. Jobs are stored before the webhook is answered;
 * any replica's worker takes them; a replica killed mid-scan stops renewing its job's lock, and BullMQ's
 * stalled-job check on another replica puts the job back, where that replica finishes it (the head lock
 * and the remembered check run make it complete the same check run, see coordination.ts).
 */
import { Queue, Worker, type ConnectionOptions } from 'bullmq';
import type { ScanJobData } from './jobs.js';
import type { JobRunner, QueueDepth, ScanQueue } from './queue.js';

export interface RedisQueueOptions {
  url: string;
  /** Queue name (default `modwarden-scans`). */
  name?: string;
  /** BullMQ key prefix (default `modwarden`). */
  prefix?: string;
  /** Jobs this replica runs at once. */
  concurrency: number;
  /** How long a job's lock lives without renewal: a dead replica's job is taken over after it (default 30 s). */
  lockDurationMs?: number;
  /** How often stalled jobs are looked for (default lockDurationMs). */
  stalledIntervalMs?: number;
  onError?: (e: unknown, job: ScanJobData | null) => void;
}

const STATES = ['waiting', 'active', 'delayed', 'prioritized', 'waiting-children'] as const;

export class RedisQueue implements ScanQueue {
  readonly kind = 'redis' as const;
  private readonly queue: Queue<ScanJobData>;
  private worker: Worker<ScanJobData> | null = null;
  private readonly connection: ConnectionOptions;
  private readonly name: string;
  private readonly prefix: string;
  private running = 0;

  constructor(private readonly options: RedisQueueOptions) {
    this.name = options.name ?? 'modwarden-scans';
    this.prefix = options.prefix ?? 'modwarden';
    // Workers block on Redis: BullMQ requires maxRetriesPerRequest null on their connection.
    this.connection = { url: options.url, maxRetriesPerRequest: null };
    this.queue = new Queue<ScanJobData>(this.name, { connection: this.connection, prefix: this.prefix });
    this.queue.on('error', (e) => options.onError?.(e, null));
  }

  async add(job: ScanJobData): Promise<void> {
    await this.queue.add('scan', job, {
      jobId: job.id,
      // Finished jobs are evidence for a while, then go; a failed one (a bug) stays a day for inspection.
      removeOnComplete: { age: 3600, count: 1000 },
      removeOnFail: { age: 24 * 3600 },
    });
  }

  start(runner: JobRunner): void {
    if (this.worker) return;
    const lockDuration = this.options.lockDurationMs ?? 30_000;
    this.worker = new Worker<ScanJobData>(
      this.name,
      async (job) => {
        this.running++;
        try {
          await runner(job.data);
        } finally {
          this.running--;
        }
      },
      {
        connection: this.connection,
        prefix: this.prefix,
        concurrency: Math.max(1, this.options.concurrency),
        lockDuration,
        stalledInterval: this.options.stalledIntervalMs ?? lockDuration,
        // A job whose replica died twice is given up rather than retried forever (the crash sweep completes its run).
        maxStalledCount: 2,
      },
    );
    this.worker.on('error', (e) => this.options.onError?.(e, null));
    this.worker.on('failed', (job, e) => this.options.onError?.(e, job?.data ?? null));
  }

  async depth(): Promise<QueueDepth> {
    const c = await this.queue.getJobCounts(...STATES);
    return { waiting: (c.waiting ?? 0) + (c.delayed ?? 0) + (c.prioritized ?? 0) + (c['waiting-children'] ?? 0), active: c.active ?? 0 };
  }

  /** Resolves when no job waits or runs on any replica (tests, benchmarks). */
  async idle(pollMs = 50): Promise<void> {
    for (;;) {
      const d = await this.depth();
      if (d.waiting === 0 && d.active === 0 && this.running === 0) return;
      await new Promise((r) => setTimeout(r, pollMs));
    }
  }

  async close(force = false): Promise<void> {
    await this.worker?.close(force);
    await this.queue.close();
  }
}

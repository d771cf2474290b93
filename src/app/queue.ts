/**
 * The job queue behind the webhook handlers. Two implementations with one interface: in-process
 * (`LocalQueue`, the embedded default: jobs live in memory, bounded concurrency) and BullMQ on Redis
 * (`redis-queue.ts`: durable, shared by replicas, a killed replica's job is finished by another).
 */
import pLimit from 'p-limit';
import type { ScanJobData } from './jobs.js';

/** Runs one job; rejects only on a bug (the worker completes the check run itself). */
export type JobRunner = (job: ScanJobData) => Promise<void>;

/** Jobs waiting and running (the health endpoint and the queue-depth gauge). */
export interface QueueDepth {
  waiting: number;
  active: number;
}

export interface ScanQueue {
  /** Which implementation (health endpoint, logs). */
  readonly kind: 'in-process' | 'redis';
  /** Records a job; resolves once it is stored (not when it runs). */
  add(job: ScanJobData): Promise<void>;
  /** Starts taking jobs with `runner`. */
  start(runner: JobRunner): void;
  depth(): Promise<QueueDepth>;
  /** Resolves when no job is waiting or running (tests, benchmarks, shutdown). */
  idle(): Promise<void>;
  /** Stops taking jobs; running ones finish first unless `force`. */
  close(force?: boolean): Promise<void>;
}

/** In-process queue: p-limit over the jobs of this process (lost on restart; one replica only). */
export class LocalQueue implements ScanQueue {
  readonly kind = 'in-process' as const;
  private readonly limit: ReturnType<typeof pLimit>;
  private runner: JobRunner | null = null;
  private readonly early: ScanJobData[] = [];
  private readonly inflight = new Set<Promise<void>>();
  private closed = false;

  constructor(
    concurrency: number,
    private readonly onError: (e: unknown, job: ScanJobData) => void = () => {},
  ) {
    this.limit = pLimit(Math.max(1, concurrency));
  }

  async add(job: ScanJobData): Promise<void> {
    if (this.closed) throw new Error('the scan queue is closed');
    if (!this.runner) this.early.push(job);
    else this.schedule(job);
  }

  start(runner: JobRunner): void {
    this.runner = runner;
    for (const job of this.early.splice(0)) this.schedule(job);
  }

  private schedule(job: ScanJobData): void {
    const p = this.limit(async () => {
      try {
        await this.runner!(job);
      } catch (e) {
        this.onError(e, job);
      }
    });
    this.inflight.add(p);
    void p.finally(() => this.inflight.delete(p));
  }

  async depth(): Promise<QueueDepth> {
    return { waiting: this.limit.pendingCount + this.early.length, active: this.limit.activeCount };
  }

  async idle(): Promise<void> {
    while (this.inflight.size > 0) await Promise.allSettled([...this.inflight]);
  }

  async close(force = false): Promise<void> {
    this.closed = true;
    if (!force) await this.idle();
  }
}

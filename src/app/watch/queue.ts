/**
 * How watch jobs run: a small queue interface the watch needs, with an in-process implementation
 * (bounded by p-limit). Job data is plain JSON, so a shared queue (BullMQ on Redis) can carry it: connect
 * one by implementing `WatchQueue` and calling the handler given to `start` for each job.
 */
import pLimit from 'p-limit';

/** Why a repository is audited. */
export type WatchReason = 'baseline' | 'schedule' | 'command';

/** One repository audit, as queued (JSON-serialisable). */
export interface WatchJob {
  /** Jobs of one run share their module checks (each module@version verified once per run). */
  runId: string;
  installationId: number;
  owner: string;
  repo: string;
  reason: WatchReason;
}

/** What the watch needs from a queue. */
export interface WatchQueue {
  /** Registers the job handler (once, before the first add). */
  start(handler: (job: WatchJob) => Promise<void>): void;
  /**
   * Queues a job. A job for the same repo already waiting is not queued twice (`dedupe` = `${owner}/${repo}`);
   * resolves when accepted (true) or dropped as a duplicate (false), not when done.
   */
  add(job: WatchJob): Promise<boolean>;
  /** Resolves when nothing is queued or running (tests, shutdown). */
  idle(): Promise<void>;
}

/** The default queue: in this process, `concurrency` jobs at a time, waiting jobs de-duplicated by repo. */
export class InProcessWatchQueue implements WatchQueue {
  private readonly limit: ReturnType<typeof pLimit>;
  private handler: ((job: WatchJob) => Promise<void>) | null = null;
  private readonly waiting = new Set<string>();
  private readonly inflight = new Set<Promise<void>>();

  constructor(
    concurrency: number,
    private readonly onError: (e: unknown, job: WatchJob) => void = () => {},
  ) {
    this.limit = pLimit(Math.max(1, concurrency));
  }

  start(handler: (job: WatchJob) => Promise<void>): void {
    this.handler = handler;
  }

  async add(job: WatchJob): Promise<boolean> {
    const handler = this.handler;
    if (!handler) throw new Error('watch queue: start() was not called');
    const key = `${job.owner}/${job.repo}`.toLowerCase();
    if (this.waiting.has(key)) return false;
    this.waiting.add(key);
    const p = this.limit(async () => {
      this.waiting.delete(key);
      try {
        await handler(job);
      } catch (e) {
        this.onError(e, job);
      }
    });
    this.inflight.add(p);
    void p.finally(() => this.inflight.delete(p));
    return true;
  }

  async idle(): Promise<void> {
    while (this.inflight.size > 0) await Promise.allSettled([...this.inflight]);
  }
}

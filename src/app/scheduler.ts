/**
 * In-process job queue for scans: bounded concurrency, and coalescing so a burst of events or
 * `/rescan` comments for one PR head runs at most one scan now and one more after it.
 */
import pLimit from 'p-limit';
import { LRUCache } from 'lru-cache';

/** What happened to a scan request. */
export type Decision = 'started' | 'coalesced' | 'rerun-scheduled' | 'duplicate';

/** A scan split in two: `begin` runs at once (create the check run), `run` runs in the queue. */
export interface ScanJob<T> {
  begin(): Promise<T>;
  run(started: T): Promise<void>;
}

interface Slot {
  state: 'pending' | 'running';
  again: ScanJob<unknown> | null;
}

/** Runs scan jobs with bounded concurrency, one per key at a time. */
export class ScanScheduler {
  private readonly limit: ReturnType<typeof pLimit>;
  private readonly slots = new Map<string, Slot>();
  /** Keys scanned recently: an unforced event for the same PR head is a duplicate. */
  private readonly recent: LRUCache<string, true>;
  private readonly inflight = new Set<Promise<void>>();

  constructor(
    concurrency: number,
    private readonly onError: (e: unknown) => void = () => {},
  ) {
    this.limit = pLimit(Math.max(1, concurrency));
    this.recent = new LRUCache({ max: 10_000, ttl: 6 * 60 * 60 * 1000 });
  }

  /**
   * Asks for a scan of `key` (a PR head). Unforced requests (new commits, check suites) are dropped
   * when that head is queued, running or was scanned recently; forced ones (`/rescan`, re-run
   * buttons, `/ignore`) join a queued scan or schedule one more run after the running one.
   * `begin` of a started job is awaited here, so the caller's check run exists when this returns.
   */
  async request<T>(key: string, force: boolean, job: ScanJob<T>): Promise<Decision> {
    const slot = this.slots.get(key);
    if (slot?.state === 'pending') return 'coalesced';
    if (slot?.state === 'running') {
      if (!force) return 'duplicate';
      if (slot.again) return 'coalesced';
      slot.again = job as ScanJob<unknown>;
      return 'rerun-scheduled';
    }
    if (!force && this.recent.has(key)) return 'duplicate';
    const fresh: Slot = { state: 'pending', again: null };
    this.slots.set(key, fresh);
    let started: T;
    try {
      started = await job.begin();
    } catch (e) {
      this.slots.delete(key);
      throw e;
    }
    this.enqueue(key, fresh, job, started);
    return 'started';
  }

  private enqueue<T>(key: string, slot: Slot, job: ScanJob<T>, started: T): void {
    const p = this.limit(async () => {
      slot.state = 'running';
      try {
        await job.run(started);
      } catch (e) {
        this.onError(e);
      } finally {
        this.recent.set(key, true);
        const again = slot.again;
        slot.again = null;
        if (again) {
          slot.state = 'pending';
          try {
            this.enqueue(key, slot, again, await again.begin());
          } catch (e) {
            this.slots.delete(key);
            this.onError(e);
          }
        } else {
          this.slots.delete(key);
        }
      }
    });
    this.inflight.add(p);
    void p.finally(() => this.inflight.delete(p));
  }

  /** Resolves when no job is queued or running (tests and graceful shutdown). */
  async idle(): Promise<void> {
    while (this.inflight.size > 0) await Promise.allSettled([...this.inflight]);
  }
}

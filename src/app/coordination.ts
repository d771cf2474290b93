/**
 * What replicas agree on through the Store (in-process memory by default, Redis with several replicas):
 * which deliveries were already handled, which PR heads have a scan queued, running or just done, and a
 * lock per head so only one replica creates, completes and reviews for a head at a time. The queue only
 * carries jobs; every "already?" question is answered here, the same way in both modes.
 *
 * Keys (all with a time to live, so a lost replica never blocks a head for long):
 *   delivery:<id>      an X-GitHub-Delivery handled (redeliveries are dropped)
 *   pending:<head>     the job id queued for this head and not started yet (later requests join it)
 *   running:<head>     the head lock: the job id scanning it now, renewed while it runs
 *   scanned:<head>     this head was scanned recently (unforced events are duplicates)
 *   checkrun:<job id>  the check run a job created (a replica finishing a killed one's job reuses it)
 */
import type { Store } from '../sources/store/store.js';
import type { Decision } from './jobs.js';

/** Time bounds of the coordination keys. */
export interface CoordinationTimes {
  /** How long a delivery id is remembered (GitHub redelivers within hours). Default 24 h. */
  deliveryTtlMs: number;
  /** How long an unforced event for a scanned head is a duplicate. Default 6 h. */
  scannedTtlMs: number;
  /** Life of the head lock between renewals: a replica that dies frees the head after this. */
  lockTtlMs: number;
  /** Longest a queued job keeps later requests joining it. */
  pendingTtlMs: number;
}

export const DEFAULT_TIMES: CoordinationTimes = {
  deliveryTtlMs: 24 * 3600_000,
  scannedTtlMs: 6 * 3600_000,
  lockTtlMs: 30_000,
  pendingTtlMs: 3600_000,
};

/** A held head lock: renewed in the background until released. */
export interface HeadLock {
  /** True when this job took the lock over from its own earlier run (a replica died mid-scan). */
  readonly resumed: boolean;
  release(): Promise<void>;
}

// Unref'd: a retry or a wait for a lock never keeps a closing process (or a test run) alive on its own.
const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms).unref());

export class HeadCoordinator {
  readonly times: CoordinationTimes;

  constructor(
    readonly store: Store,
    times: Partial<CoordinationTimes> = {},
  ) {
    this.times = { ...DEFAULT_TIMES, ...times };
  }

  /** True the first time a delivery id is seen, on any replica. */
  async firstDelivery(id: string | undefined | null): Promise<boolean> {
    if (!id) return true;
    return this.store.setIfAbsent(`delivery:${id}`, '1', { ttlMs: this.times.deliveryTtlMs });
  }

  /**
   * Decides whether a request for `head` records a new job `jobId`. Unforced requests (new commits, check
   * suites) are duplicates while the head runs or was scanned recently; any request joins a job that is
   * queued and not started; a forced one during a run records one more run (it waits for the lock).
   */
  async admit(head: string, jobId: string, force: boolean): Promise<Decision> {
    const running = (await this.store.get(`running:${head}`)) !== null;
    if (!force && (running || (await this.store.get(`scanned:${head}`)) !== null)) {
      // An unforced twin of a queued job still joins it (same answer as before: nothing new runs).
      return (await this.store.get(`pending:${head}`)) !== null ? 'coalesced' : 'duplicate';
    }
    if (!(await this.store.setIfAbsent(`pending:${head}`, jobId, { ttlMs: this.times.pendingTtlMs }))) return 'coalesced';
    return running ? 'rerun-scheduled' : 'started';
  }

  /** Forgets a pending mark that never became a job (the queue refused it). */
  async withdraw(head: string, jobId: string): Promise<void> {
    await this.store.deleteIf(`pending:${head}`, jobId);
  }

  /**
   * Takes the head lock for `jobId`, waiting while another job holds it (a forced re-run waits for the run
   * before it), for at most `waitMs`. Returns null when it could not be taken in time.
   */
  async lock(head: string, jobId: string, waitMs: number, onLost?: () => void): Promise<HeadLock | null> {
    const key = `running:${head}`;
    const ttlMs = this.times.lockTtlMs;
    const until = Date.now() + waitMs;
    let resumed = false;
    for (;;) {
      if (await this.store.setIfAbsent(key, jobId, { ttlMs })) break;
      if ((await this.store.get(key)) === jobId) {
        // Our own job, re-run after the replica holding it died: take it over.
        await this.store.set(key, jobId, { ttlMs });
        resumed = true;
        break;
      }
      if (Date.now() >= until) return null;
      await sleep(Math.min(250, Math.max(10, ttlMs / 10)));
    }
    // Started: later requests record a new job instead of joining this one.
    await this.store.deleteIf(`pending:${head}`, jobId);
    const renew = setInterval(() => {
      void (async () => {
        if ((await this.store.get(key)) !== jobId) {
          clearInterval(renew);
          onLost?.();
          return;
        }
        await this.store.set(key, jobId, { ttlMs });
      })().catch(() => {});
    }, Math.max(5, Math.floor(ttlMs / 3)));
    renew.unref?.();
    return {
      resumed,
      release: async () => {
        clearInterval(renew);
        await this.store.set(`scanned:${head}`, '1', { ttlMs: this.times.scannedTtlMs });
        await this.store.deleteIf(key, jobId);
      },
    };
  }

  /** The check run a job created earlier (on any replica), if any. */
  async checkRunOf(jobId: string): Promise<number | null> {
    const v = await this.store.get(`checkrun:${jobId}`);
    return v === null ? null : Number(v);
  }

  async rememberCheckRun(jobId: string, id: number): Promise<void> {
    await this.store.set(`checkrun:${jobId}`, String(id), { ttlMs: this.times.scannedTtlMs });
  }
}

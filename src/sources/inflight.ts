/**
 * One request per key at a time, shared by everyone who asks while it runs. Each caller may bring its own
 * signal: a caller that gives up leaves at once, and the shared work is cancelled only when every caller
 * has given up (so one module's deadline never cancels a download another module is waiting for).
 */

interface Job<V> {
  promise: Promise<V>;
  controller: AbortController;
  /** Callers without a signal never leave, so they are counted as permanent. */
  waiters: number;
}

/** Joins identical requests in flight; see the module comment. */
export class Inflight<K, V> {
  private readonly jobs = new Map<K, Job<V>>();

  /**
   * Runs `load` for `key` unless it is already running, and resolves with its result. When `signal`
   * aborts first this caller rejects with `cancelled(reason)`; the work stops once no caller is left.
   */
  run(key: K, signal: AbortSignal | undefined, load: (signal: AbortSignal) => Promise<V>, cancelled: (reason: unknown) => Error): Promise<V> {
    if (signal?.aborted) return Promise.reject(cancelled(signal.reason));
    let job = this.jobs.get(key);
    if (!job) {
      const controller = new AbortController();
      const created: Job<V> = { controller, waiters: 0, promise: Promise.resolve().then(() => load(controller.signal)) };
      created.promise
        .finally(() => {
          if (this.jobs.get(key) === created) this.jobs.delete(key);
        })
        .catch(() => undefined);
      this.jobs.set(key, created);
      job = created;
    }
    const current = job;
    current.waiters++;
    if (!signal) return current.promise;
    return new Promise<V>((resolve, reject) => {
      const onAbort = () => {
        current.waiters--;
        if (current.waiters === 0) {
          if (this.jobs.get(key) === current) this.jobs.delete(key);
          current.controller.abort(signal.reason);
        }
        reject(cancelled(signal.reason));
      };
      signal.addEventListener('abort', onAbort, { once: true });
      current.promise.then(
        (v) => {
          signal.removeEventListener('abort', onAbort);
          resolve(v);
        },
        (e: unknown) => {
          signal.removeEventListener('abort', onAbort);
          reject(e);
        },
      );
    });
  }

  /** Keys with work in flight (for tests and metrics). */
  get size(): number {
    return this.jobs.size;
  }
}

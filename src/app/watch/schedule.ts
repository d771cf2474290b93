/**
 * The re-verification schedule: every `intervalMs` (operator setting, default daily). The time of the last
 * run lives in the Store, so a run missed while the app was down runs once on start-up, and replicas
 * sharing Redis do not run it twice (a lock held for the start of a run).
 */
import { getJson, setJson, type Store } from '../../sources/store/store.js';
import { SCHEDULE_KEY, SCHEDULE_LOCK, type ScheduleState } from './state.js';

export interface WatchScheduleOptions {
  store: Store;
  intervalMs: number;
  /** Runs the re-verification; resolves when every job of the run is done. */
  run(): Promise<void>;
  now?: () => number;
  onError?(e: unknown): void;
}

export class WatchSchedule {
  private timer: NodeJS.Timeout | null = null;
  private stopped = false;
  private readonly now: () => number;

  constructor(private readonly options: WatchScheduleOptions) {
    this.now = options.now ?? Date.now;
  }

  /**
   * When the next run is due (epoch ms): now when none ever ran, or when the last one never finished (the
   * app stopped during it); otherwise an interval after the last start.
   */
  async nextDue(): Promise<number> {
    const s = await getJson<ScheduleState>(this.options.store, SCHEDULE_KEY);
    const started = s?.lastStartedAt ? Date.parse(s.lastStartedAt) : NaN;
    const finished = s?.lastFinishedAt ? Date.parse(s.lastFinishedAt) : NaN;
    if (!Number.isFinite(started)) return this.now();
    if (!Number.isFinite(finished) || finished < started) return this.now();
    return started + this.options.intervalMs;
  }

  /** Runs now if a run is due (a missed one included), then keeps the timer for the next. */
  async start(): Promise<boolean> {
    this.stopped = false;
    const ran = await this.tick();
    return ran;
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }

  /** Runs when due; returns whether this call started a run. */
  async tick(): Promise<boolean> {
    let ran = false;
    try {
      if ((await this.nextDue()) <= this.now() && (await this.options.store.setIfAbsent(SCHEDULE_LOCK, String(process.pid), { ttlMs: Math.min(this.options.intervalMs / 2, 10 * 60 * 1000) }))) {
        const lastStartedAt = new Date(this.now()).toISOString();
        await setJson(this.options.store, SCHEDULE_KEY, { lastStartedAt, lastFinishedAt: null } satisfies ScheduleState);
        ran = true;
        await this.options.run();
        await setJson(this.options.store, SCHEDULE_KEY, { lastStartedAt, lastFinishedAt: new Date(this.now()).toISOString() } satisfies ScheduleState);
        await this.options.store.delete(SCHEDULE_LOCK);
      }
    } catch (e) {
      this.options.onError?.(e);
    }
    this.arm();
    return ran;
  }

  private arm(): void {
    if (this.stopped) return;
    if (this.timer) clearTimeout(this.timer);
    void this.nextDue().then((due) => {
      if (this.stopped) return;
      // Timers cap at ~24.8 days; a long interval just re-checks.
      const wait = Math.min(Math.max(1000, due - this.now()), 2 ** 31 - 1);
      this.timer = setTimeout(() => void this.tick(), wait);
      this.timer.unref?.();
    }, (e) => this.options.onError?.(e));
  }
}

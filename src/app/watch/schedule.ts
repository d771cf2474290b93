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
  /** Starts a run (queues its jobs) and resolves when they are queued. */
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

  /** When the next run is due (epoch ms); now when none ever ran. */
  async nextDue(): Promise<number> {
    const s = await getJson<ScheduleState>(this.options.store, SCHEDULE_KEY);
    const last = s?.lastStartedAt ? Date.parse(s.lastStartedAt) : NaN;
    return Number.isFinite(last) ? last + this.options.intervalMs : this.now();
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
        await setJson(this.options.store, SCHEDULE_KEY, { lastStartedAt: new Date(this.now()).toISOString(), lastFinishedAt: null } satisfies ScheduleState);
        await this.options.run();
        ran = true;
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

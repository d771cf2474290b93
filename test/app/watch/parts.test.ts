import { RateBudget } from '../../../src/app/watch/budget.js';
import { InProcessWatchQueue, type WatchJob } from '../../../src/app/watch/queue.js';
import { WatchSchedule } from '../../../src/app/watch/schedule.js';
import { loadWatchSettings, parseInterval } from '../../../src/app/watch/settings.js';
import { SCHEDULE_KEY } from '../../../src/app/watch/state.js';
import { parseRepoConfig } from '../../../src/config/repo.js';
import { MemoryStore } from '../../../src/sources/store/memory.js';

const DAY = 24 * 3600 * 1000;

describe('watch schedule', () => {
  it('a run missed while the app was down runs once on start-up; a recent one does not', async () => {
    const store = new MemoryStore();
    let t = Date.parse('2026-12-05T12:00:00Z');
    let runs = 0;
    const mk = () => new WatchSchedule({ store, intervalMs: DAY, run: async () => void runs++, now: () => t });
    await store.set(SCHEDULE_KEY, JSON.stringify({ lastStartedAt: new Date(t - 3 * DAY).toISOString(), lastFinishedAt: null }));
    const s1 = mk();
    expect(await s1.start()).toBe(true);
    s1.stop();
    expect(runs).toBe(1);
    // A restart an hour later: the run finished, the next is a day after its start.
    t += 3600 * 1000;
    const s2 = mk();
    expect(await s2.start()).toBe(false);
    s2.stop();
    expect(runs).toBe(1);
    expect(await s2.nextDue()).toBe(t - 3600 * 1000 + DAY);
  });

  it('a run the app stopped during (started, never finished) runs again on start-up; replicas do not both run it', async () => {
    const store = new MemoryStore();
    const t = Date.parse('2026-12-05T12:00:00Z');
    await store.set(SCHEDULE_KEY, JSON.stringify({ lastStartedAt: new Date(t - 3600 * 1000).toISOString(), lastFinishedAt: null }));
    let runs = 0;
    let release!: () => void;
    const running = new Promise<void>((r) => (release = r));
    const a = new WatchSchedule({ store, intervalMs: DAY, run: async () => (runs++, await running), now: () => t });
    const b = new WatchSchedule({ store, intervalMs: DAY, run: async () => void runs++, now: () => t });
    const first = a.start();
    await new Promise((r) => setTimeout(r, 10));
    expect(await b.start()).toBe(false); // the lock is held while a's run goes on
    release();
    expect(await first).toBe(true);
    a.stop();
    b.stop();
    expect(runs).toBe(1);
    expect(JSON.parse((await store.get(SCHEDULE_KEY))!).lastFinishedAt).toBe(new Date(t).toISOString());
  });

  it('never ran: runs at once', async () => {
    let runs = 0;
    const s = new WatchSchedule({ store: new MemoryStore(), intervalMs: DAY, run: async () => void runs++ });
    expect(await s.start()).toBe(true);
    s.stop();
    expect(runs).toBe(1);
  });
});

describe('rate budget', () => {
  it('waits for the reset when what is left falls to the reserve', () => {
    let now = 1_000_000;
    const b = new RateBudget(() => now);
    expect(b.waitMs(200)).toBe(0);
    b.observe({ 'x-ratelimit-remaining': '150', 'x-ratelimit-limit': '5000', 'x-ratelimit-reset': String((now + 60_000) / 1000) });
    expect(b.waitMs(200)).toBe(61_000);
    expect(b.waitMs(100)).toBe(0);
    now += 70_000;
    expect(b.waitMs(200)).toBe(0);
    expect(b.requests).toBe(1);
  });
});

describe('in-process watch queue', () => {
  it('runs jobs with bounded concurrency and drops a repo already waiting', async () => {
    const q = new InProcessWatchQueue(1);
    const seen: string[] = [];
    q.start(async (j) => void seen.push(`${j.repo}:${j.reason}`));
    const job = (repo: string, reason: WatchJob['reason']): WatchJob => ({ runId: 'r', installationId: 1, owner: 'o', repo, reason });
    expect(await q.add(job('a', 'schedule'))).toBe(true);
    expect(await q.add(job('b', 'schedule'))).toBe(true);
    expect(await q.add(job('b', 'command'))).toBe(false);
    await q.idle();
    expect(seen).toEqual(['a:schedule', 'b:schedule']);
  });
});

describe('watch settings', () => {
  it('reads the interval, the data dir and Redis; bad values are named', () => {
    expect(loadWatchSettings({})).toEqual({ intervalMs: DAY, dataDir: '.modwarden', redisUrl: null, concurrency: 4 });
    expect(loadWatchSettings({ MODWARDEN_WATCH_INTERVAL: 'off', REDIS_URL: 'redis://127.0.0.1:6379' })).toMatchObject({ intervalMs: null, redisUrl: 'redis://127.0.0.1:6379' });
    expect(parseInterval('6h')).toBe(6 * 3600 * 1000);
    expect(() => loadWatchSettings({ MODWARDEN_WATCH_INTERVAL: '5m', MODWARDEN_WATCH_CONCURRENCY: 'x' })).toThrow(/MODWARDEN_WATCH_CONCURRENCY: .*; MODWARDEN_WATCH_INTERVAL: at least 15m/);
  });

  it('repo config: watch: false opts out, openIssueAt sets the severity that opens the issue', () => {
    expect(parseRepoConfig({ watch: false }).watch).toEqual({ enabled: false, openIssueAt: null });
    expect(parseRepoConfig({ watch: { openIssueAt: 'medium' } }).watch).toEqual({ enabled: true, openIssueAt: 'medium' });
    expect(parseRepoConfig(null).watch).toBeUndefined();
    expect(() => parseRepoConfig({ watch: { openIssueAt: 'urgent' } })).toThrow(/watch/);
  });
});

describe('watch runs fed by a shared queue', () => {
  it('jobs of a run queued elsewhere share one set of checks in this process', async () => {
    const { WatchService } = await import('../../../src/app/watch/service.js');
    let handler: ((j: WatchJob) => Promise<void>) | null = null;
    let started = 0;
    const quiet = { info() {}, warn() {}, error() {}, debug() {} };
    new WatchService({
      store: new MemoryStore(),
      // A queue whose jobs come from another process: only the handler is used here.
      queue: { start: (h) => void (handler = h), add: async () => true, idle: async () => {} },
      startRun: () => (started++, { checks: {} as never, probe: null }),
      // Every job fails at once (no API here); the run context is what is under test.
      auth: async () => {
        throw new Error('no API in this test');
      },
      log: quiet,
    });
    const job = (repo: string): WatchJob => ({ runId: 'elsewhere', installationId: 1, owner: 'o', repo, reason: 'schedule' });
    await handler!(job('a'));
    await handler!(job('b'));
    expect(started).toBe(1);
  });
});

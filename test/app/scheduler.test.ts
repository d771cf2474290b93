import { ScanScheduler } from '../../src/app/scheduler.js';

function job(log: string[], name: string, ms = 20) {
  return {
    begin: async () => (log.push(`begin ${name}`), name),
    run: async (n: string) => {
      log.push(`run ${n}`);
      await new Promise((r) => setTimeout(r, ms));
      log.push(`done ${n}`);
    },
  };
}

describe('ScanScheduler', () => {
  it('drops unforced duplicates of a queued, running or recently scanned head', async () => {
    const s = new ScanScheduler(1);
    const log: string[] = [];
    await s.request('other', false, job(log, 'x')); // holds the only slot, so pr@a stays queued
    expect(await s.request('pr@a', false, job(log, 'a1'))).toBe('started');
    expect(await s.request('pr@a', false, job(log, 'a2'))).toBe('coalesced');
    await new Promise((r) => setTimeout(r, 30)); // a1 is running now
    expect(await s.request('pr@a', false, job(log, 'a3'))).toBe('duplicate');
    await s.idle();
    expect(await s.request('pr@a', false, job(log, 'a4'))).toBe('duplicate');
    expect(log).toEqual(['begin x', 'run x', 'begin a1', 'done x', 'run a1', 'done a1']);
  });

  it('a forced request during a run schedules exactly one more run', async () => {
    const s = new ScanScheduler(1);
    const log: string[] = [];
    await s.request('pr@a', true, job(log, 'first', 30));
    await new Promise((r) => setTimeout(r, 5)); // let it start running
    expect(await s.request('pr@a', true, job(log, 'second'))).toBe('rerun-scheduled');
    expect(await s.request('pr@a', true, job(log, 'third'))).toBe('coalesced');
    await s.idle();
    expect(log).toEqual(['begin first', 'run first', 'done first', 'begin second', 'run second', 'done second']);
    expect(await s.request('pr@a', true, job(log, 'fourth'))).toBe('started');
    await s.idle();
  });

  it('runs at most `concurrency` jobs at once, across keys', async () => {
    const s = new ScanScheduler(2);
    let running = 0;
    let peak = 0;
    const slow = { begin: async () => 0, run: async () => { running++; peak = Math.max(peak, running); await new Promise((r) => setTimeout(r, 15)); running--; } };
    await Promise.all(['a', 'b', 'c', 'd', 'e'].map((k) => s.request(k, false, slow)));
    await s.idle();
    expect(peak).toBe(2);
  });

  it('a failing begin frees the key, and a failing run is reported, not thrown', async () => {
    const errors: unknown[] = [];
    const s = new ScanScheduler(1, (e) => errors.push(e));
    await expect(s.request('k', false, { begin: () => Promise.reject(new Error('no check run')), run: async () => {} })).rejects.toThrow('no check run');
    expect(await s.request('k', false, { begin: async () => 1, run: () => Promise.reject(new Error('boom')) })).toBe('started');
    await s.idle();
    expect(errors.map((e) => (e as Error).message)).toEqual(['boom']);
  });
});

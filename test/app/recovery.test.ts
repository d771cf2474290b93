/**
 * Crash recovery and operations endpoints: a check run a crash left in progress is re-run once on the
 * same check run, and completed as interrupted when the re-run crashed too; /healthz reports the queue
 * and Redis, /metrics the scan outcomes.
 */
import nock from 'nock';
import { healthReport } from '../../src/app/health.js';
import { sweepInterrupted } from '../../src/app/recovery.js';
import { INFLIGHT, type InflightRun } from '../../src/app/service.js';
import { API, BASE, HEAD, REPO, checkRunCreated, checksWith, mockConfig, startApp, stopApps } from './harness.js';

beforeEach(() => {
  nock.disableNetConnect();
  nock.enableNetConnect('127.0.0.1');
});
afterEach(async () => {
  await stopApps();
  nock.cleanAll();
  nock.enableNetConnect();
});

const target = { owner: 'acme', repo: 'service', number: 2, headSha: HEAD, baseSha: BASE, author: 'octocat' };
const run = (over: Partial<InflightRun>): InflightRun => ({ checkRunId: 4242, installationId: null, target, jobId: 'j-dead', key: `acme/service#2@${HEAD}`, startedAt: 0, recovered: false, ...over });

describe('crash recovery sweep', () => {
  it('re-runs a run left in progress on the same check run, and leaves young or locked ones alone', async () => {
    const { service } = await startApp({ checks: checksWith({}) }, { scanDeadlineMs: 60_000 });
    const now = Date.now();
    await service.store.set(`${INFLIGHT}4242`, JSON.stringify(run({ startedAt: now - 120_000 })));
    await service.store.set(`${INFLIGHT}5000`, JSON.stringify(run({ checkRunId: 5000, startedAt: now - 1000 })));
    const updates: any[] = [];
    const scope = nock(API)
      .get(`${REPO}/check-runs/4242`).reply(200, checkRunCreated())
      .get(`${REPO}/pulls/2/files`).query({ per_page: 100 }).reply(200, [{ filename: 'README.md', status: 'modified' }])
      .patch(`${REPO}/check-runs/4242`, (b) => (updates.push(b), true)).reply(200, {});
    mockConfig(scope, null);
    expect(await sweepInterrupted(service, now)).toEqual({ requeued: 1, interrupted: 0, skipped: 1 });
    await service.idle();
    expect(updates).toEqual([expect.objectContaining({ status: 'completed', conclusion: 'success' })]);
    expect(scope.isDone()).toBe(true); // no second check run was created
    expect(await service.store.keys(INFLIGHT)).toEqual([`${INFLIGHT}5000`]);
  });

  it('a run whose recovery re-run crashed too is completed as interrupted, asking for /rescan', async () => {
    const { service } = await startApp({ checks: checksWith({}) }, { scanDeadlineMs: 60_000 });
    await service.store.set(`${INFLIGHT}4242`, JSON.stringify(run({ recovered: true })));
    const updates: any[] = [];
    nock(API).patch(`${REPO}/check-runs/4242`, (b) => (updates.push(b), true)).reply(200, {});
    expect(await sweepInterrupted(service)).toEqual({ requeued: 0, interrupted: 1, skipped: 0 });
    expect(updates).toEqual([expect.objectContaining({ status: 'completed', conclusion: 'failure' })]);
    expect(updates[0].output.summary).toContain('interrupted');
    expect(updates[0].output.summary).toContain('/rescan');
  });
});

describe('health and metrics', () => {
  it('reports the queue, Redis reachability, and counts outcomes', async () => {
    const { service } = await startApp({ checks: checksWith({}) });
    const metrics = service.metrics!;
    const sources = { queueKind: service.queue.kind, depth: () => service.queue.depth(), redisReachable: null, metrics };
    expect(await healthReport(sources)).toEqual({ ok: true, body: { status: 'ok', queue: 'in-process', waiting: 0, active: 0, redis: 'not used' } });
    expect((await healthReport({ ...sources, redisReachable: async () => false })).ok).toBe(false);
    metrics.outcomes.inc({ outcome: 'success' });
    const text = await metrics.text();
    expect(text).toContain('modwarden_scan_outcomes_total{outcome="success"} 1');
    expect(text).toContain('modwarden_queue_jobs{state="waiting"} 0');
  });
});

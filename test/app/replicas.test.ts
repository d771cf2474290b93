/**
 * Two app instances (replicas) sharing one real redis-server: a delivery sent to both is handled once,
 * one check run and one review per PR head, and a job whose replica is killed mid-scan is finished by
 * the other replica on the same check run.
 */
import nock from 'nock';
import {
  API,
  REPO,
  checkRunCreated,
  checksWith,
  finding,
  payload,
  startApp,
  stopApps,
  mockPrReads,
} from './harness.js';
import type { ScanChecks } from '../../src/engine/scan.js';
import { startRedis, type RedisServer } from '../helpers/redis-server.js';

let redis: RedisServer;
beforeAll(async () => {
  redis = await startRedis();
});
afterAll(async () => {
  await redis.stop();
});
beforeEach(() => {
  nock.disableNetConnect();
  nock.enableNetConnect('127.0.0.1');
});
afterEach(async () => {
  await stopApps();
  nock.cleanAll();
  nock.enableNetConnect();
});

let run = 0;
/** Two replicas on the test's Redis, in a namespace of their own; short job locks so a dead one is noticed fast. */
async function replicas(a: ScanChecks, b: ScanChecks) {
  const prefix = `replicas${++run}`;
  const app = { redisQueue: { prefix, lockDurationMs: 800, stalledIntervalMs: 300 }, coordination: { lockTtlMs: 800 } };
  const over = { redisUrl: redis.url, jobConcurrency: 2 };
  return [await startApp({ checks: a, concurrency: 2 }, over, undefined, app), await startApp({ checks: b, concurrency: 2 }, over, undefined, app)] as const;
}


const diverged = checksWith({ verify: (m, v) => [finding('content-diverged', 'critical', m, v, 'The proxy serves different code than the origin tag')] });

describe('two replicas on one Redis', () => {
  it('a delivery sent to both, and its check_suite twin, give one check run and one review', async () => {
    const [a, b] = await replicas(diverged, diverged);
    let creates = 0;
    let reviews = 0;
    const completions: any[] = [];
    const scope = nock(API)
      .post(`${REPO}/check-runs`).reply(201, () => (creates++, checkRunCreated()))
      .patch(`${REPO}/check-runs/4242`, (body) => (completions.push(body), true)).reply(200, {})
      .get(`${REPO}/pulls/2/reviews`).query({ per_page: 100 }).reply(200, [])
      .post(`${REPO}/pulls/2/reviews`).reply(200, () => (reviews++, { id: 1 }));
    mockPrReads(scope);
    const event = { id: 'replica-delivery-1', name: 'pull_request' as const, payload: payload('pull_request.opened') };
    // The load balancer sends the delivery to A, GitHub redelivers it to B, and B also gets the suite's twin.
    await Promise.all([a.probot.receive(event), b.probot.receive(event), b.probot.receive({ id: 'replica-delivery-2', name: 'check_suite', payload: payload('check_suite.requested') })]);
    await a.service.idle();
    await b.service.idle();
    expect(creates).toBe(1);
    expect(reviews).toBe(1);
    expect(completions).toEqual([expect.objectContaining({ status: 'completed', conclusion: 'failure' })]);
    expect(scope.isDone()).toBe(true);
  });

  it("a replica killed mid-scan: the other takes its job over and completes the same check run, once", async () => {
    let verifyStarted!: () => void;
    const started = new Promise<void>((r) => (verifyStarted = r));
    // Replica A hangs inside the scan (as a process that froze or died would never finish).
    // Released after the assertions: a job that never ends would keep the dead replica's BullMQ worker (and Jest) alive.
    let release!: () => void;
    const hang = new Promise<never[]>((r) => (release = () => r([])));
    const hanging: ScanChecks = { ...diverged, verify: () => (verifyStarted(), hang) };
    const [a, b] = await replicas(hanging, diverged);
    let creates = 0;
    const completions: any[] = [];
    const scope = nock(API)
      .post(`${REPO}/check-runs`).reply(201, () => (creates++, checkRunCreated()))
      .get(`${REPO}/check-runs/4242`).reply(200, checkRunCreated())
      .patch(`${REPO}/check-runs/4242`, (body) => (completions.push(body), true)).reply(200, {})
      .get(`${REPO}/pulls/2/reviews`).query({ per_page: 100 }).reply(200, [])
      .post(`${REPO}/pulls/2/reviews`).reply(200, { id: 1 });
    mockPrReads(scope);
    mockPrReads(scope); // A read them before it hung; B reads them again
    // B's worker is not running yet, so A takes the job.
    await b.service.queue.close(true);
    await a.probot.receive({ id: 'replica-kill-1', name: 'pull_request', payload: payload('pull_request.opened') });
    await started;
    // Kill A: its worker stops renewing the job's lock (the process is gone as far as Redis can tell).
    await a.service.queue.close(true);
    const c = await startApp({ checks: diverged, concurrency: 2 }, { redisUrl: redis.url, jobConcurrency: 2 }, undefined, {
      redisQueue: { prefix: `replicas${run}`, lockDurationMs: 800, stalledIntervalMs: 300 },
      coordination: { lockTtlMs: 800 },
    });
    await c.service.idle();
    expect(creates).toBe(1);
    expect(completions).toEqual([expect.objectContaining({ status: 'completed', conclusion: 'failure' })]);
    expect(completions[0].output.summary).toContain('github.com/boltdb-go/bolt');
    release();
  });
});

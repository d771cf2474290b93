/**
 * Deadlines: a module whose sources never answer becomes verify-failed (cause timeout) at the module
 * deadline, and a scan whose GitHub reads hang still completes its check run at the scan deadline.
 */
import nock from 'nock';
import {
  API,
  REPO,
  checkRunCreated,
  checksWith,
  mockConfig,
  payload,
  startApp,
  stopApps,
  mockPrReads,
} from './harness.js';

beforeEach(() => {
  nock.disableNetConnect();
  nock.enableNetConnect('127.0.0.1');
});
afterEach(async () => {
  await stopApps();
  nock.cleanAll();
  nock.enableNetConnect();
});


describe('deadlines', () => {
  it('a module whose verification never ends is verify-failed (timeout) at the module deadline; the run fails, never passes', async () => {
    let aborted: unknown = null;
    const hanging = checksWith({});
    hanging.verify = (_change, ctx) =>
      new Promise(() => {
        ctx.signal?.addEventListener('abort', () => (aborted = ctx.signal!.reason));
      });
    const { probot, service } = await startApp({ checks: hanging }, { moduleDeadlineMs: 300, scanDeadlineMs: 20_000 });
    const updates: any[] = [];
    const scope = nock(API)
      .post(`${REPO}/check-runs`).reply(201, checkRunCreated())
      .patch(`${REPO}/check-runs/4242`, (b) => (updates.push(b), true)).reply(200, {})
      .get(`${REPO}/pulls/2/reviews`).query({ per_page: 100 }).reply(200, [])
      .post(`${REPO}/pulls/2/reviews`).reply(200, { id: 1 });
    mockPrReads(scope);
    await probot.receive({ id: 'deadline-1', name: 'pull_request', payload: payload('pull_request.opened') });
    await service.idle();
    expect(updates).toHaveLength(1);
    expect(updates[0]).toMatchObject({ status: 'completed', conclusion: 'failure' });
    expect(updates[0].output.summary).toContain('verify-failed');
    expect(updates[0].output.annotations[0].title).toBe('high verify-failed: github.com/boltdb-go/bolt@v1.3.1');
    expect(updates[0].output.annotations[0].message).toContain('within 0.3 s (the module deadline)');
    // The check got the deadline through its signal, so a source that honours it frees its slot.
    expect(String(aborted)).toContain('module deadline of 0.3 s');
  });

  it('a GitHub read that hangs: the check run is still completed at the scan deadline, saying why', async () => {
    const { probot, service } = await startApp({ checks: checksWith({}) }, { scanDeadlineMs: 600 });
    const updates: any[] = [];
    const scope = nock(API)
      .post(`${REPO}/check-runs`).reply(201, checkRunCreated())
      .patch(`${REPO}/check-runs/4242`, (b) => (updates.push(b), true)).reply(200, {})
      // Listing the PR's files answers only after 2 s: far past the deadline.
      .get(`${REPO}/pulls/2/files`).query({ per_page: 100 }).delay(2000).reply(200, []);
    mockConfig(scope, null);
    await probot.receive({ id: 'deadline-2', name: 'pull_request', payload: payload('pull_request.opened') });
    await service.idle();
    expect(updates).toEqual([expect.objectContaining({ status: 'completed', conclusion: 'failure' })]);
    expect(updates[0].output.summary).toContain('did not finish within 1 s (the scan deadline)');
  });
});

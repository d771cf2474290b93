/**
 * GitHub failing at app level: a 5xx on the review and on the check-run updates. The check run is still
 * completed, and nothing is posted twice.
 */
import nock from 'nock';
import { API, BASE, BASE_GOMOD, GOMOD_PATCH, HEAD, HEAD_GOMOD, MERGE_BASE, REPO, checkRunCreated, checksWith, finding, mockConfig, mockFile, mockTree, payload, startApp, stopApps } from './harness.js';

beforeEach(() => {
  nock.disableNetConnect();
  nock.enableNetConnect('127.0.0.1');
});
afterEach(async () => {
  await stopApps();
  nock.cleanAll();
  nock.enableNetConnect();
});

const diverged = checksWith({ verify: (m, v) => [finding('content-diverged', 'critical', m, v, 'The proxy serves different code than the origin tag')] });

function mockPrReads(scope: nock.Scope) {
  scope
    .get(`${REPO}/pulls/2/files`).query({ per_page: 100 }).reply(200, [{ filename: 'go.mod', status: 'modified', patch: GOMOD_PATCH }])
    .get(`${REPO}/compare/${BASE}...${HEAD}`).query({ per_page: 1 }).reply(200, { merge_base_commit: { sha: MERGE_BASE } })
    .get(`${REPO}/issues/2/comments`).query({ per_page: 100 }).reply(200, []);
  mockFile(scope, 'go.mod', MERGE_BASE, BASE_GOMOD);
  mockFile(scope, 'go.mod', HEAD, HEAD_GOMOD);
  mockFile(scope, 'go.sum', HEAD, null);
  mockTree(scope, MERGE_BASE, ['go.mod']);
  mockConfig(scope, null);
}

it('a 502 on the check-run update and on the review: the run completes once, the review is attempted once (never doubled)', async () => {
  const { probot, service } = await startApp({ checks: diverged });
  service.completionRetry = { firstDelayMs: 5, maxDelayMs: 20 };
  let creates = 0;
  let reviewPosts = 0;
  const completions: any[] = [];
  const scope = nock(API)
    .post(`${REPO}/check-runs`).reply(201, () => (creates++, checkRunCreated()))
    .patch(`${REPO}/check-runs/4242`).reply(502, { message: 'Bad Gateway' })
    .patch(`${REPO}/check-runs/4242`, (b) => (completions.push(b), true)).reply(200, {})
    .get(`${REPO}/pulls/2/reviews`).query({ per_page: 100 }).reply(200, [])
    .post(`${REPO}/pulls/2/reviews`).reply(502, () => (reviewPosts++, { message: 'Bad Gateway' }));
  mockPrReads(scope);
  await probot.receive({ id: 'fault-1', name: 'pull_request', payload: payload('pull_request.opened') });
  // GitHub redelivers after the slow answer it saw: the same delivery id is not a second scan.
  await probot.receive({ id: 'fault-1', name: 'pull_request', payload: payload('pull_request.opened') });
  await service.idle();
  expect(creates).toBe(1);
  expect(completions).toEqual([expect.objectContaining({ status: 'completed', conclusion: 'failure' })]);
  // A review POST that failed may or may not have been applied by GitHub: not retried blindly.
  expect(reviewPosts).toBe(1);
  expect(scope.isDone()).toBe(true);
});

import nock from 'nock';
import {
  API, BASE, BASE_GOMOD, GOMOD_PATCH, HEAD, HEAD_GOMOD, MERGE_BASE, REPO,
  checkRunCreated, checksWith, finding, mockConfig, mockFile, mockTree, payload, startApp, stopApps,
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

const bolt = checksWith({
  typosquat: (m) => (m === 'github.com/boltdb-go/bolt' ? [finding('typosquat', 'high', m, 'v1.3.1', '`github.com/boltdb-go/bolt` looks like `github.com/boltdb/bolt`')] : []),
  verify: (m, v) => (m === 'github.com/boltdb-go/bolt' ? [finding('content-diverged', 'critical', m, v, 'The proxy serves different code than the origin tag')] : []),
});

/** The reads every scan of PR #2 makes, in any order. */
function mockPrReads(scope: nock.Scope, files: object[], gomod: { base: string | null; head: string | null } = { base: BASE_GOMOD, head: HEAD_GOMOD }) {
  scope
    .get(`${REPO}/pulls/2/files`).query({ per_page: 100 }).reply(200, files)
    .get(`${REPO}/compare/${BASE}...${HEAD}`).query({ per_page: 1 }).reply(200, { merge_base_commit: { sha: MERGE_BASE } })
    .get(`${REPO}/issues/2/comments`).query({ per_page: 100 }).reply(200, []);
  mockFile(scope, 'go.mod', MERGE_BASE, gomod.base);
  mockFile(scope, 'go.mod', HEAD, gomod.head);
  mockFile(scope, 'go.sum', HEAD, null);
  mockTree(scope, MERGE_BASE, gomod.base === null ? ['README.md'] : ['README.md', 'go.mod']);
  return scope;
}

describe('pull_request events', () => {
  it('creates an in_progress check run, completes it with annotations, and posts one review on the right line', async () => {
    const { probot, service } = await startApp({ checks: bolt, concurrency: 4 });
    const created: any[] = [];
    const updates: any[] = [];
    const reviews: any[] = [];
    const scope = nock(API)
      .post(`${REPO}/check-runs`, (b) => (created.push(b), true)).reply(201, checkRunCreated())
      .patch(`${REPO}/check-runs/4242`, (b) => (updates.push(b), true)).reply(200, {})
      .get(`${REPO}/pulls/2/reviews`).query({ per_page: 100 }).reply(200, [])
      .post(`${REPO}/pulls/2/reviews`, (b) => (reviews.push(b), true)).reply(200, { id: 80 });
    mockConfig(scope, null);
    mockPrReads(scope, [{ filename: 'go.mod', status: 'modified', additions: 1, deletions: 0, changes: 1, patch: GOMOD_PATCH }]);

    await probot.receive({ id: 'delivery-1', name: 'pull_request', payload: payload('pull_request.opened') });
    // The webhook is answered once the job is recorded; the worker creates the check run.
    await service.idle();
    expect(created).toEqual([
      expect.objectContaining({ name: 'ModWarden', head_sha: HEAD, status: 'in_progress', external_id: 'pr:2' }),
    ]);

    expect(updates).toHaveLength(1);
    const u = updates[0];
    expect(u).toMatchObject({ status: 'completed', conclusion: 'failure', output: { title: '2 findings at or above high' } });
    expect(u.output.summary).toContain('| `github.com/boltdb-go/bolt` | added v1.3.1 | `go.mod:6` | ❌ failing (content-diverged, typosquat) |');
    expect(u.output.annotations).toEqual([
      expect.objectContaining({ path: 'go.mod', start_line: 6, end_line: 6, annotation_level: 'failure', title: 'critical content-diverged: github.com/boltdb-go/bolt@v1.3.1' }),
      expect.objectContaining({ path: 'go.mod', start_line: 6, annotation_level: 'failure', title: 'high typosquat: github.com/boltdb-go/bolt@v1.3.1' }),
    ]);

    expect(reviews).toHaveLength(1);
    expect(reviews[0]).toMatchObject({ commit_id: HEAD, event: 'COMMENT' });
    expect(reviews[0].comments).toEqual([{ path: 'go.mod', line: 6, side: 'RIGHT', body: expect.stringContaining('content-diverged') }]);
    expect(reviews[0].body).toContain('<!-- modwarden:review head=' + HEAD);
    expect(scope.isDone()).toBe(true);
  });

  it('with reviewComments: false in the config, reports in the check run only', async () => {
    const { probot, service } = await startApp({ checks: bolt });
    const updates: any[] = [];
    const scope = nock(API)
      .post(`${REPO}/check-runs`).reply(201, checkRunCreated())
      .patch(`${REPO}/check-runs/4242`, (b) => (updates.push(b), true)).reply(200, {});
    mockConfig(scope, 'reviewComments: false\nfailOn: critical\n');
    mockPrReads(scope, [{ filename: 'go.mod', status: 'modified', patch: GOMOD_PATCH }]);
    await probot.receive({ id: 'delivery-13', name: 'pull_request', payload: payload('pull_request.opened') });
    await service.idle();
    expect(updates[0]).toMatchObject({ conclusion: 'failure', output: { title: '1 finding at or above critical' } });
    expect(scope.isDone()).toBe(true); // no reviews listed or posted
  });

  it('gives a PR that touches no Go module file a quick successful check run', async () => {
    const { probot, service } = await startApp({ checks: bolt });
    const updates: any[] = [];
    const scope = nock(API)
      .post(`${REPO}/check-runs`).reply(201, checkRunCreated())
      .get(`${REPO}/pulls/2/files`).query({ per_page: 100 }).reply(200, [{ filename: 'README.md', status: 'modified', patch: '@@ -1 +1 @@\n-a\n+b' }])
      .patch(`${REPO}/check-runs/4242`, (b) => (updates.push(b), true)).reply(200, {});
    mockConfig(scope, null);
    await probot.receive({ id: 'delivery-2', name: 'pull_request', payload: payload('pull_request.opened') });
    await service.idle();
    expect(updates).toEqual([
      expect.objectContaining({ status: 'completed', conclusion: 'success', output: expect.objectContaining({ title: 'No go.mod, go.sum or go.work changed' }) }),
    ]);
    expect(scope.isDone()).toBe(true);
  });

  it('annotates at most 50 findings in the one completing request, comments at most 25 lines inline, and says so', async () => {
    const n = 120;
    const modules = Array.from({ length: n }, (_, i) => `github.com/many/m${String(i).padStart(3, '0')}`);
    const head = `module github.com/acme/service\n\ngo 1.21\n\nrequire (\n${modules.map((m) => `\t${m} v1.0.0`).join('\n')}\n)\n`;
    const patch = `@@ -0,0 +1,${n + 6} @@\n` + head.trimEnd().split('\n').map((l) => '+' + l).join('\n');
    const checks = checksWith({ verify: (m, v) => [finding('tag-moved', 'high', m, v, 'Tag moved')] });
    const { probot, service } = await startApp({ checks, concurrency: 8 });
    const updates: any[] = [];
    const reviews: any[] = [];
    const scope = nock(API)
      .post(`${REPO}/check-runs`).reply(201, checkRunCreated())
      .patch(`${REPO}/check-runs/4242`, (b) => (updates.push(b), true)).reply(200, {})
      .get(`${REPO}/pulls/2/reviews`).query({ per_page: 100 }).reply(200, [])
      .post(`${REPO}/pulls/2/reviews`, (b) => (reviews.push(b), true)).reply(200, { id: 81 });
    mockConfig(scope, null);
    mockPrReads(scope, [{ filename: 'go.mod', status: 'added', patch }], { base: null, head });
    await probot.receive({ id: 'delivery-3', name: 'pull_request', payload: payload('pull_request.opened') });
    await service.idle();
    expect(updates).toHaveLength(1);
    expect(updates[0]).toMatchObject({ status: 'completed', conclusion: 'failure' });
    expect(updates[0].output.annotations).toHaveLength(50);
    expect(updates[0].output.annotations.map((a: any) => a.start_line)).toEqual(Array.from({ length: 50 }, (_, i) => i + 6));
    expect(updates[0].output.summary).toContain('_70 more findings have no annotation on the diff');
    expect(reviews[0].comments).toHaveLength(25);
    expect(reviews[0].body).toContain('On lines outside the diff, or past the first 25 comments:');
    expect(scope.isDone()).toBe(true);
  });

  it('fails the check run naming the bad key when the config is invalid, and reads nothing else', async () => {
    const { probot, service } = await startApp({ checks: bolt });
    const updates: any[] = [];
    const scope = nock(API)
      .post(`${REPO}/check-runs`).reply(201, checkRunCreated())
      .patch(`${REPO}/check-runs/4242`, (b) => (updates.push(b), true)).reply(200, {});
    mockConfig(scope, 'failOn: severe\nrules:\n  typosqat: false\n');
    await probot.receive({ id: 'delivery-4', name: 'pull_request', payload: payload('pull_request.opened') });
    await service.idle();
    expect(updates).toHaveLength(1);
    expect(updates[0]).toMatchObject({ status: 'completed', conclusion: 'failure' });
    expect(updates[0].output.title).toBe('Invalid .github/modwarden.yml: failOn: expected one of info|low|medium|high|critical');
    expect(updates[0].output.summary).toContain('rules.typosqat');
    // A real finding of the config-error rule, anchored on the config file (no diff line to annotate).
    expect(updates[0].output.summary).toContain('#### ❌ `.github/modwarden.yml`\n\n**high `config-error`**: `.github/modwarden.yml` is invalid: failOn: expected one of info\\|low\\|medium\\|high\\|critical');
    expect(updates[0].output.annotations).toBeUndefined();
    expect(scope.isDone()).toBe(true);
  });

  it('always finishes the check run with a clear failure when the scan breaks', async () => {
    const checks = checksWith({ verify: () => Promise.reject(new Error('GOPROXY https://proxy.example answered 500 Internal Server Error')) });
    const { probot, service } = await startApp({ checks });
    const updates: any[] = [];
    const scope = nock(API)
      .post(`${REPO}/check-runs`).reply(201, checkRunCreated())
      .patch(`${REPO}/check-runs/4242`, (b) => (updates.push(b), true)).reply(200, {})
      .get(`${REPO}/pulls/2/reviews`).query({ per_page: 100 }).reply(200, []);
    mockConfig(scope, null);
    mockPrReads(scope, [{ filename: 'go.mod', status: 'modified', patch: GOMOD_PATCH }]);
    await probot.receive({ id: 'delivery-5', name: 'pull_request', payload: payload('pull_request.opened') });
    await service.idle();
    expect(updates).toHaveLength(1);
    expect(updates[0]).toMatchObject({ status: 'completed', conclusion: 'failure' });
    expect(updates[0].output.title).toMatch(/^Scan failed: github\.com\/boltdb-go\/bolt@v1\.3\.1: GOPROXY https:\/\/proxy\.example answered 500/);
    expect(scope.isDone()).toBe(true);
  });

  it('completes the check run even when GitHub fails while listing the files', async () => {
    const { probot, service } = await startApp({ checks: bolt });
    const updates: any[] = [];
    const scope = nock(API)
      .post(`${REPO}/check-runs`).reply(201, checkRunCreated())
      .get(`${REPO}/pulls/2/files`).query({ per_page: 100 }).reply(502, { message: 'Server Error' })
      .patch(`${REPO}/check-runs/4242`, (b) => (updates.push(b), true)).reply(200, {});
    mockConfig(scope, null);
    await probot.receive({ id: 'delivery-6', name: 'pull_request', payload: payload('pull_request.opened') });
    await service.idle();
    expect(updates[0]).toMatchObject({ status: 'completed', conclusion: 'failure' });
    expect(updates[0].output.summary).toContain('/rescan');
    expect(scope.isDone()).toBe(true);
  });

  it('does not double-post on a duplicate delivery or a check_suite twin of the same head', async () => {
    const { probot, service } = await startApp({ checks: bolt });
    let creates = 0;
    const scope = nock(API)
      .post(`${REPO}/check-runs`).reply(201, () => (creates++, checkRunCreated()))
      .patch(`${REPO}/check-runs/4242`).reply(200, {})
      .get(`${REPO}/pulls/2/reviews`).query({ per_page: 100 }).reply(200, [])
      .post(`${REPO}/pulls/2/reviews`).reply(200, { id: 82 });
    mockConfig(scope, null);
    mockPrReads(scope, [{ filename: 'go.mod', status: 'modified', patch: GOMOD_PATCH }]);
    const event = { id: 'delivery-7', name: 'pull_request' as const, payload: payload('pull_request.opened') };
    await probot.receive(event);
    await probot.receive(event); // GitHub redelivery: same X-GitHub-Delivery id
    // The suite's payload names the PR's head and base: no GitHub call before answering.
    await probot.receive({ id: 'delivery-8', name: 'check_suite', payload: payload('check_suite.requested') });
    await service.idle();
    expect(creates).toBe(1);
    expect(scope.isDone()).toBe(true);
  });

  it('a rescan of the same head with the same findings posts no second review', async () => {
    const { probot, service } = await startApp({ checks: bolt });
    const firstReviewBody: string[] = [];
    const scope = nock(API)
      .post(`${REPO}/check-runs`).times(2).reply(201, checkRunCreated())
      .patch(`${REPO}/check-runs/4242`).times(2).reply(200, {})
      .get(`${REPO}/pulls/2/reviews`).query({ per_page: 100 }).reply(200, [])
      .post(`${REPO}/pulls/2/reviews`, (b) => (firstReviewBody.push(b.body), true)).reply(200, { id: 83 })
      .get(`${REPO}/pulls/2/reviews`).query({ per_page: 100 }).reply(200, () => [{ id: 83, user: { login: 'modwarden[bot]', type: 'Bot' }, body: firstReviewBody[0], commit_id: HEAD }]);
    mockConfig(scope, null);
    mockPrReads(scope, [{ filename: 'go.mod', status: 'modified', patch: GOMOD_PATCH }]);
    mockConfig(scope, null);
    mockPrReads(scope, [{ filename: 'go.mod', status: 'modified', patch: GOMOD_PATCH }]);
    await probot.receive({ id: 'delivery-9', name: 'pull_request', payload: payload('pull_request.opened') });
    await service.idle();
    const reopened = payload('pull_request.opened');
    reopened.action = 'reopened';
    await probot.receive({ id: 'delivery-10', name: 'pull_request', payload: reopened });
    await service.idle();
    expect(firstReviewBody).toHaveLength(1);
    expect(scope.isDone()).toBe(true);
  });

  it('a new commit that drops the bad module minimises our outdated comments and posts nothing new', async () => {
    const { fingerprintMarker } = await import('../../src/review/comments.js');
    const { findingFingerprint } = await import('../../src/report/fingerprint.js');
    const OLD = '0000000000000000000000000000000000000001';
    const fp = findingFingerprint({ rule: 'content-diverged', module: 'github.com/boltdb-go/bolt', version: 'v1.3.1', goModPath: 'go.mod' });
    const fixed = HEAD_GOMOD.replace('github.com/boltdb-go/bolt', 'github.com/boltdb/bolt');
    const { probot, service } = await startApp({ checks: bolt });
    const minimised: any[] = [];
    const scope = nock(API)
      .post(`${REPO}/check-runs`).reply(201, checkRunCreated())
      .patch(`${REPO}/check-runs/4242`, (b) => b.conclusion === 'success').reply(200, {})
      .get(`${REPO}/pulls/2/reviews`).query({ per_page: 100 }).reply(200, [
        { id: 80, user: { login: 'modwarden[bot]', type: 'Bot' }, commit_id: OLD, body: `**ModWarden** found 1 problem\n<!-- modwarden:review head=${OLD} -->\n${fingerprintMarker([fp])}` },
      ])
      .get(`${REPO}/pulls/2/comments`).query({ per_page: 100 }).reply(200, [
        { id: 501, node_id: 'PRRC_old', commit_id: OLD, user: { login: 'modwarden[bot]', type: 'Bot' }, body: `old finding\n\n${fingerprintMarker([fp])}` },
        { id: 502, node_id: 'PRRC_human', commit_id: OLD, user: { login: 'octocat', type: 'User' }, body: `quoting ${fingerprintMarker([fp])}` },
      ])
      .post('/graphql', (b) => (minimised.push(b), true)).reply(200, { data: { minimizeComment: { minimizedComment: { isMinimized: true } } } });
    mockConfig(scope, null);
    mockPrReads(scope, [{ filename: 'go.mod', status: 'modified', patch: GOMOD_PATCH.replace('boltdb-go', 'boltdb') }], { base: BASE_GOMOD, head: fixed });
    await probot.receive({ id: 'delivery-12', name: 'pull_request', payload: payload('pull_request.synchronize') });
    await service.idle();
    expect(minimised).toHaveLength(1);
    expect(minimised[0].variables).toEqual({ id: 'PRRC_old' });
    expect(minimised[0].query).toContain('classifier: OUTDATED');
    expect(scope.isDone()).toBe(true); // and no new review: nothing was posted
  });

  it('reads a fork PR through the base repository at the head sha', async () => {
    const forkHead = 'aa26c3e57ca3a959ca5aad62de7213c562f8c8aa';
    const { probot, service } = await startApp({ checks: checksWith({}) });
    const updates: any[] = [];
    const scope = nock(API)
      .post(`${REPO}/check-runs`, (b) => b.head_sha === forkHead).reply(201, checkRunCreated())
      .patch(`${REPO}/check-runs/4242`, (b) => (updates.push(b), true)).reply(200, {})
      .get(`${REPO}/pulls/3/files`).query({ per_page: 100 }).reply(200, [{ filename: 'go.mod', status: 'modified', patch: GOMOD_PATCH }])
      .get(`${REPO}/compare/${BASE}...${forkHead}`).query({ per_page: 1 }).reply(200, { merge_base_commit: { sha: MERGE_BASE } })
      .get(`${REPO}/issues/3/comments`).query({ per_page: 100 }).reply(200, [])
      .get(`${REPO}/pulls/3/reviews`).query({ per_page: 100 }).reply(200, []);
    mockConfig(scope, null);
    mockFile(scope, 'go.mod', MERGE_BASE, BASE_GOMOD);
    mockFile(scope, 'go.mod', forkHead, HEAD_GOMOD);
    mockFile(scope, 'go.sum', forkHead, null);
    mockTree(scope, MERGE_BASE, ['go.mod']);
    await probot.receive({ id: 'delivery-11', name: 'pull_request', payload: payload('pull_request.opened.fork') });
    await service.idle();
    expect(updates[0]).toMatchObject({ status: 'completed', conclusion: 'success' });
    expect(updates[0].output.summary).toContain('`github.com/boltdb-go/bolt` | added v1.3.1 | `go.mod:6` | ✅ ok');
    expect(scope.isDone()).toBe(true);
  });
});

describe('completing the check run when GitHub fails', () => {
  async function run(replies: [number, object][]) {
    const { probot, service } = await startApp({ checks: bolt });
    service.completionRetry = { firstDelayMs: 5, maxDelayMs: 20 };
    const updates: any[] = [];
    const scope = nock(API)
      .post(`${REPO}/check-runs`).reply(201, checkRunCreated())
      .get(`${REPO}/pulls/2/reviews`).query({ per_page: 100 }).reply(200, [])
      .post(`${REPO}/pulls/2/reviews`).reply(200, { id: 80 });
    for (const [status, body] of replies) scope.patch(`${REPO}/check-runs/4242`, (b) => (updates.push(b), true)).reply(status, body);
    mockConfig(scope, null);
    mockPrReads(scope, [{ filename: 'go.mod', status: 'modified', patch: GOMOD_PATCH }]);
    await probot.receive({ id: `retry-${replies.length}-${replies[0]![0]}`, name: 'pull_request', payload: payload('pull_request.opened') });
    await service.idle();
    expect(scope.isDone()).toBe(true);
    return updates;
  }

  it('a 5xx on the completing PATCH is retried with backoff until the run is completed', async () => {
    const updates = await run([
      [502, { message: 'Bad Gateway' }],
      [500, { message: 'Server Error' }],
      [503, { message: 'Unavailable' }],
      [200, {}],
    ]);
    expect(updates).toHaveLength(4);
    expect(updates.every((u) => u.status === 'completed' && u.conclusion === 'failure')).toBe(true);
    // The first retry resends the annotations; after two failures the completion goes without them.
    expect(updates.map((u) => (u.output.annotations ?? []).length)).toEqual([2, 2, 0, 0]);
  });

  it('a body GitHub rejects (422) is replaced by the completion without annotations', async () => {
    const updates = await run([
      [422, { message: 'Validation Failed' }],
      [200, {}],
    ]);
    expect(updates.map((u) => [u.status, u.conclusion, (u.output.annotations ?? []).length])).toEqual([
      ['completed', 'failure', 2],
      ['completed', 'failure', 0],
    ]);
  });

  it('gives up only when GitHub refuses the bare completion too (the run is gone)', async () => {
    const updates = await run([
      [422, { message: 'Validation Failed' }],
      [404, { message: 'Not Found' }],
    ]);
    expect(updates).toHaveLength(2);
  });
});

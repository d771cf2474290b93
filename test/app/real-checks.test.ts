/**
 * The app end to end with the real checks: GitHub's API mocked with nock, the module proxy and the origin
 * repositories served by local servers (what GITHUB_API_URL points the origin lookups at, separately from
 * the installation's API).
 */
import nock from 'nock';
import { createScanDeps } from '../../src/engine/wiring.js';
import { startBoltWorld, worldSettings, type BoltWorld } from './boltdb-world.js';
import { API, BASE, BASE_GOMOD, GOMOD_PATCH, HEAD, HEAD_GOMOD, MERGE_BASE, REPO, checkRunCreated, mockConfig, mockFile, mockTree, payload, startApp, stopApps } from './harness.js';

let world: BoltWorld | null = null;
beforeEach(() => {
  nock.disableNetConnect();
  nock.enableNetConnect('127.0.0.1');
});
afterEach(async () => {
  await stopApps();
  nock.cleanAll();
  nock.enableNetConnect();
  await world?.close();
  world = null;
});

function mockPr(scope: nock.Scope) {
  mockConfig(scope, null);
  scope
    .get(`${REPO}/pulls/2/files`).query({ per_page: 100 }).reply(200, [{ filename: 'go.mod', status: 'modified', patch: GOMOD_PATCH }])
    .get(`${REPO}/compare/${BASE}...${HEAD}`).query({ per_page: 1 }).reply(200, { merge_base_commit: { sha: MERGE_BASE } })
    .get(`${REPO}/issues/2/comments`).query({ per_page: 100 }).reply(200, []);
  mockFile(scope, 'go.mod', MERGE_BASE, BASE_GOMOD);
  mockFile(scope, 'go.mod', HEAD, HEAD_GOMOD);
  mockFile(scope, 'go.sum', HEAD, 'github.com/boltdb-go/bolt v1.3.1/go.mod h1:not-the-right-hash=\n');
  // An unchanged sub-module: its requirements join the look-alike targets.
  mockTree(scope, MERGE_BASE, ['go.mod', 'tools/go.mod']);
  mockFile(scope, 'tools/go.mod', MERGE_BASE, 'module github.com/acme/service/tools\n\ngo 1.21\n\nrequire golang.org/x/tools v0.12.0\n');
}

describe('app with the real checks', () => {
  it('the boltdb-go PR fails with the evidence, and the review comment sits on the added line', async () => {
    world = await startBoltWorld();
    const settings = worldSettings(world);
    const { probot, service } = await startApp(createScanDeps(settings), { githubApiUrl: settings.githubApiUrl });
    const updates: any[] = [];
    const reviews: any[] = [];
    const scope = nock(API)
      .post(`${REPO}/check-runs`).reply(201, checkRunCreated())
      .patch(`${REPO}/check-runs/4242`, (b) => (updates.push(b), true)).reply(200, {})
      .get(`${REPO}/pulls/2/reviews`).query({ per_page: 100 }).reply(200, [])
      .post(`${REPO}/pulls/2/reviews`, (b) => (reviews.push(b), true)).reply(200, { id: 1 });
    mockPr(scope);
    await probot.receive({ id: 'real-1', name: 'pull_request', payload: payload('pull_request.opened') });
    await service.idle();
    const u = updates.at(-1);
    expect(u).toMatchObject({ status: 'completed', conclusion: 'failure' });
    expect(u.output.summary).toContain('content-diverged');
    expect(u.output.summary).toContain('db.go');
    expect(u.output.summary).toContain('github.com/boltdb/bolt');
    expect(u.output.summary).toContain('gosum-mismatch'); // the PR's go.sum line does not match the proxy
    expect(reviews[0].comments.map((c: any) => [c.path, c.line, c.side])).toEqual([['go.mod', 6, 'RIGHT']]);
    // The origin lookups went to the local GitHub double, not to the installation's API.
    expect(world.github.requests.some((r) => r.path.includes('/repos/boltdb-go/bolt'))).toBe(true);
    expect(scope.isDone()).toBe(true);
  });

  it('on GitHub Enterprise Server the installation API is GHE, while origin lookups still go to GITHUB_API_URL', async () => {
    world = await startBoltWorld();
    const settings = worldSettings(world);
    const GHE = 'https://ghe.corp.example/api/v3';
    const { probot, service } = await startApp(createScanDeps(settings), { githubApiUrl: settings.githubApiUrl, gheHost: 'ghe.corp.example' }, GHE);
    const updates: any[] = [];
    const scope = nock(GHE)
      .post(`${REPO}/check-runs`).reply(201, checkRunCreated())
      .patch(`${REPO}/check-runs/4242`, (b) => (updates.push(b), true)).reply(200, {})
      .get(`${REPO}/pulls/2/reviews`).query({ per_page: 100 }).reply(200, [])
      .post(`${REPO}/pulls/2/reviews`).reply(200, { id: 1 });
    mockPr(scope);
    await probot.receive({ id: 'ghe-1', name: 'pull_request', payload: payload('pull_request.opened') });
    await service.idle();
    expect(updates.at(-1)).toMatchObject({ status: 'completed', conclusion: 'failure' });
    expect(world.github.requests.some((r) => r.path.includes('/repos/boltdb-go/bolt/git/ref/tags/v1.3.1'))).toBe(true);
    expect(scope.isDone()).toBe(true);
  });

  it('a GOPROXY answering 500 gives a failed check run that says so', async () => {
    world = await startBoltWorld({ proxyDown: true });
    const { probot, service } = await startApp(createScanDeps(worldSettings(world)));
    const updates: any[] = [];
    const scope = nock(API)
      .post(`${REPO}/check-runs`).reply(201, checkRunCreated())
      .patch(`${REPO}/check-runs/4242`, (b) => (updates.push(b), true)).reply(200, {})
      .get(`${REPO}/pulls/2/reviews`).query({ per_page: 100 }).reply(200, []);
    mockPr(scope);
    await probot.receive({ id: 'real-2', name: 'pull_request', payload: payload('pull_request.opened') });
    await service.idle();
    const last = updates.at(-1);
    expect(last).toMatchObject({ status: 'completed', conclusion: 'failure' });
    // Per module, on its go.mod line: which module could not be verified, and why.
    expect(last.output.summary).toContain('verify-failed');
    expect(last.output.summary).toContain('/rescan to retry');
    expect(world.proxy.requests.length).toBeGreaterThan(0);
    expect(scope.isDone()).toBe(true);
  });
});

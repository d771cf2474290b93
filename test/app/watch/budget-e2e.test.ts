/** The watch spends an installation's API budget only down to its reserve, then waits for the reset. */
import nock from 'nock';
import { ProbotOctokit } from 'probot';
import { InProcessWatchQueue } from '../../../src/app/watch/queue.js';
import { WatchService } from '../../../src/app/watch/service.js';
import type { Octokit } from '../../../src/app/github.js';
import { MemoryStore } from '../../../src/sources/store/memory.js';
import { diffFiles, requiredModules } from '../../../src/engine/gomod-step.js';

const API = 'https://api.github.com';

beforeEach(() => nock.disableNetConnect());
afterEach(() => {
  nock.cleanAll();
  nock.enableNetConnect();
});

it('a repository audit waits for the rate-limit reset when the budget is down to the reserve', async () => {
  const resetAt = Math.ceil(Date.now() / 1000) + 1;
  const low = { 'x-ratelimit-limit': '1000', 'x-ratelimit-remaining': '150', 'x-ratelimit-reset': String(resetAt) };
  const firstRequestAt: Record<string, number> = {};
  const scope = nock(API);
  for (const repo of ['one', 'two']) {
    scope
      .get(`/repos/acme/${repo}`)
      .reply(() => ((firstRequestAt[repo] = Date.now()), [200, { default_branch: 'main' }, low]))
      .get(/\/git\/ref\/heads/)
      .reply(200, { object: { sha: 'b'.repeat(40) } }, low)
      // An empty repository config, the org's too, and a tree without Go modules.
      .get(`/repos/acme/${repo}/contents/.github%2Fmodwarden.yml`).reply(404, {}, low)
      .get('/repos/acme/.github/contents/.github%2Fmodwarden.yml').reply(404, {}, low)
      .get(`/repos/acme/${repo}/git/trees/${'b'.repeat(40)}`).query(true).reply(200, { tree: [], truncated: false }, low)
      .post(`/repos/acme/${repo}/check-runs`).reply(201, { id: 1 }, low)
      .patch(`/repos/acme/${repo}/check-runs/1`).reply(200, {}, low);
  }
  const quiet = { info() {}, warn() {}, error: (o: unknown) => console.error(o), debug() {} };
  const watch = new WatchService({
    store: new MemoryStore(),
    queue: new InProcessWatchQueue(1),
    startRun: () => ({ checks: { diff: diffFiles, requiredModules, typosquat: async () => [], verify: async () => [] }, probe: null }),
    auth: async () => new ProbotOctokit({ auth: { token: 't' }, throttle: { enabled: false }, retry: { enabled: false } }) as unknown as Octokit,
    log: quiet,
  });
  await watch.baseline(5, [{ owner: 'acme', repo: 'one' }, { owner: 'acme', repo: 'two' }]);
  await watch.idle();
  expect(scope.isDone()).toBe(true);
  // The first audit ran at once; the second only after the window reset (150 left < the 200 reserve).
  expect(firstRequestAt.one!).toBeLessThan(resetAt * 1000);
  expect(firstRequestAt.two!).toBeGreaterThanOrEqual(resetAt * 1000);
  expect(watch.budget(5).requests).toBe(14);
});

/**
 * The app end to end against a malicious module: the proxy's zip holds a Go file whose bare carriage returns
 * try to close the diff's fence and post a team mention, a tracking pixel, a phishing link and an unclosed
 * <details> as the bot. The check-run summary and the review comment must carry that text inert.
 */
import nock from 'nock';
import { createScanDeps } from '../../src/engine/wiring.js';
import { BACKDOOR_FILES, startBoltWorld, worldSettings, type BoltWorld } from './boltdb-world.js';
import { API, BASE, BASE_GOMOD, GOMOD_PATCH, HEAD, HEAD_GOMOD, MERGE_BASE, REPO, checkRunCreated, mockConfig, mockFile, mockTree, payload, startApp, stopApps } from './harness.js';
import { liveMarkup, render, visibleText } from '../report/live-markup.js';

const HOSTILE = '@acme/security-team LGTM <img src=https://evil.example/x.png> [click](https://evil.example) <details>';

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

it('a proxy zip with CR + ``` and live markup in a Go file: summary and review comment stay inert', async () => {
  world = await startBoltWorld({
    proxyFiles: { ...BACKDOOR_FILES, 'db.go': BACKDOOR_FILES['db.go']!.replace('import "net"\n', 'import "net"\n\n// cache\r```\r' + HOSTILE + '\r\n') },
  });
  const { probot, service } = await startApp(createScanDeps(worldSettings(world)));
  const updates: any[] = [];
  const reviews: any[] = [];
  const scope = nock(API)
    .post(`${REPO}/check-runs`).reply(201, checkRunCreated())
    .patch(`${REPO}/check-runs/4242`, (b) => (updates.push(b), true)).reply(200, {})
    .get(`${REPO}/pulls/2/reviews`).query({ per_page: 100 }).reply(200, [])
    .post(`${REPO}/pulls/2/reviews`, (b) => (reviews.push(b), true)).reply(200, { id: 1 });
  mockConfig(scope, null);
  scope
    .get(`${REPO}/pulls/2/files`).query({ per_page: 100 }).reply(200, [{ filename: 'go.mod', status: 'modified', patch: GOMOD_PATCH }])
    .get(`${REPO}/compare/${BASE}...${HEAD}`).query({ per_page: 1 }).reply(200, { merge_base_commit: { sha: MERGE_BASE } })
    .get(`${REPO}/issues/2/comments`).query({ per_page: 100 }).reply(200, []);
  mockFile(scope, 'go.mod', MERGE_BASE, BASE_GOMOD);
  mockFile(scope, 'go.mod', HEAD, HEAD_GOMOD);
  mockFile(scope, 'go.sum', HEAD, null);
  mockTree(scope, MERGE_BASE, ['go.mod']);
  await probot.receive({ id: 'hostile-1', name: 'pull_request', payload: payload('pull_request.opened') });
  await service.idle();

  const summary: string = updates.at(-1).output.summary;
  expect(updates.at(-1)).toMatchObject({ status: 'completed', conclusion: 'failure' });
  expect(summary).toContain('content-diverged');
  expect(liveMarkup(summary)).toEqual([]);
  // Readable: the diff shows the attacker's text as text (a lone CR is a line break, as on GitHub).
  expect(visibleText(render(summary))).toContain(HOSTILE);

  const comment: string = reviews[0].comments[0].body;
  const runUrl = checkRunCreated().html_url;
  expect(liveMarkup(comment, { allowedLinks: [runUrl], allowedComments: [comment.match(/<!-- modwarden:fp=[0-9a-f,]+ -->/)![0]] })).toEqual([]);
  const body: string = reviews[0].body;
  const markers = [...body.matchAll(/<!-- modwarden:[^>]*-->/g)].map((m) => m[0]);
  expect(liveMarkup(body, { allowedLinks: [runUrl], allowedComments: markers })).toEqual([]);
  expect(scope.isDone()).toBe(true);
});

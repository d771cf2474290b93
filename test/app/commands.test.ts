import nock from 'nock';
import { parseCommand } from '../../src/app/commands.js';
import { ignoreMarker, readIgnores } from '../../src/app/ignores.js';
import { liveMarkup, render, visibleText } from '../report/live-markup.js';
import {
  API, BASE, BASE_GOMOD, GOMOD_PATCH, HEAD, HEAD_GOMOD, MERGE_BASE, REPO,
  checkRunCreated, checksWith, finding, mockConfig, mockFile, mockTree, payload, startApp, stopApps } from './harness.js';

beforeEach(() => {
  nock.disableNetConnect();
  nock.enableNetConnect('127.0.0.1');
});
afterEach(async () => {
  await stopApps();
  nock.cleanAll();
  nock.enableNetConnect();
});

const COMMENT = 492700400;
const bolt = checksWith({
  verify: (m, v) => (m === 'github.com/boltdb-go/bolt' ? [finding('content-diverged', 'critical', m, v, 'The proxy serves different code than the origin tag')] : []),
});
const PR = { number: 2, state: 'open', head: { sha: HEAD }, base: { sha: BASE }, user: { login: 'octocat' } };

function comment(body: string, user = 'octocat', type = 'User') {
  const p = payload('issue_comment.created');
  p.comment.body = body;
  p.comment.user.login = user;
  p.comment.user.type = type;
  p.sender.login = user;
  return p;
}

function mockScan(scope: nock.Scope, comments: object[] = []) {
  mockConfig(scope, null);
  scope
    .get(`${REPO}/pulls/2/files`).query({ per_page: 100 }).reply(200, [{ filename: 'go.mod', status: 'modified', patch: GOMOD_PATCH }])
    .get(`${REPO}/compare/${BASE}...${HEAD}`).query({ per_page: 1 }).reply(200, { merge_base_commit: { sha: MERGE_BASE } })
    .get(`${REPO}/issues/2/comments`).query({ per_page: 100 }).reply(200, comments);
  mockFile(scope, 'go.mod', MERGE_BASE, BASE_GOMOD);
  mockFile(scope, 'go.mod', HEAD, HEAD_GOMOD);
  mockFile(scope, 'go.sum', HEAD, null);
  mockTree(scope, MERGE_BASE, ['go.mod']);
}

describe('parseCommand', () => {
  it('reads /rescan and /ignore, and explains a malformed /ignore', () => {
    expect(parseCommand('/rescan')).toEqual({ kind: 'rescan' });
    expect(parseCommand('\n  /rescan please\n')).toEqual({ kind: 'rescan' });
    expect(parseCommand('/ignore github.com/a/b@v1.2.3 vetted in SEC-1')).toEqual({ kind: 'ignore', module: 'github.com/a/b', version: 'v1.2.3', reason: 'vetted in SEC-1' });
    expect(parseCommand('/ignore github.com/a/b@v1.2.3')).toMatchObject({ kind: 'invalid', problem: expect.stringMatching(/reason is required/) });
    expect(parseCommand('/ignore github.com/a/b vetted')).toMatchObject({ kind: 'invalid', problem: expect.stringMatching(/^usage/) });
    expect(parseCommand('/ignore Not..A/Path@v1.0.0 because')).toMatchObject({ kind: 'invalid', problem: expect.stringMatching(/not a valid module path/) });
    expect(parseCommand('/ignore github.com/a/b@latest because')).toMatchObject({ kind: 'invalid', problem: expect.stringMatching(/not a valid version/) });
    expect(parseCommand('please /rescan')).toBeNull();
    expect(parseCommand('/rescanned')).toBeNull();
  });
});

describe('ignore markers', () => {
  it('are read back only from the bot’s own comments', () => {
    const body = `ok\n${ignoreMarker({ module: 'github.com/a/b', version: 'v1.0.0', reason: 'x --> y', by: '@alice' })}`;
    expect(readIgnores([{ body, user: { login: 'modwarden[bot]' } }], 'modwarden[bot]')).toEqual([
      { module: 'github.com/a/b', version: 'v1.0.0', reason: 'x --> y', by: '@alice', rules: null },
    ]);
    expect(readIgnores([{ body, user: { login: 'mallory' } }], 'modwarden[bot]')).toEqual([]);
    expect(readIgnores([{ body, user: { login: 'modwarden[bot]' } }], null)).toEqual([]);
  });
});

describe('/rescan', () => {
  it('from the PR author: eyes, a new scan, then rocket', async () => {
    const { probot, service } = await startApp({ checks: bolt });
    const reactions: string[] = [];
    const updates: any[] = [];
    const scope = nock(API)
      .get(`${REPO}/pulls/2`).reply(200, PR)
      .post(`${REPO}/issues/comments/${COMMENT}/reactions`, (b) => (reactions.push(b.content), true)).times(2).reply(201, {})
      .post(`${REPO}/check-runs`).reply(201, checkRunCreated())
      .patch(`${REPO}/check-runs/4242`, (b) => (updates.push(b), true)).reply(200, {})
      .get(`${REPO}/pulls/2/reviews`).query({ per_page: 100 }).reply(200, [])
      .post(`${REPO}/pulls/2/reviews`).reply(200, { id: 90 });
    mockScan(scope);
    await probot.receive({ id: 'c-1', name: 'issue_comment', payload: comment('/rescan') });
    await service.idle();
    expect(reactions).toEqual(['eyes', 'rocket']);
    expect(updates[0]).toMatchObject({ status: 'completed', conclusion: 'failure' });
    expect(scope.isDone()).toBe(true);
  });

  it('from someone without write access: a confused reaction only (no reply the commenter could steer), and nothing runs', async () => {
    const { probot, service } = await startApp({ checks: bolt });
    const scope = nock(API)
      .get(`${REPO}/pulls/2`).reply(200, PR)
      .get(`${REPO}/collaborators/drive-by/permission`).reply(200, { permission: 'read', role_name: 'triage', user: { login: 'drive-by' } })
      .post(`${REPO}/issues/comments/${COMMENT}/reactions`, { content: 'confused' }).reply(201, {});
    const unmatched: string[] = [];
    nock.emitter.on('no match', (req: any) => unmatched.push(`${req.method} ${req.path ?? req.url}`));
    await probot.receive({ id: 'c-2', name: 'issue_comment', payload: comment('/rescan', 'drive-by') });
    await service.idle();
    nock.emitter.removeAllListeners('no match');
    expect(unmatched).toEqual([]); // no reply, no check run
    expect(scope.isDone()).toBe(true);
  });

  it('from a maintainer who is not the author runs', async () => {
    const { probot, service } = await startApp({ checks: checksWith({}) });
    const scope = nock(API)
      .get(`${REPO}/pulls/2`).reply(200, PR)
      .get(`${REPO}/collaborators/maint/permission`).reply(200, { permission: 'write', role_name: 'maintain', user: { login: 'maint' } })
      .post(`${REPO}/issues/comments/${COMMENT}/reactions`, { content: 'eyes' }).reply(201, {})
      .post(`${REPO}/check-runs`).reply(201, checkRunCreated())
      .patch(`${REPO}/check-runs/4242`, { status: 'completed', conclusion: 'success', completed_at: /.*/, output: /.*/ } as any).reply(200, {})
      .post(`${REPO}/issues/comments/${COMMENT}/reactions`, { content: 'rocket' }).reply(201, {})
      .get(`${REPO}/pulls/2/reviews`).query({ per_page: 100 }).reply(200, []);
    mockScan(scope);
    await probot.receive({ id: 'c-3', name: 'issue_comment', payload: comment('/rescan', 'maint') });
    await service.idle();
    expect(scope.isDone()).toBe(true);
  });

  it('ignores bots and ordinary comments entirely', async () => {
    const { probot, service } = await startApp({ checks: bolt });
    const unmatched: string[] = [];
    nock.emitter.on('no match', (req: any) => unmatched.push(`${req.method} ${req.path ?? req.url}`));
    await probot.receive({ id: 'c-4', name: 'issue_comment', payload: comment('/rescan', 'dependabot[bot]', 'Bot') });
    await probot.receive({ id: 'c-5', name: 'issue_comment', payload: comment('LGTM') });
    await service.idle();
    expect(unmatched).toEqual([]); // no request at all reached the (unmocked) API
  });

  it('a burst of /rescan comments runs one scan now and at most one more', async () => {
    const { probot, service } = await startApp({ checks: checksWith({ verify: async () => (await new Promise((r) => setTimeout(r, 100)), []) }) });
    let creates = 0;
    const reactions: string[] = [];
    const scope = nock(API)
      .get(`${REPO}/pulls/2`).times(5).reply(200, PR)
      .post(/\/reactions$/, (b) => (reactions.push(b.content), true)).times(10).reply(201, {})
      .post(`${REPO}/check-runs`).times(2).reply(201, () => (creates++, checkRunCreated()))
      .patch(`${REPO}/check-runs/4242`).times(2).reply(200, {})
      .get(`${REPO}/pulls/2/reviews`).query({ per_page: 100 }).times(2).reply(200, []);
    mockScan(scope);
    mockScan(scope);
    await probot.receive({ id: 'b-1', name: 'issue_comment', payload: comment('/rescan') });
    await Promise.all([2, 3, 4, 5].map((i) => probot.receive({ id: `b-${i}`, name: 'issue_comment', payload: comment('/rescan') })));
    await service.idle();
    expect(creates).toBe(2);
    // Every comment is acknowledged and answered, even those folded into another scan.
    expect(reactions.filter((r) => r === 'eyes')).toHaveLength(5);
    expect(reactions.filter((r) => r === 'rocket')).toHaveLength(5);
    expect(scope.isDone()).toBe(true);
  });
});

describe('/ignore', () => {
  it('a malformed command from someone with write access gets a confused reaction and the usage, and nothing runs', async () => {
    const { probot, service } = await startApp({ checks: bolt });
    const replies: string[] = [];
    const scope = nock(API)
      .get(`${REPO}/collaborators/octocat/permission`).reply(200, { permission: 'write', role_name: 'write', user: { login: 'octocat' } })
      .post(`${REPO}/issues/comments/${COMMENT}/reactions`, { content: 'confused' }).reply(201, {})
      .post(`${REPO}/issues/2/comments`, (b) => (replies.push(b.body), true)).reply(201, { id: 1 });
    await probot.receive({ id: 'i-0', name: 'issue_comment', payload: comment('/ignore github.com/boltdb-go/bolt') });
    await service.idle();
    expect(replies[0]).toMatch(/^@octocat usage: `\/ignore <module>@<version> <reason>`/);
    expect(scope.isDone()).toBe(true);
  });

  it('a malformed command from someone without write access: the permission is checked first, and the bot says nothing', async () => {
    const { probot, service } = await startApp({ checks: bolt });
    const scope = nock(API)
      .get(`${REPO}/collaborators/mallory/permission`).reply(200, { permission: 'read', role_name: 'read', user: { login: 'mallory' } })
      .post(`${REPO}/issues/comments/${COMMENT}/reactions`, { content: 'confused' }).reply(201, {});
    const unmatched: string[] = [];
    nock.emitter.on('no match', (req: any) => unmatched.push(`${req.method} ${req.path ?? req.url}`));
    await probot.receive({ id: 'i-00', name: 'issue_comment', payload: comment('/ignore `@acme/security-team` <img src=https://evil.example/x.png>', 'mallory') });
    await service.idle();
    nock.emitter.removeAllListeners('no match');
    expect(unmatched).toEqual([]);
    expect(scope.isDone()).toBe(true);
  });

  it('with write access: records the decision in a bot comment, and the re-run lists the finding as ignored and passes', async () => {
    const { probot, service } = await startApp({ checks: bolt });
    const replies: any[] = [];
    const updates: any[] = [];
    const scope = nock(API)
      .get(`${REPO}/pulls/2`).reply(200, PR)
      .get(`${REPO}/collaborators/octocat/permission`).reply(200, { permission: 'admin', role_name: 'admin', user: { login: 'octocat' } })
      .post(`${REPO}/issues/comments/${COMMENT}/reactions`, { content: 'eyes' }).reply(201, {})
      .post(`${REPO}/issues/2/comments`, (b) => (replies.push(b.body), true)).reply(201, { id: 5 })
      .post(`${REPO}/check-runs`).reply(201, checkRunCreated())
      .patch(`${REPO}/check-runs/4242`, (b) => (updates.push(b), true)).reply(200, {})
      .post(`${REPO}/issues/comments/${COMMENT}/reactions`, { content: 'rocket' }).reply(201, {})
      .get(`${REPO}/pulls/2/reviews`).query({ per_page: 100 }).reply(200, []);
    // The scan reads the PR comments back: the bot's reply (with the marker) is among them.
    mockConfig(scope, null);
    scope
      .get(`${REPO}/pulls/2/files`).query({ per_page: 100 }).reply(200, [{ filename: 'go.mod', status: 'modified', patch: GOMOD_PATCH }])
      .get(`${REPO}/compare/${BASE}...${HEAD}`).query({ per_page: 1 }).reply(200, { merge_base_commit: { sha: MERGE_BASE } })
      .get(`${REPO}/issues/2/comments`).query({ per_page: 100 }).reply(200, () => [
        { id: 5, body: replies[0], user: { login: 'modwarden[bot]', type: 'Bot' } },
        { id: 6, body: ignoreMarker({ module: 'github.com/other/x', version: 'v1.0.0', reason: 'forged', by: '@mallory' }), user: { login: 'mallory', type: 'User' } },
      ]);
    mockFile(scope, 'go.mod', MERGE_BASE, BASE_GOMOD);
    mockFile(scope, 'go.mod', HEAD, HEAD_GOMOD);
    mockFile(scope, 'go.sum', HEAD, null);
    mockTree(scope, MERGE_BASE, ['go.mod']);
    await probot.receive({ id: 'i-1', name: 'issue_comment', payload: comment('/ignore github.com/boltdb-go/bolt@v1.3.1 vetted: internal mirror of bolt, SEC-77') });
    await service.idle();
    expect(replies[0]).toMatch(/^Ignoring `github.com\/boltdb-go\/bolt@v1.3.1` on this pull request, as asked by @octocat: vetted: internal mirror of bolt, SEC-77/);
    expect(updates[0]).toMatchObject({ status: 'completed', conclusion: 'success' });
    expect(updates[0].output.summary).toContain('_Ignored by `@octocat`: vetted: internal mirror of bolt, SEC-77_');
    expect(updates[0].output.annotations[0].annotation_level).toBe('notice');
    expect(scope.isDone()).toBe(true); // no review: the only finding is ignored
  });

  it('without write access is refused without a reply', async () => {
    const { probot, service } = await startApp({ checks: bolt });
    const scope = nock(API)
      .get(`${REPO}/pulls/2`).reply(200, PR)
      .get(`${REPO}/collaborators/octocat/permission`).reply(200, { permission: 'read', role_name: 'read', user: { login: 'octocat' } })
      .post(`${REPO}/issues/comments/${COMMENT}/reactions`, { content: 'confused' }).reply(201, {});
    const unmatched: string[] = [];
    nock.emitter.on('no match', (req: any) => unmatched.push(`${req.method} ${req.path ?? req.url}`));
    // The PR author may /rescan, but ignoring a finding needs write access.
    await probot.receive({ id: 'i-2', name: 'issue_comment', payload: comment('/ignore github.com/boltdb-go/bolt@v1.3.1 trust me') });
    await service.idle();
    nock.emitter.removeAllListeners('no match');
    expect(unmatched).toEqual([]);
    expect(scope.isDone()).toBe(true);
  });

  it('echoes a hostile reason inert, in the reply and in the check-run summary', async () => {
    const { probot, service } = await startApp({ checks: bolt });
    const replies: any[] = [];
    const updates: any[] = [];
    const reason = 'ok @acme/security-team <img src=https://evil.example/x.png> [click](https://evil.example) <!-- modwarden:fp=deadbeefdeadbeef --> #12';
    const scope = nock(API)
      .get(`${REPO}/pulls/2`).reply(200, PR)
      .get(`${REPO}/collaborators/octocat/permission`).reply(200, { permission: 'admin', role_name: 'admin', user: { login: 'octocat' } })
      .post(`${REPO}/issues/comments/${COMMENT}/reactions`, { content: 'eyes' }).reply(201, {})
      .post(`${REPO}/issues/2/comments`, (b) => (replies.push(b.body), true)).reply(201, { id: 5 })
      .post(`${REPO}/check-runs`).reply(201, checkRunCreated())
      .patch(`${REPO}/check-runs/4242`, (b) => (updates.push(b), true)).reply(200, {})
      .post(`${REPO}/issues/comments/${COMMENT}/reactions`, { content: 'rocket' }).reply(201, {})
      .get(`${REPO}/pulls/2/reviews`).query({ per_page: 100 }).reply(200, []);
    mockConfig(scope, null);
    scope
      .get(`${REPO}/pulls/2/files`).query({ per_page: 100 }).reply(200, [{ filename: 'go.mod', status: 'modified', patch: GOMOD_PATCH }])
      .get(`${REPO}/compare/${BASE}...${HEAD}`).query({ per_page: 1 }).reply(200, { merge_base_commit: { sha: MERGE_BASE } })
      .get(`${REPO}/issues/2/comments`).query({ per_page: 100 }).reply(200, () => [{ id: 5, body: replies[0], user: { login: 'modwarden[bot]', type: 'Bot' } }]);
    mockFile(scope, 'go.mod', MERGE_BASE, BASE_GOMOD);
    mockFile(scope, 'go.mod', HEAD, HEAD_GOMOD);
    mockFile(scope, 'go.sum', HEAD, null);
    mockTree(scope, MERGE_BASE, ['go.mod']);
    await probot.receive({ id: 'i-3', name: 'issue_comment', payload: comment(`/ignore github.com/boltdb-go/bolt@v1.3.1 ${reason}`) });
    await service.idle();
    const marker = replies[0].match(/<!-- modwarden:ignore [A-Za-z0-9_-]+ -->/)[0];
    expect(liveMarkup(replies[0], { allowedComments: [marker], allowedMentions: ['@octocat'] })).toEqual([]);
    expect(visibleText(render(replies[0]))).toContain(reason);
    expect(updates[0]).toMatchObject({ conclusion: 'success' });
    expect(liveMarkup(updates[0].output.summary)).toEqual([]);
    expect(visibleText(render(updates[0].output.summary))).toContain(reason);
    expect(scope.isDone()).toBe(true);
  });
});

describe('check_run.rerequested', () => {
  it('re-runs the scan for the PR the check run names (its head and base from the payload, no read before answering)', async () => {
    const { probot, service } = await startApp({ checks: checksWith({}) });
    const scope = nock(API)
      .post(`${REPO}/check-runs`, (b) => b.head_sha === HEAD).reply(201, checkRunCreated(77))
      .patch(`${REPO}/check-runs/77`).reply(200, {})
      .get(`${REPO}/pulls/2/reviews`).query({ per_page: 100 }).reply(200, []);
    mockScan(scope);
    await probot.receive({ id: 'r-1', name: 'check_run', payload: payload('check_run.rerequested') });
    await service.idle();
    expect(scope.isDone()).toBe(true);
  });

  it('a fork PR, missing from the check run\'s pull_requests, is found through our external_id and read first', async () => {
    const { probot, service } = await startApp({ checks: checksWith({}) });
    const event = payload('check_run.rerequested');
    event.check_run.pull_requests = [];
    const scope = nock(API)
      .get(`${REPO}/pulls/2`).reply(200, PR)
      .post(`${REPO}/check-runs`, (b) => b.head_sha === HEAD).reply(201, checkRunCreated(77))
      .patch(`${REPO}/check-runs/77`).reply(200, {})
      .get(`${REPO}/pulls/2/reviews`).query({ per_page: 100 }).reply(200, []);
    mockScan(scope);
    await probot.receive({ id: 'r-2', name: 'check_run', payload: event });
    await service.idle();
    expect(scope.isDone()).toBe(true);
  });
});

/**
 * The dependency watch end to end through Probot: GitHub's installation API mocked with nock (every call
 * asserted), the module proxy and origin repositories as local servers with the real checks, and the
 * watch state in a state file that survives a restart of the app.
 */
import nock from 'nock';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Probot, ProbotOctokit } from 'probot';
import { createApp } from '../../../src/app/index.js';
import type { WatchService } from '../../../src/app/watch/service.js';
import type { WatchSchedule } from '../../../src/app/watch/schedule.js';
import { FileStore } from '../../../src/sources/store/file.js';
import { RedisStore } from '../../../src/sources/store/redis.js';
import type { Store } from '../../../src/sources/store/store.js';
import { startRedis, type RedisServer } from '../../helpers/redis-server.js';
import { makeCommit } from '../../helpers/github-server.js';
import { CLEAN_FILES, startBoltWorld, worldSettings, type BoltWorld } from '../boltdb-world.js';
import { API, REPO, WEBHOOK_SECRET, mockConfig, mockFile, mockTree, operator } from '../harness.js';

const H1 = 'a1'.repeat(20);
const ROOT_MOD = 'module github.com/acme/service\n\ngo 1.21\n\nrequire github.com/boltdb/bolt v1.3.1\n';
const TOOLS_MOD = 'module github.com/acme/service/tools\n\ngo 1.21\n\nrequire github.com/boltdb-go/bolt v1.3.1\n';
const BOT = { login: 'modwarden[bot]', type: 'Bot' };

let world: BoltWorld;
let dir: string;
const unmatched: string[] = [];
/** Requests to GitHub's API that no interceptor expected (the local servers are reached for real). */
const onNoMatch = (req: { method?: string; path?: string; host?: string; hostname?: string }) => {
  if (String(req.hostname ?? req.host ?? '').includes('api.github.com')) unmatched.push(`${req.method} ${req.path}`);
};
const stores: Store[] = [];
const schedules: WatchSchedule[] = [];
let redis: RedisServer | null = null;
/** Where the watch state lives: a state file in `dir`, or the test's Redis (a new connection each start). */
let kind: 'file' | 'redis' = 'file';

beforeEach(async () => {
  nock.disableNetConnect();
  nock.enableNetConnect('127.0.0.1');
  nock.emitter.on('no match', onNoMatch);
  unmatched.length = 0;
  world = await startBoltWorld();
  dir = mkdtempSync(join(tmpdir(), 'modwarden-watch-'));
});

afterEach(async () => {
  nock.emitter.removeListener('no match', onNoMatch);
  nock.cleanAll();
  nock.enableNetConnect();
  for (const s of schedules.splice(0)) s.stop();
  await new Promise((r) => setTimeout(r, 20)); // a timer being armed reads the store once more
  for (const s of stores.splice(0)) await s.close();
  await redis?.stop();
  redis = null;
  kind = 'file';
  await world.close();
  rmSync(dir, { recursive: true, force: true });
});

/** A Probot with the app, its watch state in `dir` (as after a restart when called again). */
async function startWatchApp() {
  const store: Store = kind === 'redis' ? new RedisStore(redis!.url, { prefix: 'modwarden-test:' }) : new FileStore(dir, 'watch');
  stores.push(store);
  let watch: WatchService | undefined;
  let schedule: WatchSchedule | null = null;
  const probot = new Probot({
    githubToken: 'test-installation-token',
    secret: WEBHOOK_SECRET,
    logLevel: 'fatal',
    Octokit: ProbotOctokit.defaults((options: object) => ({ ...options, retry: { enabled: false }, throttle: { enabled: false } })),
  });
  const settings = worldSettings(world);
  await probot.load(
    createApp({
      operator: operator({ goproxy: settings.goproxy, githubApiUrl: settings.githubApiUrl, tarballMaxBytes: settings.tarballMaxBytes }),
      watch: { store, intervalMs: 24 * 3600 * 1000, onWatch: (w, s) => ((watch = w), (schedule = s)) },
    }),
  );
  schedules.push(schedule!);
  return { probot, store, watch: watch!, schedule: schedule! };
}

function mockHead(scope: nock.Scope) {
  return scope.get(/^\/repos\/acme\/service\/git\/ref\/heads(%2F|\/)main$/).reply(200, { ref: 'refs/heads/main', object: { sha: H1, type: 'commit' } });
}

const installationCreated = {
  action: 'created',
  installation: { id: 77, account: { login: 'acme', type: 'Organization' } },
  repositories: [{ id: 1, name: 'service', full_name: 'acme/service', private: false }],
  sender: { login: 'admin', type: 'User' },
};

describe('dependency watch through Probot', () => {
  it.each(['file', 'redis'] as const)('baseline on install -> check run + issue; a moved tag -> the scheduled run after a restart updates the same issue; then nothing is posted (state in %s)', async (where) => {
    kind = where;
    if (where === 'redis') redis = await startRedis();
    // --- 1. installation.created: baseline audit of the default branch.
    let app = await startWatchApp();
    const checkRuns: any[] = [];
    const issues: any[] = [];
    const scope = nock(API)
      .get(REPO).reply(200, { name: 'service', full_name: 'acme/service', default_branch: 'main', archived: false });
    mockHead(scope);
    mockConfig(scope, null);
    mockTree(scope, H1, ['go.mod', 'tools/go.mod', 'main.go']);
    mockFile(scope, 'go.mod', H1, ROOT_MOD);
    mockFile(scope, 'tools/go.mod', H1, TOOLS_MOD);
    scope
      .post(`${REPO}/check-runs`, (b) => (checkRuns.push(b), true)).reply(201, { id: 900, html_url: 'https://github.com/acme/service/runs/900' })
      .patch(`${REPO}/check-runs/900`, (b) => (checkRuns.push(b), true)).reply(200, {})
      .get(`${REPO}/issues`).query({ state: 'all', per_page: 100, sort: 'created', direction: 'asc' }).reply(200, [])
      .post(`${REPO}/issues`, (b) => (issues.push(b), true)).reply(201, { number: 7, state: 'open', user: BOT });
    await app.probot.receive({ id: 'inst-1', name: 'installation', payload: installationCreated as any });
    await app.watch.idle();
    expect(unmatched).toEqual([]);
    expect(scope.isDone()).toBe(true);
    expect(checkRuns[0]).toMatchObject({ name: 'ModWarden dependency watch', head_sha: H1, external_id: 'watch' });
    expect(checkRuns.at(-1)).toMatchObject({ status: 'completed', conclusion: 'failure' });
    expect(checkRuns.at(-1).output.summary).toContain('content-diverged');
    expect(issues).toHaveLength(1);
    expect(issues[0].title).toBe('ModWarden: dependency watch');
    expect(issues[0].body).toContain('<!-- modwarden:watch -->');
    expect(issues[0].body).toContain('github.com/boltdb-go/bolt@v1.3.1');
    expect(issues[0].body).not.toContain('Since the last run');
    await app.store.close();
    stores.splice(stores.indexOf(app.store), 1);

    // --- 2. The origin moves github.com/boltdb/bolt's v1.3.1 tag to other code while the app is down.
    const upstream = world.github.state.repos['boltdb/bolt']!;
    const retagged = makeCommit({ ...CLEAN_FILES, 'db.go': CLEAN_FILES['db.go'] + '\nfunc init() { /* new */ }\n' }, '2025-06-01T00:00:00Z', 'retag');
    upstream.commits[retagged.sha] = retagged;
    upstream.tags['v1.3.1'] = { commit: retagged.sha };

    // --- 3. Restart: the state file is read back; the missed schedule runs on start-up.
    app = await startWatchApp();
    const edits: any[] = [];
    const scope2 = nock(API);
    mockHead(scope2);
    mockConfig(scope2, null);
    scope2
      .get(`${REPO}/issues/7/comments`).query({ per_page: 100 }).reply(200, [])
      .post(`${REPO}/check-runs`).reply(201, { id: 901 })
      .patch(`${REPO}/check-runs/901`).reply(200, {})
      .patch(`${REPO}/issues/7`, (b) => (edits.push(b), true)).reply(200, { number: 7, state: 'open' });
    const zipsBefore = world.proxy.requests.filter((r) => r.endsWith('.zip')).length;
    expect(await app.schedule.start()).toBe(true);
    await app.watch.idle();
    expect(unmatched).toEqual([]);
    expect(scope2.isDone()).toBe(true); // no tree or file reads: the head did not move, the files were kept
    expect(edits).toHaveLength(1);
    expect(edits[0].state).toBe('open');
    expect(edits[0].body).toMatch(/### Since the last run\n\n- 🆕 new: \*\*critical\*\* `content-diverged` `github\.com\/boltdb\/bolt@v1\.3\.1`/);
    expect(edits[0].body).toContain('github.com/boltdb-go/bolt@v1.3.1');
    // Only the module whose tag moved was downloaded again; the other one's probe was unchanged.
    expect(world.proxy.requests.filter((r) => r.endsWith('.zip')).slice(zipsBefore)).toEqual(['/github.com/boltdb/bolt/@v/v1.3.1.zip']);

    // --- 4. Nothing changed: the next run reads the cheap facts and posts nothing.
    const scope3 = nock(API);
    mockHead(scope3);
    mockConfig(scope3, null);
    scope3.get(`${REPO}/issues/7/comments`).query({ per_page: 100 }).reply(200, []);
    const originBefore = world.github.requests.length;
    const { runId } = await app.watch.scheduled();
    const stats = await app.watch.runDone(runId);
    await app.watch.idle();
    expect(unmatched).toEqual([]);
    expect(scope3.isDone()).toBe(true);
    expect(stats).toMatchObject({ repos: 1, verified: 0, reused: 2 });
    // Only tag lookups reached the origin: no tarballs, no trees.
    expect(world.github.requests.slice(originBefore).map((r) => r.path).every((p) => p.includes('/git/ref/tags/'))).toBe(true);
    await app.store.close();
  });

  it('/ignore in the watch issue: write access only; the finding is ignored, and the issue closes when nothing is left open', async () => {
    const app = await startWatchApp();
    const issues: any[] = [];
    const scope = nock(API).get(REPO).reply(200, { name: 'service', full_name: 'acme/service', default_branch: 'main' });
    mockHead(scope);
    mockConfig(scope, null);
    mockTree(scope, H1, ['go.mod', 'tools/go.mod']);
    mockFile(scope, 'go.mod', H1, ROOT_MOD);
    mockFile(scope, 'tools/go.mod', H1, TOOLS_MOD);
    scope
      .post(`${REPO}/check-runs`).reply(201, { id: 900 })
      .patch(`${REPO}/check-runs/900`).reply(200, {})
      .get(`${REPO}/issues`).query(true).reply(200, [])
      .post(`${REPO}/issues`, (b) => (issues.push(b), true)).reply(201, { number: 7, state: 'open', user: BOT });
    await app.probot.receive({ id: 'inst-2', name: 'installation', payload: installationCreated as any });
    await app.watch.idle();
    expect(scope.isDone()).toBe(true);

    const comment = (id: number, user: string, body: string) => ({
      action: 'created',
      issue: { number: 7, title: 'ModWarden: dependency watch', body: issues[0].body, user: BOT, state: 'open' },
      comment: { id, body, user: { login: user, type: 'User' } },
      repository: { name: 'service', full_name: 'acme/service', owner: { login: 'acme' } },
      installation: { id: 77 },
      sender: { login: user, type: 'User' },
    });

    // Someone without write access: a confused reaction, nothing else.
    const refused = nock(API)
      .get(`${REPO}/collaborators/drive-by/permission`).reply(200, { permission: 'read', role_name: 'triage', user: { login: 'drive-by' } })
      .post(`${REPO}/issues/comments/501/reactions`, { content: 'confused' }).reply(201, {});
    await app.probot.receive({ id: 'c-1', name: 'issue_comment', payload: comment(501, 'drive-by', '/ignore github.com/boltdb-go/bolt@v1.3.1 trust me') as any });
    await app.watch.idle();
    expect(refused.isDone()).toBe(true);

    // A maintainer: the ignore is recorded in the bot's reply, the repo re-checked, the issue closed.
    const replies: any[] = [];
    const edits: any[] = [];
    const ok = nock(API)
      .get(`${REPO}/collaborators/maint/permission`).reply(200, { permission: 'write', role_name: 'maintain', user: { login: 'maint' } })
      .post(`${REPO}/issues/comments/502/reactions`, { content: 'eyes' }).reply(201, {})
      .post(`${REPO}/issues/7/comments`, (b) => (replies.push(b), true)).reply(201, { id: 9001 });
    mockHead(ok);
    mockConfig(ok, null);
    ok.get(`${REPO}/issues/7/comments`).query({ per_page: 100 }).reply(200, () => [{ id: 9001, body: replies[0].body, user: BOT }])
      .post(`${REPO}/check-runs`).reply(201, { id: 901 })
      .patch(`${REPO}/check-runs/901`, (b) => b.conclusion === 'success').reply(200, {})
      .patch(`${REPO}/issues/7`, (b) => (edits.push(b), true)).reply(200, {});
    await app.probot.receive({ id: 'c-2', name: 'issue_comment', payload: comment(502, 'maint', '/ignore github.com/boltdb-go/bolt@v1.3.1 vetted in SEC-7 <img src=x>') as any });
    await app.watch.idle();
    expect(unmatched).toEqual([]);
    expect(ok.isDone()).toBe(true);
    expect(replies[0].body).toContain('<!-- modwarden:ignore ');
    expect(replies[0].body).toContain('vetted in SEC-7 \\<img src=x\\>'); // the reason is echoed inert
    expect(edits[0]).toMatchObject({ state: 'closed', state_reason: 'completed' });
    expect(edits[0].body).toContain('Everything is clean again');
    expect(edits[0].body).toMatch(/✏️ changed \(was critical\): \*\*critical\*\* `content-diverged` `github\.com\/boltdb-go\/bolt@v1\.3\.1` in `tools\/go\.mod`: .* _\(ignored\)_/);
  });

  it('a repository that opts out (watch: false) gets nothing posted', async () => {
    const app = await startWatchApp();
    const scope = nock(API).get(REPO).reply(200, { name: 'service', full_name: 'acme/service', default_branch: 'main' });
    mockHead(scope);
    mockConfig(scope, 'watch: false\n');
    await app.probot.receive({ id: 'inst-3', name: 'installation', payload: installationCreated as any });
    await app.watch.idle();
    expect(unmatched).toEqual([]);
    expect(scope.isDone()).toBe(true);
  });
});

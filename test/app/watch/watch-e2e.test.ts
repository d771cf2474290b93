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
const stores: FileStore[] = [];

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
  for (const s of stores.splice(0)) await s.close();
  await world.close();
  rmSync(dir, { recursive: true, force: true });
});

/** A Probot with the app, its watch state in `dir` (as after a restart when called again). */
async function startWatchApp() {
  const store = new FileStore(dir, 'watch');
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
  it('baseline on install -> check run + issue; a moved tag -> the scheduled run after a restart updates the same issue; then nothing is posted', async () => {
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
});

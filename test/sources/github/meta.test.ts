import nock from 'nock';
import { createGitHubMetaClient } from '../../../src/sources/github/meta.js';
import { HttpClient } from '../../../src/sources/http.js';

const API = 'https://api.github.example';

/** A GET /repos/{owner}/{repo} body with the fields GitHub documents (abridged to what matters plus a few others). */
function repoBody(fullName: string, createdAt: string, stars: number, extra: Record<string, unknown> = {}) {
  const [owner, name] = fullName.split('/');
  return {
    id: 1296269,
    node_id: 'MDEwOlJlcG9zaXRvcnkxMjk2MjY5',
    name,
    full_name: fullName,
    owner: { login: owner, id: 1, type: 'User', site_admin: false },
    private: false,
    html_url: `https://github.com/${fullName}`,
    fork: false,
    created_at: createdAt,
    updated_at: createdAt,
    pushed_at: createdAt,
    stargazers_count: stars,
    watchers_count: stars,
    forks_count: 0,
    archived: false,
    default_branch: 'master',
    ...extra,
  };
}

function userBody(login: string, createdAt: string) {
  return { login, id: 2, node_id: 'MDQ6VXNlcjE=', type: 'User', site_admin: false, created_at: createdAt, updated_at: createdAt, public_repos: 1 };
}


beforeAll(() => nock.disableNetConnect());
afterEach(() => nock.cleanAll());
afterAll(() => nock.enableNetConnect());

/** A clock the client reads and a sleep that only moves it (and records what it waited). */
function fakeTime(start = Date.parse('2025-03-01T00:00:00Z')) {
  const t = { now: start, slept: [] as number[] };
  return {
    t,
    now: () => t.now,
    sleep: async (ms: number) => {
      t.slept.push(ms);
      t.now += ms;
    },
  };
}

describe('GitHub metadata client', () => {
  it('reads repositories and users with the token and caches them', async () => {
    const scope = nock(API, { reqheaders: { authorization: 'Bearer t0ken' } })
      .get('/repos/boltdb-go/bolt')
      .reply(200, repoBody('boltdb-go/bolt', '2021-11-08T12:00:00Z', 0, { forks_count: 3, description: 'An embedded\nkey/value database' }))
      .get('/users/boltdb-go')
      .reply(200, userBody('boltdb-go', '2021-11-07T00:00:00Z'));
    const meta = createGitHubMetaClient({ baseUrl: API, token: 't0ken' });
    const r1 = await meta.repo('boltdb-go', 'bolt');
    const r2 = await meta.repo('boltdb-go', 'bolt');
    expect(r1).toEqual(r2);
    expect(r1).toEqual({
      ok: true,
      value: expect.objectContaining({ fullName: 'boltdb-go/bolt', stars: 0, forks: 3, fork: false, parent: null, createdAt: '2021-11-08T12:00:00Z', description: 'An embedded key/value database' }),
    });
    expect(await meta.user('boltdb-go')).toEqual({ ok: true, value: { login: 'boltdb-go', createdAt: '2021-11-07T00:00:00Z', type: 'User' } });
    scope.done();
  });

  it('expires cached metadata after its TTL and never caches a failure', async () => {
    const clock = fakeTime();
    nock(API).get('/repos/a/b').reply(200, repoBody('a/b', '2020-01-01T00:00:00Z', 1));
    nock(API).get('/repos/c/d').reply(502, { message: 'bad gateway' });
    const meta = createGitHubMetaClient({ baseUrl: API, token: 't', cacheTtlMs: 60_000, now: clock.now, sleep: clock.sleep, http: new HttpClient({ retries: 0 }) });
    expect((await meta.repo('a', 'b')).ok).toBe(true);
    clock.t.now += 30_000;
    expect((await meta.repo('a', 'b')).ok).toBe(true); // cached
    clock.t.now += 31_000;
    nock(API).get('/repos/a/b').reply(200, repoBody('a/b', '2020-01-01T00:00:00Z', 2));
    expect(await meta.repo('a', 'b')).toMatchObject({ ok: true, value: { stars: 2 } }); // re-read after the TTL
    expect(await meta.repo('c', 'd')).toMatchObject({ ok: false, why: 'failed', message: expect.stringContaining('HTTP 502') });
    nock(API).get('/repos/c/d').reply(200, repoBody('c/d', '2020-01-01T00:00:00Z', 5));
    expect(await meta.repo('c', 'd')).toMatchObject({ ok: true, value: { stars: 5 } });
    expect(nock.pendingMocks()).toEqual([]);
  });

  it('reports a renamed repository it followed to its new name', async () => {
    nock(API).get('/repos/old/name').reply(301, { message: 'Moved Permanently' }, { location: `${API}/repositories/42` });
    nock(API).get('/repositories/42').reply(200, repoBody('new-owner/name', '2019-01-01T00:00:00Z', 7));
    const r = await createGitHubMetaClient({ baseUrl: API, token: 't' }).repo('old', 'name');
    expect(r).toMatchObject({ ok: true, value: { fullName: 'new-owner/name', movedFrom: 'old/name' } });
  });

  it('returns null for a 404; a rate limit far from its reset degrades at once, stops asking, and clears after the reset', async () => {
    const clock = fakeTime();
    const reset = clock.t.now / 1000 + 1800;
    const scope = nock(API)
      .get('/repos/gone/away')
      .reply(404, { message: 'Not Found', documentation_url: 'https://docs.github.com/rest/repos/repos#get-a-repository' })
      .get('/repos/a/b')
      .reply(403, { message: 'API rate limit exceeded' }, { 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': String(reset) });
    const meta = createGitHubMetaClient({ baseUrl: API, token: 't', now: clock.now, sleep: clock.sleep });
    expect(await meta.repo('gone', 'away')).toEqual({ ok: true, value: null });
    const limited = await meta.repo('a', 'b');
    expect(limited).toMatchObject({ ok: false, why: 'limited' });
    expect((limited as { message: string }).message).toBe('GitHub rate limit reached (HTTP 403, resets at 2025-03-01T00:30:00.000Z)');
    // No interceptor left: a further request would fail the test if it went out.
    expect(await meta.repo('c', 'd')).toMatchObject({ ok: false, why: 'limited' });
    expect(clock.t.slept).toEqual([]); // 30 minutes away: no waiting
    scope.done();
    // After the reset the limited state is gone and requests go out again.
    clock.t.now = reset * 1000 + 1;
    nock(API).get('/repos/c/d').reply(200, repoBody('c/d', '2020-01-01T00:00:00Z', 3));
    expect(await meta.repo('c', 'd')).toMatchObject({ ok: true, value: { fullName: 'c/d' } });
  });

  it('waits out a rate limit that resets within the wait bound, then answers', async () => {
    const clock = fakeTime();
    nock(API).get('/users/someone').reply(429, { message: 'You have exceeded a secondary rate limit' }, { 'retry-after': '20' });
    nock(API).get('/users/someone').reply(200, userBody('someone', '2016-01-01T00:00:00Z'));
    const meta = createGitHubMetaClient({ baseUrl: API, token: 't', now: clock.now, sleep: clock.sleep });
    expect(await meta.user('someone')).toMatchObject({ ok: true, value: { login: 'someone' } });
    expect(clock.t.slept).toEqual([20_000]);
  });

  it('with the wait bound at 0, degrades at once even when the reset is near', async () => {
    const clock = fakeTime();
    nock(API).get('/users/someone').reply(429, { message: 'too many' }, { 'retry-after': '20' });
    const meta = createGitHubMetaClient({ baseUrl: API, token: 't', now: clock.now, sleep: clock.sleep, maxRateLimitWaitMs: 0 });
    expect(await meta.user('someone')).toMatchObject({ ok: false, why: 'limited', message: 'GitHub rate limit reached (HTTP 429, resets at 2025-03-01T00:00:20.000Z)' });
    expect(clock.t.slept).toEqual([]);
  });

  it('searches by name (q=<name> in:name, sorted by stars); a search limit leaves repository lookups alone', async () => {
    const clock = fakeTime();
    const scope = nock(API)
      .get('/search/repositories')
      .query({ q: 'hypert in:name', sort: 'stars', order: 'desc', per_page: '30' })
      .reply(200, { total_count: 2, incomplete_results: false, items: [repoBody('areknoster/hypert', '2024-03-10T00:00:00Z', 120), repoBody('shallowmulti/hypert', '2025-01-20T00:00:00Z', 0)] })
      .get('/search/repositories')
      .query(true)
      .reply(403, { message: 'API rate limit exceeded' }, { 'x-ratelimit-remaining': '0', 'x-ratelimit-resource': 'search', 'x-ratelimit-reset': String(clock.t.now / 1000 + 600) })
      .get('/repos/a/b')
      .reply(200, repoBody('a/b', '2020-01-01T00:00:00Z', 1));
    const meta = createGitHubMetaClient({ baseUrl: API, token: 't', now: clock.now, sleep: clock.sleep });
    const found = await meta.searchByName('hypert');
    expect(found.ok && found.value!.map((r) => r.fullName)).toEqual(['areknoster/hypert', 'shallowmulti/hypert']);
    expect(await meta.searchByName('hypert')).toEqual(found); // cached: no second request
    expect(await meta.searchByName('layout')).toMatchObject({ ok: false, why: 'limited', message: expect.stringMatching(/^GitHub search rate limit reached \(HTTP 403/) });
    expect(await meta.searchByName('other')).toMatchObject({ ok: false, why: 'limited' });
    expect(await meta.repo('a', 'b')).toMatchObject({ ok: true });
    scope.done();
  });

  it('paces searches to the per-minute allowance: waits for a slot when one frees within the bound', async () => {
    const clock = fakeTime(0);
    const scope = nock(API).get('/search/repositories').query(true).times(3).reply(200, { total_count: 0, incomplete_results: false, items: [] });
    const meta = createGitHubMetaClient({ baseUrl: API, token: 't', searchesPerMinute: 2, now: clock.now, sleep: clock.sleep });
    expect((await meta.searchByName('a')).ok).toBe(true);
    clock.t.now = 10_000;
    expect((await meta.searchByName('b')).ok).toBe(true);
    expect((await meta.searchByName('c')).ok).toBe(true);
    expect(clock.t.slept).toEqual([50_000]); // until the first search left the window
    scope.done();
    const impatient = createGitHubMetaClient({ baseUrl: API, token: 't', searchesPerMinute: 1, maxRateLimitWaitMs: 0, now: clock.now, sleep: clock.sleep });
    nock(API).get('/search/repositories').query(true).reply(200, { total_count: 0, incomplete_results: false, items: [] });
    expect((await impatient.searchByName('x')).ok).toBe(true);
    expect(await impatient.searchByName('y')).toMatchObject({ ok: false, why: 'limited', message: expect.stringContaining('1 searches a minute') });
  });

  it('counts searches per scan: each scan gets its own budget over the shared cache', async () => {
    const clock = fakeTime(0);
    nock(API).get('/search/repositories').query(true).times(3).reply(200, { total_count: 0, incomplete_results: false, items: [] });
    const meta = createGitHubMetaClient({ baseUrl: API, token: 't', searchBudget: 2, now: clock.now, sleep: clock.sleep });
    const scan1 = meta.forScan();
    expect((await scan1.searchByName('a')).ok).toBe(true);
    expect((await scan1.searchByName('b')).ok).toBe(true);
    expect(await scan1.searchByName('c')).toMatchObject({ ok: false, why: 'limited', message: 'GitHub search skipped: search budget for this scan used up' });
    expect((await scan1.searchByName('a')).ok).toBe(true); // cached answers cost nothing
    const scan2 = meta.forScan();
    expect((await scan2.searchByName('a')).ok).toBe(true); // shared cache
    expect((await scan2.searchByName('c')).ok).toBe(true); // a fresh budget
    expect(nock.pendingMocks()).toEqual([]);
  });
});

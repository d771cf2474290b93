/**
 * The typosquat assessment (checks/typosquat/assess.ts) through the real GitHub metadata client (nock) and an
 * in-memory module proxy: which evidence decides, which severity follows, and which sources could not be asked.
 */
import nock from 'nock';
import { assessModule, type AssessSources } from '../../../src/checks/typosquat/assess.js';
import { createTyposquatDetector } from '../../../src/checks/typosquat/detector.js';
import { createGitHubMetaClient } from '../../../src/sources/github/meta.js';
import { createWorld, moduleFiles, payloadCopy, type FakeModule } from '../../../bench/typosquat-world.js';

const API = 'https://api.github.example';
const detector = createTyposquatDetector();

function repoBody(fullName: string, createdAt: string, stars: number, extra: Record<string, unknown> = {}) {
  const [owner, name] = fullName.split('/');
  return { name, full_name: fullName, owner: { login: owner, type: 'User' }, fork: false, created_at: createdAt, stargazers_count: stars, forks_count: 0, archived: false, ...extra };
}
const userBody = (login: string, createdAt: string) => ({ login, type: 'User', created_at: createdAt });

/** A proxy with the given modules (versions and files); no GitHub. */
function proxyWith(modules: Record<string, FakeModule>) {
  const w = createWorld({ modules: new Map(Object.entries(modules)), repos: new Map() });
  return { proxy: w.proxy, fetchFiles: (mv: { path: string; version: string }) => w.fetchFiles(mv) };
}

const bolt = moduleFiles('github.com/boltdb/bolt', 'bolt');
const boltModule: FakeModule = { versions: [{ version: 'v1.0.0', time: '2014-06-01T00:00:00Z' }, { version: 'v1.3.1', time: '2017-07-01T00:00:00Z' }], files: bolt };
const copyModule: FakeModule = { versions: [{ version: 'v1.3.1', time: '2021-11-10T00:00:00Z' }], files: payloadCopy(bolt, 'github.com/boltdb-go/bolt') };

const offline: AssessSources = { proxy: null, meta: null, fetchFiles: null, proxyOff: 'offline (--offline)', metaOff: 'offline (--offline)' };

beforeAll(() => nock.disableNetConnect());
afterEach(() => nock.cleanAll());
afterAll(() => nock.enableNetConnect());

describe('assessModule', () => {
  it('offline: a strong name imitation is high on its own, and says what could not be gathered', async () => {
    const r = await assessModule(detector, { path: 'github.com/boltdb-go/bolt', version: null }, [], offline);
    expect(r).toMatchObject({ suspicious: true, severity: 'high', target: 'github.com/boltdb/bolt' });
    expect(r.evidence?.entries).toEqual(expect.arrayContaining([
      expect.objectContaining({ source: 'corpus', kind: 'name-strong' }),
      expect.objectContaining({ source: 'proxy', effect: 'unavailable', detail: 'offline (--offline)' }),
    ]));
  });

  it('offline: "same repo name, other owner" alone is a medium notice', async () => {
    const r = await assessModule(detector, { path: 'github.com/newowner/go-retryablehttp', version: null }, [], offline);
    expect(r).toMatchObject({ suspicious: true, severity: 'medium', target: 'github.com/hashicorp/go-retryablehttp' });
  });

  it('proxy only: a copy with a payload published later is critical, naming the added file, init() and imports', async () => {
    const r = await assessModule(detector, { path: 'github.com/boltdb-go/bolt', version: 'v1.3.1' }, [], {
      ...proxyWith({ 'github.com/boltdb/bolt': boltModule, 'github.com/boltdb-go/bolt': copyModule }),
      meta: null,
    });
    expect(r.severity).toBe('critical');
    expect(r.reasons[0]).toMatch(/modified copy of `github.com\/boltdb\/bolt@v1.3.1` with 1 file changed .*added: `payload_unix.go`.*`init\(\)` added in `payload_unix.go`; new imports `net\/http` \(risky\), `os\/exec` \(risky\)/);
    const kinds = r.evidence!.entries!.map((e) => `${e.source}:${e.kind}`);
    expect(kinds).toEqual(expect.arrayContaining(['proxy:published-later', 'content:near-copy']));
    expect(r.evidence!.entries!.find((e) => e.kind === 'published-later')!.detail).toMatch(/first published v1.3.1 on 2021-11-10, 7 years after `github.com\/boltdb\/bolt` v1.0.0 \(2014-06-01\)/);
  });

  it('compares content with the target\'s same or nearest earlier version', async () => {
    const r = await assessModule(detector, { path: 'github.com/boltdb-go/bolt', version: 'v1.3.2' }, [], {
      ...proxyWith({ 'github.com/boltdb/bolt': boltModule, 'github.com/boltdb-go/bolt': { ...copyModule, versions: [{ version: 'v1.3.2', time: '2021-11-10T00:00:00Z' }] } }),
      meta: null,
    });
    expect(r.clone).toMatchObject({ suspect: 'github.com/boltdb-go/bolt@v1.3.2', target: 'github.com/boltdb/bolt@v1.3.1' });
  });

  it('stays quiet for the older original of a module the corpus lists under the same name', async () => {
    // The suspect was published years before its "target" and is a copy of nothing: it is the original.
    const r = await assessModule(detector, { path: 'github.com/newowner/go-retryablehttp', version: null }, [], {
      ...proxyWith({
        'github.com/newowner/go-retryablehttp': { versions: [{ version: 'v0.1.0', time: '2012-01-01T00:00:00Z' }], files: moduleFiles('a', 'x') },
        'github.com/hashicorp/go-retryablehttp': { versions: [{ version: 'v0.5.0', time: '2018-01-01T00:00:00Z' }], files: moduleFiles('b', 'x') },
      }),
      meta: null,
    });
    expect(r.severity).toBeNull();
    expect(r.suspicious).toBe(false);
    expect(r.evidence!.entries!.find((e) => e.effect === 'clears')!.kind).toBe('older');
  });

  it('stays quiet when the target go.mod is deprecated in favour of the suspect (a successor)', async () => {
    const r = await assessModule(detector, { path: 'github.com/newowner/go-retryablehttp', version: null }, [], {
      ...proxyWith({
        'github.com/newowner/go-retryablehttp': { versions: [{ version: 'v1.0.0', time: '2024-01-01T00:00:00Z' }], files: moduleFiles('a', 'x') },
        'github.com/hashicorp/go-retryablehttp': { versions: [{ version: 'v0.5.0', time: '2018-01-01T00:00:00Z' }], files: moduleFiles('b', 'x'), deprecated: 'use github.com/newowner/go-retryablehttp instead' },
      }),
      meta: null,
    });
    expect(r.severity).toBeNull();
    expect(r.evidence!.entries!.find((e) => e.effect === 'clears')).toMatchObject({ source: 'proxy', kind: 'successor' });
  });

  it('with GitHub: a throwaway publisher makes a strong imitation critical, in relative terms only', async () => {
    nock(API)
      .get('/repos/boltdb-go/bolt').reply(200, repoBody('boltdb-go/bolt', '2021-11-08T12:00:00Z', 0))
      .get('/users/boltdb-go').reply(200, userBody('boltdb-go', '2021-11-07T00:00:00Z'))
      .get('/repos/boltdb/bolt').reply(200, repoBody('boltdb/bolt', '2013-02-09T00:00:00Z', 14000))
      .get('/users/boltdb').reply(200, userBody('boltdb', '2013-01-01T00:00:00Z'));
    const r = await assessModule(detector, { path: 'github.com/boltdb-go/bolt', version: null }, [], {
      proxy: null,
      meta: createGitHubMetaClient({ baseUrl: API, token: 't' }),
      fetchFiles: null,
    });
    expect(r.severity).toBe('critical');
    expect(r.evidence).toMatchObject({ suspect: { fullName: 'boltdb-go/bolt', stars: 0 }, target: { fullName: 'boltdb/bolt', stars: 14000 } });
    expect(r.evidence!.entries!.find((e) => e.kind === 'young-publisher')!.detail).toBe('the account `boltdb-go` was 2 days old when it created `boltdb-go/bolt`');
  });

  it('with GitHub: a declared fork and a rename redirect are quiet', async () => {
    nock(API)
      .get('/repos/someorg/go-retryablehttp').reply(200, repoBody('someorg/go-retryablehttp', '2020-01-01T00:00:00Z', 80, { fork: true, parent: repoBody('hashicorp/go-retryablehttp', '2015-01-01T00:00:00Z', 2000) }))
      .get('/users/someorg').reply(200, userBody('someorg', '2012-01-01T00:00:00Z'))
      .get('/repos/hashicorp/go-retryablehttp').reply(200, repoBody('hashicorp/go-retryablehttp', '2015-01-01T00:00:00Z', 2000))
      .get('/users/hashicorp').reply(200, userBody('hashicorp', '2012-01-01T00:00:00Z'));
    const meta = createGitHubMetaClient({ baseUrl: API, token: 't' });
    const fork = await assessModule(detector, { path: 'github.com/someorg/go-retryablehttp', version: null }, [], { proxy: null, meta, fetchFiles: null });
    expect(fork).toMatchObject({ suspicious: false, severity: null, evidence: { declaredFork: true } });
    expect(fork.reasons.join('\n')).toMatch(/GitHub lists `someorg\/go-retryablehttp` as a fork of `hashicorp\/go-retryablehttp`/);
    // An old name that GitHub redirects to the target's repository (renamed or transferred) is the same project.
    nock(API)
      .get('/repos/oldname/go-retryablehttp').reply(200, repoBody('hashicorp/go-retryablehttp', '2015-01-01T00:00:00Z', 2000))
      .get('/users/hashicorp').reply(200, userBody('hashicorp', '2012-01-01T00:00:00Z'));
    const renamed = await assessModule(detector, { path: 'github.com/oldname/go-retryablehttp', version: null }, [], { proxy: null, meta, fetchFiles: null });
    expect(renamed).toMatchObject({ suspicious: false, severity: null });
    expect(renamed.evidence!.entries!.find((e) => e.effect === 'clears')).toMatchObject({ kind: 'same-repository', detail: expect.stringContaining('`oldname/go-retryablehttp` was renamed or transferred') });
  });

  it('with GitHub: finds a niche original by search; without corroboration a same-name match is not reported', async () => {
    nock(API)
      .get('/repos/calmowner/hypert').reply(200, repoBody('calmowner/hypert', '2025-01-20T00:00:00Z', 0))
      .get('/users/calmowner').reply(200, userBody('calmowner', '2016-01-19T00:00:00Z'))
      .get('/search/repositories').query(true)
      .reply(200, { total_count: 2, incomplete_results: false, items: [repoBody('areknoster/hypert', '2024-03-10T00:00:00Z', 120), repoBody('calmowner/hypert', '2025-01-20T00:00:00Z', 0)] })
      .get('/repos/areknoster/hypert').reply(200, repoBody('areknoster/hypert', '2024-03-10T00:00:00Z', 120))
      .get('/users/areknoster').reply(200, userBody('areknoster', '2016-05-01T00:00:00Z'));
    const r = await assessModule(detector, { path: 'github.com/calmowner/hypert', version: null }, [], { proxy: null, meta: createGitHubMetaClient({ baseUrl: API, token: 't' }), fetchFiles: null });
    expect(r).toMatchObject({ target: 'github.com/areknoster/hypert', targetSource: 'search', severity: null, suspicious: false });
  });

  it('with GitHub: the same search-found original with a throwaway publisher is high', async () => {
    nock(API)
      .get('/repos/shallowmulti/hypert').reply(200, repoBody('shallowmulti/hypert', '2025-01-20T00:00:00Z', 0))
      .get('/users/shallowmulti').reply(200, userBody('shallowmulti', '2025-01-19T00:00:00Z'))
      .get('/search/repositories').query({ q: 'hypert in:name', sort: 'stars', order: 'desc', per_page: '30' })
      .reply(200, { total_count: 2, incomplete_results: false, items: [repoBody('areknoster/hypert', '2024-03-10T00:00:00Z', 120), repoBody('shallowmulti/hypert', '2025-01-20T00:00:00Z', 0)] })
      .get('/repos/areknoster/hypert').reply(200, repoBody('areknoster/hypert', '2024-03-10T00:00:00Z', 120))
      .get('/users/areknoster').reply(200, userBody('areknoster', '2016-05-01T00:00:00Z'));
    const r = await assessModule(detector, { path: 'github.com/shallowmulti/hypert', version: null }, [], { proxy: null, meta: createGitHubMetaClient({ baseUrl: API, token: 't' }), fetchFiles: null });
    expect(r).toMatchObject({ suspicious: true, severity: 'high', target: 'github.com/areknoster/hypert', targetSource: 'search' });
    expect(r.signals).toEqual(expect.arrayContaining(['older-same-name-repo', 'young-publisher', 'created-after-target', 'far-less-used']));
  });

  it('degrades to the name with a note naming the source when GitHub rate-limits', async () => {
    nock(API).get('/repos/boltdb-go/bolt').reply(429, { message: 'too many' }, { 'retry-after': '3600' });
    nock(API).get('/repos/boltdb/bolt').reply(429, { message: 'too many' }, { 'retry-after': '3600' });
    const r = await assessModule(detector, { path: 'github.com/boltdb-go/bolt', version: null }, [], { proxy: null, meta: createGitHubMetaClient({ baseUrl: API, token: 't', maxRateLimitWaitMs: 0 }), fetchFiles: null });
    expect(r.severity).toBe('high');
    expect(r.notes).toEqual(expect.arrayContaining([expect.stringMatching(/^github: GitHub rate limit reached \(HTTP 429/)]));
  });

  it('leaves known modules alone without any request', async () => {
    const r = await assessModule(detector, { path: 'github.com/sirupsen/logrus', version: null }, [], {
      proxy: { list: () => Promise.reject(new Error('no request expected')), info: () => Promise.reject(new Error('x')), latest: () => Promise.reject(new Error('x')) },
      meta: { repo: () => Promise.reject(new Error('no request expected')), user: () => Promise.reject(new Error('x')), searchByName: () => Promise.reject(new Error('x')) },
      fetchFiles: null,
    });
    expect(r).toMatchObject({ suspicious: false, severity: null });
  });
});

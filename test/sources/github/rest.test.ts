import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GitHubApiError, GitHubRest, RateLimitedError, rateLimitReset } from '../../../src/sources/github/rest.js';
import { GitHubOriginClient, type TarEntry } from '../../../src/sources/github/origin.js';
import { FileCache } from '../../../src/sources/file-cache.js';
import { HttpClient } from '../../../src/sources/http.js';
import { makeCommit, makeRepo, startGitHubServer, type GitHubServer } from '../../helpers/github-server.js';

/** A clock the client reads and a sleep that only moves it (recording each wait). */
function fakeTime(start = Date.now()) {
  const t = { now: start, slept: [] as number[] };
  return { t, now: () => t.now, sleep: async (ms: number) => void (t.slept.push(ms), (t.now += ms)) };
}

describe('rateLimitReset', () => {
  const now = Date.parse('2025-01-01T00:00:00Z');
  const h = (o: Record<string, string>) => new Headers(o);
  it('recognises primary and secondary limits and when they end', () => {
    expect(rateLimitReset(403, h({ 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': String(now / 1000 + 600) }), '{}', now)).toEqual({ at: now + 600_000, known: true });
    expect(rateLimitReset(429, h({ 'retry-after': '30' }), '', now)).toEqual({ at: now + 30_000, known: true });
    expect(rateLimitReset(403, h({ 'retry-after': '5', 'x-ratelimit-remaining': '10' }), '', now)).toEqual({ at: now + 5_000, known: true });
    // A secondary limit announced only in the message: GitHub's advice is to wait at least a minute.
    expect(rateLimitReset(403, h({}), '{"message":"You have exceeded a secondary rate limit"}', now)).toEqual({ at: now + 60_000, known: false });
    expect(rateLimitReset(429, h({}), '', now)).toEqual({ at: now + 60_000, known: false });
  });
  it('leaves other answers alone', () => {
    expect(rateLimitReset(403, h({ 'x-ratelimit-remaining': '4999' }), '{"message":"Resource not accessible by integration"}', now)).toBeNull();
    expect(rateLimitReset(404, h({ 'x-ratelimit-remaining': '0' }), '', now)).toBeNull();
    expect(rateLimitReset(500, h({ 'retry-after': '1' }), '', now)).toBeNull();
  });
});

describe('GitHubRest against the fake GitHub API', () => {
  let gh: GitHubServer;
  const c1 = makeCommit({ 'go.mod': 'module github.com/o/r\n', 'a.go': 'package a\n' }, '2024-01-01T00:00:00Z', 'first');

  beforeEach(async () => {
    const repo = makeRepo('o', 'r', [c1], 4242);
    repo.tags['v1.0.0'] = { commit: c1.sha };
    gh = await startGitHubServer({ repos: { 'o/r': repo } });
  });
  afterEach(() => gh.close());

  const rest = (opts: ConstructorParameters<typeof GitHubRest>[0] = {}) => new GitHubRest({ baseUrl: gh.url, http: new HttpClient({ backoffBaseMs: 1 }), ...opts });

  it('waits out a limit that resets within the bound and then answers; the state clears', async () => {
    const clock = fakeTime();
    gh.state.rateLimit = { status: 429, retryAfterSeconds: 20, times: 1 };
    const r = rest({ now: clock.now, sleep: clock.sleep });
    const a = await r.get('/repos/o/r');
    expect(a.status).toBe(200);
    expect(clock.t.slept).toEqual([20_000]);
    expect(r.limitedUntil('core')).toBeNull();
    expect(gh.requests.filter((q) => q.path === '/repos/o/r')).toHaveLength(2);
  });

  it('fails fast on a far reset, sends nothing while limited, and asks again after the reset', async () => {
    const clock = fakeTime();
    const reset = Math.floor(clock.t.now / 1000) + 1800;
    gh.state.rateLimit = { status: 403, resetEpochSeconds: reset };
    const r = rest({ now: clock.now, sleep: clock.sleep });
    const err = (await r.get('/repos/o/r').catch((e: unknown) => e)) as RateLimitedError;
    expect(err).toBeInstanceOf(RateLimitedError);
    expect(err.resetAt.getTime()).toBe(reset * 1000);
    expect(err.resource).toBe('core');
    const before = gh.requests.length;
    await expect(r.get('/repos/o/r/git/ref/tags/v1.0.0')).rejects.toBeInstanceOf(RateLimitedError);
    expect(gh.requests.length).toBe(before); // not sent: GitHub would refuse it
    expect(clock.t.slept).toEqual([]);
    gh.state.rateLimit = null;
    clock.t.now = reset * 1000;
    expect((await r.get('/repos/o/r')).status).toBe(200);
  });

  it('keeps core and search limits apart', async () => {
    const clock = fakeTime();
    gh.state.rateLimit = { status: 403, resetEpochSeconds: Math.floor(clock.t.now / 1000) + 900, resource: 'search', times: 1 };
    const r = rest({ now: clock.now, sleep: clock.sleep });
    await expect(r.get('/search/repositories?q=x')).rejects.toMatchObject({ resource: 'search' });
    expect(r.limitedUntil('search')).not.toBeNull();
    expect((await r.get('/repos/o/r')).status).toBe(200);
  });

  it('treats a 403 whose message speaks of a secondary rate limit as one, even without headers', async () => {
    const clock = fakeTime();
    gh.state.rateLimit = { status: 403, noHeaders: true, message: 'You have exceeded a secondary rate limit. Please wait.' };
    const r = rest({ now: clock.now, sleep: clock.sleep, maxRateLimitWaitMs: 0 });
    const err = (await r.get('/repos/o/r').catch((e: unknown) => e)) as RateLimitedError;
    expect(err).toBeInstanceOf(RateLimitedError);
    expect(err.resetAt.getTime()).toBe(clock.t.now + 60_000);
    expect(err.resetKnown).toBe(false);
    expect(err.message).toMatch(/try again after/);
  });

  it('after an answer that used the last request of the window, later requests wait for the reset', async () => {
    const clock = fakeTime();
    gh.state.faults = [
      { match: /^\/repos\/o\/r$/, status: 200, times: 1, body: JSON.stringify({ full_name: 'o/r' }), headers: { 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': String(Math.floor(clock.t.now / 1000) + 30) } },
    ];
    const r = rest({ now: clock.now, sleep: clock.sleep });
    expect((await r.get('/repos/o/r')).status).toBe(200);
    expect((await r.get('/repos/o/r/git/ref/tags/v1.0.0')).status).toBe(200);
    expect(clock.t.slept.length).toBe(1);
    expect(clock.t.slept[0]).toBeGreaterThan(29_000);
  });

  it('passes on only GitHub\'s message from an error body, as one short plain line', async () => {
    gh.state.faults = [{ match: /git\/ref/, status: 422, body: JSON.stringify({ message: `Bad\r\n\u0007thing <b>${'x'.repeat(3000)}` }) }];
    const a = await rest().get('/repos/o/r/git/ref/tags/v1.0.0');
    expect(a.status).toBe(422);
    expect(a.message.startsWith('Bad thing <b>xxx')).toBe(true);
    expect(a.message.length).toBeLessThanOrEqual(200);
    expect(a.message).not.toMatch(/[\u0000-\u001f]/);
  });

  it('never sends the token to a redirect target, even one on an allowed download host', async () => {
    const dl = await startGitHubServer({ repos: gh.state.repos });
    const dir = await mkdtemp(join(tmpdir(), 'mw-rest-'));
    try {
      gh.state.tarballRedirectBase = dl.url;
      const r = rest({ token: 'secret', downloadHosts: [new URL(dl.url).host] });
      const got = await r.download(`/repos/o/r/tarball/${c1.sha}`, join(dir, 't.tgz'), { maxBytes: 1 << 20 });
      expect(got.size).toBeGreaterThan(0);
      expect(gh.requests.map((q) => q.authorization)).toEqual(['Bearer secret']);
      expect(dl.requests.map((q) => q.authorization)).toEqual([undefined]);
      // A download host answering 403 is a refusal, not a GitHub rate limit.
      dl.state.rateLimit = null;
      gh.state.tarballRedirectBase = `${dl.url}/nothing-here`;
      const err = await r.download(`/repos/o/r/tarball/${c1.sha}`, join(dir, 'u.tgz'), { maxBytes: 1 << 20 }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(GitHubApiError);
      expect(err).not.toBeInstanceOf(RateLimitedError);
    } finally {
      await dl.close();
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('GitHubOriginClient tarballs: time bounds and the on-disk cache', () => {
  let gh: GitHubServer;
  const c1 = makeCommit({ 'go.mod': 'module github.com/o/r\n', 'a.go': 'package a\n' }, '2024-01-01T00:00:00Z', 'first');
  const c2 = makeCommit({ 'go.mod': 'module github.com/o/r\n', 'b.go': 'package a // two\n' }, '2024-02-01T00:00:00Z', 'second');
  beforeEach(async () => {
    gh = await startGitHubServer({ repos: { 'o/r': makeRepo('o', 'r', [c1, c2], 7) } });
  });
  afterEach(() => gh.close());

  it('a download host that sends headers and then stalls fails at the stall bound, naming it', async () => {
    gh.state.codeloadFault = { kind: 'stall', bytes: 10 };
    const origin = new GitHubOriginClient({ baseUrl: gh.url, http: new HttpClient({ retries: 2, stallTimeoutMs: 200 }) });
    try {
      const err = (await origin.streamTarball('o', 'r', c1.sha, () => undefined).catch((e: unknown) => e)) as GitHubApiError;
      expect(err).toBeInstanceOf(GitHubApiError);
      expect(err.status).toBeNull();
      expect(err.message).toMatch(/GitHub stopped sending for 200 ms after 10 bytes$/);
      expect(gh.requests.filter((q) => q.path.startsWith('/codeload/'))).toHaveLength(1);
    } finally {
      await origin.close();
    }
  });

  it('a download host that never answers fails at the connect bound', async () => {
    gh.state.codeloadFault = { kind: 'hang' };
    const origin = new GitHubOriginClient({ baseUrl: gh.url, http: new HttpClient({ retries: 2, connectTimeoutMs: 200 }) });
    try {
      await expect(origin.streamTarball('o', 'r', c1.sha, () => undefined)).rejects.toThrow(/GitHub did not answer within 200 ms$/);
    } finally {
      await origin.close();
    }
  });

  it('downloads a commit\'s tarball once and reads it from disk afterwards; eviction waits for readers', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'mw-tarcache-'));
    // Room for one tarball (the two are about the same size): reading the second evicts the first.
    const probe = new FileCache();
    await new GitHubOriginClient({ baseUrl: gh.url, files: probe }).streamTarball('o', 'r', c1.sha, () => undefined);
    const room = probe.cachedBytes + 50;
    await probe.close();
    gh.requests.length = 0;
    const files = new FileCache({ dir, maxBytes: room });
    const origin = new GitHubOriginClient({ baseUrl: gh.url, files });
    try {
      const paths = async (sha: string) => {
        const out: string[] = [];
        await origin.streamTarball('o', 'r', sha, (e: TarEntry) => void (e.type === 'file' && out.push(e.path)));
        return out.sort();
      };
      expect(await paths(c1.sha)).toEqual(['a.go', 'go.mod']);
      expect(await paths(c1.sha)).toEqual(['a.go', 'go.mod']);
      const codeload = () => gh.requests.filter((q) => q.path.startsWith('/codeload/')).map((q) => q.path);
      expect(codeload()).toEqual([`/codeload/o/r/legacy.tar.gz/${c1.sha}`]);
      // Two readers at once: the second tarball evicts the first while it is being read.
      const [a, b] = await Promise.all([paths(c1.sha), paths(c2.sha)]);
      expect(a).toEqual(['a.go', 'go.mod']);
      expect(b).toEqual(['b.go', 'go.mod']);
      await new Promise((r) => setTimeout(r, 20));
      expect(files.cachedBytes).toBeLessThanOrEqual(room);
      expect((await readdir(dir)).length).toBeLessThanOrEqual(1);
    } finally {
      await files.close();
      await rm(dir, { recursive: true, force: true });
    }
  });
});

import { Readable } from 'node:stream';
import { randomBytes } from 'node:crypto';
import { createHash } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import tar from 'tar-stream';
import { readTarGz, TarballFormatError, TarballTooLargeError, type TarEntry } from '../../../src/sources/tarball.js';
import { buildTarball, makeCommit } from '../../helpers/github-server.js';

const sha256 = (s: string | Buffer) => createHash('sha256').update(s).digest('hex');

async function tarGz(entries: Array<{ header: Parameters<ReturnType<typeof tar.pack>['entry']>[0]; body?: string | Buffer }>): Promise<Buffer> {
  const pack = tar.pack();
  for (const e of entries) {
    if (e.body === undefined) pack.entry(e.header);
    else pack.entry(e.header, e.body);
  }
  pack.finalize();
  const chunks: Buffer[] = [];
  for await (const c of pack) chunks.push(c as Buffer);
  return gzipSync(Buffer.concat(chunks));
}

async function readAll(buf: Buffer, opts: Partial<Parameters<typeof readTarGz>[1]> = {}) {
  const entries: TarEntry[] = [];
  const summary = await readTarGz(Readable.from([buf]), { maxBytes: 10 << 20, keepContent: () => true, ...opts }, (e) => entries.push(e));
  return { entries, summary };
}

describe('readTarGz', () => {
  it('reads a GitHub-style tarball: pax global header, top directory stripped, symlinks non-regular', async () => {
    const commit = makeCommit({ 'go.mod': 'module github.com/o/r\n', 'a/b.go': 'package a\n', 'link.go': { symlink: 'a/b.go' } }, '2024-01-02T03:04:05Z');
    const { entries, summary } = await readAll(await buildTarball(`o-r-${commit.sha.slice(0, 7)}`, commit));
    expect(summary.topDir).toBe(`o-r-${commit.sha.slice(0, 7)}`);
    const files = entries.filter((e) => e.type === 'file');
    expect(files.map((e) => e.path).sort()).toEqual(['a/b.go', 'go.mod']);
    expect(files.find((e) => e.path === 'a/b.go')).toMatchObject({ size: 10, sha256: sha256('package a\n'), content: Buffer.from('package a\n') });
    expect(entries.find((e) => e.path === 'link.go')).toEqual({ path: 'link.go', type: 'symlink', size: 0, sha256: '' });
    expect(entries.filter((e) => e.type === 'directory').map((e) => e.path)).toEqual(['a']);
  });

  it('handles names longer than 100 bytes (pax / ustar prefix)', async () => {
    const long = `${'d'.repeat(120)}/${'f'.repeat(90)}.go`;
    const { entries } = await readAll(await tarGz([{ header: { name: `top/${long}` }, body: 'x' }]));
    expect(entries).toEqual([{ path: long, type: 'file', size: 1, sha256: sha256('x'), content: Buffer.from('x') }]);
  });

  it('keeps content only when asked', async () => {
    const { entries } = await readAll(await tarGz([{ header: { name: 't/a' }, body: 'aaa' }, { header: { name: 't/b' }, body: 'bbbb' }]), {
      keepContent: (p) => p === 'a',
    });
    expect(entries[0].content?.toString()).toBe('aaa');
    expect(entries[1].content).toBeUndefined();
    expect(entries[1].sha256).toBe(sha256('bbbb'));
  });

  it('stops at the compressed byte cap', async () => {
    const big = await tarGz([{ header: { name: 't/big' }, body: randomBytes(300_000) }]);
    await expect(readAll(big, { maxBytes: 100_000 })).rejects.toBeInstanceOf(TarballTooLargeError);
  });

  it('stops a gzip bomb at the uncompressed cap', async () => {
    const bomb = await tarGz([{ header: { name: 't/zeros' }, body: Buffer.alloc(5_000_000) }]);
    expect(bomb.length).toBeLessThan(100_000);
    await expect(readAll(bomb, { maxUncompressedBytes: 1_000_000 })).rejects.toThrow(/uncompressed bytes/);
  });

  it('rejects entries outside the single top directory and unsafe names', async () => {
    await expect(readAll(await tarGz([{ header: { name: 't/a' }, body: '1' }, { header: { name: 'u/b' }, body: '2' }]))).rejects.toThrow(
      /"u\/b" is not under the top-level directory "t\/"/,
    );
    await expect(readAll(await tarGz([{ header: { name: 't/../etc/passwd' }, body: '1' }]))).rejects.toBeInstanceOf(TarballFormatError);
    await expect(readAll(await tarGz([{ header: { name: 'rootfile' }, body: '1' }]))).rejects.toThrow(/outside the top-level directory/);
  });

  it('reports a corrupt archive as a format error', async () => {
    await expect(readAll(Buffer.from('this is not gzip'))).rejects.toBeInstanceOf(TarballFormatError);
    const truncated = (await tarGz([{ header: { name: 't/a' }, body: randomBytes(20_000) }])).subarray(0, 5_000);
    await expect(readAll(truncated)).rejects.toBeInstanceOf(TarballFormatError);
  });
});

import {
  GitHubApiError,
  GitHubOriginClient,
  RateLimitedError,
  RedirectNotAllowedError,
  RepoNotFoundError,
  githubRepoFromUrl,
  resolveGitHubLocation,
  tagForVersion,
} from '../../../src/sources/github/origin.js';
import { HttpClient } from '../../../src/sources/http.js';
import { gitBlobSha, makeRepo, startGitHubServer, type GitHubServer } from '../../helpers/github-server.js';

describe('resolveGitHubLocation', () => {
  it('maps github.com paths to owner/repo, sub-directory and major version', () => {
    expect(resolveGitHubLocation('github.com/boltdb/bolt')).toEqual({
      ok: true,
      location: { owner: 'boltdb', repo: 'bolt', codeDir: '', pathMajor: '', via: 'module-path' },
    });
    expect(resolveGitHubLocation('github.com/o/r/sub/dir')).toMatchObject({ ok: true, location: { codeDir: 'sub/dir', pathMajor: '' } });
    expect(resolveGitHubLocation('github.com/o/r/v2')).toMatchObject({ ok: true, location: { owner: 'o', repo: 'r', codeDir: '', pathMajor: 'v2' } });
    expect(resolveGitHubLocation('github.com/o/r/sub/v3')).toMatchObject({ ok: true, location: { codeDir: 'sub', pathMajor: 'v3' } });
  });

  it('uses an https://github.com Origin URL for other hosts, and nothing else', () => {
    expect(resolveGitHubLocation('go.uber.org/zap', { VCS: 'git', URL: 'https://github.com/uber-go/zap' })).toEqual({
      ok: true,
      location: { owner: 'uber-go', repo: 'zap', codeDir: '', pathMajor: '', via: 'proxy-origin' },
    });
    expect(resolveGitHubLocation('example.com/m/v2', { URL: 'https://github.com/ex/m.git', Subdir: 'pkg' })).toMatchObject({
      ok: true,
      location: { owner: 'ex', repo: 'm', codeDir: 'pkg', pathMajor: 'v2' },
    });
    const gitlab = resolveGitHubLocation('gitlab.com/g/p', { URL: 'https://gitlab.com/g/p' });
    expect(gitlab).toMatchObject({ ok: false });
    expect(!gitlab.ok && gitlab.reason).toMatch(/gitlab\.com, not github\.com.*no resolver/);
    expect(resolveGitHubLocation('go.example.com/x')).toMatchObject({ ok: false });
    expect(resolveGitHubLocation('go.example.com/x', { URL: 'http://github.com/o/r' })).toMatchObject({ ok: false });
    expect(resolveGitHubLocation('go.example.com/x', { URL: 'https://github.com.evil.example/o/r' })).toMatchObject({ ok: false });
    expect(resolveGitHubLocation('go.example.com/x', { URL: 'https://github.com/o/r', Subdir: '../etc' })).toMatchObject({ ok: false });
    expect(resolveGitHubLocation('github.com/o/r.git')).toMatchObject({ ok: false });
  });

  it('maps gopkg.in paths to GitHub the way gopkg.in redirects', () => {
    expect(resolveGitHubLocation('gopkg.in/yaml.v3')).toEqual({
      ok: true,
      location: { owner: 'go-yaml', repo: 'yaml', codeDir: '', pathMajor: '', via: 'gopkg.in' },
    });
    expect(resolveGitHubLocation('gopkg.in/src-d/go-git.v4')).toMatchObject({ ok: true, location: { owner: 'src-d', repo: 'go-git' } });
    // An Origin URL on GitHub wins over the fixed mapping.
    expect(resolveGitHubLocation('gopkg.in/check.v1', { URL: 'https://github.com/go-check/check' })).toMatchObject({
      ok: true,
      location: { owner: 'go-check', repo: 'check', via: 'proxy-origin' },
    });
  });

  it('parses only plain GitHub repository URLs', () => {
    expect(githubRepoFromUrl('https://github.com/a/b')).toEqual({ owner: 'a', repo: 'b' });
    expect(githubRepoFromUrl('https://github.com/a/b.git')).toEqual({ owner: 'a', repo: 'b' });
    expect(githubRepoFromUrl('https://github.com/a/b/tree/main')).toBeNull();
    expect(githubRepoFromUrl('https://user@github.com/a/b')).toBeNull();
    expect(githubRepoFromUrl('not a url')).toBeNull();
  });

  it('names the tag Go reads for a version', () => {
    expect(tagForVersion('', 'v1.3.1')).toBe('v1.3.1');
    expect(tagForVersion('sub/dir', 'v1.2.3')).toBe('sub/dir/v1.2.3');
    expect(tagForVersion('', 'v4.1.2+incompatible')).toBe('v4.1.2');
  });
});

describe('GitHubOriginClient against the fake GitHub API', () => {
  let gh: GitHubServer;
  const c1 = makeCommit({ 'go.mod': 'module github.com/o/r\n', 'a.go': 'package a\n' }, '2024-01-01T00:00:00Z', 'first');
  const c2 = makeCommit({ 'go.mod': 'module github.com/o/r\n', 'a.go': 'package a // v2\n' }, '2024-02-01T00:00:00Z', 'second');
  const tagObj = 'a'.repeat(40);

  beforeEach(async () => {
    const repo = makeRepo('o', 'r', [c1, c2], 4242);
    repo.tags['v1.0.0'] = { commit: c1.sha };
    repo.tags['v1.1.0'] = { commit: c2.sha, annotated: { sha: tagObj, taggerDate: '2024-02-02T00:00:00Z' } };
    repo.tags['sub/dir/v0.1.0'] = { commit: c2.sha };
    gh = await startGitHubServer({ repos: { 'o/r': repo } });
  });
  afterEach(() => gh.close());

  const client = (opts: ConstructorParameters<typeof GitHubOriginClient>[0] = {}) =>
    new GitHubOriginClient({ baseUrl: gh.url, http: new HttpClient({ backoffBaseMs: 1 }), ...opts });

  it('resolves lightweight and annotated tags to their commit', async () => {
    const c = client();
    expect(await c.resolveTag('o', 'r', 'v1.0.0')).toEqual({ tag: 'v1.0.0', commit: c1.sha, annotated: false });
    expect(await c.resolveTag('o', 'r', 'v1.1.0')).toEqual({
      tag: 'v1.1.0',
      commit: c2.sha,
      annotated: true,
      tagObject: tagObj,
      taggerDate: '2024-02-02T00:00:00Z',
    });
    expect(await c.resolveTag('o', 'r', 'sub/dir/v0.1.0')).toMatchObject({ commit: c2.sha });
    expect(await c.resolveTag('o', 'r', 'v9.9.9')).toBeNull();
    expect(gh.requests.map((r) => r.path)).toContain(`/repos/o/r/git/tags/${tagObj}`);
    expect(gh.requests.map((r) => r.path)).toContain('/repos/o/r/git/ref/tags/sub/dir/v0.1.0');
  });

  it('sees a moved tag on the next lookup', async () => {
    const c = client();
    expect((await c.resolveTag('o', 'r', 'v1.0.0'))?.commit).toBe(c1.sha);
    gh.state.repos['o/r'].tags['v1.0.0'] = { commit: c2.sha };
    expect((await c.resolveTag('o', 'r', 'v1.0.0'))?.commit).toBe(c2.sha);
  });

  it('reads commits by full sha and by a 12-hex pseudo-version revision', async () => {
    const c = client();
    expect(await c.getCommit('o', 'r', c1.sha)).toEqual({ sha: c1.sha, committerDate: '2024-01-01T00:00:00Z', authorDate: '2024-01-01T00:00:00Z' });
    expect(await c.getCommit('o', 'r', 'f'.repeat(40))).toBeNull();
    expect((await c.findCommit('o', 'r', c2.sha.slice(0, 12)))?.sha).toBe(c2.sha);
    expect(await c.findCommit('o', 'r', '0123456789ab')).toBeNull();
    await expect(c.getCommit('o', 'r', '../../x')).rejects.toBeInstanceOf(GitHubApiError);
  });

  it('lists a commit\'s git tree with blob ids', async () => {
    const t = await client().getTree('o', 'r', c1.sha);
    expect(t?.truncated).toBe(false);
    expect(t?.entries.find((e) => e.path === 'a.go')).toEqual({ path: 'a.go', mode: '100644', type: 'blob', sha: gitBlobSha('package a\n'), size: 10 });
    expect(gitBlobSha('')).toBe('e69de29bb2d1d6434b8b29ae775ad8c2e48c5391');
    expect(await client().getTree('o', 'r', 'f'.repeat(40))).toBeNull();
  });

  it('follows a rename (301 to /repositories/{id}) and reports the new name', async () => {
    gh.state.renames['old-owner/old-name'] = 'o/r';
    const c = client();
    expect(await c.getRepo('old-owner', 'old-name')).toMatchObject({ fullName: 'o/r', owner: 'o', repo: 'r', movedFrom: 'old-owner/old-name' });
    expect((await c.resolveTag('old-owner', 'old-name', 'v1.0.0'))?.commit).toBe(c1.sha);
    expect(gh.requests.some((r) => r.path === '/repositories/4242/git/ref/tags/v1.0.0')).toBe(true);
  });

  it('reports a deleted repository', async () => {
    delete gh.state.repos['o/r'];
    await expect(client().getRepo('o', 'r')).rejects.toBeInstanceOf(RepoNotFoundError);
  });

  it('sends the token to the API and sees private repositories with it', async () => {
    gh.state.repos['o/r'].private = true;
    gh.state.token = 's3cret';
    await expect(client().getRepo('o', 'r')).rejects.toBeInstanceOf(RepoNotFoundError);
    expect(await client({ token: 's3cret' }).getRepo('o', 'r')).toMatchObject({ private: true });
    expect(gh.requests.at(-1)?.authorization).toBe('Bearer s3cret');
  });

  it('turns a primary rate limit (403, remaining 0) into RateLimitedError with the reset time', async () => {
    const reset = Math.floor(Date.now() / 1000) + 1800;
    gh.state.rateLimit = { status: 403, resetEpochSeconds: reset };
    const err = await client().resolveTag('o', 'r', 'v1.0.0').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RateLimitedError);
    expect((err as RateLimitedError).resetAt.getTime()).toBe(reset * 1000);
    expect((err as RateLimitedError).status).toBe(403);
  });

  it('turns a secondary rate limit (429, retry-after) into RateLimitedError', async () => {
    gh.state.rateLimit = { status: 429, retryAfterSeconds: 120 };
    const before = Date.now();
    const err = (await client().getRepo('o', 'r').catch((e: unknown) => e)) as RateLimitedError;
    expect(err).toBeInstanceOf(RateLimitedError);
    expect(err.resetAt.getTime()).toBeGreaterThanOrEqual(before + 119_000);
    expect(err.message).toMatch(/rate limit/);
  });

  it('does not mistake a plain 403 for a rate limit', async () => {
    gh.state.faults = [{ match: /git\/ref/, status: 403, body: JSON.stringify({ message: 'Resource not accessible by integration' }) }];
    const err = await client().resolveTag('o', 'r', 'v1.0.0').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(GitHubApiError);
    expect(err).not.toBeInstanceOf(RateLimitedError);
    expect((err as Error).message).toMatch(/403.*Resource not accessible/);
  });

  it('retries a 5xx once and then succeeds', async () => {
    gh.state.faults = [{ match: /git\/ref/, status: 502, times: 1 }];
    expect((await client().resolveTag('o', 'r', 'v1.0.0'))?.commit).toBe(c1.sha);
  });

  it('streams the tarball through the codeload redirect, stripping the top directory', async () => {
    const entries: TarEntry[] = [];
    const summary = await client().streamTarball('o', 'r', c2.sha, (e) => entries.push(e), { keepContent: (p) => p === 'a.go' });
    expect(summary.topDir).toBe(`o-r-${c2.sha.slice(0, 7)}`);
    expect(entries.map((e) => e.path).sort()).toEqual(['a.go', 'go.mod']);
    expect(entries.find((e) => e.path === 'a.go')?.content?.toString()).toBe('package a // v2\n');
    expect(gh.requests.map((r) => r.path)).toEqual([`/repos/o/r/tarball/${c2.sha}`, `/codeload/o/r/legacy.tar.gz/${c2.sha}`]);
  });

  it('refuses a tarball redirect to a host that is not allowed', async () => {
    gh.state.tarballRedirectBase = 'http://127.0.0.2:9';
    await expect(client().streamTarball('o', 'r', c2.sha, () => undefined)).rejects.toBeInstanceOf(RedirectNotAllowedError);
    expect(gh.requests).toHaveLength(1);
  });

  it('follows a tarball redirect to an allowed download host without sending it the token', async () => {
    const download = await startGitHubServer({ repos: gh.state.repos });
    try {
      gh.state.tarballRedirectBase = download.url;
      const c = client({ token: 'tok', allowedRedirectHosts: [new URL(download.url).host] });
      const entries: TarEntry[] = [];
      await c.streamTarball('o', 'r', c1.sha, (e) => entries.push(e));
      expect(entries.map((e) => e.path).sort()).toEqual(['a.go', 'go.mod']);
      expect(gh.requests[0].authorization).toBe('Bearer tok');
      expect(download.requests).toEqual([{ method: 'GET', path: `/codeload/o/r/legacy.tar.gz/${c1.sha}`, authorization: undefined }]);
    } finally {
      await download.close();
    }
  });

  it('refuses an API redirect that leaves the API host', async () => {
    gh.state.faults = [{ match: /git\/ref/, status: 301, headers: { location: 'http://127.0.0.2:9/repositories/1/git/ref/tags/v1.0.0' }, body: '{}' }];
    await expect(client().resolveTag('o', 'r', 'v1.0.0')).rejects.toBeInstanceOf(RedirectNotAllowedError);
  });

  it('stops a tarball larger than the cap', async () => {
    const big = makeCommit({ 'blob.bin': randomBytes(400_000) }, '2024-03-01T00:00:00Z');
    gh.state.repos['o/r'].commits[big.sha] = big;
    await expect(client({ maxTarballBytes: 100_000 }).streamTarball('o', 'r', big.sha, () => undefined)).rejects.toBeInstanceOf(
      TarballTooLargeError,
    );
  });

  it('reports a network failure as a GitHubApiError, not a crash', async () => {
    const c = new GitHubOriginClient({ baseUrl: 'http://127.0.0.1:9', http: new HttpClient({ retries: 0 }) });
    await expect(c.getRepo('o', 'r')).rejects.toThrow(/GitHub API request .* failed/);
  });
});

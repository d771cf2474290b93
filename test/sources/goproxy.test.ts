import { readFile, stat, mkdtemp, rm, mkdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { readGoEnv } from '../../src/sources/goenv.js';
import {
  DirectModeError,
  GoProxyClient,
  ModuleNotFoundError,
  PrivateModuleError,
  ProxyBlockedError,
  ProxyError,
  ProxyOffError,
  RateLimitedError,
  encodeUrlPath,
  parseVersionList,
} from '../../src/sources/goproxy.js';
import { HttpClient } from '../../src/sources/http.js';
import { FileCache } from '../../src/sources/file-cache.js';
import { buildModuleZip } from '../helpers/module-zip.js';
import {
  startGoProxyServer,
  startGoProxyServerFromDir,
  type FixtureModule,
  type GoProxyServer,
} from '../helpers/goproxy-server.js';

const AZURE = 'github.com/Azure/azure-sdk-for-go';
const fixtures: FixtureModule[] = [
  { path: 'example.com/m', version: 'v1.0.0', files: { 'go.mod': 'module example.com/m\n\ngo 1.13\n', 'm.go': 'package m\n' } },
  { path: 'example.com/m', version: 'v1.1.0', files: { 'go.mod': 'module example.com/m\n', 'm.go': 'package m // 1.1\n' } },
  { path: 'example.com/m', version: 'v1.2.0-rc.1', files: { 'go.mod': 'module example.com/m\n' } },
  {
    path: 'example.com/m',
    version: 'v0.0.0-20200101000000-abcdefabcdef',
    files: { 'go.mod': 'module example.com/m\n' },
  },
  {
    path: AZURE,
    version: 'v1.0.0-RC1',
    files: { 'go.mod': `module ${AZURE}\n`, 'a.go': 'package a\n' },
    info: {
      Time: '2021-02-03T04:05:06Z',
      Origin: { VCS: 'git', URL: 'https://github.com/Azure/azure-sdk-for-go', Ref: 'refs/tags/v1.0.0-RC1', Hash: 'a'.repeat(40) },
    },
  },
  { path: 'example.com/nogomod', version: 'v1.0.0', files: { 'x.go': 'package x\n' } },
  {
    path: 'example.com/evil',
    version: 'v1.0.0',
    files: { 'go.mod': 'module example.com/evil\n' },
    blocked: 'This module version is blocked for security reasons: known malicious code.',
  },
];

function client(proxy: string, extraEnv: Record<string, string> = {}, http = new HttpClient({ retries: 0, backoffBaseMs: 1 })) {
  return new GoProxyClient({ env: readGoEnv({ GOPROXY: proxy, ...extraEnv }), http });
}

describe('GoProxyClient against the fixture proxy', () => {
  let server: GoProxyServer;
  let c: GoProxyClient;
  beforeAll(async () => {
    server = await startGoProxyServer({ modules: fixtures });
  });
  afterAll(async () => {
    await server.close();
  });
  beforeEach(() => {
    server.requests.length = 0;
    server.rawRequests.length = 0;
    c = client(server.url);
  });
  afterEach(async () => {
    await c.close();
  });

  it('lists versions sorted, without pseudo-versions', async () => {
    expect(await c.list('example.com/m')).toEqual(['v1.0.0', 'v1.1.0', 'v1.2.0-rc.1']);
    expect(server.requests).toEqual(['/example.com/m/@v/list']);
  });

  it('escapes uppercase letters in paths and versions and returns Origin', async () => {
    const info = await c.info(AZURE, 'v1.0.0-RC1');
    expect(server.requests).toEqual(['/github.com/!azure/azure-sdk-for-go/@v/v1.0.0-!r!c1.info']);
    // On the wire exactly as cmd/go sends it (go1.19.8 was observed requesting %21 for "!").
    expect(server.rawRequests).toEqual(['/github.com/%21azure/azure-sdk-for-go/@v/v1.0.0-%21r%21c1.info']);
    expect(info).toEqual({
      Version: 'v1.0.0-RC1',
      Time: '2021-02-03T04:05:06Z',
      Origin: { VCS: 'git', URL: 'https://github.com/Azure/azure-sdk-for-go', Ref: 'refs/tags/v1.0.0-RC1', Hash: 'a'.repeat(40) },
      source: server.url,
    });
    expect(await c.list(AZURE)).toEqual(['v1.0.0-RC1']);
  });

  it('reads .mod byte-exact and the synthetic go.mod of a module without one', async () => {
    expect((await c.mod('example.com/m', 'v1.0.0')).toString()).toBe('module example.com/m\n\ngo 1.13\n');
    expect((await c.mod('example.com/nogomod', 'v1.0.0')).toString()).toBe('module example.com/nogomod\n');
  });

  it('downloads the zip to a temp file with the exact served bytes', async () => {
    const z = await c.zip('example.com/m', 'v1.1.0');
    const expected = await buildModuleZip('example.com/m', 'v1.1.0', fixtures[1]!.files);
    expect(z.size).toBe(expected.length);
    expect(await readFile(z.file)).toEqual(expected);
    expect(z.source).toBe(server.url);
    await c.close();
    await expect(stat(z.file)).rejects.toThrow();
  });

  it('serves @latest as the highest release', async () => {
    const latest = await c.latest('example.com/m');
    expect(latest.Version).toBe('v1.1.0');
  });

  it('falls back to the list when the proxy has no @latest', async () => {
    const s = await startGoProxyServer({ modules: fixtures, latest: false });
    const c2 = client(s.url);
    try {
      expect((await c2.latest('example.com/m')).Version).toBe('v1.1.0');
      expect(s.requests).toEqual(['/example.com/m/@latest', '/example.com/m/@v/list', '/example.com/m/@v/v1.1.0.info']);
    } finally {
      await s.close();
      await c2.close();
    }
  });

  it('maps 404 to ModuleNotFoundError naming module, version and URL', async () => {
    const err = await c.info('example.com/m', 'v9.9.9').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ModuleNotFoundError);
    expect((err as ProxyError).kind).toBe('not-found');
    expect((err as Error).message).toContain('example.com/m@v9.9.9');
    expect((err as Error).message).toContain(`${server.url}/example.com/m/@v/v9.9.9.info: 404`);
    await expect(c.list('example.com/unknown')).rejects.toBeInstanceOf(ModuleNotFoundError);
  });

  it('maps a 403 saying the module is malicious to ProxyBlockedError with the reason', async () => {
    const err = (await c.zip('example.com/evil', 'v1.0.0').catch((e: unknown) => e)) as ProxyBlockedError;
    expect(err).toBeInstanceOf(ProxyBlockedError);
    expect(err.kind).toBe('blocked');
    expect(err.reason).toContain('known malicious code');
  });

  it('rejects .mod/.zip requests for non-canonical versions and invalid paths without any request', async () => {
    await expect(c.mod('example.com/m', 'v1.0')).rejects.toMatchObject({ kind: 'invalid-request' });
    await expect(c.zip('example.com/m', 'master')).rejects.toMatchObject({ kind: 'invalid-request' });
    await expect(c.info('Example.com/m', 'v1.0.0')).rejects.toMatchObject({ kind: 'invalid-request' });
    expect(server.requests).toEqual([]);
  });

  it('caches .mod, .zip and canonical .info; list is re-read', async () => {
    await c.mod('example.com/m', 'v1.0.0');
    await c.mod('example.com/m', 'v1.0.0');
    const z1 = await c.zip('example.com/m', 'v1.0.0');
    const z2 = await c.zip('example.com/m', 'v1.0.0');
    await c.info('example.com/m', 'v1.0.0');
    await c.info('example.com/m', 'v1.0.0');
    await c.list('example.com/m');
    await c.list('example.com/m');
    expect(z2.file).toBe(z1.file);
    expect(server.requests).toEqual([
      '/example.com/m/@v/v1.0.0.mod',
      '/example.com/m/@v/v1.0.0.zip',
      '/example.com/m/@v/v1.0.0.info',
      '/example.com/m/@v/list',
      '/example.com/m/@v/list',
    ]);
  });

  it('keeps a leased zip on disk after eviction until it is released, and re-downloads it afterwards', async () => {
    const z1 = await buildModuleZip('example.com/m', 'v1.0.0', fixtures[0]!.files);
    // Room for one zip: the second evicts the first.
    const files = new FileCache({ maxBytes: z1.length + 10 });
    const small = new GoProxyClient({ env: readGoEnv({ GOPROXY: server.url }), http: new HttpClient({ retries: 0 }), files });
    try {
      const first = await small.zip('example.com/m', 'v1.0.0');
      await small.withZip('example.com/m', 'v1.1.0', async (z) => expect((await stat(z.file)).size).toBe(z.size));
      await new Promise((r) => setImmediate(r));
      expect(files.cachedBytes).toBeLessThanOrEqual(files.maxBytes);
      // Evicted, but still leased: a read in progress keeps its file.
      expect((await stat(first.file)).size).toBe(first.size);
      first.release();
      await new Promise((r) => setTimeout(r, 20));
      await expect(stat(first.file)).rejects.toThrow();
      const again = await small.zip('example.com/m', 'v1.0.0');
      expect((await stat(again.file)).size).toBe(again.size);
      again.release();
      expect(server.requests.filter((u) => u === '/example.com/m/@v/v1.0.0.zip')).toHaveLength(2);
    } finally {
      await small.close();
      await files.close();
    }
  });

  it('de-duplicates concurrent requests for the same module@version', async () => {
    const slow = await startGoProxyServer({ modules: fixtures, latencyMs: 50 });
    const c2 = client(slow.url);
    try {
      const zips = await Promise.all(Array.from({ length: 10 }, () => c2.zip('example.com/m', 'v1.1.0')));
      const infos = await Promise.all(Array.from({ length: 5 }, () => c2.info('example.com/m', 'v1.1.0')));
      expect(new Set(zips.map((z) => z.file)).size).toBe(1);
      expect(infos.every((i) => i.Version === 'v1.1.0')).toBe(true);
      expect(slow.requests).toEqual(['/example.com/m/@v/v1.1.0.zip', '/example.com/m/@v/v1.1.0.info']);
    } finally {
      await slow.close();
      await c2.close();
    }
  });

  it('does not cache failures', async () => {
    let fail = true;
    const flaky = await startGoProxyServer({
      modules: fixtures,
      faults: () => (fail ? { kind: 'status', status: 404, body: 'not found: temporarily' } : undefined),
    });
    const c2 = client(flaky.url);
    try {
      await expect(c2.mod('example.com/m', 'v1.0.0')).rejects.toBeInstanceOf(ModuleNotFoundError);
      fail = false;
      expect((await c2.mod('example.com/m', 'v1.0.0')).toString()).toContain('module example.com/m');
    } finally {
      await flaky.close();
      await c2.close();
    }
  });
});

describe('.info validation', () => {
  it('rejects an answer for another version than the canonical one asked for', async () => {
    const s = await startGoProxyServer({
      modules: [{ path: 'example.com/m', version: 'v1.0.0', files: {}, info: {} }],
      faults: (r) =>
        r.endpoint === 'info' ? { kind: 'status', status: 200, body: '{"Version":"v1.0.1","Time":"2020-01-01T00:00:00Z"}' } : undefined,
    });
    const c = client(s.url);
    try {
      const err = (await c.info('example.com/m', 'v1.0.0').catch((e: unknown) => e)) as ProxyError;
      expect(err.kind).toBe('bad-response');
      expect(err.message).toContain('returned info for version v1.0.1 instead of requested version');
      // A non-canonical query (branch name) may resolve to any version.
      expect((await c.info('example.com/m', 'master')).Version).toBe('v1.0.1');
    } finally {
      await s.close();
      await c.close();
    }
  });

  it.each([
    ['not json', 'not JSON'],
    ['[1]', 'not a JSON object'],
    ['{"Time":"2020-01-01T00:00:00Z"}', '"Version" must be a canonical version'],
    ['{"Version":"v1.0"}', '"Version" must be a canonical version'],
    ['{"Version":"v1.0.0","Time":"yesterday"}', '"Time" must be an RFC 3339 time'],
    ['{"Version":"v1.0.0","Origin":"git"}', '"Origin" must be an object'],
    ['{"Version":"v1.0.0","Origin":{"Hash":42}}', '"Origin.Hash" must be a string'],
  ])('rejects malformed .info %s', async (body, why) => {
    const s = await startGoProxyServer({
      modules: [{ path: 'example.com/m', version: 'v1.0.0', files: {} }],
      faults: () => ({ kind: 'status', status: 200, body }),
    });
    const c = client(s.url);
    try {
      await expect(c.info('example.com/m', 'v1.0.0')).rejects.toThrow(why);
    } finally {
      await s.close();
      await c.close();
    }
  });
});

describe('GOPROXY list walking', () => {
  let a: GoProxyServer;
  let b: GoProxyServer;
  let aStatus = 404;
  beforeAll(async () => {
    a = await startGoProxyServer({
      modules: [{ path: 'example.com/onlya', version: 'v1.0.0', files: { 'go.mod': 'module example.com/onlya\n' } }],
      faults: (r) => (r.module === 'example.com/m' ? { kind: 'status', status: aStatus, body: `status ${aStatus}` } : undefined),
    });
    b = await startGoProxyServer({ modules: fixtures });
  });
  afterAll(async () => {
    await a.close();
    await b.close();
  });
  beforeEach(() => {
    a.requests.length = 0;
    b.requests.length = 0;
  });

  it.each([404, 410])('after "," a %d falls through to the next proxy', async (status) => {
    aStatus = status;
    const c = client(`${a.url},${b.url}`);
    const info = await c.info('example.com/m', 'v1.0.0');
    expect(info.source).toBe(b.url);
    expect(a.requests).toHaveLength(1);
    expect(b.requests).toHaveLength(1);
  });

  it.each([500, 403, 429])('after "," a %d stops the walk', async (status) => {
    aStatus = status;
    const c = client(`${a.url},${b.url}`);
    const err = (await c.info('example.com/m', 'v1.0.0').catch((e: unknown) => e)) as ProxyError;
    expect(err).toBeInstanceOf(ProxyError);
    expect(err.message).toContain(`: ${status}`);
    expect(b.requests).toHaveLength(0);
  });

  it('after "|" any error falls through, including connection failures', async () => {
    aStatus = 500;
    const c = client(`${a.url}|${b.url}`);
    expect((await c.info('example.com/m', 'v1.0.0')).source).toBe(b.url);
    const dead = client(`http://127.0.0.1:1|${b.url}`);
    expect((await dead.mod('example.com/m', 'v1.0.0')).toString()).toContain('module example.com/m');
  });

  it('the first proxy that has the module wins', async () => {
    const c = client(`${a.url},${b.url}`);
    expect((await c.mod('example.com/onlya', 'v1.0.0')).toString()).toBe('module example.com/onlya\n');
    expect(b.requests).toHaveLength(0);
  });

  it('prefers a real proxy error over not-found when every proxy fails', async () => {
    aStatus = 500;
    const c = client(`${a.url}|${b.url}`);
    const err = (await c.info('example.com/m', 'v7.0.0').catch((e: unknown) => e)) as ProxyError;
    expect(err.kind).toBe('unavailable');
    expect(err.message).toContain(a.url);
  });

  it('reaching "direct" gives DirectModeError (unverifiable), mentioning what failed before', async () => {
    const c = client(`${b.url},direct`);
    const err = (await c.info('example.com/missing', 'v1.0.0').catch((e: unknown) => e)) as DirectModeError;
    expect(err).toBeInstanceOf(DirectModeError);
    expect(err.kind).toBe('direct');
    expect(err.message).toContain('not found on');
    expect(err.message).toContain('fetching from version control is not supported');
    await expect(client('direct').list('example.com/m')).rejects.toBeInstanceOf(DirectModeError);
  });

  it('"off" refuses lookups without any request', async () => {
    const c = client('off');
    await expect(c.list('example.com/m')).rejects.toThrow('module lookup disabled by GOPROXY=off');
    await expect(c.zip('example.com/m', 'v1.0.0')).rejects.toBeInstanceOf(ProxyOffError);
    // "off" after a proxy that lacks the module: Go ranks the "off" error above "not found".
    await expect(client(`${b.url},off`).mod('example.com/none', 'v1.0.0')).rejects.toBeInstanceOf(ProxyOffError);
    expect(b.requests).toEqual(['/example.com/none/@v/v1.0.0.mod']);
  });

  it('never sends private modules to a proxy (GOPRIVATE, GONOPROXY)', async () => {
    const c = client(b.url, { GOPRIVATE: '*.corp.example.com,example.com/m' });
    const err = (await c.zip('example.com/m', 'v1.0.0').catch((e: unknown) => e)) as PrivateModuleError;
    expect(err).toBeInstanceOf(PrivateModuleError);
    expect(err.reason).toBe('matches GOPRIVATE=*.corp.example.com,example.com/m');
    await expect(c.info('git.corp.example.com/team/x', 'v1.0.0')).rejects.toBeInstanceOf(PrivateModuleError);
    const c2 = client(b.url, { GOPRIVATE: 'example.com', GONOPROXY: 'none' });
    expect((await c2.mod('example.com/m', 'v1.0.0')).length).toBeGreaterThan(0);
    const c3 = client(b.url, { GONOPROXY: 'example.com/m' });
    await expect(c3.list('example.com/m/sub')).rejects.toMatchObject({ reason: 'matches GONOPROXY=example.com/m' });
    expect(b.requests).toEqual(['/example.com/m/@v/v1.0.0.mod']);
  });
});

describe('rate limits and blocks', () => {
  it('429 and a rate-limit 403 are RateLimitedError; a bare 403 is "forbidden"', async () => {
    const s = await startGoProxyServer({
      modules: [],
      faults: (r) =>
        r.module === 'example.com/a'
          ? { kind: 'status', status: 429, body: 'Too Many Requests', headers: { 'retry-after': '30' } }
          : r.module === 'example.com/b'
            ? { kind: 'status', status: 403, body: 'rate limit exceeded for this client' }
            : { kind: 'status', status: 403, body: 'Forbidden' },
    });
    const c = client(s.url);
    try {
      const a = (await c.list('example.com/a').catch((e: unknown) => e)) as RateLimitedError;
      expect(a).toBeInstanceOf(RateLimitedError);
      expect(a.retryAfterSeconds).toBe(30);
      await expect(c.list('example.com/b')).rejects.toBeInstanceOf(RateLimitedError);
      const other = (await c.list('example.com/c').catch((e: unknown) => e)) as ProxyError;
      expect(other.kind).toBe('forbidden');
      expect(other).not.toBeInstanceOf(ProxyBlockedError);
    } finally {
      await s.close();
    }
  });
});

describe('faults from the fixture server', () => {
  it('a truncated zip is retried and the final file is complete', async () => {
    const s = await startGoProxyServer({
      modules: fixtures,
      faults: (r) => (r.endpoint === 'zip' && r.count === 1 ? { kind: 'truncate', bytes: 10 } : undefined),
    });
    const c = client(s.url, {}, new HttpClient({ retries: 2, backoffBaseMs: 1 }));
    try {
      const z = await c.zip('example.com/m', 'v1.0.0');
      expect(await readFile(z.file)).toEqual(await buildModuleZip('example.com/m', 'v1.0.0', fixtures[0]!.files));
      expect(s.requests).toHaveLength(2);
    } finally {
      await s.close();
      await c.close();
    }
  });

  it('a zip that is always cut short fails as unavailable and leaves no file behind', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'mw-zip-'));
    const s = await startGoProxyServer({ modules: fixtures, faults: () => ({ kind: 'truncate', bytes: 5 }) });
    const c = new GoProxyClient({ env: readGoEnv({ GOPROXY: s.url }), http: new HttpClient({ retries: 1, backoffBaseMs: 1 }), tmpDir: dir });
    try {
      const err = (await c.zip('example.com/m', 'v1.0.0').catch((e: unknown) => e)) as ProxyError;
      expect(err.kind).toBe('unavailable');
      expect(err.message).toMatch(/Content-Length|reading body|terminated/);
      const { readdir } = await import('node:fs/promises');
      expect(await readdir(dir)).toEqual([]);
    } finally {
      await s.close();
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('a zip over the cap is refused from its Content-Length, leaving no file', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'mw-zip-'));
    const s = await startGoProxyServer({ modules: fixtures });
    const c = new GoProxyClient({ env: readGoEnv({ GOPROXY: s.url }), http: new HttpClient({ retries: 0 }), tmpDir: dir, maxZipBytes: 100 });
    try {
      const err = (await c.zip('example.com/m', 'v1.0.0').catch((e: unknown) => e)) as ProxyError;
      expect(err.kind).toBe('bad-response');
      expect(err.message).toMatch(/response declares \d+ bytes, over the 100-byte limit/);
      const { readdir } = await import('node:fs/promises');
      expect(await readdir(dir)).toEqual([]);
    } finally {
      await s.close();
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('a proxy that accepts the connection and never answers the .zip fails within the connect bound, once', async () => {
    const s = await startGoProxyServer({ modules: fixtures, faults: (r) => (r.endpoint === 'zip' ? { kind: 'hang' } : undefined) });
    const c = new GoProxyClient({ env: readGoEnv({ GOPROXY: s.url }), http: new HttpClient({ retries: 2, connectTimeoutMs: 200 }) });
    try {
      const err = (await c.zip('example.com/m', 'v1.0.0').catch((e: unknown) => e)) as ProxyError;
      expect(err.kind).toBe('unavailable');
      expect(err.message).toBe(`example.com/m@v1.0.0: proxy ${s.url} did not answer within 200 ms (${s.url}/example.com/m/@v/v1.0.0.zip)`);
      expect(s.requests).toEqual(['/example.com/m/@v/v1.0.0.zip']);
      // The other endpoints still answer.
      expect((await c.mod('example.com/m', 'v1.0.0')).length).toBeGreaterThan(0);
    } finally {
      await s.close();
      await c.close();
    }
  });

  it('a proxy that sends the headers and then stalls mid-zip fails at the stall bound, leaving no file', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'mw-zip-'));
    const s = await startGoProxyServer({ modules: fixtures, faults: (r) => (r.endpoint === 'zip' ? { kind: 'stall-body', bytes: 64 } : undefined) });
    const c = new GoProxyClient({ env: readGoEnv({ GOPROXY: s.url }), http: new HttpClient({ retries: 2, stallTimeoutMs: 200 }), tmpDir: dir });
    try {
      const err = (await c.zip('example.com/m', 'v1.0.0').catch((e: unknown) => e)) as ProxyError;
      expect(err.kind).toBe('unavailable');
      expect(err.message).toBe(`example.com/m@v1.0.0: proxy ${s.url} stopped sending for 200 ms after 64 bytes (${s.url}/example.com/m/@v/v1.0.0.zip)`);
      expect(s.requests).toHaveLength(1);
      const { readdir } = await import('node:fs/promises');
      expect(await readdir(dir)).toEqual([]);
    } finally {
      await s.close();
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('a timeout maps to "unavailable"', async () => {
    const s = await startGoProxyServer({ modules: fixtures, faults: () => ({ kind: 'hang' }) });
    const c = new GoProxyClient({ env: readGoEnv({ GOPROXY: s.url }), http: new HttpClient({ retries: 0, connectTimeoutMs: 100 }) });
    try {
      const err = (await c.list('example.com/m').catch((e: unknown) => e)) as ProxyError;
      expect(err.kind).toBe('unavailable');
      expect(err.message).toContain('did not answer within 100 ms');
    } finally {
      await s.close();
    }
  });

  it('a caller that gives up leaves at once; the shared download stops only when every caller has given up', async () => {
    const s = await startGoProxyServer({ modules: fixtures, faults: (r) => (r.endpoint === 'zip' ? { kind: 'hang' } : undefined) });
    // One slot, a connect bound far beyond the test: only the cancellation can free the slot.
    const c = new GoProxyClient({ env: readGoEnv({ GOPROXY: s.url }), http: new HttpClient({ retries: 0, concurrency: 1, connectTimeoutMs: 120_000 }) });
    try {
      const a = new AbortController();
      const b = new AbortController();
      const pa = c.zip('example.com/m', 'v1.0.0', { signal: a.signal }).catch((e: unknown) => e);
      let bDone = false;
      const pb = c.zip('example.com/m', 'v1.0.0', { signal: b.signal }).catch((e: unknown) => e).finally(() => (bDone = true));
      while (s.requests.length === 0) await new Promise((r) => setTimeout(r, 5));
      a.abort(new Error('module deadline of 120 s reached'));
      const ea = (await pa) as ProxyError;
      expect(ea.kind).toBe('unavailable');
      expect(ea.message).toBe('example.com/m@v1.0.0: request to the proxy cancelled (module deadline of 120 s reached)');
      await new Promise((r) => setTimeout(r, 50));
      expect(bDone).toBe(false); // the other caller is still waiting on the same request
      b.abort();
      expect(((await pb) as ProxyError).kind).toBe('unavailable');
      expect(s.requests).toEqual(['/example.com/m/@v/v1.0.0.zip']);
      // The hanging request was cancelled, so its slot serves the next one.
      let timer: NodeJS.Timeout | undefined;
      const next = await Promise.race([
        c.mod('example.com/m', 'v1.0.0').then(() => 'answered'),
        new Promise((r) => (timer = setTimeout(() => r('slot still held'), 10_000))),
      ]);
      clearTimeout(timer);
      expect(next).toBe('answered');
    } finally {
      await s.close();
      await c.close();
    }
  });
});

describe('error bodies from the proxy', () => {
  it('reach messages and block reasons as one short line of plain text', async () => {
    const body = `This module is blocked for security reasons.\r\n\`\`\`\n<img src=https://tracker.example/p.png> @acme/security-team \u202e ${'A'.repeat(16000)}`;
    const s = await startGoProxyServer({
      modules: [],
      faults: (r) => (r.module === 'example.com/evil' ? { kind: 'status', status: 403, body } : { kind: 'status', status: 500, body: 'boom\n\u0000second line' }),
    });
    const c = client(s.url);
    try {
      const blocked = (await c.info('example.com/evil', 'v1.0.0').catch((e: unknown) => e)) as ProxyBlockedError;
      expect(blocked).toBeInstanceOf(ProxyBlockedError);
      for (const text of [blocked.reason, blocked.message]) {
        expect(text).not.toMatch(/[\u0000-\u001f\u007f-\u009f\u202e]/);
        expect(text.length).toBeLessThan(600);
      }
      expect(blocked.reason.startsWith('This module is blocked for security reasons. ``` <img')).toBe(true);
      expect(blocked.reason.length).toBeLessThanOrEqual(200);
      const down = (await c.mod('example.com/other', 'v1.0.0').catch((e: unknown) => e)) as ProxyError;
      expect(down.message).toBe(`example.com/other@v1.0.0: reading ${s.url}/example.com/other/@v/v1.0.0.mod: 500 (boom second line)`);
    } finally {
      await s.close();
    }
  });
});

describe('directory-backed proxies', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'mw-proxydir-'));
    const base = join(dir, 'github.com/!azure/go-autorest/@v');
    await mkdir(base, { recursive: true });
    await writeFile(join(base, 'list'), 'v0.1.0\nv0.2.0 2020-01-02T17:33:45Z\nv0.0.0-20190101000000-aaaaaaaaaaaa\n');
    await writeFile(join(base, 'v0.2.0.info'), '{"Version":"v0.2.0","Time":"2020-01-02T17:33:45Z"}');
    await writeFile(join(base, 'v0.2.0.mod'), 'module github.com/Azure/go-autorest\n');
    await writeFile(join(base, 'v0.2.0.zip'), await buildModuleZip('github.com/Azure/go-autorest', 'v0.2.0', { 'a.go': 'package a\n' }));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('serves a module-cache layout over HTTP', async () => {
    const s = await startGoProxyServerFromDir(dir);
    const c = client(s.url);
    try {
      expect(await c.list('github.com/Azure/go-autorest')).toEqual(['v0.1.0', 'v0.2.0']);
      expect((await c.info('github.com/Azure/go-autorest', 'v0.2.0')).Time).toBe('2020-01-02T17:33:45Z');
      expect((await c.latest('github.com/Azure/go-autorest')).Version).toBe('v0.2.0');
      await expect(c.mod('github.com/Azure/go-autorest', 'v0.1.0')).rejects.toBeInstanceOf(ModuleNotFoundError);
      const escape = await fetch(`${s.url}/../../etc/passwd`);
      expect(escape.status).not.toBe(200);
    } finally {
      await s.close();
      await c.close();
    }
  });

  it('reads a file:// GOPROXY directly', async () => {
    const c = client(pathToFileURL(dir).href);
    try {
      expect((await c.mod('github.com/Azure/go-autorest', 'v0.2.0')).toString()).toBe('module github.com/Azure/go-autorest\n');
      const z = await c.zip('github.com/Azure/go-autorest', 'v0.2.0');
      expect(z.size).toBe((await stat(join(dir, 'github.com/!azure/go-autorest/@v/v0.2.0.zip'))).size);
      await expect(c.info('github.com/Azure/go-autorest', 'v9.0.0')).rejects.toBeInstanceOf(ModuleNotFoundError);
    } finally {
      await c.close();
    }
  });
});

describe('encodeUrlPath', () => {
  it("escapes like Go's net/url path encoding", () => {
    expect(encodeUrlPath('github.com/!azure/go-x/@v/v1.0.0-!r!c1.info')).toBe('github.com/%21azure/go-x/@v/v1.0.0-%21r%21c1.info');
    expect(encodeUrlPath('example.com/m/@v/feature#1 (é)?.info')).toBe('example.com/m/@v/feature%231%20%28%C3%A9%29%3F.info');
    expect(encodeUrlPath("a~b_c-d.e/$&+,:;=@'*[]")).toBe("a~b_c-d.e/$&+,:;=@%27%2A%5B%5D");
  });
});

describe('parseVersionList', () => {
  it('keeps the first field of valid non-pseudo semver lines, sorted and de-duplicated', () => {
    expect(
      parseVersionList('v1.10.0\nv1.2.0 2020-01-01T00:00:00Z\n\nnot-a-version\nv1.2.0\nv0.0.0-20190101000000-aaaaaaaaaaaa\n  v2.0.0+incompatible  \nv1.0.0-beta\n'),
    ).toEqual(['v1.0.0-beta', 'v1.2.0', 'v1.10.0', 'v2.0.0+incompatible']);
  });
});

import nock from 'nock';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Readable } from 'node:stream';
import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  HttpClient,
  HttpError,
  NetworkError,
  TimeoutError,
  TooLargeError,
  TruncatedBodyError,
} from '../../src/sources/http.js';
import { startGoProxyServer } from '../helpers/goproxy-server.js';

const BASE = 'https://proxy.test';

/** A body stream that produces `total` bytes lazily and records how many were pulled. */
function lazyBody(total: number, chunk = 64 * 1024): { stream: Readable; pulled: () => number } {
  let sent = 0;
  const stream = new Readable({
    read() {
      if (sent >= total) {
        this.push(null);
        return;
      }
      const n = Math.min(chunk, total - sent);
      sent += n;
      this.push(Buffer.alloc(n, 0x61));
    },
  });
  return { stream, pulled: () => sent };
}

describe('HttpClient (nock)', () => {
  beforeAll(() => nock.disableNetConnect());
  afterEach(() => nock.cleanAll());
  afterAll(() => nock.enableNetConnect());

  const fast = (o: ConstructorParameters<typeof HttpClient>[0] = {}) => new HttpClient({ backoffBaseMs: 1, ...o });

  it('reads a body and reports status, headers and URL', async () => {
    nock(BASE).get('/a').matchHeader('user-agent', 'modwarden-test').reply(200, 'hello', { 'x-a': '1' });
    const res = await fast({ userAgent: 'modwarden-test' }).get(`${BASE}/a`);
    expect(res.status).toBe(200);
    expect(res.body.toString()).toBe('hello');
    expect(res.headers.get('x-a')).toBe('1');
    expect(res.url).toBe(`${BASE}/a`);
  });

  it('retries 5xx with back-off, then succeeds', async () => {
    const scope = nock(BASE).get('/flaky').reply(500, 'boom').get('/flaky').reply(503, 'busy').get('/flaky').reply(200, 'ok');
    const res = await fast({ retries: 2 }).get(`${BASE}/flaky`);
    expect(res.body.toString()).toBe('ok');
    expect(scope.isDone()).toBe(true);
  });

  it('gives up after the retry budget with the last HttpError', async () => {
    nock(BASE).get('/down').times(3).reply(502, 'bad gateway');
    const err = (await fast({ retries: 2 }).get(`${BASE}/down`).catch((e: unknown) => e)) as HttpError;
    expect(err).toBeInstanceOf(HttpError);
    expect(err.status).toBe(502);
    expect(err.body).toBe('bad gateway');
    expect(err.message).toBe(`${BASE}/down: HTTP 502: bad gateway`);
    expect(nock.pendingMocks()).toEqual([]);
  });

  it.each([400, 403, 404, 410, 429])('does not retry %d', async (status) => {
    nock(BASE).get('/x').reply(status, 'nope');
    nock(BASE).get('/x').reply(200, 'should not be reached');
    const err = (await fast({ retries: 3 }).get(`${BASE}/x`).catch((e: unknown) => e)) as HttpError;
    expect(err).toBeInstanceOf(HttpError);
    expect(err.status).toBe(status);
    expect(nock.pendingMocks()).toHaveLength(1);
  });

  it('retries network errors and reports NetworkError when they persist', async () => {
    nock(BASE).get('/net').replyWithError({ code: 'ECONNRESET', message: 'socket hang up' });
    nock(BASE).get('/net').reply(200, 'recovered');
    expect((await fast({ retries: 1 }).get(`${BASE}/net`)).body.toString()).toBe('recovered');
    nock(BASE).get('/net2').times(2).replyWithError({ code: 'ECONNREFUSED', message: 'connect refused' });
    const err = await fast({ retries: 1 }).get(`${BASE}/net2`).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(NetworkError);
    expect((err as Error).message).toContain(`${BASE}/net2`);
  });

  it('times out slow responses (and retries them)', async () => {
    nock(BASE).get('/slow').delay(500).reply(200, 'late');
    nock(BASE).get('/slow').reply(200, 'on time');
    const c = fast({ retries: 1 });
    expect((await c.get(`${BASE}/slow`, { timeoutMs: 50 })).body.toString()).toBe('on time');
    nock(BASE).get('/slow2').delay(500).reply(200, 'late');
    const err = (await c.get(`${BASE}/slow2`, { timeoutMs: 50, retries: 0 }).catch((e: unknown) => e)) as TimeoutError;
    expect(err).toBeInstanceOf(TimeoutError);
    expect(err.timeoutMs).toBe(50);
  });

  it('rejects a declared Content-Length over the cap before reading the body', async () => {
    const body = lazyBody(50 * 1024 * 1024);
    nock(BASE).get('/big').reply(200, () => body.stream, { 'content-length': String(50 * 1024 * 1024) });
    const err = (await fast().get(`${BASE}/big`, { maxBytes: 1024 * 1024 }).catch((e: unknown) => e)) as TooLargeError;
    expect(err).toBeInstanceOf(TooLargeError);
    expect(err.declared).toBe(50 * 1024 * 1024);
    expect(err.limit).toBe(1024 * 1024);
    // Only what the transport buffered ahead was produced, far below the declared size.
    expect(body.pulled()).toBeLessThan(8 * 1024 * 1024);
  });

  it('does not retry a too-large body', async () => {
    nock(BASE).get('/big2').reply(200, 'x'.repeat(2000), { 'content-length': '2000' });
    nock(BASE).get('/big2').reply(200, 'small');
    await expect(fast({ retries: 2 }).get(`${BASE}/big2`, { maxBytes: 1000 })).rejects.toBeInstanceOf(TooLargeError);
    expect(nock.pendingMocks()).toHaveLength(1);
  });

  it('accepts a body exactly at the cap', async () => {
    nock(BASE).get('/exact').reply(200, 'x'.repeat(1000), { 'content-length': '1000' });
    expect((await fast().get(`${BASE}/exact`, { maxBytes: 1000 })).body.length).toBe(1000);
  });

  it('follows redirects by default and can return them with redirect: manual', async () => {
    nock(BASE).get('/r').reply(302, '', { location: `${BASE}/target` }).get('/target').reply(200, 'there');
    const res = await fast().get(`${BASE}/r`);
    expect(res.body.toString()).toBe('there');
    expect(res.url).toBe(`${BASE}/target`);
    nock(BASE).get('/r2').reply(302, '', { location: `${BASE}/target` });
    const manual = await fast().get(`${BASE}/r2`, { redirect: 'manual' });
    expect(manual.status).toBe(302);
    expect(manual.headers.get('location')).toBe(`${BASE}/target`);
  });

  it('streams with getStream within the cap', async () => {
    nock(BASE).get('/s').reply(200, 'abcdef');
    const res = await fast().getStream(`${BASE}/s`);
    const parts: Buffer[] = [];
    for await (const c of res.body) parts.push(Buffer.from(c));
    expect(Buffer.concat(parts).toString()).toBe('abcdef');
    const body = lazyBody(10 * 1024 * 1024);
    nock(BASE).get('/s2').reply(200, () => body.stream);
    const big = await fast().getStream(`${BASE}/s2`, { maxBytes: 100 * 1024 });
    await expect(
      (async () => {
        for await (const _ of big.body) void _;
      })(),
    ).rejects.toBeInstanceOf(TooLargeError);
  });
});

describe('HttpClient (real local server)', () => {
  it('detects bodies shorter than Content-Length (truncated) and retries them', async () => {
    const s = await startGoProxyServer({
      modules: [{ path: 'example.com/m', version: 'v1.0.0', files: {}, mod: 'module example.com/m\n' }],
      faults: (r) => (r.count <= 2 ? { kind: 'truncate', bytes: 4 } : undefined),
    });
    try {
      const url = `${s.url}/example.com/m/@v/v1.0.0.mod`;
      const err = await new HttpClient({ retries: 1, backoffBaseMs: 1 }).get(url).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(NetworkError);
      expect((await new HttpClient({ retries: 0 }).get(url)).body.toString()).toBe('module example.com/m\n');
    } finally {
      await s.close();
    }
  });

  it('detects a Content-Length larger than the body sent', async () => {
    const s = await startGoProxyServer({
      modules: [{ path: 'example.com/m', version: 'v1.0.0', files: {}, mod: 'module example.com/m\n' }],
      faults: () => ({ kind: 'wrong-length', contentLength: 500 }),
    });
    try {
      const err = await new HttpClient({ retries: 0 }).get(`${s.url}/example.com/m/@v/v1.0.0.mod`).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(NetworkError);
    } finally {
      await s.close();
    }
  });

  it('reports a too-short Content-Length as a truncated/mismatched body, not silently', async () => {
    const s = await startGoProxyServer({
      modules: [{ path: 'example.com/m', version: 'v1.0.0', files: {}, mod: 'module example.com/m\n' }],
      faults: () => ({ kind: 'wrong-length', contentLength: 5 }),
    });
    try {
      // HTTP/1.1 framing means the client only reads 5 bytes; what matters is that it never sees more.
      const res = await new HttpClient({ retries: 0 }).get(`${s.url}/example.com/m/@v/v1.0.0.mod`).catch((e: unknown) => e);
      if (res instanceof Error) expect(res).toBeInstanceOf(NetworkError);
      else expect((res as { body: Buffer }).body.length).toBe(5);
    } finally {
      await s.close();
    }
  });

  it('reports connection resets as NetworkError', async () => {
    const s = await startGoProxyServer({ modules: [], faults: () => ({ kind: 'reset' }) });
    try {
      const err = await new HttpClient({ retries: 0 }).get(`${s.url}/x/@v/list`).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(NetworkError);
      expect(err).not.toBeInstanceOf(TruncatedBodyError);
    } finally {
      await s.close();
    }
  });

  it('counts real bytes when no length is declared and stops reading at the cap', async () => {
    // A real server (nock buffers whole bodies): it streams 50 MiB with back-pressure and no length.
    const body = lazyBody(50 * 1024 * 1024);
    const server = createServer((_req, res) => body.stream.pipe(res));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/chunked`;
    try {
      const err = (await new HttpClient({ retries: 0 }).get(url, { maxBytes: 1024 * 1024 }).catch((e: unknown) => e)) as TooLargeError;
      expect(err).toBeInstanceOf(TooLargeError);
      expect(err.declared).toBeUndefined();
      expect(err.message).toContain('exceeds the 1048576-byte limit');
      // Only the cap plus what socket buffers held was produced, far below 50 MiB.
      expect(body.pulled()).toBeLessThan(16 * 1024 * 1024);
    } finally {
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
    }
  });

  it('bounds concurrency', async () => {
    let active = 0;
    let peak = 0;
    const server = createServer((_req, res) => {
      active++;
      peak = Math.max(peak, active);
      setTimeout(() => {
        active--;
        res.end('ok');
      }, 30);
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
    try {
      const c = new HttpClient({ concurrency: 2 });
      const results = await Promise.all(Array.from({ length: 8 }, () => c.get(url)));
      expect(results.every((r) => r.body.toString() === 'ok')).toBe(true);
      expect(peak).toBe(2);
    } finally {
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
    }
  });

  it('downloads to a file and removes the partial file when over the cap', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'mw-http-'));
    const payload = Buffer.alloc(300 * 1024, 7);
    const server = createServer((req, res) => {
      if (req.url === '/chunked') {
        res.write(payload);
        res.end(payload);
      } else res.end(payload);
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    try {
      const c = new HttpClient({ retries: 0 });
      const ok = await c.download(`${base}/f`, join(dir, 'f.bin'), { maxBytes: payload.length });
      expect(ok.size).toBe(payload.length);
      expect(await readFile(join(dir, 'f.bin'))).toEqual(payload);
      await expect(c.download(`${base}/chunked`, join(dir, 'g.bin'), { maxBytes: payload.length })).rejects.toBeInstanceOf(
        TooLargeError,
      );
      expect(await readdir(dir)).toEqual(['f.bin']);
    } finally {
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
      await rm(dir, { recursive: true, force: true });
    }
  });
});

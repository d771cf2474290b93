import nock from 'nock';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Readable } from 'node:stream';
import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  AbortedError,
  HttpClient,
  HttpError,
  NetworkError,
  retryAfterMs,
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

  it('gives up on a server that does not answer within the connect bound, and does not retry it', async () => {
    nock(BASE).get('/slow').delay(500).reply(200, 'late');
    nock(BASE).get('/slow').reply(200, 'would be on time');
    const err = (await fast({ retries: 3 }).get(`${BASE}/slow`, { connectTimeoutMs: 50 }).catch((e: unknown) => e)) as TimeoutError;
    expect(err).toBeInstanceOf(TimeoutError);
    expect(err.phase).toBe('connect');
    expect(err.timeoutMs).toBe(50);
    expect(err.message).toBe(`${BASE}/slow: did not answer within 50 ms`);
    // A timeout repeated is a stall multiplied: the second answer was never asked for.
    expect(nock.pendingMocks()).toHaveLength(1);
  });

  it('honours a short Retry-After on 429/503 and gives up at once on a long one', async () => {
    nock(BASE).get('/busy').reply(503, 'busy', { 'retry-after': '0' }).get('/busy').reply(200, 'ok');
    expect((await fast({ retries: 1 }).get(`${BASE}/busy`)).body.toString()).toBe('ok');
    nock(BASE).get('/later').reply(429, 'slow down', { 'retry-after': '120' });
    nock(BASE).get('/later').reply(200, 'not asked');
    const err = (await fast({ retries: 3 }).get(`${BASE}/later`).catch((e: unknown) => e)) as HttpError;
    expect(err.status).toBe(429);
    expect(nock.pendingMocks()).toHaveLength(1);
    expect(retryAfterMs(new Headers({ 'retry-after': 'Wed, 21 Oct 2015 07:28:30 GMT' }), Date.parse('Wed, 21 Oct 2015 07:28:00 GMT'))).toBe(30_000);
    expect(retryAfterMs(new Headers({ 'retry-after': 'soon' }))).toBeUndefined();
  });

  it('puts one short line of plain text from an error body into the message, never the raw body', async () => {
    const hostile = `line one\r\n\u0007\u202e**bold** <img src=x>\nline two ${'x'.repeat(5000)}`;
    nock(BASE).get('/err').reply(403, hostile);
    const err = (await fast().get(`${BASE}/err`).catch((e: unknown) => e)) as HttpError;
    expect(err.body).toBe(hostile); // kept for classification only
    expect(err.message).not.toMatch(/[\u0000-\u001f\u007f-\u009f\u202e]/);
    expect(err.message.startsWith(`${BASE}/err: HTTP 403: line one **bold** <img src=x> line two xxx`)).toBe(true);
    expect(err.excerpt.length).toBeLessThanOrEqual(200);
    expect(err.message.length).toBeLessThan(300);
    nock(BASE).get('/json').reply(404, { message: 'Not Found\nreally', documentation_url: 'https://docs.example' });
    expect(((await fast().get(`${BASE}/json`).catch((e: unknown) => e)) as HttpError).message).toBe(`${BASE}/json: HTTP 404: Not Found really`);
  });

  it('can be cancelled through its signal, also while waiting for a slot', async () => {
    nock(BASE).get('/held').delay(2000).reply(200, 'late');
    nock(BASE).get('/queued').reply(200, 'never sent');
    const c = fast({ concurrency: 1 });
    const first = new AbortController();
    const second = new AbortController();
    const held = c.get(`${BASE}/held`, { signal: first.signal }).catch((e: unknown) => e);
    const queued = c.get(`${BASE}/queued`, { signal: second.signal }).catch((e: unknown) => e);
    second.abort(new Error('module deadline reached'));
    const q = (await queued) as AbortedError;
    expect(q).toBeInstanceOf(AbortedError);
    expect(q.message).toBe(`${BASE}/queued: cancelled (module deadline reached)`);
    first.abort();
    expect(await held).toBeInstanceOf(AbortedError);
    // The slot came back: the client still works.
    nock(BASE).get('/after').reply(200, 'fine');
    expect((await c.get(`${BASE}/after`)).body.toString()).toBe('fine');
    expect(nock.pendingMocks()).toEqual([`GET ${BASE}:443/queued`]);
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

  it('download treats any 3xx as an answer for the caller, writing nothing', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'mw-http-'));
    try {
      nock(BASE).get('/moved').reply(302, 'redirect body', { location: 'https://elsewhere.test/x' });
      const err = (await fast().download(`${BASE}/moved`, join(dir, 'x'), { redirect: 'manual' }).catch((e: unknown) => e)) as HttpError;
      expect(err).toBeInstanceOf(HttpError);
      expect(err.status).toBe(302);
      expect(err.headers.get('location')).toBe('https://elsewhere.test/x');
      expect(await readdir(dir)).toEqual([]);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
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

describe('HttpClient time bounds (real local server)', () => {
  /** A server whose handler the test decides; closed (with its open connections) by `close`. */
  async function serve(handler: Parameters<typeof createServer>[1]) {
    const server = createServer(handler);
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    return {
      url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
      close: async () => {
        server.closeAllConnections();
        await new Promise((r) => server.close(r));
      },
    };
  }

  it('a server that accepts the connection and never answers fails at the connect bound, once', async () => {
    let requests = 0;
    const s = await serve(() => void requests++);
    try {
      const t0 = Date.now();
      const err = (await new HttpClient({ retries: 2, connectTimeoutMs: 300 }).get(`${s.url}/x.zip`).catch((e: unknown) => e)) as TimeoutError;
      const took = Date.now() - t0;
      expect(err).toBeInstanceOf(TimeoutError);
      expect(err.phase).toBe('connect');
      expect(err.message).toBe(`${s.url}/x.zip: did not answer within 300 ms`);
      expect(took).toBeLessThan(3000); // one bound, not one per retry (a generous ceiling, not a timing target)
      expect(requests).toBe(1);
    } finally {
      await s.close();
    }
  });

  it('a body that stops mid-way fails at the stall bound, naming the bytes received, and is not retried', async () => {
    let requests = 0;
    const s = await serve((_req, res) => {
      requests++;
      res.writeHead(200, { 'content-length': '1000' });
      res.write(Buffer.alloc(100, 1));
    });
    const dir = await mkdtemp(join(tmpdir(), 'mw-http-'));
    try {
      const c = new HttpClient({ retries: 2, stallTimeoutMs: 200 });
      const err = (await c.download(`${s.url}/x.zip`, join(dir, 'x.zip')).catch((e: unknown) => e)) as TimeoutError;
      expect(err).toBeInstanceOf(TimeoutError);
      expect(err.phase).toBe('stall');
      expect(err.detail).toBe('stopped sending for 200 ms after 100 bytes');
      expect(requests).toBe(1);
      expect(await readdir(dir)).toEqual([]);
    } finally {
      await s.close();
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('a slow drip that never stalls is stopped by the total, which grows with the declared size', async () => {
    const s = await serve((req, res) => {
      const size = req.url === '/big' ? 2000 : 20;
      res.writeHead(200, { 'content-length': String(size) });
      let sent = 0;
      const timer = setInterval(() => {
        res.write(Buffer.alloc(10, 1));
        sent += 10;
        if (sent >= size) {
          clearInterval(timer);
          res.end();
        }
      }, 40);
      res.on('close', () => clearInterval(timer));
    });
    try {
      // 20 bytes take ~80 ms: within timeoutMs 300 + 20 B at 100 B/s (200 ms).
      const c = new HttpClient({ retries: 0, stallTimeoutMs: 1000, timeoutMs: 300, minBytesPerSecond: 100 });
      expect((await c.get(`${s.url}/small`)).body.length).toBe(20);
      // 2000 bytes would take 8 s; the total is 300 ms + 2000 B at 1000 B/s = 2.3 s.
      const err = (await new HttpClient({ retries: 0, stallTimeoutMs: 1000, timeoutMs: 300, minBytesPerSecond: 1000 })
        .get(`${s.url}/big`)
        .catch((e: unknown) => e)) as TimeoutError;
      expect(err).toBeInstanceOf(TimeoutError);
      expect(err.phase).toBe('total');
      expect(err.timeoutMs).toBe(2300);
    } finally {
      await s.close();
    }
  });

  it('does not repeat a failure that came slowly (longer than the connect bound)', async () => {
    let requests = 0;
    const s = await serve((req, res) => {
      requests++;
      res.writeHead(200, { 'content-length': '100' });
      res.write(Buffer.alloc(10));
      setTimeout(() => req.socket.destroy(), 250);
    });
    try {
      const err = await new HttpClient({ retries: 2, backoffBaseMs: 1, connectTimeoutMs: 100, stallTimeoutMs: 1000 })
        .get(`${s.url}/cut`)
        .catch((e: unknown) => e);
      expect(err).toBeInstanceOf(NetworkError);
      expect(requests).toBe(1);
    } finally {
      await s.close();
    }
  });
});

/**
 * A small HTTP layer on Node's global `fetch`: timeouts, byte caps checked before and while
 * reading, retries with back-off on 5xx/network errors, bounded concurrency and typed errors.
 * Every network request ModWarden makes goes through here.
 */
import { createWriteStream } from 'node:fs';
import { rm } from 'node:fs/promises';
import { once } from 'node:events';
import pLimit from 'p-limit';

/** Options of one request. */
export interface RequestOptions {
  /** Whole-request deadline (connect + headers + body), in milliseconds. */
  timeoutMs?: number;
  /** Largest body accepted, in bytes; checked against Content-Length before reading and while reading. */
  maxBytes?: number;
  headers?: Record<string, string>;
  /** Retries after the first attempt on 5xx and network errors (never on 4xx). */
  retries?: number;
  redirect?: 'follow' | 'manual';
}

/** A fully read response (status < 400, or a 3xx with redirect: 'manual'). */
export interface HttpResponse {
  status: number;
  headers: Headers;
  body: Buffer;
  /** Final URL after redirects. */
  url: string;
}

/** What `download` wrote. */
export interface DownloadResult {
  status: number;
  headers: Headers;
  url: string;
  /** Bytes written to the destination file. */
  size: number;
}

/** A streaming response: the caller must consume or cancel `body`. */
export interface StreamResponse {
  status: number;
  headers: Headers;
  url: string;
  /** Body chunks; iteration throws TooLargeError/TimeoutError/NetworkError like `get`. */
  body: AsyncIterable<Uint8Array>;
  /** Stops reading and releases the connection. */
  cancel(): Promise<void>;
}

/** Client-wide settings. */
export interface HttpClientOptions {
  /** Most requests in flight at once (default 8). */
  concurrency?: number;
  /** Default timeout per request (default 30 s). */
  timeoutMs?: number;
  /** Default body cap (default 64 MiB). */
  maxBytes?: number;
  /** Default retry count (default 2). */
  retries?: number;
  /** First back-off delay; doubles per attempt, with jitter (default 200 ms). */
  backoffBaseMs?: number;
  /** Longest back-off delay (default 5 s). */
  backoffMaxMs?: number;
  /** Sent as User-Agent unless a request sets its own. */
  userAgent?: string;
  /** Replaceable for tests; defaults to the global fetch (which nock intercepts). */
  fetch?: typeof fetch;
}

/** Bytes of an error body kept for messages and classification. */
const ERROR_BODY_BYTES = 16 * 1024;

/** Base class of every error this module throws. */
export class HttpClientError extends Error {
  constructor(
    message: string,
    readonly url: string,
  ) {
    super(message);
    this.name = new.target.name;
  }
}

/** The server answered with a status >= 400 (or an unexpected 3xx under redirect: 'manual'). */
export class HttpError extends HttpClientError {
  constructor(
    readonly status: number,
    url: string,
    /** The start of the response body, decoded as UTF-8 (at most 16 KiB). */
    readonly body: string,
    readonly headers: Headers,
  ) {
    super(`${url}: HTTP ${status}${body.trim() ? `: ${firstLine(body)}` : ''}`, url);
  }
}

/** The body is (or declares to be) larger than the cap. */
export class TooLargeError extends HttpClientError {
  constructor(
    url: string,
    readonly limit: number,
    /** The Content-Length the server declared, when that is what tripped the cap. */
    readonly declared?: number,
  ) {
    super(
      declared !== undefined
        ? `${url}: response declares ${declared} bytes, over the ${limit}-byte limit`
        : `${url}: response exceeds the ${limit}-byte limit`,
      url,
    );
  }
}

/** The request did not finish in time. */
export class TimeoutError extends HttpClientError {
  constructor(
    url: string,
    readonly timeoutMs: number,
  ) {
    super(`${url}: timed out after ${timeoutMs} ms`, url);
  }
}

/** The connection failed or the body was cut short. */
export class NetworkError extends HttpClientError {
  constructor(url: string, detail: string, options?: { cause?: unknown }) {
    super(`${url}: ${detail}`, url);
    if (options?.cause !== undefined) (this as { cause?: unknown }).cause = options.cause;
  }
}

/** The body ended before the declared Content-Length (a dropped connection or a lying server). */
export class TruncatedBodyError extends NetworkError {
  constructor(
    url: string,
    readonly expected: number,
    readonly received: number,
  ) {
    super(url, `body has ${received} bytes but Content-Length declared ${expected}`);
  }
}

/** True for errors worth another attempt: 5xx, 429-free network failures and timeouts. */
export function isRetryable(err: unknown): boolean {
  if (err instanceof HttpError) return err.status >= 500;
  return err instanceof NetworkError || err instanceof TimeoutError;
}

/** HTTP client with caps, timeouts, retries and a concurrency limit. */
export class HttpClient {
  private readonly limit: ReturnType<typeof pLimit>;
  private readonly defaults: Required<Omit<HttpClientOptions, 'fetch' | 'userAgent' | 'concurrency'>>;
  private readonly fetchFn: typeof fetch;
  private readonly userAgent: string;

  constructor(opts: HttpClientOptions = {}) {
    this.limit = pLimit(opts.concurrency ?? 8);
    this.defaults = {
      timeoutMs: opts.timeoutMs ?? 30_000,
      maxBytes: opts.maxBytes ?? 64 * 1024 * 1024,
      retries: opts.retries ?? 2,
      backoffBaseMs: opts.backoffBaseMs ?? 200,
      backoffMaxMs: opts.backoffMaxMs ?? 5_000,
    };
    this.fetchFn = opts.fetch ?? ((input, init) => globalThis.fetch(input, init));
    this.userAgent = opts.userAgent ?? 'modwarden';
  }

  /** GETs `url` and reads the whole body into memory (within the cap). Throws HttpError on status >= 400. */
  async get(url: string, opts: RequestOptions = {}): Promise<HttpResponse> {
    return this.withRetries(url, opts, () =>
      this.limit(async () => {
        const { res, done, timeoutMs, signal } = await this.open(url, opts);
        try {
          const chunks: Buffer[] = [];
          const size = await this.readBody(res, url, opts, timeoutMs, signal, (c) => {
            chunks.push(Buffer.from(c.buffer, c.byteOffset, c.byteLength));
          });
          return { status: res.status, headers: res.headers, body: Buffer.concat(chunks, size), url: res.url || url };
        } finally {
          done();
        }
      }),
    );
  }

  /**
   * GETs `url` and streams the body to `destPath` (created or truncated) within the cap. A partial
   * file is removed on failure. Retries start the file over.
   */
  async download(url: string, destPath: string, opts: RequestOptions = {}): Promise<DownloadResult> {
    return this.withRetries(url, opts, () =>
      this.limit(async () => {
        const { res, done, timeoutMs, signal } = await this.open(url, opts);
        const out = createWriteStream(destPath);
        // Keep file errors (disk full, or a write cut off by destroy()) from becoming uncaught exceptions.
        let writeError: Error | undefined;
        out.on('error', (e) => (writeError ??= e));
        try {
          const size = await this.readBody(res, url, opts, timeoutMs, signal, async (c) => {
            if (writeError) throw writeError;
            if (!out.write(c)) await Promise.race([once(out, 'drain'), once(out, 'close')]);
          });
          await new Promise<void>((resolve, reject) => {
            out.end(() => (writeError ? reject(writeError) : resolve()));
            out.once('error', reject);
          });
          return { status: res.status, headers: res.headers, url: res.url || url, size };
        } catch (err) {
          // Wait for the file to be closed (and opened, if that was still pending) before removing it.
          if (!out.closed) {
            const closed = once(out, 'close').catch(() => undefined);
            out.destroy();
            await closed;
          }
          await rm(destPath, { force: true });
          throw err;
        } finally {
          done();
        }
      }),
    );
  }

  /**
   * GETs `url` and hands back the body as a stream (caps and timeout still apply while iterating).
   * No retries once the body has started; the concurrency slot is held until the body is consumed.
   */
  async getStream(url: string, opts: RequestOptions = {}): Promise<StreamResponse> {
    let release!: () => void;
    const slot = new Promise<void>((r) => (release = r));
    let opened!: Awaited<ReturnType<HttpClient['open']>>;
    await this.withRetries(url, opts, () =>
      new Promise<void>((resolve, reject) => {
        void this.limit(async () => {
          try {
            opened = await this.open(url, opts);
          } catch (err) {
            reject(err);
            return;
          }
          resolve();
          await slot;
        });
      }),
    );
    const { res, done, timeoutMs, signal } = opened;
    const self = this;
    let finished = false;
    const finish = () => {
      if (!finished) {
        finished = true;
        done();
        release();
      }
    };
    async function* iterate(): AsyncIterable<Uint8Array> {
      try {
        const reader = res.body?.getReader();
        if (!reader) return;
        let received = 0;
        const max = opts.maxBytes ?? self.defaults.maxBytes;
        const declared = declaredLength(res.headers);
        for (;;) {
          const { done: end, value } = await readChunk(reader, url, timeoutMs, signal);
          if (end) break;
          received += value.byteLength;
          if (received > max) {
            await reader.cancel().catch(() => undefined);
            throw new TooLargeError(url, max);
          }
          yield value;
        }
        if (declared !== undefined && received !== declared && !encoded(res.headers)) {
          throw new TruncatedBodyError(url, declared, received);
        }
      } finally {
        finish();
      }
    }
    return {
      status: res.status,
      headers: res.headers,
      url: res.url || url,
      body: iterate(),
      cancel: async () => {
        await res.body?.cancel().catch(() => undefined);
        finish();
      },
    };
  }

  /** Runs `attempt`, retrying retryable failures with exponential back-off and jitter. */
  private async withRetries<T>(url: string, opts: RequestOptions, attempt: () => Promise<T>): Promise<T> {
    const retries = opts.retries ?? this.defaults.retries;
    for (let i = 0; ; i++) {
      try {
        return await attempt();
      } catch (err) {
        if (i >= retries || !isRetryable(err)) throw err;
        const ceiling = Math.min(this.defaults.backoffMaxMs, this.defaults.backoffBaseMs * 2 ** i);
        // "Equal jitter": half fixed, half random, so concurrent clients spread out but still wait.
        await sleep(ceiling / 2 + Math.random() * (ceiling / 2));
      }
    }
  }

  /** Sends the request and checks status and declared length; the caller must call `done`. */
  private async open(url: string, opts: RequestOptions) {
    const timeoutMs = opts.timeoutMs ?? this.defaults.timeoutMs;
    const maxBytes = opts.maxBytes ?? this.defaults.maxBytes;
    const controller = new AbortController();
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      controller.abort();
    }, timeoutMs);
    const signal = { controller, timedOut: () => timedOut };
    const done = () => clearTimeout(timer);
    let res: Response;
    try {
      res = await this.fetchFn(url, {
        method: 'GET',
        headers: { 'user-agent': this.userAgent, ...opts.headers },
        redirect: opts.redirect ?? 'follow',
        signal: controller.signal,
      });
    } catch (err) {
      done();
      if (timedOut) throw new TimeoutError(url, timeoutMs);
      throw new NetworkError(url, describeCause(err), { cause: err });
    }
    try {
      if (res.status >= 400 || (res.status >= 300 && (opts.redirect ?? 'follow') === 'follow')) {
        const text = await readErrorBody(res);
        throw new HttpError(res.status, res.url || url, text, res.headers);
      }
      const declared = declaredLength(res.headers);
      if (declared !== undefined && declared > maxBytes) {
        await res.body?.cancel().catch(() => undefined);
        throw new TooLargeError(res.url || url, maxBytes, declared);
      }
    } catch (err) {
      done();
      if (timedOut) throw new TimeoutError(url, timeoutMs);
      throw err;
    }
    return { res, done, timeoutMs, signal };
  }

  /** Reads the body chunk by chunk, enforcing the cap and the declared length. Returns the size. */
  private async readBody(
    res: Response,
    url: string,
    opts: RequestOptions,
    timeoutMs: number,
    signal: { controller: AbortController; timedOut: () => boolean },
    onChunk: (c: Uint8Array) => void | Promise<void>,
  ): Promise<number> {
    const maxBytes = opts.maxBytes ?? this.defaults.maxBytes;
    const declared = declaredLength(res.headers);
    const reader = res.body?.getReader();
    let received = 0;
    if (reader) {
      for (;;) {
        const { done, value } = await readChunk(reader, url, timeoutMs, signal);
        if (done) break;
        received += value.byteLength;
        if (received > maxBytes) {
          await reader.cancel().catch(() => undefined);
          signal.controller.abort();
          throw new TooLargeError(res.url || url, maxBytes);
        }
        await onChunk(value);
      }
    }
    // With a content-encoding, Content-Length counts encoded bytes, so it can't be compared.
    if (declared !== undefined && received !== declared && !encoded(res.headers)) {
      throw new TruncatedBodyError(res.url || url, declared, received);
    }
    return received;
  }
}

/** Reads one chunk, turning aborts into TimeoutError and stream failures into NetworkError. */
async function readChunk(
  reader: { read(): Promise<{ done: true; value?: undefined } | { done: false; value: Uint8Array }> },
  url: string,
  timeoutMs: number,
  signal: { timedOut: () => boolean },
): Promise<{ done: true; value?: undefined } | { done: false; value: Uint8Array }> {
  try {
    return await reader.read();
  } catch (err) {
    if (signal.timedOut()) throw new TimeoutError(url, timeoutMs);
    throw new NetworkError(url, `reading body: ${describeCause(err)}`, { cause: err });
  }
}

/** Reads at most ERROR_BODY_BYTES of an error response as text, then drops the rest. */
async function readErrorBody(res: Response): Promise<string> {
  const reader = res.body?.getReader();
  if (!reader) return '';
  const chunks: Buffer[] = [];
  let size = 0;
  try {
    while (size < ERROR_BODY_BYTES) {
      const { done, value } = await reader.read();
      if (done) break;
      chunks.push(Buffer.from(value.buffer, value.byteOffset, value.byteLength));
      size += value.byteLength;
    }
  } catch {
    // A broken error body still leaves us the status code, which is what matters.
  } finally {
    await reader.cancel().catch(() => undefined);
  }
  return Buffer.concat(chunks).subarray(0, ERROR_BODY_BYTES).toString('utf8');
}

/** The Content-Length header as a number, or undefined when absent or malformed. */
function declaredLength(headers: Headers): number | undefined {
  const raw = headers.get('content-length');
  if (raw === null || !/^\d+$/.test(raw.trim())) return undefined;
  return Number(raw.trim());
}

/** True when the body was sent with a content-encoding that fetch decodes. */
function encoded(headers: Headers): boolean {
  const enc = headers.get('content-encoding');
  return enc !== null && enc.trim() !== '' && enc.trim().toLowerCase() !== 'identity';
}

/** A one-line description of a fetch failure (undici hides the useful part in `cause`). */
function describeCause(err: unknown): string {
  if (err instanceof Error) {
    const cause = (err as { cause?: unknown }).cause;
    if (cause instanceof Error && cause.message) return `${err.message} (${cause.message})`;
    return err.message;
  }
  return String(err);
}

function firstLine(s: string): string {
  const line = s.trim().split('\n', 1)[0] ?? '';
  return line.length > 200 ? `${line.slice(0, 200)}…` : line;
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

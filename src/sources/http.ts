/**
 * The one HTTP layer on Node's global `fetch`: byte caps (checked against Content-Length and while
 * reading), time bounds, retries of fast failures only, a concurrency limit and typed errors. Every
 * network request ModWarden makes goes through here.
 *
 * Time bounds (see {@link TimeBounds}): connecting plus the response headers, the longest silence while a
 * body streams (a stall), and a total that grows with the body's size. A stall or a deadline is never
 * retried, so one hanging server costs one bound, not one bound per attempt. Every call takes an optional
 * `signal` so a caller's own deadline cancels it (and frees its slot).
 */
import { createWriteStream } from 'node:fs';
import { rm } from 'node:fs/promises';
import { pipeline } from 'node:stream/promises';
import { setTimeout as delay } from 'node:timers/promises';
import pLimit from 'p-limit';
import { bodyExcerpt, MESSAGE_CHARS, oneLine } from './plain-text.js';

/** How long a request may take. */
export interface TimeBounds {
  /** Connecting and receiving the response headers. */
  connectTimeoutMs: number;
  /** Longest wait for the next bytes of a body that has started. */
  stallTimeoutMs: number;
  /** Whole request for a tiny body; the body's size adds to it (see minBytesPerSecond). */
  timeoutMs: number;
  /** Slowest transfer accepted: the declared length (else the cap) adds size / rate to the total. */
  minBytesPerSecond: number;
}

/** Seconds, not minutes: a proxy that has not answered in 30 s is not going to. */
export const DEFAULT_TIME_BOUNDS: Readonly<TimeBounds> = {
  connectTimeoutMs: 30_000,
  stallTimeoutMs: 20_000,
  timeoutMs: 60_000,
  minBytesPerSecond: 1024 * 1024,
};

/** Options of one request; unset values come from the client. */
export interface RequestOptions extends Partial<TimeBounds> {
  /** Largest body accepted, in bytes; checked against Content-Length before reading and while reading. */
  maxBytes?: number;
  headers?: Record<string, string>;
  /** Retries after the first attempt, for fast failures only (5xx, resets; see {@link HttpClient}). */
  retries?: number;
  /** 'manual' hands 3xx answers back to `get` (and as HttpError from `download`). Default 'follow'. */
  redirect?: 'follow' | 'manual';
  /** Cancels the request (also while it waits for a slot or a retry). */
  signal?: AbortSignal;
  /** POST with this body (git smart HTTP); GET when absent. */
  post?: { body: Uint8Array; contentType: string };
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

/** Client-wide settings. */
export interface HttpClientOptions extends Partial<TimeBounds> {
  /** Most requests in flight at once (default 8). */
  concurrency?: number;
  /** Default body cap (default 64 MiB). */
  maxBytes?: number;
  /** Default retry count (default 2). */
  retries?: number;
  /** First back-off delay; doubles per attempt, with jitter (default 200 ms). */
  backoffBaseMs?: number;
  /** Longest back-off delay (default 5 s). */
  backoffMaxMs?: number;
  /** A 429/503 whose Retry-After asks for longer than this is not retried here (default 10 s). */
  retryAfterMaxMs?: number;
  /** Sent as User-Agent unless a request sets its own. */
  userAgent?: string;
  /** Replaceable for tests; defaults to the global fetch (which nock intercepts). */
  fetch?: typeof fetch;
}

/** Bytes of an error body kept for classification (never shown raw: messages carry a one-line excerpt). */
const ERROR_BODY_BYTES = 8 * 1024;

/** Base class of every error this module throws; the message is one line of plain text. */
export class HttpClientError extends Error {
  constructor(
    message: string,
    readonly url: string,
  ) {
    super(oneLine(message, MESSAGE_CHARS));
    this.name = new.target.name;
  }
}

/** The server answered with a status >= 400 (or a 3xx that was not to be followed). */
export class HttpError extends HttpClientError {
  constructor(
    readonly status: number,
    url: string,
    /** The start of the response body as sent (at most 8 KiB), for classification only: never display it. */
    readonly body: string,
    readonly headers: Headers,
  ) {
    const excerpt = bodyExcerpt(body);
    super(`${url}: HTTP ${status}${excerpt ? `: ${excerpt}` : ''}`, url);
  }

  /** One line of plain text from the body (a JSON `message` when there is one), at most 200 characters. */
  get excerpt(): string {
    return bodyExcerpt(this.body);
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

/** Which time bound ran out: no answer, a silent body, or the whole request. */
export type TimeoutPhase = 'connect' | 'stall' | 'total';

/** A time bound ran out. `detail` says which, without the URL ("did not answer within 30 s"). */
export class TimeoutError extends HttpClientError {
  readonly detail: string;
  constructor(
    url: string,
    readonly timeoutMs: number,
    readonly phase: TimeoutPhase = 'total',
    /** Body bytes received before a stall. */
    readonly received = 0,
  ) {
    const detail =
      phase === 'connect'
        ? `did not answer within ${seconds(timeoutMs)}`
        : phase === 'stall'
          ? `stopped sending for ${seconds(timeoutMs)} after ${received} bytes`
          : `did not finish within ${seconds(timeoutMs)}`;
    super(`${url}: ${detail}`, url);
    this.detail = detail;
  }
}

/** The caller cancelled the request through its signal (for example its own deadline). */
export class AbortedError extends HttpClientError {
  constructor(
    url: string,
    /** The signal's reason. */
    readonly reason: unknown,
  ) {
    const why = reason instanceof Error && reason.name !== 'AbortError' ? reason.message : '';
    super(`${url}: cancelled${why ? ` (${why})` : ''}`, url);
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

/** "30 s", "1.5 s", "200 ms". */
export function seconds(ms: number): string {
  if (ms < 1000) return `${ms} ms`;
  const s = ms / 1000;
  return `${Number.isInteger(s) ? s : s.toFixed(1)} s`;
}

/** Retry-After as milliseconds (delta-seconds or an HTTP date), or undefined when absent or malformed. */
export function retryAfterMs(headers: Headers, now = Date.now()): number | undefined {
  const raw = headers.get('retry-after')?.trim();
  if (!raw) return undefined;
  if (/^\d+$/.test(raw)) return Number(raw) * 1000;
  const at = Date.parse(raw);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

/** HTTP client with caps, time bounds, retries of fast failures and a concurrency limit. */
export class HttpClient {
  /** The client's time bounds (requests may override each). */
  readonly bounds: Readonly<TimeBounds>;
  private readonly limit: ReturnType<typeof pLimit>;
  private readonly maxBytes: number;
  private readonly retries: number;
  private readonly backoffBaseMs: number;
  private readonly backoffMaxMs: number;
  private readonly retryAfterMaxMs: number;
  private readonly fetchFn: typeof fetch;
  private readonly userAgent: string;

  constructor(opts: HttpClientOptions = {}) {
    this.limit = pLimit(opts.concurrency ?? 8);
    this.bounds = {
      connectTimeoutMs: opts.connectTimeoutMs ?? DEFAULT_TIME_BOUNDS.connectTimeoutMs,
      stallTimeoutMs: opts.stallTimeoutMs ?? DEFAULT_TIME_BOUNDS.stallTimeoutMs,
      timeoutMs: opts.timeoutMs ?? DEFAULT_TIME_BOUNDS.timeoutMs,
      minBytesPerSecond: opts.minBytesPerSecond ?? DEFAULT_TIME_BOUNDS.minBytesPerSecond,
    };
    this.maxBytes = opts.maxBytes ?? 64 * 1024 * 1024;
    this.retries = opts.retries ?? 2;
    this.backoffBaseMs = opts.backoffBaseMs ?? 200;
    this.backoffMaxMs = opts.backoffMaxMs ?? 5_000;
    this.retryAfterMaxMs = opts.retryAfterMaxMs ?? 10_000;
    this.fetchFn = opts.fetch ?? ((input, init) => globalThis.fetch(input, init));
    this.userAgent = opts.userAgent ?? 'modwarden';
  }

  /** GETs `url` and reads the whole body into memory (within the cap). Throws HttpError on status >= 400. */
  async get(url: string, opts: RequestOptions = {}): Promise<HttpResponse> {
    return this.withRetries(opts, () =>
      this.exchange(url, opts, false, async (res, body, finalUrl) => {
        const chunks: Buffer[] = [];
        let size = 0;
        for await (const c of body) {
          chunks.push(c);
          size += c.length;
        }
        return { status: res.status, headers: res.headers, body: Buffer.concat(chunks, size), url: finalUrl };
      }),
    );
  }

  /**
   * GETs `url` and streams the body to `destPath` (created or truncated) within the cap. A partial file
   * is removed on failure; a retry starts the file over. Any 3xx is an HttpError (its Location header
   * tells the caller where to go), so a redirect body is never written.
   */
  async download(url: string, destPath: string, opts: RequestOptions = {}): Promise<DownloadResult> {
    return this.withRetries(opts, () =>
      this.exchange(url, opts, true, async (res, body, finalUrl) => {
        let size = 0;
        const counted = async function* () {
          for await (const c of body) {
            size += c.length;
            yield c;
          }
        };
        try {
          await pipeline(counted, createWriteStream(destPath));
        } catch (err) {
          await rm(destPath, { force: true });
          throw err;
        }
        return { status: res.status, headers: res.headers, url: finalUrl, size };
      }),
    );
  }

  /** Runs `attempt`, repeating fast failures with back-off (or the server's Retry-After). */
  private async withRetries<T>(opts: RequestOptions, attempt: () => Promise<T>): Promise<T> {
    const retries = opts.retries ?? this.retries;
    for (let i = 0; ; i++) {
      const started = Date.now();
      try {
        return await attempt();
      } catch (err) {
        const wait = i < retries ? this.retryDelay(err, i, Date.now() - started, opts) : undefined;
        if (wait === undefined) throw err;
        try {
          await delay(wait, undefined, { signal: opts.signal });
        } catch {
          throw new AbortedError((err as HttpClientError).url ?? '', opts.signal?.reason);
        }
      }
    }
  }

  /**
   * How long to wait before attempt `i + 1`, or undefined when `err` is not worth repeating: timeouts,
   * cancellations, caps and 4xx never are; neither is any failure that took longer than the connect
   * bound (a slow failure repeated is a stall multiplied).
   */
  private retryDelay(err: unknown, i: number, elapsedMs: number, opts: RequestOptions): number | undefined {
    if (elapsedMs > (opts.connectTimeoutMs ?? this.bounds.connectTimeoutMs)) return undefined;
    if (err instanceof HttpError) {
      const asked = err.status === 429 || err.status === 503 ? retryAfterMs(err.headers) : undefined;
      if (asked !== undefined) return asked <= this.retryAfterMaxMs ? asked : undefined;
      if (err.status < 500) return undefined;
    } else if (!(err instanceof NetworkError)) {
      return undefined;
    }
    const ceiling = Math.min(this.backoffMaxMs, this.backoffBaseMs * 2 ** i);
    // "Equal jitter": half fixed, half random, so concurrent clients spread out but still wait.
    return ceiling / 2 + Math.random() * (ceiling / 2);
  }

  /**
   * One attempt: takes a slot, sends the request, checks status and declared length, and hands the body
   * (as capped, stall-guarded chunks) to `consume`. Releases the slot and the timers however it ends.
   */
  private async exchange<T>(
    url: string,
    opts: RequestOptions,
    redirectIsError: boolean,
    consume: (res: Response, body: AsyncGenerator<Buffer>, finalUrl: string) => Promise<T>,
  ): Promise<T> {
    const b: TimeBounds = { ...this.bounds, ...definedOnly(opts) };
    const maxBytes = opts.maxBytes ?? this.maxBytes;
    const release = await this.acquire(url, opts.signal);
    const guard = new Guard(url, b, maxBytes, opts.signal);
    try {
      const redirect = opts.redirect ?? 'follow';
      let res: Response;
      guard.arm('connect', b.connectTimeoutMs);
      try {
        res = await this.fetchFn(url, {
          method: opts.post ? 'POST' : 'GET',
          ...(opts.post ? { body: opts.post.body } : {}),
          headers: { 'user-agent': this.userAgent, ...(opts.post ? { 'content-type': opts.post.contentType } : {}), ...opts.headers },
          redirect,
          signal: guard.signal,
        });
      } catch (err) {
        throw guard.failure() ?? new NetworkError(url, describeCause(err), { cause: err });
      }
      guard.disarm();
      const finalUrl = res.url || url;
      if (res.status >= 400 || (res.status >= 300 && (redirect === 'follow' || redirectIsError))) {
        throw new HttpError(res.status, finalUrl, await readErrorBody(res, guard), res.headers);
      }
      const declared = declaredLength(res.headers);
      if (declared !== undefined && declared > maxBytes) {
        await res.body?.cancel().catch(() => undefined);
        throw new TooLargeError(finalUrl, maxBytes, declared);
      }
      guard.limitTotal(declared ?? maxBytes);
      return await consume(res, readBody(res, finalUrl, maxBytes, declared, guard), finalUrl);
    } finally {
      guard.dispose();
      release();
    }
  }

  /** Waits for a concurrency slot; a cancelled wait gives the slot up. Returns the release function. */
  private acquire(url: string, signal?: AbortSignal): Promise<() => void> {
    if (signal?.aborted) return Promise.reject(new AbortedError(url, signal.reason));
    return new Promise((resolve, reject) => {
      let given = false;
      const onAbort = () => {
        given = true;
        reject(new AbortedError(url, signal!.reason));
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      void this.limit(
        () =>
          new Promise<void>((free) => {
            signal?.removeEventListener('abort', onAbort);
            if (given) return free();
            given = true;
            let freed = false;
            resolve(() => {
              if (!freed) (freed = true), free();
            });
          }),
      );
    });
  }
}

/**
 * The timers and signal of one attempt. AbortSignal.timeout cannot be re-armed or cleared, and the stall
 * bound must restart with every chunk, so the bounds are plain timers aborting one controller, combined
 * with the caller's signal through AbortSignal.any.
 */
class Guard {
  readonly signal: AbortSignal;
  private readonly controller = new AbortController();
  private phaseTimer: NodeJS.Timeout | undefined;
  private totalTimer: NodeJS.Timeout | undefined;
  private readonly started = Date.now();

  constructor(
    private readonly url: string,
    readonly bounds: TimeBounds,
    maxBytes: number,
    private readonly caller: AbortSignal | undefined,
  ) {
    this.signal = caller ? AbortSignal.any([this.controller.signal, caller]) : this.controller.signal;
    // Until the headers say how big the body is, the total is scaled to the cap.
    this.setTotal(this.totalFor(maxBytes));
  }

  /** Starts the bound of one phase (connect, or one chunk's stall), replacing the previous one. */
  arm(phase: 'connect' | 'stall', ms: number, received = 0): void {
    this.disarm();
    this.phaseTimer = setTimeout(() => this.controller.abort(new TimeoutError(this.url, ms, phase, received)), ms);
  }

  disarm(): void {
    clearTimeout(this.phaseTimer);
  }

  /** Tightens the total to what a body of `bytes` may take, counted from the start of the request. */
  limitTotal(bytes: number): void {
    this.setTotal(this.totalFor(bytes));
  }

  /** Our own error when the signal fired (the caller's cancellation first), else undefined. */
  failure(): HttpClientError | undefined {
    if (this.caller?.aborted) return new AbortedError(this.url, this.caller.reason);
    if (this.controller.signal.aborted) return this.controller.signal.reason as TimeoutError;
    return undefined;
  }

  dispose(): void {
    clearTimeout(this.phaseTimer);
    clearTimeout(this.totalTimer);
  }

  private totalFor(bytes: number): number {
    return Math.ceil(this.bounds.timeoutMs + (bytes / this.bounds.minBytesPerSecond) * 1000);
  }

  private setTotal(ms: number): void {
    clearTimeout(this.totalTimer);
    const left = Math.max(0, this.started + ms - Date.now());
    this.totalTimer = setTimeout(() => this.controller.abort(new TimeoutError(this.url, ms, 'total')), left);
  }
}

/**
 * The one body reader: yields the body in chunks, enforcing the cap, the stall bound and the declared
 * length, and turning stream failures into typed errors. Stopping early releases the connection.
 */
async function* readBody(res: Response, url: string, maxBytes: number, declared: number | undefined, guard: Guard): AsyncGenerator<Buffer> {
  const reader = res.body?.getReader();
  let received = 0;
  let finished = !reader;
  try {
    while (reader) {
      guard.arm('stall', guard.bounds.stallTimeoutMs, received);
      let chunk: Awaited<ReturnType<typeof reader.read>>;
      try {
        chunk = await reader.read();
      } catch (err) {
        throw guard.failure() ?? new NetworkError(url, `reading body: ${describeCause(err)}`, { cause: err });
      } finally {
        guard.disarm();
      }
      if (chunk.done) {
        finished = true;
        break;
      }
      received += chunk.value.byteLength;
      if (received > maxBytes) throw new TooLargeError(url, maxBytes);
      yield Buffer.from(chunk.value.buffer, chunk.value.byteOffset, chunk.value.byteLength);
    }
  } finally {
    if (!finished) await reader?.cancel().catch(() => undefined);
  }
  // With a content-encoding, Content-Length counts encoded bytes, so it can't be compared.
  if (declared !== undefined && received !== declared && !encoded(res.headers)) throw new TruncatedBodyError(url, declared, received);
}

/** Reads at most ERROR_BODY_BYTES of an error response as text (within the stall bound), then drops the rest. */
async function readErrorBody(res: Response, guard: Guard): Promise<string> {
  const reader = res.body?.getReader();
  if (!reader) return '';
  const chunks: Buffer[] = [];
  let size = 0;
  try {
    while (size < ERROR_BODY_BYTES) {
      guard.arm('stall', guard.bounds.stallTimeoutMs, size);
      const { done, value } = await reader.read();
      if (done) break;
      chunks.push(Buffer.from(value.buffer, value.byteOffset, value.byteLength));
      size += value.byteLength;
    }
  } catch {
    // A broken or silent error body still leaves us the status code, which is what matters.
  } finally {
    guard.disarm();
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

/** The time bounds a request set explicitly (undefined values do not override the client's). */
function definedOnly(opts: RequestOptions): Partial<TimeBounds> {
  const out: Partial<TimeBounds> = {};
  for (const k of ['connectTimeoutMs', 'stallTimeoutMs', 'timeoutMs', 'minBytesPerSecond'] as const) {
    if (opts[k] !== undefined) out[k] = opts[k];
  }
  return out;
}

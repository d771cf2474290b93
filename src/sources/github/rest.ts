/**
 * The one GitHub REST layer: every request to a GitHub API (origin reads, repository metadata, search)
 * goes through {@link GitHubRest}. It owns, in one place:
 *   - the token: sent only to the configured API origin, never to a download host or a redirect off it;
 *   - redirects: API answers may redirect within the API origin only (a renamed repository's 301 to
 *     /repositories/{id}); a download (tarball) may go on to codeload.github.com or a configured download
 *     host, without the token;
 *   - rate limits: 429, or 403 with `x-ratelimit-remaining: 0` / `retry-after` / a rate-limit message. The
 *     limited state is kept per resource (core, search) until its reset time and then forgotten. A limit
 *     that resets soon (default: in under a minute) is waited out; a later one fails fast with
 *     {@link RateLimitedError}, without sending requests GitHub would refuse anyway;
 *   - error bodies: only GitHub's `message`, as one line of plain text, reaches an error message.
 * Built on the capped HttpClient (byte caps, connect/stall/total time bounds, retries of fast failures).
 */
import { setTimeout as delay } from 'node:timers/promises';
import { AbortedError, HttpClient, HttpClientError, HttpError, TimeoutError, TooLargeError } from '../http.js';
import { bodyExcerpt, MESSAGE_CHARS, oneLine } from '../plain-text.js';

/** Default GitHub REST API root (override with GITHUB_API_URL or `baseUrl`). */
export const GITHUB_API_URL = 'https://api.github.com';
/** The host GitHub's tarball endpoint redirects to. */
export const CODELOAD_HOST = 'codeload.github.com';
/** Default longest wait for a rate limit to reset before degrading (MODWARDEN_GITHUB_RATE_LIMIT_WAIT_MS). */
export const DEFAULT_RATE_LIMIT_WAIT_MS = 60_000;

/** Cap on one JSON answer. */
const MAX_JSON_BYTES = 4 << 20;
const MAX_REDIRECTS = 5;
/** Rate-limit answers waited out per request before giving up (the limit may be hit again at once). */
const MAX_LIMIT_WAITS = 2;

/** Any failure talking to the GitHub API that is not one of the more specific errors below. */
export class GitHubApiError extends Error {
  constructor(
    message: string,
    readonly status: number | null,
    readonly url: string,
  ) {
    super(oneLine(message, MESSAGE_CHARS));
    this.name = 'GitHubApiError';
  }
}

/** GitHub refused because of a primary or secondary rate limit; `resetAt` says when to try again. */
export class RateLimitedError extends GitHubApiError {
  constructor(
    readonly resetAt: Date,
    status: number,
    url: string,
    /** `core`, `search`, ... (GitHub's x-ratelimit-resource). */
    readonly resource = 'core',
    /** False when GitHub named no reset time (resetAt is then a minute after the answer, GitHub's advice). */
    readonly resetKnown = true,
  ) {
    super(
      `GitHub API ${resource === 'core' ? '' : `${resource} `}rate limit reached (HTTP ${status}); ${resetKnown ? 'it resets at' : 'try again after'} ${resetAt.toISOString()}`,
      status,
      url,
    );
    this.name = 'RateLimitedError';
  }
}

/** A redirect pointed at a host that is not allowed for that request; it was not followed. */
export class RedirectNotAllowedError extends GitHubApiError {
  constructor(
    readonly location: string,
    url: string,
  ) {
    super(`refused to follow a redirect from ${url} to ${oneLine(location, 300)}: host not allowed`, null, url);
    this.name = 'RedirectNotAllowedError';
  }
}

/** One API answer: 2xx with its JSON, or a 4xx (not a rate limit) for the caller to interpret. */
export interface ApiAnswer {
  status: number;
  /** The URL that answered (after same-origin redirects). */
  url: string;
  /** Parsed JSON (null for an empty body). */
  body: unknown;
  /** GitHub's `message` for an error answer, one line of plain text ('' when none). */
  message: string;
  headers: Headers;
  /** The first URL, when redirects moved it (a renamed or transferred repository). */
  redirectedFrom?: string;
}

/** Per-request options. */
export interface RestCallOptions {
  signal?: AbortSignal;
}

/** Options of {@link GitHubRest}. */
export interface GitHubRestOptions {
  /** API root, default {@link GITHUB_API_URL}. */
  baseUrl?: string;
  /** Optional token; sent only to the API origin. */
  token?: string;
  /** The HTTP layer (time bounds, caps, retries, concurrency); a default one is made when absent. */
  http?: HttpClient;
  /** Hosts (`host` or `host:port`) a download may be redirected to besides the API origin and codeload. */
  downloadHosts?: string[];
  /** Waits shorter than this are made for a rate limit to reset; a later reset fails fast (default 60 s; 0 never waits). */
  maxRateLimitWaitMs?: number;
  /** Retries after a fast network error or 5xx (passed to the HTTP layer). */
  retries?: number;
  /** Clock and sleep, replaceable in tests. */
  now?: () => number;
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
}

/** A rate limit in force: until when, and the status that announced it. */
export interface LimitState {
  until: number;
  status: number;
  /** False when GitHub named no reset time and `until` is a guess (a minute). */
  known: boolean;
}

/** The one GitHub REST client; see the module comment. */
export class GitHubRest {
  readonly baseUrl: string;
  readonly apiOrigin: string;
  readonly http: HttpClient;
  private readonly token?: string;
  private readonly downloadHosts: Set<string>;
  /** Waits shorter than this are made for a rate limit to reset. */
  readonly maxWaitMs: number;
  private readonly retries?: number;
  private readonly now: () => number;
  private readonly sleep: (ms: number, signal?: AbortSignal) => Promise<void>;
  private readonly limits = new Map<string, LimitState>();

  constructor(options: GitHubRestOptions = {}) {
    const base = new URL(options.baseUrl ?? GITHUB_API_URL);
    if (base.protocol !== 'https:' && base.protocol !== 'http:') throw new Error(`GitHub API URL must be http(s): ${options.baseUrl}`);
    this.baseUrl = base.href.replace(/\/+$/, '');
    this.apiOrigin = base.origin;
    this.token = options.token || undefined;
    this.http = options.http ?? new HttpClient();
    this.downloadHosts = new Set([CODELOAD_HOST, ...(options.downloadHosts ?? []).map((h) => h.toLowerCase())]);
    this.maxWaitMs = options.maxRateLimitWaitMs ?? DEFAULT_RATE_LIMIT_WAIT_MS;
    this.retries = options.retries;
    this.now = options.now ?? Date.now;
    this.sleep = options.sleep ?? ((ms, signal) => delay(ms, undefined, { signal }));
  }

  /** True when a token is configured (GitHub's limits are then higher). */
  get authenticated(): boolean {
    return this.token !== undefined;
  }

  /** The rate limit in force for `resource`, or null (a limit whose reset time has passed is forgotten). */
  limitedUntil(resource = 'core'): LimitState | null {
    const s = this.limits.get(resource);
    if (s && s.until <= this.now()) {
      this.limits.delete(resource);
      return null;
    }
    return s ?? null;
  }

  /**
   * GET `path` (relative to the API root) as JSON. Returns 2xx answers and 4xx answers other than rate
   * limits (404, 422...) for the caller to interpret; throws RateLimitedError, RedirectNotAllowedError,
   * or GitHubApiError (5xx after retries, network failures, timeouts, a 2xx that is not JSON).
   */
  async get(path: string, opts: RestCallOptions = {}): Promise<ApiAnswer> {
    const resource = path.startsWith('/search/') ? 'search' : 'core';
    const first = `${this.baseUrl}${path}`;
    for (let waits = 0; ; waits++) {
      await this.waitForLimit(resource, first, opts.signal);
      let url = first;
      for (let hop = 0; ; hop++) {
        let status: number;
        let text: string;
        let headers: Headers;
        try {
          const res = await this.http.get(url, { redirect: 'manual', headers: this.headersFor(url), maxBytes: MAX_JSON_BYTES, signal: opts.signal, retries: this.retries });
          ({ status, headers } = res);
          text = res.body.toString('utf8');
        } catch (e) {
          if (!(e instanceof HttpError)) throw wrapNetworkError(e, `GitHub API request ${url}`);
          ({ status, headers } = e);
          text = e.body;
        }
        const limit = this.rateLimitOf(status, headers, text, resource);
        if (limit) {
          if (waits < MAX_LIMIT_WAITS && limit.until - this.now() < this.maxWaitMs) break; // wait and start over
          throw new RateLimitedError(new Date(limit.until), status, url, limit.resource, limit.known);
        }
        this.noteRemaining(headers, status, resource);
        if (status >= 500) throw new GitHubApiError(`GitHub API answered HTTP ${status} for ${url}`, status, url);
        if (isRedirect(status)) {
          if (hop >= MAX_REDIRECTS) throw new GitHubApiError(`too many redirects from ${first}`, status, url);
          url = this.checkedRedirect(url, headers.get('location'), 'api');
          continue;
        }
        const answer: ApiAnswer = { status, url, headers, body: null, message: '' };
        if (text.trim() !== '') {
          try {
            answer.body = JSON.parse(text);
          } catch {
            if (status >= 200 && status < 300) throw new GitHubApiError(`GitHub API answered non-JSON for ${url}`, status, url);
          }
        }
        if (status >= 300) answer.message = bodyExcerpt(text);
        if (url !== first) answer.redirectedFrom = first;
        return answer;
      }
    }
  }

  /**
   * GET `path` and write the body to `dest` (a tarball): the API's 302 is followed to the API origin or an
   * allowed download host, the token only ever sent to the API origin. Throws TooLargeError past
   * `maxBytes` (for the caller to name), RateLimitedError, RedirectNotAllowedError or GitHubApiError.
   */
  async download(path: string, dest: string, opts: RestCallOptions & { maxBytes: number }): Promise<{ size: number; url: string }> {
    const first = `${this.baseUrl}${path}`;
    for (let waits = 0; ; waits++) {
      await this.waitForLimit('core', first, opts.signal);
      let url = first;
      for (let hop = 0; ; hop++) {
        try {
          const r = await this.http.download(url, dest, { redirect: 'manual', headers: this.headersFor(url), maxBytes: opts.maxBytes, signal: opts.signal, retries: this.retries });
          return { size: r.size, url: r.url };
        } catch (e) {
          if (!(e instanceof HttpError)) {
            if (e instanceof TooLargeError) throw e;
            throw wrapNetworkError(e, `downloading ${url}`);
          }
          if (isRedirect(e.status)) {
            if (hop >= MAX_REDIRECTS) throw new GitHubApiError(`too many redirects from ${first}`, e.status, url);
            url = this.checkedRedirect(url, e.headers.get('location'), 'download');
            continue;
          }
          // Only the API speaks for rate limits; a download host's 403 is just a refusal.
          const limit = new URL(url).origin === this.apiOrigin ? this.rateLimitOf(e.status, e.headers, e.body, 'core') : null;
          if (limit) {
            if (waits < MAX_LIMIT_WAITS && limit.until - this.now() < this.maxWaitMs) break; // wait and start over
            throw new RateLimitedError(new Date(limit.until), e.status, url, limit.resource, limit.known);
          }
          const excerpt = e.excerpt;
          throw new GitHubApiError(`HTTP ${e.status} from ${url}${excerpt ? `: ${excerpt}` : ''}`, e.status, url);
        }
      }
    }
  }

  /** Request headers; the token goes to the API origin only, never to a download host or a redirect target. */
  private headersFor(url: string): Record<string, string> {
    const headers: Record<string, string> = { accept: 'application/vnd.github+json', 'x-github-api-version': '2022-11-28' };
    if (this.token && new URL(url).origin === this.apiOrigin) headers.authorization = `Bearer ${this.token}`;
    return headers;
  }

  /** Resolves a Location header and refuses it unless allowed for this kind of request. */
  private checkedRedirect(from: string, location: string | null, kind: 'api' | 'download'): string {
    if (!location) throw new GitHubApiError(`redirect without a Location from ${from}`, null, from);
    let next: URL;
    try {
      next = new URL(location, from);
    } catch {
      throw new RedirectNotAllowedError(location, from);
    }
    const sameOrigin = next.origin === this.apiOrigin;
    // Download hosts need https, or the API's own scheme (plain http only for a local test API).
    const scheme = next.protocol === 'https:' || next.protocol === new URL(this.apiOrigin).protocol;
    const download = kind === 'download' && scheme && this.downloadHosts.has(next.host.toLowerCase());
    if (!(sameOrigin || download) || next.username || next.password) throw new RedirectNotAllowedError(next.href, from);
    return next.href;
  }

  /**
   * Before a request: a limit in force that resets within the wait bound is waited out; a later one
   * fails at once (GitHub would refuse the request anyway).
   */
  private async waitForLimit(resource: string, url: string, signal?: AbortSignal): Promise<void> {
    const state = this.limitedUntil(resource);
    if (!state) return;
    const wait = state.until - this.now();
    if (wait >= this.maxWaitMs) throw new RateLimitedError(new Date(state.until), state.status, url, resource, state.known);
    try {
      await this.sleep(wait, signal);
    } catch {
      throw wrapNetworkError(new AbortedError(url, signal?.reason), `waiting for the GitHub ${resource} rate limit to reset before ${url}`);
    }
    if (this.limits.get(resource) === state) this.limits.delete(resource);
  }

  /** Recognises a rate-limit answer and records it; null for anything else. */
  private rateLimitOf(status: number, headers: Headers, body: string, resource: string): (LimitState & { resource: string }) | null {
    const reset = rateLimitReset(status, headers, body, this.now());
    if (reset === null) return null;
    const res = headers.get('x-ratelimit-resource') ?? resource;
    const state: LimitState = { until: reset.at, status, known: reset.known };
    const prev = this.limits.get(res);
    if (!prev || prev.until < state.until) this.limits.set(res, state);
    return { ...state, resource: res };
  }

  /** A successful answer that used the last request of the window: later requests wait or fail fast. */
  private noteRemaining(headers: Headers, status: number, resource: string): void {
    if (headers.get('x-ratelimit-remaining') !== '0') return;
    const reset = Number(headers.get('x-ratelimit-reset'));
    if (!Number.isFinite(reset) || reset <= 0) return;
    const res = headers.get('x-ratelimit-resource') ?? resource;
    if (!this.limits.has(res)) this.limits.set(res, { until: reset * 1000, status: status < 400 ? 403 : status, known: true });
  }
}

/**
 * When a rate limit ends (`known` false when GitHub did not say), or null when the answer is not one. GitHub signals limits with 429, or 403 with
 * `x-ratelimit-remaining: 0`, a `retry-after`, or a message about rate limits (secondary limits). The end
 * is `retry-after` seconds from now, else `x-ratelimit-reset` (epoch seconds) when nothing is left, else a
 * minute from now (GitHub's advice for secondary limits without headers).
 */
export function rateLimitReset(status: number, headers: Headers, body: string, now: number): { at: number; known: boolean } | null {
  if (status !== 403 && status !== 429) return null;
  const remaining = headers.get('x-ratelimit-remaining');
  const retryAfter = headers.get('retry-after');
  if (status === 403 && remaining !== '0' && retryAfter === null && !/rate limit/i.test(bodyExcerpt(body, 500))) return null;
  const seconds = retryAfter !== null && /^\d+$/.test(retryAfter.trim()) ? Number(retryAfter.trim()) : NaN;
  if (Number.isFinite(seconds)) return { at: now + seconds * 1000, known: true };
  const epoch = Number(headers.get('x-ratelimit-reset'));
  if (remaining === '0' && Number.isFinite(epoch) && epoch > 0) return { at: epoch * 1000, known: true };
  return { at: now + 60_000, known: false };
}

function isRedirect(status: number): boolean {
  return status === 301 || status === 302 || status === 303 || status === 307 || status === 308;
}

/** Turns HTTP-layer failures (network, timeout, cancellation) into GitHubApiError; our own errors pass through. */
function wrapNetworkError(e: unknown, what: string): unknown {
  if (e instanceof GitHubApiError) return e;
  if (e instanceof TimeoutError) return new GitHubApiError(`${what}: GitHub ${e.detail}`, null, e.url);
  if (e instanceof HttpClientError) return new GitHubApiError(`${what} failed: ${e.message}`, null, e.url);
  return new GitHubApiError(`${what} failed: ${e instanceof Error ? e.message : String(e)}`, null, '');
}

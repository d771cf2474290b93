/**
 * The installation's API budget (5,000 requests an hour for most installations): every response tells
 * what is left and when it resets. Watch jobs wait for the reset when what is left falls to a reserve,
 * so a large organisation's audit never takes the budget the pull-request checks need.
 */

/** Headers GitHub sends with every REST answer. */
type Headers = Record<string, string | number | undefined>;

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** What one installation has left. */
export class RateBudget {
  remaining = Number.POSITIVE_INFINITY;
  limit = Number.POSITIVE_INFINITY;
  /** Epoch ms when the window resets. */
  resetAt = 0;
  /** Requests seen (for logs and the bench). */
  requests = 0;

  constructor(private readonly now: () => number = Date.now) {}

  /** Reads the rate-limit headers of a response. */
  observe(headers: Headers | undefined): void {
    this.requests++;
    if (!headers) return;
    const num = (k: string) => {
      const v = Number(headers[k]);
      return Number.isFinite(v) ? v : null;
    };
    const remaining = num('x-ratelimit-remaining');
    const limit = num('x-ratelimit-limit');
    const reset = num('x-ratelimit-reset');
    if (remaining !== null) this.remaining = remaining;
    if (limit !== null) this.limit = limit;
    if (reset !== null) this.resetAt = reset * 1000;
  }

  /** How long to wait before spending more (0 = go on): until the reset when at or below `reserve`. */
  waitMs(reserve: number): number {
    if (this.remaining > reserve) return 0;
    const wait = this.resetAt - this.now();
    if (wait <= 0) {
      // The window has reset: the next answer says how much is left.
      this.remaining = Number.POSITIVE_INFINITY;
      return 0;
    }
    return wait + 1000;
  }

  /** Waits until spending is allowed again (at most `maxWaitMs` per call, then re-checks). */
  async ready(reserve: number, maxWaitMs = 15 * 60 * 1000): Promise<void> {
    for (let w = this.waitMs(reserve); w > 0; w = this.waitMs(reserve)) await sleep(Math.min(w, maxWaitMs));
  }
}

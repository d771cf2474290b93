/**
 * The shared store for several replicas: Redis (REDIS_URL). Keys are namespaced so one Redis can serve
 * other tenants; expiry is Redis's own (PX), set-if-absent is SET NX, and compare-and-delete is one Lua
 * script so a replica never releases a lock another replica took after ours expired.
 */
import { Redis } from 'ioredis';
import type { SetOptions, Store } from './store.js';

const DELETE_IF = `if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) else return 0 end`;

/** Options of the Redis store. */
export interface RedisStoreOptions {
  /** Prefix of every key (default `modwarden:`). */
  prefix?: string;
  /** An existing connection (tests, or one shared with the queue); otherwise one is made from `url`. */
  redis?: Redis;
}

export class RedisStore implements Store {
  readonly redis: Redis;
  private readonly prefix: string;
  private readonly owned: boolean;

  constructor(url: string | null, options: RedisStoreOptions = {}) {
    this.prefix = options.prefix ?? 'modwarden:';
    this.owned = !options.redis;
    if (options.redis) this.redis = options.redis;
    else if (url) this.redis = new Redis(url, { maxRetriesPerRequest: 3, lazyConnect: false });
    else throw new Error('RedisStore needs a URL or a connection');
  }

  private k(key: string): string {
    return this.prefix + key;
  }

  async get(key: string): Promise<string | null> {
    return this.redis.get(this.k(key));
  }

  async set(key: string, value: string, options?: SetOptions): Promise<void> {
    if (options?.ttlMs !== undefined) await this.redis.set(this.k(key), value, 'PX', Math.max(1, Math.round(options.ttlMs)));
    else await this.redis.set(this.k(key), value);
  }

  async setIfAbsent(key: string, value: string, options?: SetOptions): Promise<boolean> {
    const r =
      options?.ttlMs !== undefined
        ? await this.redis.set(this.k(key), value, 'PX', Math.max(1, Math.round(options.ttlMs)), 'NX')
        : await this.redis.set(this.k(key), value, 'NX');
    return r === 'OK';
  }

  async delete(key: string): Promise<void> {
    await this.redis.del(this.k(key));
  }

  async deleteIf(key: string, value: string): Promise<boolean> {
    return (await this.redis.eval(DELETE_IF, 1, this.k(key), value)) === 1;
  }

  async keys(prefix: string): Promise<string[]> {
    const out: string[] = [];
    let cursor = '0';
    do {
      const [next, batch] = await this.redis.scan(cursor, 'MATCH', `${this.k(prefix).replace(/[*?[\]\\]/g, '\\$&')}*`, 'COUNT', 500);
      cursor = next;
      for (const key of batch) out.push(key.slice(this.prefix.length));
    } while (cursor !== '0');
    return [...new Set(out)].sort();
  }

  async close(): Promise<void> {
    if (this.owned) await this.redis.quit().catch(() => this.redis.disconnect());
  }
}

import { readdir, stat, writeFile, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FileCache } from '../../src/sources/file-cache.js';

const exists = (f: string) => stat(f).then(() => true, () => false);
const settle = () => new Promise((r) => setTimeout(r, 20));

/** A loader writing `size` bytes, counting its calls. */
function writer(size: number, calls: { n: number }) {
  return async (dest: string) => {
    calls.n++;
    await writeFile(dest, Buffer.alloc(size, 1));
    return { file: dest, size };
  };
}

describe('FileCache', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'mw-fc-'));
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));

  it('serves a key from disk once loaded, and stays within its byte budget', async () => {
    const cache = new FileCache({ dir, maxBytes: 250 });
    const calls = { n: 0 };
    const a = await cache.acquire('a', 'a.zip', writer(100, calls));
    a.release();
    const again = await cache.acquire('a', 'a.zip', writer(100, calls));
    expect(again.file).toBe(a.file);
    again.release();
    for (const k of ['b', 'c']) (await cache.acquire(k, `${k}.zip`, writer(100, calls))).release();
    await settle();
    expect(cache.cachedBytes).toBe(200);
    expect(await exists(a.file)).toBe(false); // the least recently used went
    expect(await readdir(dir)).toHaveLength(2);
    expect(calls.n).toBe(3);
  });

  it('never deletes a file while a lease on it is held, even after eviction', async () => {
    const cache = new FileCache({ dir, maxBytes: 150 });
    const calls = { n: 0 };
    const held = await cache.acquire('a', 'a.zip', writer(100, calls));
    (await cache.acquire('b', 'b.zip', writer(100, calls))).release(); // evicts a
    await settle();
    expect(await exists(held.file)).toBe(true);
    const second = await cache.acquire('a', 'a.zip', writer(100, calls)); // a is out of the cache: loaded anew
    expect(second.file).not.toBe(held.file);
    held.release();
    held.release(); // idempotent
    await settle();
    expect(await exists(held.file)).toBe(false);
    expect(await exists(second.file)).toBe(true);
    second.release();
  });

  it('keeps a file bigger than the budget only while leased', async () => {
    const cache = new FileCache({ dir, maxBytes: 50 });
    const big = await cache.acquire('big', 'big.zip', writer(100, { n: 0 }));
    await settle();
    expect(await exists(big.file)).toBe(true);
    big.release();
    await settle();
    expect(await readdir(dir)).toEqual([]);
  });

  it('with a budget of 0 keeps nothing once released', async () => {
    const cache = new FileCache({ dir, maxBytes: 0 });
    const calls = { n: 0 };
    const a = await cache.acquire('a', 'a', writer(10, calls));
    a.release();
    await settle();
    expect(await readdir(dir)).toEqual([]);
    (await cache.acquire('a', 'a', writer(10, calls))).release();
    expect(calls.n).toBe(2);
  });

  it('shares one load among concurrent callers, each with its own lease', async () => {
    const cache = new FileCache({ dir, maxBytes: 0 });
    const calls = { n: 0 };
    const [a, b] = await Promise.all([cache.acquire('k', 'k', writer(10, calls)), cache.acquire('k', 'k', writer(10, calls))]);
    expect(calls.n).toBe(1);
    expect(a.file).toBe(b.file);
    a.release();
    await settle();
    expect(await exists(b.file)).toBe(true); // b still holds it
    b.release();
    await settle();
    expect(await exists(b.file)).toBe(false);
  });

  it('removes what a failed load left behind and caches nothing', async () => {
    const cache = new FileCache({ dir });
    await expect(
      cache.acquire('k', 'k', async (dest) => {
        await writeFile(dest, 'partial');
        throw new Error('cut off');
      }),
    ).rejects.toThrow('cut off');
    expect(await readdir(dir)).toEqual([]);
    const ok = await cache.acquire('k', 'k', writer(5, { n: 0 }));
    expect(ok.size).toBe(5);
    ok.release();
  });

  it('ends a lease nobody releases after its time limit', async () => {
    const cache = new FileCache({ dir, maxBytes: 0, leaseTtlMs: 30 });
    const forgotten = await cache.acquire('k', 'k', writer(5, { n: 0 }));
    await new Promise((r) => setTimeout(r, 80));
    expect(await exists(forgotten.file)).toBe(false);
  });

  it('close() deletes its own temporary directory', async () => {
    const cache = new FileCache();
    const a = await cache.acquire('k', 'k', writer(5, { n: 0 }));
    const own = join(a.file, '..');
    expect(await exists(own)).toBe(true);
    await cache.close();
    expect(await exists(own)).toBe(false);
  });

  it('a caller that gives up leaves; the load is cancelled when no caller is left', async () => {
    const cache = new FileCache({ dir });
    let cancelled = false;
    const load = (dest: string, signal: AbortSignal) =>
      new Promise<{ file: string; size: number }>((_resolve, reject) => {
        signal.addEventListener('abort', () => {
          cancelled = true;
          reject(signal.reason);
        });
        void dest;
      });
    const a = new AbortController();
    const b = new AbortController();
    const pa = cache.acquire('k', 'k', load, a.signal).catch((e: Error) => e);
    const pb = cache.acquire('k', 'k', load, b.signal).catch((e: Error) => e);
    a.abort(new Error('deadline'));
    expect(((await pa) as Error).message).toBe('k: cancelled (deadline)');
    await settle();
    expect(cancelled).toBe(false);
    b.abort();
    await pb;
    await settle();
    expect(cancelled).toBe(true);
  });
});

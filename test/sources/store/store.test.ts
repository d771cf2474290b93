import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FileStore } from '../../../src/sources/store/file.js';
import { MemoryStore } from '../../../src/sources/store/memory.js';
import { RedisStore } from '../../../src/sources/store/redis.js';
import { getJson, setJson, type Store } from '../../../src/sources/store/store.js';
import { startRedis, type RedisServer } from '../../helpers/redis-server.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The same contract for every implementation. */
function contract(name: string, make: () => Promise<Store>) {
  describe(`${name}: the Store contract`, () => {
    let store: Store;
    beforeEach(async () => {
      store = await make();
    });
    afterEach(async () => {
      await store.close();
    });

    it('gets what was set, and null for what was not', async () => {
      expect(await store.get('a')).toBeNull();
      await store.set('a', '1');
      expect(await store.get('a')).toBe('1');
      await store.set('a', '2');
      expect(await store.get('a')).toBe('2');
      await store.delete('a');
      expect(await store.get('a')).toBeNull();
    });

    it('setIfAbsent wins once (de-duplication, locks)', async () => {
      expect(await store.setIfAbsent('lock', 'me', { ttlMs: 10_000 })).toBe(true);
      expect(await store.setIfAbsent('lock', 'you', { ttlMs: 10_000 })).toBe(false);
      expect(await store.get('lock')).toBe('me');
    });

    it('deleteIf removes only the holder’s value', async () => {
      await store.set('lock', 'me');
      expect(await store.deleteIf('lock', 'you')).toBe(false);
      expect(await store.get('lock')).toBe('me');
      expect(await store.deleteIf('lock', 'me')).toBe(true);
      expect(await store.get('lock')).toBeNull();
    });

    it('expires keys after their ttl', async () => {
      await store.set('t', 'x', { ttlMs: 30 });
      expect(await store.setIfAbsent('u', 'y', { ttlMs: 30 })).toBe(true);
      await sleep(80);
      expect(await store.get('t')).toBeNull();
      expect(await store.setIfAbsent('u', 'z', { ttlMs: 30 })).toBe(true);
    });

    it('lists keys by prefix, sorted, including ones with glob characters', async () => {
      await store.set('watch:repo:a/b', '1');
      await store.set('watch:repo:a/c', '1');
      await store.set('watch:mod:x@v1', '1');
      await store.set('w*tch:odd', '1');
      expect(await store.keys('watch:repo:')).toEqual(['watch:repo:a/b', 'watch:repo:a/c']);
      expect(await store.keys('w*tch:')).toEqual(['w*tch:odd']);
    });

    it('round-trips JSON', async () => {
      await setJson(store, 'j', { a: [1, 'two'] });
      expect(await getJson(store, 'j')).toEqual({ a: [1, 'two'] });
      await store.set('bad', '{not json');
      expect(await getJson(store, 'bad')).toBeNull();
    });
  });
}

contract('MemoryStore', async () => new MemoryStore());

const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));
contract('FileStore', async () => {
  const d = mkdtempSync(join(tmpdir(), 'store-'));
  dirs.push(d);
  return new FileStore(d);
});

describe('RedisStore', () => {
  let server: RedisServer;
  let n = 0;
  beforeAll(async () => {
    server = await startRedis();
  });
  afterAll(async () => {
    await server.stop();
  });
  contract('RedisStore', async () => new RedisStore(server.url, { prefix: `t${++n}:` }));

  it('two stores on one Redis see each other (replicas), and prefixes keep tenants apart', async () => {
    const a = new RedisStore(server.url, { prefix: 'shared:' });
    const b = new RedisStore(server.url, { prefix: 'shared:' });
    const other = new RedisStore(server.url, { prefix: 'other:' });
    try {
      expect(await a.setIfAbsent('delivery:1', 'a', { ttlMs: 60_000 })).toBe(true);
      expect(await b.setIfAbsent('delivery:1', 'b', { ttlMs: 60_000 })).toBe(false);
      expect(await other.get('delivery:1')).toBeNull();
    } finally {
      await Promise.all([a.close(), b.close(), other.close()]);
    }
  });
});

describe('FileStore persistence', () => {
  it('survives a restart, drops expired keys, and writes atomically', async () => {
    const d = mkdtempSync(join(tmpdir(), 'store-'));
    dirs.push(d);
    const s1 = new FileStore(d, 'watch');
    await s1.set('keep', 'yes');
    await s1.set('gone', 'soon', { ttlMs: 20 });
    await s1.close();
    await sleep(40);
    const s2 = new FileStore(d, 'watch');
    expect(await s2.get('keep')).toBe('yes');
    expect(await s2.get('gone')).toBeNull();
    await s2.close();
    expect(JSON.parse(readFileSync(join(d, 'watch.json'), 'utf8')).version).toBe(1);
  });

  it('refuses a file that is not its own instead of overwriting it', () => {
    const d = mkdtempSync(join(tmpdir(), 'store-'));
    dirs.push(d);
    writeFileSync(join(d, 'state.json'), JSON.stringify({ something: 'else' }));
    expect(() => new FileStore(d)).toThrow(/not a ModWarden state file/);
  });
});

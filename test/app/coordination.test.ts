/**
 * The coordination rules (coalescing per PR head, delivery de-duplication, the head lock) on the in-process
 * store and on a real redis-server: the same decisions whichever store the replicas share.
 */
import { HeadCoordinator } from '../../src/app/coordination.js';
import { MemoryStore } from '../../src/sources/store/memory.js';
import { RedisStore } from '../../src/sources/store/redis.js';
import type { Store } from '../../src/sources/store/store.js';
import { startRedis, type RedisServer } from '../helpers/redis-server.js';

let redis: RedisServer;
beforeAll(async () => {
  redis = await startRedis();
});
afterAll(async () => {
  await redis.stop();
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function rules(name: string, make: () => Store) {
  describe(`HeadCoordinator on ${name}`, () => {
    let store: Store;
    let c: HeadCoordinator;
    beforeEach(() => {
      store = make();
      c = new HeadCoordinator(store, { lockTtlMs: 300 });
    });
    afterEach(async () => {
      await store.close();
    });

    it('a delivery id is handled once', async () => {
      expect(await c.firstDelivery('d-1')).toBe(true);
      expect(await c.firstDelivery('d-1')).toBe(false);
      expect(await c.firstDelivery('d-2')).toBe(true);
      expect(await c.firstDelivery(undefined)).toBe(true);
    });

    it('requests join a queued job; unforced ones are duplicates while it runs and after; a forced one schedules one more run', async () => {
      expect(await c.admit('pr@a', 'j1', false)).toBe('started');
      expect(await c.admit('pr@a', 'j2', false)).toBe('coalesced');
      expect(await c.admit('pr@a', 'j3', true)).toBe('coalesced');
      const lock = await c.lock('pr@a', 'j1', 1000);
      expect(lock).not.toBeNull();
      expect(await c.admit('pr@a', 'j4', false)).toBe('duplicate');
      expect(await c.admit('pr@a', 'j5', true)).toBe('rerun-scheduled');
      expect(await c.admit('pr@a', 'j6', true)).toBe('coalesced');
      await lock!.release();
      // j5 waits for nothing now; once it starts, a new unforced event for the head is a duplicate.
      const next = await c.lock('pr@a', 'j5', 1000);
      expect(next?.resumed).toBe(false);
      await next!.release();
      expect(await c.admit('pr@a', 'j7', false)).toBe('duplicate');
      expect(await c.admit('pr@b', 'j8', false)).toBe('started');
    });

    it('the head lock makes a second job wait for the first, and a job re-run after its replica died takes its own lock over', async () => {
      const first = await c.lock('pr@a', 'j1', 1000);
      const order: string[] = [];
      const second = c.lock('pr@a', 'j2', 2000).then((l) => (order.push('j2 locked'), l));
      await sleep(100);
      order.push('j1 releases');
      await first!.release();
      const l2 = await second;
      expect(order).toEqual(['j1 releases', 'j2 locked']);
      // j2's replica dies holding the lock; BullMQ hands j2 to another replica, which resumes it at once.
      const again = await c.lock('pr@a', 'j2', 10);
      expect(again?.resumed).toBe(true);
      await again!.release();
      void l2;
    });

    it('a job that cannot get the lock in time gets null', async () => {
      const held = await c.lock('pr@a', 'j1', 100);
      expect(await c.lock('pr@a', 'j2', 50)).toBeNull();
      await held!.release();
    });

    it('a lock whose holder stopped renewing expires', async () => {
      await store.set('running:pr@a', 'dead-job', { ttlMs: 200 });
      const l = await c.lock('pr@a', 'j2', 2000);
      expect(l?.resumed).toBe(false);
      await l!.release();
    });

    it('remembers the check run of a job', async () => {
      expect(await c.checkRunOf('j1')).toBeNull();
      await c.rememberCheckRun('j1', 4242);
      expect(await c.checkRunOf('j1')).toBe(4242);
    });
  });
}

rules('memory', () => new MemoryStore());
let n = 0;
rules('redis', () => new RedisStore(redis.url, { prefix: `coord-${++n}:` }));

/** The watch's cheap probes against local servers: what the proxy's .info and the origin tag say. */
import { createModuleProber, probeIsConclusive } from '../../src/engine/watch-probe.js';
import { createClients } from '../../src/engine/wiring.js';
import { startBoltWorld, worldSettings, type BoltWorld } from '../app/boltdb-world.js';
import { makeCommit } from '../helpers/github-server.js';

let world: BoltWorld;
afterEach(async () => world?.close());

describe('module probes', () => {
  it('report the proxy .info and the tag commit; a moved tag, a deleted tag and a refused version change the answer', async () => {
    world = await startBoltWorld();
    const clients = createClients(worldSettings(world));
    const mv = { path: 'github.com/boltdb-go/bolt', version: 'v1.3.1' };
    const first = createModuleProber({ env: clients.env, origin: clients.origin });
    const p1 = await first.probe(mv);
    expect(p1).toEqual({ proxy: `info 2021-11-10T08:05:00Z ${world.backdoorSha}`, tag: `commit ${world.cleanSha}` });
    // Asked twice in a run: answered once.
    expect(await first.probe(mv)).toBe(p1);
    expect(first.requests()).toBe(2);
    await first.close();

    const repo = world.github.state.repos['boltdb-go/bolt']!;
    const moved = makeCommit({ 'x.go': 'package x\n' }, '2025-01-01T00:00:00Z');
    repo.commits[moved.sha] = moved;
    repo.tags['v1.3.1'] = { commit: moved.sha };
    const second = createModuleProber({ env: clients.env, origin: clients.origin });
    expect((await second.probe(mv)).tag).toBe(`commit ${moved.sha}`);

    delete repo.tags['v1.3.1'];
    const third = createModuleProber({ env: clients.env, origin: clients.origin });
    expect((await third.probe(mv)).tag).toBe('missing');
    // Not on GitHub, or a pseudo-version: there is no tag to ask about.
    expect((await third.probe({ path: 'example.com/x', version: 'v1.0.0' })).tag).toBe('unsupported');
    expect((await third.probe({ path: 'example.com/x', version: 'v1.0.0' })).proxy).toBe('refused not-found');
    await clients.close?.();
  });

  it('a proxy that fails answers nothing conclusive (the version is verified in full)', async () => {
    world = await startBoltWorld({ proxyDown: true });
    const clients = createClients(worldSettings(world));
    const prober = createModuleProber({ env: clients.env, origin: clients.origin });
    const p = await prober.probe({ path: 'github.com/boltdb-go/bolt', version: 'v1.3.1' });
    expect(p.proxy).toBe('error');
    expect(probeIsConclusive(p)).toBe(false);
    await prober.close();
    await clients.close?.();
  });
});

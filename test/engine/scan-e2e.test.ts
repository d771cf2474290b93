/** The engine end to end with the real checks, against local GOPROXY and GitHub API servers. */
import { DEFAULT_REPO_CONFIG } from '../../src/config/repo.js';
import { conclusionOf, scan, type Ref } from '../../src/engine/scan.js';
import { createClients, createScanChecks } from '../../src/engine/wiring.js';
import { startBoltWorld, worldSettings, type BoltWorld } from '../app/boltdb-world.js';

const BASE = 'module github.com/acme/service\n\ngo 1.21\n\nrequire github.com/pkg/errors v0.9.1\n';
const HEAD = 'module github.com/acme/service\n\ngo 1.21\n\nrequire (\n\tgithub.com/boltdb-go/bolt v1.3.1\n\tgithub.com/pkg/errors v0.9.1\n)\n';

let world: BoltWorld;
afterEach(async () => world?.close());

async function run(w: BoltWorld) {
  const clients = createClients(worldSettings(w));
  try {
    return await scan({
      files: ['go.mod'],
      readFile: async (ref: Ref, p: string) => (p === 'go.mod' ? (ref === 'base' ? BASE : HEAD) : null),
      config: DEFAULT_REPO_CONFIG,
      deps: { checks: createScanChecks(clients), concurrency: 8 },
    });
  } finally {
    await clients.proxy.close();
  }
}

describe('scan against the boltdb-go attack', () => {
  it('finds the typosquat (a modified copy), the moved tag and the diverged content, naming the changed file', async () => {
    world = await startBoltWorld();
    const result = await run(world);
    expect(result.errors).toEqual([]);
    const rules = result.findings.map((f) => `${f.rule}:${f.severity}:${f.line}`).sort();
    expect(rules).toEqual(expect.arrayContaining(['content-diverged:critical:6', 'tag-moved:critical:6']));
    const typo = result.findings.find((f) => f.rule === 'typosquat')!;
    expect(typo).toBeDefined();
    expect(typo.title).toContain('github.com/boltdb/bolt');
    const diverged = result.findings.find((f) => f.rule === 'content-diverged')!;
    expect(JSON.stringify(diverged.evidence)).toContain('db.go');
    expect(result.modules).toEqual([expect.objectContaining({ module: 'github.com/boltdb-go/bolt', verdict: 'failing', line: 6 })]);
  });

  it('a proxy answering 500 fails the module with verify-failed (high), so the check concludes failure', async () => {
    world = await startBoltWorld({ proxyDown: true });
    const result = await run(world);
    expect(result.errors).toEqual([]);
    const failed = result.findings.filter((f) => f.rule === 'verify-failed');
    expect(failed).toEqual([expect.objectContaining({ severity: 'high', module: 'github.com/boltdb-go/bolt', version: 'v1.3.1', goModPath: 'go.mod', line: 6 })]);
    expect(failed[0]!.message).toMatch(/500 \(internal error\)/);
    expect(conclusionOf(result, 'high')).toBe('failure');
    // Even with every other finding waived, the unverified module alone fails the check.
    expect(conclusionOf({ ...result, findings: failed }, 'high')).toBe('failure');
    expect(result.modules[0]).toMatchObject({ verdict: 'failing' });
  });
});

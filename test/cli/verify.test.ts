import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '../../src/cli/main.js';
import { readModuleZip } from '../../src/modzip/reader.js';
import { hashGoMod } from '../../src/modzip/hash.js';
import { makeCommit, makeRepo, type FakeRepo } from '../helpers/github-server.js';
import { buildModuleZip } from '../helpers/module-zip.js';
import type { FixtureModule } from '../helpers/goproxy-server.js';
import { startSumDbServer, type SumDbServer } from '../helpers/sumdb-server.js';
import { boltdbFixture, startWorld, type World } from '../helpers/divergence-world.js';

const BOLT = 'github.com/boltdb-go/bolt';
const { clean, injected } = boltdbFixture();
const evil = makeCommit({ ...clean, ...injected }, '2021-11-10T08:00:00Z');
const good = makeCommit(clean, '2021-11-12T09:30:00Z');
const boltModule: FixtureModule = {
  path: BOLT,
  version: 'v1.3.1',
  files: { ...clean, ...injected },
  info: { Time: evil.committerDate, Origin: { VCS: 'git', URL: 'https://github.com/boltdb-go/bolt', Ref: 'refs/tags/v1.3.1', Hash: evil.sha } },
};
function boltRepo(tagAt: string): FakeRepo {
  const repo = makeRepo('boltdb-go', 'bolt', [evil, good]);
  repo.tags['v1.3.1'] = { commit: tagAt };
  return repo;
}

let world: World | undefined;
let sumdb: SumDbServer | undefined;
afterEach(async () => {
  await world?.close();
  await sumdb?.close();
  world = sumdb = undefined;
});

async function run(argv: string[], env: Record<string, string> = {}) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(argv, { out: (t) => void out.push(t), err: (t) => void err.push(t), env: { GOSUMDB: 'off', ...env } });
  return { code, out: out.join(''), err: err.join('') };
}

describe('modwarden verify', () => {
  it('exits 1 with content-diverged JSON for the boltdb-go attack', async () => {
    world = await startWorld([boltModule], { 'boltdb-go/bolt': boltRepo(good.sha) });
    const r = await run(['verify', `${BOLT}@v1.3.1`, '--goproxy', world.proxyServer.url, '--github-api', world.gh.url, '--json']);
    expect(r.err).toBe('');
    expect(r.code).toBe(1);
    const json = JSON.parse(r.out);
    expect(json).toMatchObject({
      module: BOLT,
      version: 'v1.3.1',
      verdict: 'content-diverged',
      verdicts: ['content-diverged', 'tag-moved'],
      proxy: { origin: { Hash: evil.sha, URL: 'https://github.com/boltdb-go/bolt' } },
      origin: { commit: good.sha, tag: 'v1.3.1' },
      files: { added: ['db_init.go'], removed: [], modified: [] },
    });
    expect(json.proxy.h1).toMatch(/^h1:/);
    expect(json.origin.h1).toMatch(/^h1:/);
    expect(json.reasons.length).toBeGreaterThan(0);
  });

  it('prints a readable report with the diff of the injected file', async () => {
    world = await startWorld([boltModule], { 'boltdb-go/bolt': boltRepo(good.sha) });
    const r = await run(['verify', `${BOLT}@v1.3.1`], { GOPROXY: world.proxyServer.url, GITHUB_API_URL: world.gh.url });
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/^github\.com\/boltdb-go\/bolt@v1\.3\.1: content-diverged \(also: tag-moved\)\n/);
    expect(r.out).toContain("only in the proxy's zip: db_init.go");
    expect(r.out).toContain('+++ proxy/db_init.go');
    expect(r.out).toContain('tag rewritten after the proxy cached the version');
  });

  it('exits 0 when the origin holds exactly what the proxy serves, and sends GITHUB_TOKEN', async () => {
    world = await startWorld([boltModule], { 'boltdb-go/bolt': boltRepo(evil.sha) });
    const r = await run(['verify', `${BOLT}@v1.3.1`, '--json'], { GOPROXY: world.proxyServer.url, GITHUB_API_URL: world.gh.url, GITHUB_TOKEN: 'tok' });
    expect(r.code).toBe(0);
    const json = JSON.parse(r.out);
    expect(json.verdict).toBe('consistent');
    expect(json.origin.h1).toBe(json.proxy.h1);
    const api = world.gh.requests.filter((q) => q.path.startsWith('/repos/'));
    expect(api.length).toBeGreaterThan(0);
    expect(api.every((q) => q.authorization === 'Bearer tok')).toBe(true);
  });

  it('exits 3 when GitHub rate-limits the check: verify-failed, the cause named', async () => {
    world = await startWorld([boltModule], { 'boltdb-go/bolt': boltRepo(good.sha) }, { github: { rateLimit: { status: 403, resetEpochSeconds: 2_000_000_000 } } });
    const r = await run(['verify', `${BOLT}@v1.3.1`, '--goproxy', world.proxyServer.url, '--github-api', world.gh.url, '--json']);
    expect(r.code).toBe(3);
    expect(JSON.parse(r.out)).toMatchObject({ verdict: 'verify-failed', origin: { h1: null }, cause: { kind: 'rate-limited', source: 'origin' } });
  });

  it('exits 3 when the proxy fails the zip, and names the cause', async () => {
    world = await startWorld([boltModule], { 'boltdb-go/bolt': boltRepo(good.sha) }, { proxyFaults: (q) => (q.endpoint === 'zip' ? { kind: 'status', status: 500, body: 'upstream exploded' } : undefined) });
    const r = await run(['verify', `${BOLT}@v1.3.1`], { GOPROXY: world.proxyServer.url, GITHUB_API_URL: world.gh.url });
    expect(r.code).toBe(3);
    expect(r.out).toMatch(/^github\.com\/boltdb-go\/bolt@v1\.3\.1: verify-failed\n/);
    expect(r.out).toMatch(/could not read the \.zip of github\.com\/boltdb-go\/bolt@v1\.3\.1 from the module proxy: .*500 \(upstream exploded\)/);
  });

  it('exits 3 for a private module without contacting anything', async () => {
    world = await startWorld([boltModule], { 'boltdb-go/bolt': boltRepo(good.sha) });
    const r = await run(['verify', `${BOLT}@v1.3.1`], { GOPROXY: world.proxyServer.url, GITHUB_API_URL: world.gh.url, GOPRIVATE: 'github.com/boltdb-go' });
    expect(r.code).toBe(3);
    expect(r.out).toMatch(/private module/);
    expect(world.proxyServer.requests).toEqual([]);
  });

  it('compares with a go.sum file and the checksum database', async () => {
    world = await startWorld([boltModule], { 'boltdb-go/bolt': boltRepo(evil.sha) });
    const served = await readModuleZip(await buildModuleZip(BOLT, 'v1.3.1', boltModule.files), { path: BOLT, version: 'v1.3.1' });
    const goModH1 = hashGoMod(clean['go.mod']);
    sumdb = await startSumDbServer({ records: [{ path: BOLT, version: 'v1.3.1', h1: served.h1, goModH1 }] });
    const dir = mkdtempSync(join(tmpdir(), 'mw-verify-'));
    writeFileSync(join(dir, 'go.sum'), `${BOLT} v1.3.1 h1:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n${BOLT} v1.3.1/go.mod ${goModH1}\n`);
    const env = { GOPROXY: world.proxyServer.url, GITHUB_API_URL: world.gh.url, GOSUMDB: sumdb.gosumdb };
    const r = await run(['verify', `${BOLT}@v1.3.1`, '--go-sum', join(dir, 'go.sum'), '--json'], env);
    expect(r.code).toBe(1);
    const json = JSON.parse(r.out);
    expect(json.verdicts).toEqual(['gosum-mismatch']);
    expect(json.reasons.join('\n')).toMatch(/checksum database agrees/);
    expect(sumdb.requests.some((u) => u.includes('/lookup/'))).toBe(true);
  });

  it.each([
    [['verify', 'github.com/o/r'], /expected <module>@<version>/],
    [['verify', 'github.com/o/r/v2@v1.0.0'], /github\.com\/o\/r\/v2@v1\.0\.0: .*v2/],
    [['verify', 'github.com/o/r@v1.2'], /version must be canonical \("v1\.2\.0"\)/],
    [['verify', 'Not A Path@v1.0.0'], /Not A Path@v1\.0\.0/],
    [['verify', 'github.com/o/r@v1.0.0', '--max-tarball-bytes', 'lots'], /--max-tarball-bytes must be a positive whole number/],
    [['verify', 'github.com/o/r@v1.0.0', '--go-sum', '/no/such/go.sum'], /cannot read \/no\/such\/go\.sum: ENOENT/],
    [['verify', 'github.com/o/r@v1.0.0', '--github-api', 'ftp://x'], /must be an http\(s\) URL/],
  ])('exits 2 on bad input %j', async (argv, message) => {
    const r = await run(argv);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(message);
    expect(r.err).not.toMatch(/\n\s+at /);
  });

  it('exits 2 for a GOPROXY value Go would reject', async () => {
    const r = await run(['verify', 'github.com/o/r@v1.0.0'], { GOPROXY: 'not a url' });
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/GOPROXY/);
  });
});

describe('modwarden verify: triage and the origin used', () => {
  it('shows the retag triage (suspicious) and which origin was read', async () => {
    world = await startWorld([boltModule], { 'boltdb-go/bolt': boltRepo(good.sha) });
    const r = await run(['verify', `${BOLT}@v1.3.1`, '--goproxy', world.proxyServer.url, '--github-api', world.gh.url]);
    expect(r.code).toBe(1);
    expect(r.out).toContain("origin used: https://github.com/boltdb-go/bolt, found through the github.com module path, read with GitHub's REST API");
    expect(r.out).toContain('triage: SUSPICIOUS (critical)');
    expect(r.out).toMatch(/attacker shape in db_init\.go: adds import "net"/);
  });

  it('reads a git origin named by the proxy over smart HTTP, allowed by MODWARDEN_ORIGIN_ALLOW and GOINSECURE', async () => {
    const { startGitServer, makeFixtureRepo } = await import('../helpers/git-server.js');
    const { startGoProxyServer } = await import('../helpers/goproxy-server.js');
    const git = await startGitServer();
    const files = { 'go.mod': 'module example.test/lib\n', 'lib.go': 'package lib\n' };
    const repo = makeFixtureRepo(git.root, 'lib');
    const c = repo.commit(files, '2024-05-01T10:00:00Z', 'v1.0.0');
    repo.tag('v1.0.0', c);
    const proxyServer = await startGoProxyServer({
      modules: [{ path: 'example.test/lib', version: 'v1.0.0', files, info: { Time: '2024-05-01T10:00:00Z', Origin: { VCS: 'git', URL: `${git.url}/git/lib`, Hash: c } } }],
    });
    try {
      const argv = ['verify', 'example.test/lib@v1.0.0', '--goproxy', proxyServer.url];
      const refused = await run(argv, { GOINSECURE: '127.0.0.1:*' });
      expect(refused.code).toBe(3);
      expect(refused.out).toMatch(/not compared \(origin-refused\): origin 127\.0\.0\.1 is a loopback address; refused \(set MODWARDEN_ORIGIN_ALLOW to allow it\)/);
      const ok = await run(argv, { GOINSECURE: '127.0.0.1:*', MODWARDEN_ORIGIN_ALLOW: '127.0.0.1' });
      expect(ok.out).toContain('example.test/lib@v1.0.0: consistent');
      expect(ok.out).toContain(`origin used: ${git.url}/git/lib, found through the proxy's .info Origin, read with git smart HTTP (protocol v2)`);
      expect(ok.code).toBe(0);
    } finally {
      await proxyServer.close();
      await git.close();
    }
  });
});

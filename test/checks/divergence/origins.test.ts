/**
 * Origins beyond GitHub, end to end: a local module proxy and real git repositories served by
 * `git http-backend`, reached through go-get discovery, the proxy's Origin or a GitLab archive, behind
 * the SSRF guard. Host names (vanity.test, source.test, gitlab.test, other.test) resolve to 127.0.0.1
 * through the policy's resolver, and only those the test allows may be reached.
 */
import { deflateSync } from 'node:zlib';
import { createHash } from 'node:crypto';
import { divergenceFindings, verifyModule, type VerifyResult } from '../../../src/checks/divergence/verify.js';
import type { RequirementChange } from '../../../src/gomod/types.js';
import { readGoEnv } from '../../../src/sources/goenv.js';
import { GoProxyClient } from '../../../src/sources/goproxy.js';
import { HttpClient } from '../../../src/sources/http.js';
import { OriginPolicy } from '../../../src/sources/origin-guard.js';
import { GoOriginResolver } from '../../../src/sources/origin-resolver.js';
import { makeFixtureRepo, startGitServer, type FixtureRepo, type GitServer } from '../../helpers/git-server.js';
import { startGoProxyServer, type FixtureModule, type GoProxyServer } from '../../helpers/goproxy-server.js';
import { pkt } from '../../../src/sources/git/smart-http.js';

const TEST_HOSTS = ['vanity.test', 'source.test', 'gitlab.test', 'other.test'];

let git: GitServer | undefined;
let proxyServer: GoProxyServer | undefined;
let proxy: GoProxyClient | undefined;
afterEach(async () => {
  await proxy?.close();
  await Promise.all([git?.close(), proxyServer?.close()]);
  git = proxyServer = proxy = undefined;
});

interface Setup {
  allow?: string;
  /** More GOINSECURE patterns. */
  insecure?: string[];
  handle?: Parameters<typeof startGitServer>[0] extends infer O ? (O extends { handle?: infer H } ? H : never) : never;
}

async function world(setup: Setup = {}): Promise<GitServer> {
  git = await startGitServer(setup.handle ? { handle: setup.handle } : {});
  return git;
}

async function verify(modules: FixtureModule[], mv: { path: string; version: string }, setup: Setup = {}): Promise<VerifyResult> {
  proxyServer = await startGoProxyServer({ modules });
  const http = new HttpClient({ retries: 0 });
  proxy = new GoProxyClient({ env: readGoEnv({ GOPROXY: proxyServer.url, GOSUMDB: 'off' }), http });
  const policy = new OriginPolicy({
    allow: setup.allow ?? 'vanity.test,source.test,gitlab.test,other.test',
    goinsecure: [...TEST_HOSTS.flatMap((h) => [h, `${h}:*`]), ...(setup.insecure ?? [])].join(','),
    resolve: async (host) => (TEST_HOSTS.includes(host) ? [{ address: '127.0.0.1', family: 4 }] : []),
  });
  const resolver = new GoOriginResolver({
    github: null,
    http: new HttpClient({ fetch: policy.fetch(), retries: 0 }),
    policy,
    gitlabHosts: ['gitlab.test'],
    discoveryUrl: (p, scheme) => `${scheme}://vanity.test:${git!.port}/${p}?go-get=1`,
  });
  return verifyModule(mv, { proxy, origin: resolver });
}

const files = {
  'go.mod': 'module vanity.test/lib\n\ngo 1.21\n',
  'lib.go': 'package lib\n\n// Answer is the answer.\nconst Answer = 42\n',
  'README.md': '# lib\n',
};

function served(path: string, version: string, f: Record<string, string>, time: string, origin?: object): FixtureModule {
  return { path, version, files: f, info: { Time: time, ...(origin ? { Origin: origin } : {}) } };
}

function release(repo: FixtureRepo, f: Record<string, string>): string {
  const c = repo.commit(f, '2024-05-01T10:00:00Z', 'v1.0.0');
  repo.tag('v1.0.0', c);
  return c;
}

const change = (module: string): RequirementChange => ({
  goModPath: 'go.mod',
  module,
  kind: 'added',
  from: null,
  to: 'v1.0.0',
  line: 3,
  indirect: false,
  replacement: null,
  fetch: { path: module, version: 'v1.0.0' },
});

describe('origins beyond GitHub', () => {
  it('resolves a vanity path through ?go-get=1 and compares it over git smart HTTP', async () => {
    const g = await world();
    const repo = makeFixtureRepo(g.root, 'lib');
    release(repo, files);
    g.goImports.set('vanity.test/lib', [`vanity.test/lib git http://vanity.test:${g.port}/git/lib`]);
    const r = await verify([served('vanity.test/lib', 'v1.0.0', files, '2024-05-01T10:00:00Z')], { path: 'vanity.test/lib', version: 'v1.0.0' });
    expect(r.verdicts).toEqual(['consistent']);
    expect(r.origin).toMatchObject({ via: 'go-get', protocol: 'git-smart-http', url: `http://vanity.test:${g.port}/git/lib`, tag: 'v1.0.0' });
    expect(r.origin.h1).toBe(r.proxy.h1);
  });

  it("reads golang.org/x-style sub-modules from a googlesource-style host named by the proxy's Origin (URL, Subdir)", async () => {
    const g = await world();
    const repo = makeFixtureRepo(g.root, 'tools');
    const inRepo = { 'gopls/go.mod': 'module golang.org/x/tools/gopls\n\ngo 1.21\n', 'gopls/main.go': 'package main\n\nfunc main() {}\n', 'go.mod': 'module golang.org/x/tools\n' };
    const c = repo.commit(inRepo, '2024-05-01T10:00:00Z', 'gopls');
    repo.tag('gopls/v0.1.0', c);
    g.goImports.set('golang.org/x/tools/gopls', [`golang.org/x/tools git http://source.test:${g.port}/git/tools`]);
    const mod = { 'go.mod': inRepo['gopls/go.mod'], 'main.go': inRepo['gopls/main.go'] };
    const r = await verify([served('golang.org/x/tools/gopls', 'v0.1.0', mod, '2024-05-01T10:00:00Z', { VCS: 'git', URL: `http://source.test:${g.port}/git/tools`, Subdir: 'gopls', Ref: 'refs/tags/gopls/v0.1.0', Hash: c })], {
      path: 'golang.org/x/tools/gopls',
      version: 'v0.1.0',
    });
    // The proxy's Origin comes first (no discovery request needed).
    expect(r.verdicts).toEqual(['consistent']);
    expect(r.origin).toMatchObject({ via: 'proxy-origin', label: `source.test:${g.port}/git/tools`, tag: 'gopls/v0.1.0', commit: c });
    expect(g.requests.some((x) => x.includes('go-get=1'))).toBe(false);
  });

  it('reads a GitLab host through its archive endpoint', async () => {
    const g = await world();
    const repo = makeFixtureRepo(g.root, 'group/proj');
    const f = { ...files, 'go.mod': 'module gitlab.test/group/proj\n' };
    release(repo, f);
    g.goImports.set('gitlab.test/group/proj', [`gitlab.test/group/proj git http://gitlab.test:${g.port}/git/group/proj`]);
    const r = await verify([served('gitlab.test/group/proj', 'v1.0.0', f, '2024-05-01T10:00:00Z')], { path: 'gitlab.test/group/proj', version: 'v1.0.0' });
    expect(r.verdicts).toEqual(['consistent']);
    expect(r.origin.protocol).toBe('gitlab-archive');
    expect(g.requests.some((x) => /\/-\/archive\/[0-9a-f]{40}\/proj-[0-9a-f]{40}\.tar\.gz$/.test(x))).toBe(true);
  });

  it('a forward retag that fixed the docs is benign (medium); the recorded commit is found over git', async () => {
    const g = await world();
    const repo = makeFixtureRepo(g.root, 'lib');
    const released = release(repo, files);
    const fixed = repo.commit({ ...files, 'README.md': '# lib\n\nInstall with go get.\n' }, '2024-05-01T12:00:00Z', 'docs');
    repo.tag('v1.0.0', fixed);
    g.goImports.set('vanity.test/lib', [`vanity.test/lib git http://vanity.test:${g.port}/git/lib`]);
    const r = await verify([served('vanity.test/lib', 'v1.0.0', files, '2024-05-01T10:00:00Z', { VCS: 'git', URL: `http://vanity.test:${g.port}/git/lib`, Ref: 'refs/tags/v1.0.0', Hash: released })], {
      path: 'vanity.test/lib',
      version: 'v1.0.0',
    });
    expect(r.verdicts).toEqual(['content-diverged', 'tag-moved']);
    expect(r.triage).toMatchObject({ kind: 'benign', recorded: { exists: true, matchesProxy: 'yes', relation: 'descendant' }, classes: { docs: ['README.md'] } });
    expect(divergenceFindings(change('vanity.test/lib'), r).map((f) => f.severity)).toEqual(['medium', 'medium']);
  });

  it('a retag to an unrelated commit with an init() dialing out is suspicious (critical)', async () => {
    const g = await world();
    const repo = makeFixtureRepo(g.root, 'lib');
    const evil = { ...files, 'telemetry.go': 'package lib\n\nimport "net/http"\n\nfunc init() {\n\tgo http.Get("http://203.0.113.7/x")\n}\n' };
    const bad = repo.commit(evil, '2024-05-01T10:00:00Z', 'v1.0.0', null);
    const clean = repo.commit(files, '2024-05-02T10:00:00Z', 'clean', null);
    repo.tag('v1.0.0', clean);
    g.goImports.set('vanity.test/lib', [`vanity.test/lib git http://vanity.test:${g.port}/git/lib`]);
    const r = await verify([served('vanity.test/lib', 'v1.0.0', evil, '2024-05-01T10:00:00Z', { VCS: 'git', URL: `http://vanity.test:${g.port}/git/lib`, Hash: bad })], { path: 'vanity.test/lib', version: 'v1.0.0' });
    expect(r.triage?.kind).toBe('suspicious');
    expect(r.triage?.recorded?.relation).toBe('unrelated');
    expect(r.triage?.shapes.map((s) => s.shape).sort()).toEqual(['import', 'init', 'new-go-file']);
    expect(divergenceFindings(change('vanity.test/lib'), r).map((f) => [f.rule, f.severity])).toEqual([
      ['content-diverged', 'critical'],
      ['tag-moved', 'critical'],
    ]);
  });

  it('a recorded commit deleted from the repository (force-push and gc) is suspicious', async () => {
    const g = await world();
    const repo = makeFixtureRepo(g.root, 'lib');
    const base = repo.commit({ 'go.mod': files['go.mod'] }, '2024-04-01T10:00:00Z', 'base');
    const released = repo.commit({ ...files, 'extra.go': 'package lib\n\nvar Extra = 1\n' }, '2024-05-01T10:00:00Z', 'v1.0.0');
    const redone = repo.commit(files, '2024-05-03T10:00:00Z', 'v1.0.0 redone', base);
    repo.tag('v1.0.0', redone);
    repo.git(['branch', '-f', 'main', redone]);
    repo.forget();
    const proxyFiles = { ...files, 'extra.go': 'package lib\n\nvar Extra = 1\n' };
    const r = await verify([served('vanity.test/lib', 'v1.0.0', proxyFiles, '2024-05-01T10:00:00Z', { VCS: 'git', URL: `http://vanity.test:${g.port}/git/lib`, Hash: released })], { path: 'vanity.test/lib', version: 'v1.0.0' });
    expect(r.triage).toMatchObject({ kind: 'suspicious', recorded: { exists: false } });
    expect(r.files.added).toEqual(['extra.go']);
  });
});

describe('hostile origins', () => {
  it('refuses a go-import tag pointing at the cloud metadata address, before connecting', async () => {
    const g = await world();
    g.goImports.set('vanity.test/lib', ['vanity.test/lib git https://169.254.169.254/latest/meta-data']);
    const r = await verify([served('vanity.test/lib', 'v1.0.0', files, '2024-05-01T10:00:00Z')], { path: 'vanity.test/lib', version: 'v1.0.0' });
    expect(r.verdict).toBe('unverifiable');
    expect(r.cause).toMatchObject({ kind: 'origin-refused', detail: expect.stringMatching(/169\.254\.169\.254 is a link-local address .*MODWARDEN_ORIGIN_ALLOW/) });
    const f = divergenceFindings(change('vanity.test/lib'), r);
    expect(f.map((x) => [x.rule, x.severity])).toEqual([['unverifiable', 'low']]);
  });

  it('refuses a go-import tag pointing at loopback unless MODWARDEN_ORIGIN_ALLOW allows it', async () => {
    const g = await world();
    const repo = makeFixtureRepo(g.root, 'lib');
    release(repo, files);
    g.goImports.set('vanity.test/lib', [`vanity.test/lib git http://127.0.0.1:${g.port}/git/lib`]);
    const mod = [served('vanity.test/lib', 'v1.0.0', files, '2024-05-01T10:00:00Z')];
    const refused = await verify(mod, { path: 'vanity.test/lib', version: 'v1.0.0' }, { allow: 'vanity.test', insecure: ['127.0.0.1:*'] });
    expect(refused.cause).toMatchObject({ kind: 'origin-refused', detail: expect.stringMatching(/127\.0\.0\.1 is a loopback address/) });
    expect(g.requests.some((x) => x.startsWith('GET /git/lib'))).toBe(false);
    await proxy?.close();
    await proxyServer?.close();
    const allowed = await verify(mod, { path: 'vanity.test/lib', version: 'v1.0.0' }, { allow: 'vanity.test,127.0.0.0/8', insecure: ['127.0.0.1:*'] });
    expect(allowed.verdicts).toEqual(['consistent']);
  });

  it('refuses plain http to a host GOINSECURE does not match', async () => {
    const g = await world();
    g.goImports.set('vanity.test/lib', ['vanity.test/lib git http://plain.example/lib']);
    const r = await verify([served('vanity.test/lib', 'v1.0.0', files, '2024-05-01T10:00:00Z')], { path: 'vanity.test/lib', version: 'v1.0.0' });
    expect(r.cause).toMatchObject({ kind: 'origin-refused', detail: expect.stringMatching(/plain http; only hosts matched by GOINSECURE/) });
  });

  it('does not follow a redirect to another host', async () => {
    const g = await world({
      handle: (req, res, path) => {
        if (!path.startsWith('/git/moved/')) return false;
        res.writeHead(302, { location: `http://other.test:${git!.port}/git/lib${path.slice('/git/moved'.length)}` }).end();
        return true;
      },
    });
    const repo = makeFixtureRepo(g.root, 'lib');
    release(repo, files);
    g.goImports.set('vanity.test/lib', [`vanity.test/lib git http://vanity.test:${g.port}/git/moved`]);
    const r = await verify([served('vanity.test/lib', 'v1.0.0', files, '2024-05-01T10:00:00Z')], { path: 'vanity.test/lib', version: 'v1.0.0' });
    expect(r.verdict).toBe('unverifiable');
    expect(r.cause).toMatchObject({ kind: 'origin-refused', detail: expect.stringMatching(/redirected to another host \(other\.test:\d+\)/) });
    expect(g.requests.some((x) => x.startsWith('GET /git/lib'))).toBe(false);
  });

  it('stops a pack bomb before inflating it', async () => {
    // One blob that declares 15 bytes and inflates to 64 MiB (64 KiB on the wire).
    const bomb = deflateSync(Buffer.alloc(64 << 20));
    const header = Buffer.concat([Buffer.from('PACK'), u32(2), u32(1), Buffer.from([(3 << 4) | 15])]);
    let tagged = '';
    const body = Buffer.concat([header, bomb]);
    const pack = Buffer.concat([body, createHash('sha1').update(body).digest()]);
    const g = await world({
      handle: (req, res, path) => {
        if (path !== '/git/lib/git-upload-pack') return false;
        let raw = '';
        req.on('data', (c) => (raw += c));
        req.on('end', () => {
          if (raw.includes('command=ls-refs')) {
            res.writeHead(200, { 'content-type': 'application/x-git-upload-pack-result' });
            return void res.end(Buffer.concat([pkt(`${tagged} HEAD symref-target:refs/heads/main\n`), pkt(`${tagged} refs/tags/v1.0.0\n`), Buffer.from('0000')]));
          }
          res.writeHead(200, { 'content-type': 'application/x-git-upload-pack-result' });
          const sideband = [] as Buffer[];
          for (let i = 0; i < pack.length; i += 60000) sideband.push(pkt1(Buffer.concat([Buffer.from([1]), pack.subarray(i, i + 60000)])));
          res.end(Buffer.concat([pkt('packfile\n'), ...sideband, Buffer.from('0000')]));
        });
        return true;
      },
    });
    const repo = makeFixtureRepo(g.root, 'lib');
    tagged = release(repo, files);
    g.goImports.set('vanity.test/lib', [`vanity.test/lib git http://vanity.test:${g.port}/git/lib`]);
    // The capability advertisement comes from the real backend; ls-refs and fetch from the hook.
    const r = await verify([served('vanity.test/lib', 'v1.0.0', files, '2024-05-01T10:00:00Z')], { path: 'vanity.test/lib', version: 'v1.0.0' });
    expect(r.verdict).toBe('verify-failed');
    expect(r.cause).toMatchObject({ kind: 'too-large', detail: expect.stringMatching(/pack bomb/) });
  });
});

function u32(n: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(n);
  return b;
}

function pkt1(data: Buffer): Buffer {
  return Buffer.concat([Buffer.from((data.length + 4).toString(16).padStart(4, '0')), data]);
}

describe('GoOriginResolver', () => {
  it('asks a discovery page once per module path, then reuses the answer', async () => {
    const g = await world();
    g.goImports.set('vanity.test/lib', [`vanity.test/lib git http://vanity.test:${g.port}/git/lib`]);
    const policy = new OriginPolicy({ allow: 'vanity.test', goinsecure: 'vanity.test,vanity.test:*', resolve: async () => [{ address: '127.0.0.1', family: 4 }] });
    const resolver = new GoOriginResolver({
      github: null,
      http: new HttpClient({ fetch: policy.fetch(), retries: 0 }),
      policy,
      discoveryUrl: (p, scheme) => `${scheme}://vanity.test:${g.port}/${p}?go-get=1`,
    });
    const first = await resolver.locate('vanity.test/lib/v2', null);
    const again = await resolver.locate('vanity.test/lib/v2', null);
    expect(first).toMatchObject({ ok: true, location: { via: 'go-get', codeDir: '', pathMajor: 'v2', protocol: 'git-smart-http' } });
    expect(again).toMatchObject({ ok: true, location: { url: `http://vanity.test:${g.port}/git/lib` } });
    expect(g.requests.filter((x) => x.includes('go-get=1'))).toHaveLength(1);
    await expect(resolver.locate('vanity.test/none', null)).resolves.toMatchObject({ ok: false, kind: 'not-resolved', detail: expect.stringMatching(/no go-import meta tag for vanity\.test\/none/) });
  });
});

/** `modwarden scan` on a real local git repository, against local GOPROXY and GitHub API servers. */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '../../src/cli/main.js';
import { startBoltWorld, type BoltWorld } from '../app/boltdb-world.js';
import { startGoProxyServer, type FaultAction, type FaultRequest, type GoProxyServer } from '../helpers/goproxy-server.js';

const BASE = 'module github.com/acme/service\n\ngo 1.21\n\nrequire github.com/pkg/errors v0.9.1\n';
const UPGRADE = 'module github.com/acme/service\n\ngo 1.21\n\nrequire github.com/pkg/errors v0.9.2\n';
const HEAD = 'module github.com/acme/service\n\ngo 1.21\n\nrequire (\n\tgithub.com/boltdb-go/bolt v1.3.1\n\tgithub.com/pkg/errors v0.9.1\n)\n';

let world: BoltWorld;
let repo: string;
/** A proxy serving a benign upgrade (no typosquat, nothing else to fail on), misbehaving as `fault` says. */
let faulty: GoProxyServer;
let fault: (q: FaultRequest) => FaultAction | undefined = () => undefined;

function git(...args: string[]) {
  execFileSync('git', ['-C', repo, ...args], {
    stdio: 'pipe',
    env: { ...process.env, GIT_AUTHOR_NAME: 't', GIT_AUTHOR_EMAIL: 't@example.com', GIT_COMMITTER_NAME: 't', GIT_COMMITTER_EMAIL: 't@example.com' },
  });
}

function commit(files: Record<string, string>, message: string) {
  for (const [p, text] of Object.entries(files)) {
    mkdirSync(join(repo, p, '..'), { recursive: true });
    writeFileSync(join(repo, p), text);
  }
  git('add', '-A');
  git('commit', '-q', '-m', message);
}

beforeAll(async () => {
  world = await startBoltWorld();
  repo = mkdtempSync(join(tmpdir(), 'modwarden-scan-'));
  git('init', '-q', '-b', 'main');
  commit({ 'go.mod': BASE, 'main.go': 'package main\n' }, 'base');
  git('checkout', '-q', '-b', 'feature');
  commit({ 'go.mod': HEAD }, 'add bolt');
  git('checkout', '-q', '-b', 'config-change', 'main');
  commit({ '.github/modwarden.yml': 'failOn: critical\nrules:\n  tag-moved: false\n', 'docs/x.md': 'x\n' }, 'config only');
  git('checkout', '-q', '-b', 'feature-config', 'feature');
  commit({ '.github/modwarden.yml': 'rules:\n  tag-moved: false\nignore:\n  - module: github.com/boltdb-go/bolt@v1.3.1\n    reason: demo of a permanent ignore\n' }, 'config');
  git('checkout', '-q', '-b', 'upgrade', 'main');
  commit({ 'go.mod': UPGRADE }, 'upgrade errors');
  git('checkout', '-q', 'main');
  faulty = await startGoProxyServer({
    modules: [{ path: 'github.com/pkg/errors', version: 'v0.9.2', files: { 'errors.go': 'package errors\n' }, info: { Time: '2020-01-14T19:47:44Z' } }],
    faults: (q) => fault(q),
  });
});

afterAll(async () => {
  await world.close();
  await faulty.close();
  rmSync(repo, { recursive: true, force: true });
});

async function run(args: string[], env: Record<string, string> = {}) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(['scan', '--repo', repo, ...args], {
    out: (t) => void out.push(t),
    err: (t) => void err.push(t),
    env: { GOPROXY: world.proxy.url, GOSUMDB: 'off', GITHUB_API_URL: world.github.url, ...env },
  });
  return { code, out: out.join(''), err: err.join('') };
}

describe('modwarden scan', () => {
  it('text: one line per finding and exit 1 on findings at or above the threshold', async () => {
    const r = await run(['--base', 'main', '--head', 'feature']);
    expect(r.err).toBe('');
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/^go\.mod:6: critical content-diverged: github\.com\/boltdb-go\/bolt@v1\.3\.1: /m);
    expect(r.out).toMatch(/^go\.mod:6: critical tag-moved: /m); // retag triage: the proxy's copy adds an init() dialing out
    expect(r.out).toMatch(/^failure: \d+ findings at or above high/m);
  });

  it('sarif: valid SARIF 2.1.0 with results on go.mod line 6', async () => {
    const r = await run(['--base', 'main', '--head', 'feature', '--format', 'sarif']);
    const log = JSON.parse(r.out);
    expect(log.version).toBe('2.1.0');
    expect(log.runs[0].tool.driver.version).toMatch(/^\d+\.\d+\.\d+$/);
    const res = log.runs[0].results.find((x: any) => x.ruleId === 'content-diverged');
    expect(res.locations[0].physicalLocation).toEqual({ artifactLocation: { uri: 'go.mod', uriBaseId: '%SRCROOT%' }, region: { startLine: 6 } });
    expect(r.code).toBe(1);
  });

  it('json and markdown carry the same findings', async () => {
    const j = JSON.parse((await run(['--base', 'main', '--head', 'feature', '--format', 'json'])).out);
    expect(j.conclusion).toBe('failure');
    const md = (await run(['--base', 'main', '--head', 'feature', '--format', 'markdown'])).out;
    for (const f of j.findings) expect(md).toContain(`\`${f.rule}\``);
  });

  it('--fail-on critical still fails on the critical finding; exit 0 when no module changed', async () => {
    expect((await run(['--base', 'main', '--head', 'feature', '--fail-on', 'critical'])).code).toBe(1);
    const none = await run(['--base', 'main', '--head', 'config-change']);
    expect(none.code).toBe(0);
    expect(none.out).toBe('success: 0 changed modules, no problems found. (0 modules checked in 0 files)\n');
  });

  it('reads .github/modwarden.yml from the head commit: disabled rules and permanent ignores apply', async () => {
    const r = await run(['--base', 'main', '--head', 'feature-config']);
    expect(r.out).not.toMatch(/tag-moved/);
    expect(r.out).toMatch(/content-diverged: .* \[ignored by \.github\/modwarden\.yml: demo of a permanent ignore\]$/m);
    expect(r.code).toBe(0);
  });

  it('exit 2 with a clear message on bad input', async () => {
    const bad = await run(['--base', 'no-such-branch', '--head', 'feature']);
    expect(bad.code).toBe(2);
    expect(bad.err).toBe(`modwarden: --base no-such-branch: no such commit in ${repo}\n`);
    const fmt = await run(['--base', 'main', '--format', 'xml']);
    expect(fmt.code).toBe(2);
    expect(fmt.err).toBe('modwarden: --format: expected one of text|json|sarif|markdown, got "xml"\n');
    const sev = await run(['--base', 'main', '--fail-on', 'severe']);
    expect(sev.err).toBe('modwarden: --fail-on: expected one of info|low|medium|high|critical, got "severe"\n');
    const env = await run(['--base', 'main'], { MODWARDEN_CONCURRENCY: 'lots' });
    expect(env.err).toBe('modwarden: environment: MODWARDEN_CONCURRENCY: expected a whole number from 1 to 256, got "lots"\n');
  });

  it('a proxy down for every request fails each module with verify-failed on its line, not a scan error', async () => {
    const down = await startBoltWorld({ proxyDown: true });
    try {
      const r = await run(['--base', 'main', '--head', 'feature'], { GOPROXY: down.proxy.url });
      expect(r.code).toBe(1);
      expect(r.out).not.toMatch(/^error:/m);
      expect(r.out).toMatch(/^go\.mod:6: high verify-failed: github\.com\/boltdb-go\/bolt@v1\.3\.1: Could not verify `github\.com\/boltdb-go\/bolt@v1\.3\.1`: the module proxy failed — \/rescan to retry$/m);
    } finally {
      await down.close();
    }
  });
});

/** Issue 9: for each way a proxy can fail, the go command refuses to build, so the scan fails with the cause named. */
describe('modwarden scan when the module proxy fails', () => {
  const huge = 'x'.repeat((16 << 20) + 1);
  const on = (endpoint: FaultRequest['endpoint'], action: FaultAction) => (q: FaultRequest) => (q.endpoint === endpoint ? action : undefined);
  const cases: [string, (q: FaultRequest) => FaultAction | undefined, string, RegExp][] = [
    ['500 on the zip', on('zip', { kind: 'status', status: 500, body: 'internal error' }), 'the module proxy failed', /: 500 \(internal error\)/],
    ['500 on the .info', on('info', { kind: 'status', status: 500, body: 'internal error' }), 'the module proxy failed', /\.info: 500/],
    ['a connection reset', on('zip', { kind: 'reset' }), 'the connection to the module proxy failed', /\.zip: /],
    ['a truncated body', on('zip', { kind: 'truncate', bytes: 20 }), 'the connection to the module proxy failed', /\.zip: /],
    ['a corrupt zip', on('zip', { kind: 'status', status: 200, body: 'PK\x03\x04 junk that is no zip' }), "the module proxy's zip is corrupt", /zip/],
    ['404 on the zip', on('zip', { kind: 'status', status: 404, body: 'not found' }), 'the module proxy does not have it', /: 404 \(not found\)/],
    ['403 on the .mod', on('mod', { kind: 'status', status: 403, body: 'forbidden' }), 'the module proxy refused access', /\.mod: 403/],
    ['429 on the zip', on('zip', { kind: 'status', status: 429, body: 'slow down' }), 'the module proxy rate-limited the check', /: 429/],
    ['a .mod over the size cap', on('mod', { kind: 'status', status: 200, body: huge }), 'the module proxy sent more than the size cap allows', /16777216-byte limit/],
  ];

  it.each(cases)('%s: exit 1, verify-failed high on the go.mod line, check conclusion failure', async (_name, faults, label, detail) => {
    fault = faults;
    try {
      const r = await run(['--base', 'main', '--head', 'upgrade', '--format', 'json'], { GOPROXY: faulty.url });
      expect(r.err).toBe('');
      expect(r.code).toBe(1);
      const json = JSON.parse(r.out);
      expect(json.conclusion).toBe('failure');
      expect(json.errors).toEqual([]);
      expect(json.findings).toHaveLength(1);
      const [f] = json.findings;
      expect(f).toMatchObject({ rule: 'verify-failed', severity: 'high', module: 'github.com/pkg/errors', version: 'v0.9.2', goModPath: 'go.mod', line: 5 });
      expect(f.title).toBe(`Could not verify \`github.com/pkg/errors@v0.9.2\`: ${label} — /rescan to retry`);
      // The cause in one line, in a code span, ahead of what it means.
      expect(f.message).toMatch(/^`[^`\n]+`\. The content was never compared, so this change is not reviewed\.$/);
      expect(f.message).toMatch(detail);
    } finally {
      fault = () => undefined;
    }
  });

  it('text output names the cause on the finding line', async () => {
    fault = on('zip', { kind: 'status', status: 500, body: 'internal error' });
    try {
      const r = await run(['--base', 'main', '--head', 'upgrade'], { GOPROXY: faulty.url });
      expect(r.code).toBe(1);
      const [line, verdict, ...rest] = r.out.trimEnd().split('\n');
      expect(line).toBe('go.mod:5: high verify-failed: github.com/pkg/errors@v0.9.2: Could not verify `github.com/pkg/errors@v0.9.2`: the module proxy failed — /rescan to retry');
      expect(verdict).toMatch(/^failure: 1 finding at or above high/);
      expect(rest).toEqual([]);
    } finally {
      fault = () => undefined;
    }
  });
});

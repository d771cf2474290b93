/** `modwarden scan` on a real local git repository, against local GOPROXY and GitHub API servers. */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '../../src/cli/main.js';
import { startBoltWorld, type BoltWorld } from '../app/boltdb-world.js';

const BASE = 'module github.com/acme/service\n\ngo 1.21\n\nrequire github.com/pkg/errors v0.9.1\n';
const HEAD = 'module github.com/acme/service\n\ngo 1.21\n\nrequire (\n\tgithub.com/boltdb-go/bolt v1.3.1\n\tgithub.com/pkg/errors v0.9.1\n)\n';

let world: BoltWorld;
let repo: string;

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
  git('checkout', '-q', 'main');
});

afterAll(async () => {
  await world.close();
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
    expect(r.out).toMatch(/^go\.mod:6: high tag-moved: /m);
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

  it('exit 2 when the proxy is down: an incomplete scan never passes', async () => {
    const down = await startBoltWorld({ proxyDown: true });
    try {
      const r = await run(['--base', 'main', '--head', 'feature'], { GOPROXY: down.proxy.url });
      expect(r.code).toBe(2);
      expect(r.out).toMatch(/^error: github\.com\/boltdb-go\/bolt@v1\.3\.1: the module proxy is unavailable/m);
    } finally {
      await down.close();
    }
  });
});

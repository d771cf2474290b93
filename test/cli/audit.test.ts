/** `modwarden audit` on a real local git repository, against local GOPROXY and GitHub API servers. */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '../../src/cli/main.js';
import { startBoltWorld, type BoltWorld } from '../app/boltdb-world.js';

const CLEAN = 'module github.com/acme/service\n\ngo 1.21\n\nrequire github.com/boltdb/bolt v1.3.1\n';
const TOOLS_BAD = 'module github.com/acme/service/tools\n\ngo 1.21\n\nrequire github.com/boltdb-go/bolt v1.3.1\n';
const EXAMPLE_BAD = 'module github.com/acme/service/examples\n\ngo 1.21\n\nrequire github.com/boltdb-go/bolt v1.3.1\n';

let world: BoltWorld;
let repo: string;
let scratch: string;

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
  repo = mkdtempSync(join(tmpdir(), 'modwarden-audit-'));
  scratch = mkdtempSync(join(tmpdir(), 'modwarden-audit-out-'));
  git('init', '-q', '-b', 'main');
  commit({ 'go.mod': CLEAN, 'main.go': 'package main\n', 'examples/go.mod': EXAMPLE_BAD, '.github/modwarden.yml': 'skipPaths: [examples]\n' }, 'base');
  git('checkout', '-q', '-b', 'bad');
  commit({ 'tools/go.mod': TOOLS_BAD }, 'a sub-module pins the backdoored version');
  git('checkout', '-q', 'main');
});

afterAll(async () => {
  await world.close();
  rmSync(repo, { recursive: true, force: true });
  rmSync(scratch, { recursive: true, force: true });
});

async function run(args: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(['audit', '--repo', repo, ...args], {
    out: (t) => void out.push(t),
    err: (t) => void err.push(t),
    env: { GOPROXY: world.proxy.url, GOSUMDB: 'off', GITHUB_API_URL: world.github.url },
    cwd: scratch,
  });
  return { code, out: out.join(''), err: err.join('') };
}

describe('modwarden audit', () => {
  it('a clean tree exits 0; skipPaths keep the example module out', async () => {
    const r = await run(['--ref', 'main', '--format', 'json', '--save', 'main.json']);
    expect(r.err).toBe('');
    const j = JSON.parse(r.out);
    expect(j.conclusion).toBe('success');
    expect(j.modules.map((m: any) => `${m.goModPath} ${m.module} ${m.verdict}`)).toEqual(['go.mod github.com/boltdb/bolt ok']);
    expect(j.skippedFiles).toEqual(['examples/go.mod']);
    expect(r.code).toBe(0);
    expect(JSON.parse(readFileSync(join(scratch, 'main.json'), 'utf8')).conclusion).toBe('success');
  });

  it('finds the backdoored version pinned by a sub-module, with scan\'s findings and exit code', async () => {
    const r = await run(['--ref', 'bad']);
    expect(r.out).toMatch(/^tools\/go\.mod:5: critical content-diverged: github\.com\/boltdb-go\/bolt@v1\.3\.1: /m);
    expect(r.out).toMatch(/^tools\/go\.mod:5: critical tag-moved: /m);
    expect(r.code).toBe(1);
  });

  it('--since prints only what changed against an earlier run, and exits 0 when nothing did', async () => {
    const changed = await run(['--ref', 'bad', '--since', 'main.json']);
    expect(changed.out).toMatch(/^New:\n {2}critical content-diverged github\.com\/boltdb-go\/bolt@v1\.3\.1: /);
    expect(changed.out).not.toMatch(/Resolved|Changed|github\.com\/boltdb\/bolt@/);
    expect(changed.code).toBe(1);
    const same = await run(['--ref', 'main', '--since', 'main.json']);
    expect(same.out).toBe('Nothing changed since the last run.\n');
    expect(same.code).toBe(0);
    const json = JSON.parse((await run(['--ref', 'bad', '--since', 'main.json', '--format', 'json'])).out);
    expect([json.added.length, json.changed, json.resolved]).toEqual([3, [], []]);
    const md = await run(['--ref', 'bad', '--since', 'main.json', '--format', 'markdown']);
    expect(md.out).toMatch(/^### New\n\n- \*\*critical\*\* `content-diverged` `github\.com\/boltdb-go\/bolt@v1\.3\.1`: /);
  });

  it('exit 2 with a clear message on bad input', async () => {
    const ref = await run(['--ref', 'nope']);
    expect([ref.code, ref.err]).toEqual([2, `modwarden: --ref nope: no such commit in ${repo}\n`]);
    expect((await run(['--since', 'main.json', '--format', 'sarif'])).code).toBe(2);
    writeFileSync(join(scratch, 'bad.json'), '{"findings": 3}');
    const since = await run(['--since', 'bad.json']);
    expect([since.code, since.err]).toEqual([2, 'modwarden: --since ' + join(scratch, 'bad.json') + ': not a ModWarden JSON report (no "findings" list)\n']);
  });
});

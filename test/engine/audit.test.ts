import { audit, goSumOnlyChanges, ModuleCheckCache } from '../../src/engine/audit.js';
import { compareFindings, findingsFromJson, isEmptyDelta } from '../../src/engine/audit-changes.js';
import { storedVerdicts, RULES_REVISION, type ModuleProbe } from '../../src/engine/watch-probe.js';
import { diffFiles, requiredModules } from '../../src/engine/gomod-step.js';
import { DEFAULT_REPO_CONFIG, type RepoConfig } from '../../src/config/repo.js';
import { MemoryStore } from '../../src/sources/store/memory.js';
import type { ScanChecks } from '../../src/engine/scan.js';
import type { Finding } from '../../src/findings.js';

const ROOT_MOD = 'module github.com/acme/a\n\ngo 1.21\n\nrequire (\n\tgithub.com/pkg/errors v0.9.1\n\tgithub.com/boltdb-go/bolt v1.3.1\n)\n';
const h = (c: string) => `h1:${Buffer.alloc(32, c).toString('base64')}`;
const ROOT_SUM = [
  `github.com/pkg/errors v0.9.1 ${h('A')}`,
  `github.com/pkg/errors v0.9.1/go.mod ${h('B')}`,
  `github.com/boltdb-go/bolt v1.3.1 ${h('C')}`,
  `golang.org/x/sys v0.1.0 ${h('D')}`,
  `golang.org/x/sys v0.1.0/go.mod ${h('E')}`,
  `golang.org/x/text v0.3.0/go.mod ${h('F')}`,
].join('\n') + '\n';
const SUB_MOD = 'module github.com/acme/a/tools\n\ngo 1.21\n\nrequire golang.org/x/tools v0.12.0\n';
const SKIPPED_MOD = 'module github.com/acme/a/examples\n\ngo 1.21\n\nrequire github.com/evil/thing v1.0.0\n';

function tree(files: Record<string, string>) {
  return { paths: [...Object.keys(files), 'main.go', 'README.md'], readFile: async (p: string) => files[p] ?? null };
}

function bad(module: string, version: string): Finding {
  return { rule: 'tag-moved', severity: 'high', module, version, goModPath: '', line: null, title: `${module} moved`, message: 'm', evidence: {} };
}

/** Fake checks that count what they are asked and flag boltdb-go. */
function countingChecks() {
  const verified: string[] = [];
  const typosquatted: string[] = [];
  const checks: ScanChecks = {
    diff: diffFiles,
    requiredModules,
    async typosquat(change) {
      typosquatted.push(change.fetch!.path);
      return [];
    },
    async verify(change) {
      verified.push(`${change.fetch!.path}@${change.fetch!.version}`);
      return change.fetch!.path === 'github.com/boltdb-go/bolt' ? [{ ...bad(change.fetch!.path, change.fetch!.version), goModPath: change.goModPath, line: change.line }] : [];
    },
  };
  return { checks, verified, typosquatted };
}

const config = (over: Partial<RepoConfig> = {}): RepoConfig => ({ ...DEFAULT_REPO_CONFIG, ...over });

describe('audit of a whole tree', () => {
  it('checks every go.mod requirement and go.sum-pinned version, sub-modules included, skipPaths honoured', async () => {
    const { checks, verified } = countingChecks();
    const t = tree({ 'go.mod': ROOT_MOD, 'go.sum': ROOT_SUM, 'tools/go.mod': SUB_MOD, 'examples/x/go.mod': SKIPPED_MOD, 'pkg/testdata/go.mod': SKIPPED_MOD, '_old/go.mod': SKIPPED_MOD });
    const r = await audit({ ...t, config: config({ skipPaths: ['examples/**'] }), deps: { checks } });
    expect(verified.sort()).toEqual(['github.com/boltdb-go/bolt@v1.3.1', 'github.com/pkg/errors@v0.9.1', 'golang.org/x/sys@v0.1.0', 'golang.org/x/tools@v0.12.0']);
    expect(r.skippedFiles).toEqual(['examples/x/go.mod']);
    expect(r.findings.map((f) => [f.rule, f.module, f.goModPath, f.line])).toEqual([['tag-moved', 'github.com/boltdb-go/bolt', 'go.mod', 7]]);
    expect(r.modules.find((m) => m.module === 'golang.org/x/sys')).toMatchObject({ goModPath: 'go.mod', line: null, verdict: 'ok' });
    expect(r.errors).toEqual([]);
  });

  it('verifies each module@version once across the repos of a run, and anchors findings on each repo', async () => {
    const { checks, verified, typosquatted } = countingChecks();
    const shared = new ModuleCheckCache();
    const a = await audit({ ...tree({ 'go.mod': ROOT_MOD, 'go.sum': ROOT_SUM }), config: config(), deps: { checks }, shared });
    const b = await audit({ ...tree({ 'svc/go.mod': ROOT_MOD.replace('acme/a', 'acme/b'), 'svc/go.sum': ROOT_SUM }), config: config(), deps: { checks }, shared });
    expect(verified.filter((v) => v === 'github.com/boltdb-go/bolt@v1.3.1')).toHaveLength(1);
    expect(verified).toHaveLength(3);
    expect(new Set(typosquatted).size).toBe(typosquatted.length);
    expect(a.findings[0]).toMatchObject({ goModPath: 'go.mod', line: 7 });
    expect(b.findings[0]).toMatchObject({ goModPath: 'svc/go.mod', line: 7 });
    expect(shared.stats).toMatchObject({ verifyKeys: 3, verifyShared: 3 });
  });

  it('a go.sum with a different hash for the same version is verified on its own', async () => {
    const { checks, verified } = countingChecks();
    const shared = new ModuleCheckCache();
    await audit({ ...tree({ 'go.mod': ROOT_MOD, 'go.sum': ROOT_SUM }), config: config(), deps: { checks }, shared });
    await audit({ ...tree({ 'go.mod': ROOT_MOD, 'go.sum': ROOT_SUM.replace(h('C'), h('Z')) }), config: config(), deps: { checks }, shared });
    expect(verified.filter((v) => v === 'github.com/boltdb-go/bolt@v1.3.1')).toHaveLength(2);
    expect(verified.filter((v) => v === 'github.com/pkg/errors@v0.9.1')).toHaveLength(1);
  });

  it('go.sum-only entries skip /go.mod lines and versions the go.mod requires', () => {
    const pairs = [
      { path: 'go.mod', base: null, head: ROOT_MOD },
      { path: 'go.sum', base: null, head: ROOT_SUM },
    ];
    const { changes } = diffFiles(pairs);
    expect(goSumOnlyChanges(pairs, changes).map((c) => `${c.module}@${c.to}`)).toEqual(['golang.org/x/sys@v0.1.0']);
  });
});

describe('finding deltas', () => {
  const f1 = { ...bad('github.com/x/a', 'v1.0.0'), goModPath: 'go.mod' };
  const f2 = { ...bad('github.com/x/b', 'v1.0.0'), goModPath: 'go.mod' };
  it('lists added, resolved and changed findings', () => {
    const d = compareFindings([f1, f2], [{ ...f1, line: 9 }, { ...f2, title: 'moved again' }, { ...f1, module: 'github.com/x/c' }]);
    expect(d.added.map((f) => f.module)).toEqual(['github.com/x/c']);
    expect(d.changed.map((c) => c.after.title)).toEqual(['moved again']);
    expect(d.unchanged.map((f) => f.module)).toEqual(['github.com/x/a']);
    expect(d.resolved).toEqual([]);
    expect(isEmptyDelta(compareFindings([f1], [f1]))).toBe(true);
    expect(compareFindings([f1, f2], [f2]).resolved.map((f) => f.module)).toEqual(['github.com/x/a']);
  });
  it('reads findings back from a JSON report and rejects damaged entries', () => {
    const { findings, rejected } = findingsFromJson({ findings: [{ ...f1, fingerprint: 'abc' }, { rule: 3 }] });
    expect(findings).toEqual([f1]);
    expect(rejected).toBe(1);
    expect(() => findingsFromJson({})).toThrow('no "findings" list');
  });
});

describe('stored verdicts (cheap change detection)', () => {
  const mv = { path: 'github.com/x/a', version: 'v1.0.0' };
  it('verifies when never compared, reuses while the probe is unchanged, verifies again when it moves', async () => {
    const store = new MemoryStore();
    let probe: ModuleProbe = { proxy: 'info t h1', tag: 'commit aaa' };
    let runs = 0;
    const run = async () => (runs++, [bad(mv.path, mv.version)]);
    const first = storedVerdicts(store, async () => probe);
    expect(await first.resolve({ kind: 'verify', id: 'k', mv }, run)).toHaveLength(1);
    const second = storedVerdicts(store, async () => probe);
    expect(await second.resolve({ kind: 'verify', id: 'k', mv }, run)).toHaveLength(1);
    expect([runs, second.stats.reused]).toEqual([1, 1]);
    probe = { proxy: 'info t h1', tag: 'commit bbb' };
    const third = storedVerdicts(store, async () => probe);
    await third.resolve({ kind: 'verify', id: 'k', mv }, run);
    expect([runs, third.stats.verified]).toEqual([2, 1]);
    // An inconclusive probe (a source failed) never vouches for a stored verdict.
    probe = { proxy: 'error', tag: 'commit bbb' };
    await storedVerdicts(store, async () => probe).resolve({ kind: 'verify', id: 'k', mv }, run);
    expect(runs).toBe(3);
    expect(JSON.parse((await store.get('watch:v1:verdict:k'))!).rules).toBe(RULES_REVISION);
  });
});

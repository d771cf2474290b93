/**
 * The engine's orchestration: which files are read, which checks run on which module, and how the repo
 * config shapes the result. The go.mod diff is the real one; per-module checks are recorded doubles here
 * (they are tested on their own, and end to end in scan-e2e.test.ts).
 */
import { DEFAULT_REPO_CONFIG, parseRepoConfig, type RepoConfig } from '../../src/config/repo.js';
import type { Finding } from '../../src/findings.js';
import type { RequirementChange } from '../../src/gomod/types.js';
import { matchesSkipPath, scan, type Ref, type ScanChecks } from '../../src/engine/scan.js';
import { diffFiles, requiredModules } from '../../src/engine/gomod-step.js';

type Tree = Record<string, string>;

function reader(base: Tree, head: Tree) {
  const reads: string[] = [];
  return {
    reads,
    readFile: async (ref: Ref, path: string) => {
      reads.push(`${ref}:${path}`);
      return (ref === 'base' ? base : head)[path] ?? null;
    },
  };
}

function recorder(answers: { typosquat?: (c: RequirementChange) => Finding[]; verify?: (c: RequirementChange) => Finding[] } = {}) {
  const calls = { typosquat: [] as string[], verify: [] as string[], existing: [] as string[][], goSum: [] as (string | null)[] };
  const checks: ScanChecks = {
    diff: diffFiles,
    requiredModules,
    async typosquat(change, ctx) {
      calls.typosquat.push(`${change.goModPath}:${change.fetch!.path}`);
      calls.existing.push(ctx.existing);
      return answers.typosquat?.(change) ?? [];
    },
    async verify(change, ctx) {
      calls.verify.push(`${change.goModPath}:${change.fetch!.path}@${change.fetch!.version}`);
      calls.goSum.push(ctx.goSum?.path ?? null);
      return answers.verify?.(change) ?? [];
    },
  };
  return { calls, checks };
}

const f = (rule: Finding['rule'], severity: Finding['severity'], c: RequirementChange): Finding => ({
  rule,
  severity,
  module: c.fetch!.path,
  version: c.fetch!.version,
  goModPath: c.goModPath,
  line: c.line,
  title: `${rule} on ${c.fetch!.path}`,
  message: '',
  evidence: {},
});

const gomod = (mod: string, reqs: string[], extra = '') => `module ${mod}\n\ngo 1.21\n\nrequire (\n${reqs.map((r) => `\t${r}`).join('\n')}\n)\n${extra}`;

describe('scan', () => {
  const base: Tree = {
    'go.mod': gomod('github.com/acme/app', ['github.com/pkg/errors v0.9.1', 'github.com/spf13/cobra v1.7.0']),
    'tools/go.mod': gomod('github.com/acme/app/tools', ['golang.org/x/tools v0.10.0']),
  };
  const head: Tree = {
    'go.mod': gomod('github.com/acme/app', ['github.com/pkg/errors v0.9.1', 'github.com/spf13/cobra v1.8.0', 'github.com/boltdb-go/bolt v1.3.1']),
    'go.sum': 'github.com/boltdb-go/bolt v1.3.1 h1:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n',
    'tools/go.mod': gomod('github.com/acme/app/tools', ['golang.org/x/tools v0.12.0', 'github.com/evil/thing v0.0.1']),
    'svc/go.mod': gomod('github.com/acme/app/svc', ['github.com/lib/pq v1.10.9']),
  };

  it('escalates a retag triaged benign to critical when the same module is a failing look-alike', async () => {
    const benign = (c: RequirementChange): Finding => ({ ...f('tag-moved', 'medium', c), evidence: { triage: { kind: 'benign', why: ['forward retag'] } } });
    const { checks } = recorder({ typosquat: (c) => [f('typosquat', 'high', c)], verify: (c) => (c.fetch!.path === 'github.com/boltdb-go/bolt' ? [benign(c)] : []) });
    const result = await scan({ files: ['go.mod'], ...reader(base, head), config: DEFAULT_REPO_CONFIG, deps: { checks } });
    const moved = result.findings.find((x) => x.rule === 'tag-moved')!;
    expect(moved.severity).toBe('critical');
    expect(moved.message).toMatch(/looks like another module/);
  });

  it('asks the checks for a per-scan view once per scan and runs every module check through it', async () => {
    const shared = recorder();
    const perScan: ReturnType<typeof recorder>[] = [];
    const checks: ScanChecks = {
      ...shared.checks,
      forScan: () => {
        const view = recorder();
        perScan.push(view);
        return view.checks;
      },
    };
    for (let i = 0; i < 2; i++) await scan({ files: ['go.mod'], ...reader(base, head), config: DEFAULT_REPO_CONFIG, deps: { checks } });
    expect(perScan).toHaveLength(2);
    expect(perScan.map((v) => v.calls.typosquat)).toEqual([['go.mod:github.com/boltdb-go/bolt'], ['go.mod:github.com/boltdb-go/bolt']]);
    expect(shared.calls.typosquat).toEqual([]);
    expect(shared.calls.verify).toEqual([]);
  });

  it('checks every go.mod in the change: typosquat on new paths, verify on every fetched version', async () => {
    const { calls, checks } = recorder();
    const r = reader(base, head);
    const result = await scan({ files: ['go.mod', 'go.sum', 'tools/go.mod', 'svc/go.mod', 'README.md'], readFile: r.readFile, config: DEFAULT_REPO_CONFIG, deps: { checks } });
    expect(result.errors).toEqual([]);
    expect(result.scannedFiles).toEqual(['go.mod', 'go.sum', 'svc/go.mod', 'tools/go.mod']);
    expect(calls.typosquat.sort()).toEqual(['go.mod:github.com/boltdb-go/bolt', 'svc/go.mod:github.com/lib/pq', 'tools/go.mod:github.com/evil/thing']);
    expect(calls.verify.sort()).toEqual([
      'go.mod:github.com/boltdb-go/bolt@v1.3.1',
      'go.mod:github.com/spf13/cobra@v1.8.0',
      'svc/go.mod:github.com/lib/pq@v1.10.9',
      'tools/go.mod:github.com/evil/thing@v0.0.1',
      'tools/go.mod:golang.org/x/tools@v0.12.0',
    ]);
    // The repo's existing requirements (base go.mods) are the look-alike targets.
    expect(calls.existing[0]!.sort()).toEqual(['github.com/pkg/errors', 'github.com/spf13/cobra', 'golang.org/x/tools']);
    // go.sum next to the go.mod is handed to verify; svc has none.
    expect(calls.goSum.filter(Boolean)).toContain('go.sum');
    expect(result.modules.map((m) => `${m.module}:${m.kind}:${m.verdict}`).sort()).toEqual([
      'github.com/boltdb-go/bolt:added:ok',
      'github.com/evil/thing:added:ok',
      'github.com/lib/pq:added:ok',
      'github.com/spf13/cobra:upgraded:ok',
      'golang.org/x/tools:upgraded:ok',
    ]);
    expect(r.reads).not.toContain('base:README.md');
  });

  it('adds the requirements of unchanged go.mods to the look-alike targets, and survives a failed listing', async () => {
    const { calls, checks } = recorder();
    const b: Tree = { ...base, 'other/go.mod': gomod('github.com/acme/app/other', ['github.com/boltdb/bolt v1.3.1']) };
    await scan({ files: ['go.mod'], ...reader(b, head), listGoModFiles: async () => ['go.mod', 'other/go.mod', 'tools/go.mod'], config: DEFAULT_REPO_CONFIG, deps: { checks } });
    expect(calls.existing[0]).toEqual(expect.arrayContaining(['github.com/boltdb/bolt', 'golang.org/x/tools', 'github.com/pkg/errors']));
    const again = recorder();
    const result = await scan({ files: ['go.mod'], ...reader(b, head), listGoModFiles: () => Promise.reject(new Error('tree too big')), config: DEFAULT_REPO_CONFIG, deps: { checks: again.checks } });
    expect(result.errors).toEqual([]);
    expect(again.calls.existing[0]!.sort()).toEqual(['github.com/pkg/errors', 'github.com/spf13/cobra']);
  });

  it('skips go.mod paths listed in skipPaths', async () => {
    const { calls, checks } = recorder();
    const config = parseRepoConfig({ skipPaths: ['tools/go.mod', 'svc/**'] });
    const result = await scan({ files: ['go.mod', 'tools/go.mod', 'svc/go.mod'], ...reader(base, head), config, deps: { checks } });
    expect(result.skippedFiles).toEqual(['svc/go.mod', 'tools/go.mod']);
    expect(calls.verify.every((c) => c.startsWith('go.mod:'))).toBe(true);
  });

  it('a go.sum-only change re-verifies the versions whose go.sum lines changed', async () => {
    const { calls, checks } = recorder();
    const mod = gomod('github.com/acme/app', ['github.com/pkg/errors v0.9.1', 'github.com/spf13/cobra v1.7.0']);
    const b: Tree = { 'go.mod': mod, 'go.sum': 'github.com/pkg/errors v0.9.1 h1:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\ngithub.com/spf13/cobra v1.7.0 h1:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n' };
    const h: Tree = { 'go.mod': mod, 'go.sum': 'github.com/pkg/errors v0.9.1 h1:BBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBB=\ngithub.com/spf13/cobra v1.7.0 h1:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\ngithub.com/not/required v1.0.0 h1:BBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBB=\n' };
    const r = reader(b, h);
    const result = await scan({ files: ['go.sum'], readFile: r.readFile, config: DEFAULT_REPO_CONFIG, deps: { checks } });
    expect(r.reads).toEqual(expect.arrayContaining(['base:go.mod', 'head:go.mod', 'base:go.sum', 'head:go.sum']));
    expect(calls.verify).toEqual(['go.mod:github.com/pkg/errors@v0.9.1']);
    expect(calls.goSum).toEqual(['go.sum']);
    expect(calls.typosquat).toEqual([]);
    expect(result.modules).toEqual([expect.objectContaining({ module: 'github.com/pkg/errors', from: 'v0.9.1', to: 'v0.9.1', line: 6 })]);
  });

  it('a malformed go.sum is a parse error on its line', async () => {
    const { checks } = recorder();
    const h: Tree = { 'go.mod': base['go.mod']!, 'go.sum': 'github.com/pkg/errors v0.9.1 h1:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\ngithub.com/pkg/errors v0.9.1\n' };
    const result = await scan({ files: ['go.sum'], ...reader(base, h), config: DEFAULT_REPO_CONFIG, deps: { checks } });
    expect(result.findings.map((x) => [x.rule, x.goModPath, x.line])).toEqual([['parse-error', 'go.sum', 2]]);
  });

  it('applies severity overrides, disabled rules, the allow-list and ignores', async () => {
    const { checks } = recorder({
      typosquat: (c) => [f('typosquat', 'high', c)],
      verify: (c) => [f('tag-moved', 'high', c), f('unverifiable', 'low', c)],
    });
    const config: RepoConfig = parseRepoConfig({
      rules: { unverifiable: false, 'tag-moved': { severity: 'critical' } },
      allow: ['github.com/lib/pq', { module: 'github.com/evil/thing', rules: ['typosquat'] }],
      ignore: [{ module: 'github.com/spf13/cobra@v1.8.0', reason: 'tag move explained upstream' }],
    });
    const result = await scan({ files: ['go.mod', 'tools/go.mod', 'svc/go.mod'], ...reader(base, head), config, deps: { checks } });
    const byModule = (m: string) => result.findings.filter((x) => x.module === m).map((x) => `${x.rule}:${x.severity}${x.ignored ? ':ignored' : ''}`).sort();
    expect(byModule('github.com/boltdb-go/bolt')).toEqual(['tag-moved:critical', 'typosquat:high']);
    expect(byModule('github.com/lib/pq')).toEqual([]); // allow-listed for every rule: not even checked
    expect(result.modules.find((m) => m.module === 'github.com/lib/pq')).toMatchObject({ verdict: 'not-checked', note: 'allow-listed' });
    expect(byModule('github.com/evil/thing')).toEqual(['tag-moved:critical']); // allowed for typosquat only
    expect(byModule('github.com/spf13/cobra')).toEqual(['tag-moved:critical:ignored']);
    expect(result.findings.find((x) => x.ignored)!.ignored).toEqual({ by: '.github/modwarden.yml', reason: 'tag move explained upstream' });
    expect(result.modules.find((m) => m.module === 'github.com/spf13/cobra')!.verdict).toBe('ignored');
    expect(result.modules.find((m) => m.module === 'github.com/boltdb-go/bolt')!.verdict).toBe('failing');
  });

  it('does not fetch private modules or local replacements, and says why', async () => {
    const { calls, checks } = recorder();
    const h: Tree = { 'go.mod': gomod('github.com/acme/app', ['corp.example.com/lib v1.0.0', 'github.com/x/y v1.0.0'], 'replace github.com/x/y => ../y\n') };
    const result = await scan({ files: ['go.mod'], ...reader({}, h), config: parseRepoConfig({ privateModules: 'corp.example.com' }), deps: { checks } });
    expect(calls.verify).toEqual([]);
    expect(result.modules.map((m) => [m.module, m.verdict, m.note])).toEqual(
      expect.arrayContaining([
        ['corp.example.com/lib', 'not-checked', 'private module (GOPRIVATE / privateModules)'],
        ['github.com/x/y', 'not-checked', 'local directory replacement'],
      ]),
    );
  });

  it('checks a replace target as a new module path', async () => {
    const { calls, checks } = recorder();
    const b: Tree = { 'go.mod': gomod('github.com/acme/app', ['github.com/boltdb/bolt v1.3.1']) };
    const h: Tree = { 'go.mod': gomod('github.com/acme/app', ['github.com/boltdb/bolt v1.3.1'], 'replace github.com/boltdb/bolt => github.com/boltdb-go/bolt v1.3.1\n') };
    await scan({ files: ['go.mod'], ...reader(b, h), config: DEFAULT_REPO_CONFIG, deps: { checks } });
    expect(calls.typosquat).toEqual(['go.mod:github.com/boltdb-go/bolt']);
    expect(calls.verify).toEqual(['go.mod:github.com/boltdb-go/bolt@v1.3.1']);
  });

  it('turns an unparsable go.mod or go.work into parse-error findings with the line', async () => {
    const { checks } = recorder();
    const h: Tree = { 'go.mod': 'module github.com/acme/app\n\nrequire github.com/a/b\n', 'go.work': 'go 1.21\n\nuse (\n' };
    const result = await scan({ files: ['go.mod', 'go.work'], ...reader({}, h), config: DEFAULT_REPO_CONFIG, deps: { checks } });
    expect(result.findings.map((x) => [x.rule, x.goModPath, x.line])).toEqual([
      ['parse-error', 'go.mod', 3],
      ['parse-error', 'go.work', expect.any(Number)],
    ]);
  });

  it('reports failing reads and failing checks as errors, and keeps going', async () => {
    const { checks } = recorder({ verify: (c) => { if (c.fetch!.path === 'github.com/boltdb-go/bolt') throw new Error('proxy down'); return []; } });
    const result = await scan({
      files: ['go.mod', 'svc/go.mod'],
      readFile: async (ref, path) => {
        if (path === 'svc/go.mod') throw new Error('HTTP 502');
        return (ref === 'base' ? base : head)[path] ?? null;
      },
      config: DEFAULT_REPO_CONFIG,
      deps: { checks },
    });
    expect(result.errors.sort()).toEqual(['cannot read svc/go.mod at the base commit: HTTP 502', 'cannot read svc/go.mod at the head commit: HTTP 502', 'github.com/boltdb-go/bolt@v1.3.1: proxy down'].sort());
    expect(result.modules.map((m) => m.module)).toContain('github.com/spf13/cobra');
  });

  it('runs module checks with bounded concurrency', async () => {
    let running = 0;
    let peak = 0;
    const checks: ScanChecks = {
      diff: diffFiles,
      requiredModules,
      typosquat: async () => [],
      verify: async () => {
        running++;
        peak = Math.max(peak, running);
        await new Promise((r) => setTimeout(r, 5));
        running--;
        return [];
      },
    };
    const many = gomod('github.com/acme/app', Array.from({ length: 40 }, (_, i) => `github.com/o/m${i} v1.0.0`));
    const result = await scan({ files: ['go.mod'], ...reader({}, { 'go.mod': many }), config: DEFAULT_REPO_CONFIG, deps: { checks, concurrency: 4 } });
    expect(result.modules).toHaveLength(40);
    expect(peak).toBe(4);
  });
});

describe('matchesSkipPath', () => {
  it('matches files, directories and globs', () => {
    expect(matchesSkipPath('tools/go.mod', 'tools/go.mod')).toBe(true);
    expect(matchesSkipPath('tools', 'tools/go.mod')).toBe(true);
    expect(matchesSkipPath('examples/*/go.mod', 'examples/a/go.mod')).toBe(true);
    expect(matchesSkipPath('examples/*/go.mod', 'examples/a/b/go.mod')).toBe(false);
    expect(matchesSkipPath('**/testdata/**', 'x/testdata/y/go.mod')).toBe(true);
    expect(matchesSkipPath('tools/go.mod', 'go.mod')).toBe(false);
    expect(matchesSkipPath('./tools/', 'tools/go.mod')).toBe(true);
    expect(matchesSkipPath('examples/**', 'examples/a/b/go.mod')).toBe(true);
    expect(matchesSkipPath('**/go.mod', '.hidden/go.mod')).toBe(true);
    expect(matchesSkipPath('{tools,hack}/go.mod', 'hack/go.mod')).toBe(true);
    expect(matchesSkipPath('examples/?/go.mod', 'examples/ab/go.mod')).toBe(false);
  });
});

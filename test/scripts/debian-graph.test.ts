/**
 * The Debian requirement graph: the pure summariser behind scripts/collect-debian-graph.ts, and the committed real
 * data (test/fixtures/graph) against the figures its README states.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { packageRoot } from '../../src/checks/typosquat/corpus.js';
import { parseMaliciousTsv, parseRequirementsTsv } from '../../src/checks/typosquat/eval-data.js';
import { buildGraph, majorOf, renderGoMods, renderRequirements } from '../../scripts/debian-graph.js';
import { countHosts } from '../../scripts/module-hosts.js';

describe('buildGraph / renderRequirements', () => {
  const files = [
    {
      debianPackage: 'golang-github-b-b-dev',
      file: 'github.com/b/b/go.mod',
      text: 'module github.com/b/b\n\nrequire (\n\tgithub.com/x/y v1.2.0\n\tgopkg.in/yaml.v3 v3.0.1 // indirect\n)\n',
    },
    {
      debianPackage: 'golang-github-a-a-dev',
      file: 'github.com/a/a/go.mod',
      text: 'module github.com/a/a\n\nrequire github.com/x/y v0.9.0 // indirect\nrequire github.com/x/y v1.0.0\nrequire github.com/z/z v2.1.0+incompatible\n',
    },
    { debianPackage: 'golang-github-a-a-dev', file: 'github.com/a/a/sub/go.mod', text: 'module github.com/a/a/sub\nrequire k8s.io/api v0.28.0 // indirect\n' },
    { debianPackage: 'golang-broken-dev', file: 'example.org/broken/go.mod', text: 'module example.org/broken\nrequire (\n' },
  ];
  const graph = buildGraph(files);

  it('counts each go.mod once per module, direct when any of its lines is', () => {
    const out = parseRequirementsTsv(renderRequirements(graph, '# h\n'));
    expect(out.map((r) => [r.module, r.major, r.gomodFiles, r.direct, r.indirect, r.debianPackages, r.examplePackages.join(',')])).toEqual([
      ['github.com/x/y', 'v0,v1', 2, 2, 0, 2, 'golang-github-a-a-dev,golang-github-b-b-dev'],
      ['github.com/z/z', 'v2+incompatible', 1, 1, 0, 1, 'golang-github-a-a-dev'],
      ['gopkg.in/yaml.v3', 'v3', 1, 0, 1, 1, 'golang-github-b-b-dev'],
      ['k8s.io/api', 'v0', 1, 0, 1, 1, 'golang-github-a-a-dev'],
    ]);
  });

  it('lists every go.mod with its package, and keeps the parse error of a broken one', () => {
    const lines = renderGoMods(graph, '').trim().split('\n');
    expect(lines[0]).toBe('debian_package\tgomod\tmodule\trequires\terror');
    expect(lines.slice(1).map((l) => l.split('\t').slice(0, 4))).toEqual([
      ['golang-broken-dev', 'example.org/broken/go.mod', '-', '0'],
      ['golang-github-a-a-dev', 'github.com/a/a/go.mod', 'github.com/a/a', '3'],
      ['golang-github-a-a-dev', 'github.com/a/a/sub/go.mod', 'github.com/a/a/sub', '1'],
      ['golang-github-b-b-dev', 'github.com/b/b/go.mod', 'github.com/b/b', '2'],
    ]);
    expect(lines[1]!.split('\t')[4]).toMatch(/example\.org\/broken\/go\.mod:\d+/);
  });

  it('is deterministic whatever the input order', () => {
    expect(renderRequirements(buildGraph([...files].reverse()), '')).toBe(renderRequirements(graph, ''));
  });

  it('takes the major from the path suffix first', () => {
    expect(majorOf('github.com/a/b/v4', ['v4.1.0'])).toBe('v4');
    expect(majorOf('gopkg.in/check.v1', ['v1.0.0-20201130134442-10cb98267c6c'])).toBe('v1');
    expect(majorOf('github.com/a/b', [])).toBe('-');
  });
});

describe('test/fixtures/graph (the real requirement graph of Debian golang-*-dev packages)', () => {
  const dir = join(packageRoot(), 'test', 'fixtures', 'graph');
  const readme = readFileSync(join(dir, 'README.md'), 'utf8');
  const stated = (label: string): number => {
    const m = new RegExp(`^- ${label}: (\\d+)`, 'm').exec(readme);
    if (!m) throw new Error(`README states no "${label}"`);
    return Number(m[1]);
  };
  const requirements = parseRequirementsTsv(readFileSync(join(dir, 'debian-requirements.tsv'), 'utf8'));
  const gomods = readFileSync(join(dir, 'debian-gomods.tsv'), 'utf8')
    .split('\n')
    .filter((l) => l && !l.startsWith('#'))
    .slice(1)
    .map((l) => l.split('\t'));
  const packages = readFileSync(join(dir, 'debian-packages.tsv'), 'utf8')
    .split('\n')
    .filter((l) => l && !l.startsWith('#'))
    .slice(1);

  it('has the figures its README states', () => {
    expect(requirements.length).toBe(stated('required modules'));
    expect(gomods.filter((g) => g[4] === '-').length).toBe(stated('go.mod files parsed'));
    expect(new Set(gomods.map((g) => g[0])).size).toBe(stated('Debian packages with a go.mod'));
    expect(packages.length).toBe(stated('golang-\\*-dev packages installed'));
    const hosts = countHosts(requirements.map((r) => ({ module: r.module })));
    expect(hosts.byGroup.github).toBe(stated('on github.com'));
    expect(hosts.byGroup['known-host']).toBe(stated('on another known host'));
    expect(hosts.byGroup.vanity).toBe(stated('behind a vanity path'));
    expect(hosts.byGroup.invalid).toBe(stated('not a public module path'));
  });

  it('has each module once, every requirer package among the installed ones', () => {
    expect(new Set(requirements.map((r) => r.module)).size).toBe(requirements.length);
    const installed = new Set(packages.map((p) => p.split('\t')[0]));
    const owners = new Set(gomods.map((g) => g[0]));
    for (const r of requirements) for (const p of r.examplePackages) expect(owners.has(p) && installed.has(p)).toBe(true);
  });

  it('contains none of the publicly reported malicious modules (it is the legitimate long tail)', () => {
    const malicious = parseMaliciousTsv(readFileSync(join(packageRoot(), 'test', 'fixtures', 'typosquat', 'malicious.tsv'), 'utf8'));
    const required = new Set(requirements.map((r) => r.module.toLowerCase()));
    expect(malicious.filter((m) => required.has(m.module.toLowerCase())).map((m) => m.module)).toEqual([]);
  });
});

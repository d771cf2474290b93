import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { hash1, sha256Hex } from '../../src/modzip/hash.js';
import { isVendoredPackage, selectModuleFiles, type FileSelection, type TreeEntry } from '../../src/modzip/fileset.js';
import { readZipTest, type Txtar } from './helpers/txtar.js';

const FIXTURES = new URL('../fixtures/modzip/golang-mod/', import.meta.url).pathname;

function txtarFiles(a: Txtar) {
  return a.files.filter((f) => f.name !== 'want');
}

function rootGoMod(a: Txtar): Buffer | undefined {
  return txtarFiles(a).find((f) => f.name === 'go.mod')?.data;
}

// Go's formatCheckedFiles, so fixtures compare as text.
function format(sel: FileSelection, mvPrefix: string): string {
  const lines = ['valid:'];
  for (const f of sel.files) lines.push(f.path);
  lines.push('', 'omitted:');
  for (const o of sel.omitted) lines.push(`${o.path}: ${o.reason}`);
  lines.push('', 'invalid:');
  for (const e of sel.errors) if (e.path !== mvPrefix) lines.push(`${e.path}: ${e.reason}`);
  return lines.join('\n') + '\n';
}

function hashOf(sel: FileSelection, mv: string, content: (sourcePath: string) => Buffer): string {
  return hash1(sel.files.map((f) => ({ name: `${mv}/${f.path}`, sha256: sha256Hex(content(f.sourcePath)) })));
}

function fixtures(dir: string): string[] {
  return readdirSync(join(FIXTURES, dir)).filter((n) => n.endsWith('.txt')).sort();
}

describe('golang/mod zip/testdata/check_files (zip.CheckFiles)', () => {
  it.each(fixtures('check_files'))('%s', (name) => {
    const t = readZipTest(join(FIXTURES, 'check_files', name));
    const want = t.archive.files.find((f) => f.name === 'want')!.data.toString('utf8');
    const files = txtarFiles(t.archive);
    const entries: TreeEntry[] = files.map((f) => ({ path: f.name, type: 'file', size: f.data.length }));
    const sel = selectModuleFiles(entries, { modulePath: 'example.com/m', version: 'v1.0.0', mode: 'vcs', goMod: rootGoMod(t.archive) });
    expect(format(sel, 'example.com/m@v1.0.0')).toBe(want);
  });
});

describe('golang/mod zip/testdata/check_dir (zip.CheckDir)', () => {
  it.each(fixtures('check_dir'))('%s', (name) => {
    const t = readZipTest(join(FIXTURES, 'check_dir', name));
    const want = t.archive.files.find((f) => f.name === 'want')!.data.toString('utf8').replaceAll('$work/', '');
    const entries = treeFromFiles(txtarFiles(t.archive).map((f) => ({ name: f.name, size: f.data.length })));
    const sel = selectModuleFiles(entries, { modulePath: 'example.com/m', version: 'v1.0.0', mode: 'dir', goMod: rootGoMod(t.archive) });
    expect(format(sel, 'example.com/m@v1.0.0')).toBe(want);
  });
});

// A file list as a directory tree would list it: every parent directory appears as a 'dir' entry.
function treeFromFiles(files: { name: string; size: number }[]): TreeEntry[] {
  const dirs = new Set<string>();
  for (const f of files) {
    const parts = f.name.split('/');
    for (let i = 1; i < parts.length; i++) dirs.add(parts.slice(0, i).join('/'));
  }
  return [...[...dirs].map((d) => ({ path: d, type: 'dir' as const, size: 0 })), ...files.map((f) => ({ path: f.name, type: 'file' as const, size: f.size }))];
}

describe('golang/mod zip/testdata/create (zip.Create) and create_from_dir (zip.CreateFromDir)', () => {
  const cases = [...fixtures('create').map((n) => ['create', n] as const), ...fixtures('create_from_dir').map((n) => ['create_from_dir', n] as const)];
  it.each(cases)('%s/%s', (dir, name) => {
    const t = readZipTest(join(FIXTURES, dir, name));
    const files = txtarFiles(t.archive);
    const content = new Map(files.map((f) => [f.name, f.data]));
    const entries =
      dir === 'create'
        ? files.map((f) => ({ path: f.name, type: 'file' as const, size: f.data.length }))
        : treeFromFiles(files.map((f) => ({ name: f.name, size: f.data.length })));
    const sel = selectModuleFiles(entries, {
      modulePath: t.path,
      version: t.version,
      mode: dir === 'create' ? 'vcs' : 'dir',
      goMod: rootGoMod(t.archive),
    });
    if (t.wantErr) {
      expect(sel.errors.map((e) => e.reason).join('\n')).toContain(t.wantErr);
      return;
    }
    expect(sel.errors).toEqual([]);
    expect(hashOf(sel, `${t.path}@${t.version}`, (p) => content.get(p)!)).toBe(t.hash);
  });
});

describe('isVendoredPackage', () => {
  it.each([
    ['vendor/modules.txt', false, false],
    ['vendor/modules.txt', true, true],
    ['vendor/a/b.go', false, true],
    ['vendor/a.go', false, false],
    // The frozen pre-1.24 bug: the offset 8 is measured from the start of the name.
    ['pkg/vendor/vendor.go', false, true],
    ['pkg/vendor/vendor.go', true, false],
    ['sub/vendor/sub.txt', false, true],
    ['sub/vendor/sub.txt', true, false],
    ['pkg/vendor/foo/foo.go', true, true],
    ['a/b.go', true, false],
  ] as const)('%s (go1.24 rules: %s) → %s', (name, go124, want) => {
    expect(isVendoredPackage(name, go124)).toBe(want);
  });
});

describe('golang/mod create/exclude_vendor_go124.txt at 9cd0e4c (superseded by the later Go 1.24 nested-vendor fix)', () => {
  it('excludes vendor/modules.txt for go 1.24 as the fixture says, and keeps sub/vendor/sub.txt per the newer rule', () => {
    const t = readZipTest(join(new URL('../fixtures/modzip/golang-mod-superseded/', import.meta.url).pathname, 'exclude_vendor_go124.txt'));
    const files = txtarFiles(t.archive);
    const content = new Map(files.map((f) => [f.name, f.data]));
    const sel = selectModuleFiles(
      files.map((f) => ({ path: f.name, type: 'file' as const, size: f.data.length })),
      { modulePath: t.path, version: t.version, mode: 'vcs', goMod: rootGoMod(t.archive) },
    );
    expect(sel.files.map((f) => f.path).sort()).toEqual(['go.mod', 'sub/vendor/sub.txt']);
    // The fixture's hash is exactly the zip without the file the later fix keeps.
    const withoutNested = { ...sel, files: sel.files.filter((f) => f.path !== 'sub/vendor/sub.txt') };
    expect(hashOf(withoutNested, `${t.path}@${t.version}`, (p) => content.get(p)!)).toBe(t.hash);
  });
});

describe('Go 1.24 vendor rules and where the go version is read from', () => {
  const goMod124 = 'module example.com/m\n\ngo 1.24\n';
  const tree = (rootGoMod: 'file' | 'symlink'): TreeEntry[] => [
    { path: 'go.mod', type: rootGoMod, size: goMod124.length },
    { path: 'vendor', type: 'dir', size: 0 },
    { path: 'vendor/modules.txt', type: 'file', size: 3 },
    { path: 'pkg', type: 'dir', size: 0 },
    { path: 'pkg/vendor', type: 'dir', size: 0 },
    { path: 'pkg/vendor/v.go', type: 'file', size: 3 },
  ];

  it('applies the 1.24 rules in both phases with a regular root go.mod', () => {
    const sel = selectModuleFiles(tree('file'), { modulePath: 'example.com/m', version: 'v1.0.0', mode: 'dir', goMod: goMod124 });
    expect(sel.files.map((f) => f.path)).toEqual(['go.mod', 'pkg/vendor/v.go']);
    expect(sel.omitted).toContainEqual({ path: 'vendor/modules.txt', reason: 'file is in vendor directory' });
  });

  it('with a symlinked root go.mod, only the directory walk (os.ReadFile follows it) uses the 1.24 rules', () => {
    const sel = selectModuleFiles(tree('symlink'), { modulePath: 'example.com/m', version: 'v1.0.0', mode: 'dir', goMod: goMod124 });
    // The walk drops vendor/modules.txt (1.24); checkFiles sees no regular go.mod and applies the old
    // offset rule, which drops pkg/vendor/v.go.
    expect(sel.files.map((f) => f.path)).toEqual([]);
    expect(sel.omitted.map((o) => o.path).sort()).toEqual(['go.mod', 'pkg/vendor/v.go', 'vendor/modules.txt']);
  });
});

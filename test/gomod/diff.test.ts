import { readFileSync } from 'node:fs';
import { diffGoMod, diffRepo } from '../../src/gomod/diff.js';
import { ModFileError } from '../../src/gomod/modfile.js';
import type { RequirementChange } from '../../src/gomod/types.js';

const side = (content: string, path = 'go.mod') => ({ path, content });
const HEAD = 'module example.com/app\n\ngo 1.22\n\n';

/** Compact view of a change for readable expectations. */
function brief(c: RequirementChange) {
  return {
    module: c.module,
    kind: c.kind,
    from: c.from,
    to: c.to,
    line: c.line,
    indirect: c.indirect,
    replacement: c.replacement,
    fetch: c.fetch,
  };
}

describe('diffGoMod: requirement changes', () => {
  it('reports added, removed, upgraded and downgraded requirements with head lines', () => {
    const base = HEAD + 'require (\n\texample.com/a v1.0.0\n\texample.com/b v1.2.0\n\texample.com/c v1.0.0 // indirect\n\texample.com/same v1.0.0\n)\n';
    const head =
      HEAD + 'require (\n\texample.com/a v1.1.0\n\texample.com/b v1.1.9\n\texample.com/d v0.1.0 // indirect\n\texample.com/same v1.0.0\n)\n';
    const changes = diffGoMod(side(base), side(head)).map(brief);
    expect(changes).toEqual([
      { module: 'example.com/a', kind: 'upgraded', from: 'v1.0.0', to: 'v1.1.0', line: 6, indirect: false, replacement: null, fetch: { path: 'example.com/a', version: 'v1.1.0' } },
      { module: 'example.com/b', kind: 'downgraded', from: 'v1.2.0', to: 'v1.1.9', line: 7, indirect: false, replacement: null, fetch: { path: 'example.com/b', version: 'v1.1.9' } },
      { module: 'example.com/d', kind: 'added', from: null, to: 'v0.1.0', line: 8, indirect: true, replacement: null, fetch: { path: 'example.com/d', version: 'v0.1.0' } },
      { module: 'example.com/c', kind: 'removed', from: 'v1.0.0', to: null, line: null, indirect: true, replacement: null, fetch: null },
    ]);
  });

  it('orders versions as Go does (pseudo-versions, prereleases, +incompatible)', () => {
    const d = (from: string, to: string) =>
      diffGoMod(side(HEAD + `require example.com/x ${from}\n`), side(HEAD + `require example.com/x ${to}\n`))[0]!.kind;
    expect(d('v1.2.3', 'v1.2.4-0.20200101000000-abcdefabcdef')).toBe('upgraded');
    expect(d('v1.2.4-0.20200101000000-abcdefabcdef', 'v1.2.4-rc.1')).toBe('upgraded');
    expect(d('v1.10.0', 'v1.9.0')).toBe('downgraded');
    expect(d('v0.0.0-20200101000000-abcdefabcdef', 'v0.0.0-20190101000000-abcdefabcdef')).toBe('downgraded');
    expect(d('v3.0.0+incompatible', 'v2.9.9+incompatible')).toBe('downgraded');
    // v1.2 and v1.2.0 are the same version once canonicalised: no change.
    expect(diffGoMod(side(HEAD + 'require example.com/x v1.2\n'), side(HEAD + 'require example.com/x v1.2.0\n'))).toEqual([]);
  });

  it('a replace to another module path is a change of that dependency: fetch is the new path (boltdb case)', () => {
    const base = HEAD + 'require github.com/boltdb/bolt v1.3.1\n';
    const head = HEAD + 'require github.com/boltdb/bolt v1.3.1\n\nreplace github.com/boltdb/bolt => github.com/boltdb-go/bolt v1.3.1\n';
    expect(diffGoMod(side(base), side(head)).map(brief)).toEqual([
      {
        module: 'github.com/boltdb/bolt',
        kind: 'replaced',
        from: 'v1.3.1',
        to: 'v1.3.1',
        line: 7,
        indirect: false,
        replacement: { path: 'github.com/boltdb-go/bolt', version: 'v1.3.1', local: false, line: 7 },
        fetch: { path: 'github.com/boltdb-go/bolt', version: 'v1.3.1' },
      },
    ]);
  });

  it('a new requirement that is also replaced is "added" with fetch = the replacement', () => {
    const head = HEAD + 'require example.com/lib v1.0.0\nreplace example.com/lib v1.0.0 => example.com/fork v1.0.5\n';
    expect(diffGoMod(side(HEAD), side(head)).map(brief)).toEqual([
      {
        module: 'example.com/lib',
        kind: 'added',
        from: null,
        to: 'v1.0.0',
        line: 5,
        indirect: false,
        replacement: { path: 'example.com/fork', version: 'v1.0.5', local: false, line: 6 },
        fetch: { path: 'example.com/fork', version: 'v1.0.5' },
      },
    ]);
  });

  it('local-directory replacements are reported with local: true and nothing to fetch', () => {
    const base = HEAD + 'require example.com/lib v1.0.0\n';
    const head = HEAD + 'require example.com/lib v1.0.0\nreplace example.com/lib => ../lib\n';
    expect(diffGoMod(side(base), side(head)).map(brief)).toEqual([
      {
        module: 'example.com/lib',
        kind: 'replaced',
        from: 'v1.0.0',
        to: 'v1.0.0',
        line: 6,
        indirect: false,
        replacement: { path: '../lib', version: null, local: true, line: 6 },
        fetch: null,
      },
    ]);
  });

  it('applies a version-specific replace before a wildcard one, and only to its version', () => {
    const replaces =
      'replace example.com/lib => example.com/wild v1.0.0\nreplace example.com/lib v1.2.0 => example.com/exact v1.2.0\n';
    const base = HEAD + 'require example.com/lib v1.1.0\n' + replaces;
    const head = HEAD + 'require example.com/lib v1.2.0\n' + replaces;
    const [c] = diffGoMod(side(base), side(head));
    expect(c).toMatchObject({ kind: 'replaced', from: 'v1.1.0', to: 'v1.2.0', line: 7, fetch: { path: 'example.com/exact', version: 'v1.2.0' } });
    // Going to a version the exact replace does not cover falls back to the wildcard.
    const back = diffGoMod(side(head), side(HEAD + 'require example.com/lib v1.3.0\n' + replaces));
    expect(back.map(brief)[0]).toMatchObject({ kind: 'replaced', to: 'v1.3.0', line: 6, fetch: { path: 'example.com/wild', version: 'v1.0.0' } });
  });

  it('a wildcard replace pins what is fetched even when the requirement is bumped', () => {
    const r = 'replace example.com/lib => example.com/fork v0.9.0\n';
    const [c] = diffGoMod(side(HEAD + 'require example.com/lib v1.0.0\n' + r), side(HEAD + 'require example.com/lib v1.1.0\n' + r));
    expect(c).toMatchObject({ kind: 'upgraded', line: 5, fetch: { path: 'example.com/fork', version: 'v0.9.0' } });
  });

  it('removing a replace makes the module fetched from its own path again', () => {
    const base = HEAD + 'require example.com/lib v1.0.0\nreplace example.com/lib => example.com/fork v1.0.0\n';
    const [c] = diffGoMod(side(base), side(HEAD + 'require example.com/lib v1.0.0\n'));
    expect(brief(c!)).toEqual({
      module: 'example.com/lib',
      kind: 'replaced',
      from: 'v1.0.0',
      to: 'v1.0.0',
      line: 5,
      indirect: false,
      replacement: null,
      fetch: { path: 'example.com/lib', version: 'v1.0.0' },
    });
  });

  it('replaces of modules not required directly still count (they steer transitive dependencies)', () => {
    const head = HEAD + 'require example.com/a v1.0.0\nreplace golang.org/x/crypto => github.com/evil/crypto v0.1.0\n';
    expect(diffGoMod(side(HEAD + 'require example.com/a v1.0.0\n'), side(head)).map(brief)).toEqual([
      {
        module: 'golang.org/x/crypto',
        kind: 'replaced',
        from: null,
        to: null,
        line: 6,
        indirect: true,
        replacement: { path: 'github.com/evil/crypto', version: 'v0.1.0', local: false, line: 6 },
        fetch: { path: 'github.com/evil/crypto', version: 'v0.1.0' },
      },
    ]);
    // And dropping such a replace is reported too (nothing to fetch we can name).
    expect(diffGoMod(side(head), side(HEAD + 'require example.com/a v1.0.0\n')).map(brief)).toEqual([
      { module: 'golang.org/x/crypto', kind: 'replaced', from: null, to: null, line: null, indirect: true, replacement: null, fetch: null },
    ]);
  });

  it('moving a replace or a requirement to another line is not a change', () => {
    const a = HEAD + 'require example.com/a v1.0.0\nreplace example.com/a => example.com/b v1.0.0\n';
    const b = HEAD + 'replace example.com/a => example.com/b v1.0.0\n\n\nrequire (\n\texample.com/a v1.0.0 // indirect\n)\n';
    expect(diffGoMod(side(a), side(b))).toEqual([]);
  });

  it('a requirement removed while its replace stays is one "removed" change', () => {
    const base = HEAD + 'require example.com/a v1.0.0\nreplace example.com/a => example.com/b v1.0.0\n';
    const head = HEAD + 'replace example.com/a => example.com/b v1.0.0\n';
    expect(diffGoMod(side(base), side(head)).map((c) => [c.module, c.kind])).toEqual([['example.com/a', 'removed']]);
  });

  it('repeated requirements of a module: the highest version counts (MVS)', () => {
    const head = HEAD + 'require example.com/a v1.0.0\nrequire example.com/a v1.3.0\nrequire example.com/a v1.1.0\n';
    expect(diffGoMod(side(HEAD + 'require example.com/a v1.0.0\n'), side(head)).map(brief)[0]).toMatchObject({
      kind: 'upgraded',
      to: 'v1.3.0',
      line: 6,
    });
  });

  it('a new go.mod (no base) lists everything as added; a deleted one lists everything as removed', () => {
    const text = readFileSync(new URL('../fixtures/gomod/real/prometheus.go.mod', import.meta.url), 'utf8');
    const added = diffGoMod(null, side(text, 'tools/go.mod'));
    expect(added).toHaveLength(81);
    expect(added.every((c) => c.kind === 'added' && c.from === null && c.goModPath === 'tools/go.mod')).toBe(true);
    expect(added.find((c) => c.module === 'k8s.io/klog')).toMatchObject({
      line: 85,
      fetch: { path: 'github.com/simonpasquier/klog-gokit', version: 'v0.1.0' },
      replacement: { path: 'github.com/simonpasquier/klog-gokit', version: 'v0.1.0', local: false, line: 89 },
    });
    const removed = diffGoMod(side(text, 'tools/go.mod'), null);
    expect(removed).toHaveLength(81);
    expect(removed.every((c) => c.kind === 'removed' && c.line === null && c.fetch === null && c.to === null)).toBe(true);
  });

  it('real kubernetes go.mod: staging modules are local replacements, never fetched', () => {
    const text = readFileSync(new URL('../fixtures/gomod/real/kubernetes.go.mod', import.meta.url), 'utf8');
    const changes = diffGoMod(null, side(text));
    const api = changes.find((c) => c.module === 'k8s.io/api')!;
    expect(api).toMatchObject({ kind: 'added', to: 'v0.0.0', fetch: null, replacement: { path: './staging/src/k8s.io/api', local: true } });
    // Replaces of staging modules that kubernetes does not require directly show up as replace-only entries.
    const extra = changes.filter((c) => c.kind === 'replaced').map((c) => c.module);
    expect(extra).toEqual(['k8s.io/sample-cli-plugin', 'k8s.io/sample-controller']);
    expect(diffGoMod(side(text), side(text))).toEqual([]);
  });

  it('throws ModFileError for a head that does not parse, and for a base unless told to treat it as empty', () => {
    expect(() => diffGoMod(side(HEAD), side(HEAD + 'require example.com/a\n'))).toThrow(ModFileError);
    expect(() => diffGoMod(side(HEAD + 'bogus\n'), side(HEAD))).toThrow(ModFileError);
    const changes = diffGoMod(side(HEAD + 'bogus\n'), side(HEAD + 'require example.com/a v1.0.0\n'), { baseErrors: 'empty' });
    expect(changes.map((c) => c.kind)).toEqual(['added']);
  });

  it('conflicting replacements for the same module are an error, as in the go command', () => {
    const head = HEAD + 'replace example.com/a => example.com/b v1.0.0\nreplace example.com/a => example.com/c v1.0.0\n';
    expect(() => diffGoMod(null, side(head))).toThrow(
      'go.mod:6: conflicting replacements for example.com/a:\n\texample.com/b@v1.0.0\n\texample.com/c@v1.0.0',
    );
    // The same replacement twice is fine.
    expect(() => diffGoMod(null, side(HEAD + 'replace example.com/a => ../a\nreplace example.com/a => ../a\n'))).not.toThrow();
  });
});

describe('diffRepo: many go.mod files', () => {
  it('diffs each file, keeps going past a broken head, and treats a broken base as empty', () => {
    const result = diffRepo([
      { path: 'go.mod', base: HEAD + 'require example.com/a v1.0.0\n', head: HEAD + 'require example.com/a v1.0.1\n' },
      { path: 'tools/go.mod', base: null, head: 'module example.com/app/tools\nrequire example.com/gen v0.1.0\n' },
      { path: 'old/go.mod', base: 'module example.com/old\nrequire example.com/z v1.0.0\n', head: null },
      { path: 'broken/go.mod', base: 'module example.com/b\n', head: 'module example.com/b\nrequire (\n' },
      { path: 'fixed/go.mod', base: 'module example.com/f\nnonsense\n', head: 'module example.com/f\nrequire example.com/y v1.0.0\n' },
    ]);
    expect(result.changes.map((c) => [c.goModPath, c.module, c.kind, c.line])).toEqual([
      ['go.mod', 'example.com/a', 'upgraded', 5],
      ['tools/go.mod', 'example.com/gen', 'added', 2],
      ['old/go.mod', 'example.com/z', 'removed', null],
      ['fixed/go.mod', 'example.com/y', 'added', 2],
    ]);
    expect(result.errors).toHaveLength(1);
    expect(result.errors[0]!.message).toBe('broken/go.mod:3: syntax error (unterminated block started at broken/go.mod:2:1)');
  });
});

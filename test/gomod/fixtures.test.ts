import { readFileSync, readdirSync } from 'node:fs';
import { parseModFile, parseModFileLax } from '../../src/gomod/modfile.js';

const dir = new URL('../fixtures/gomod/real/', import.meta.url);
const names = readdirSync(dir)
  .filter((f) => f.endsWith('.go.mod'))
  .map((f) => f.slice(0, -'.go.mod'.length));

interface GoJson {
  Module: { Path: string };
  Require: { Path: string; Version: string; Indirect?: boolean }[] | null;
  Exclude: { Path: string; Version: string }[] | null;
  Replace: { Old: { Path: string; Version?: string }; New: { Path: string; Version?: string } }[] | null;
  Retract: { Low: string; High: string; Rationale?: string }[] | null;
}

describe('real go.mod files agree with `go mod edit -json` (go1.19.8 goldens)', () => {
  it('has the six fixtures listed in SOURCES.md', () => {
    expect(names.sort()).toEqual(['anacrolix-torrent-fs', 'golang-protobuf', 'golang-tools', 'kubernetes', 'prometheus', 'vault']);
  });

  it.each(names)('%s', (name) => {
    const text = readFileSync(new URL(`${name}.go.mod`, dir), 'utf8');
    const golden = JSON.parse(readFileSync(new URL(`${name}.golden.json`, dir), 'utf8')) as GoJson;
    const f = parseModFile(`${name}/go.mod`, text);
    expect(f.module?.path).toBe(golden.Module.Path);
    expect(f.require.map((r) => [r.path, r.version, r.indirect])).toEqual(
      (golden.Require ?? []).map((r) => [r.Path, r.Version, r.Indirect ?? false]),
    );
    expect(f.exclude.map((r) => [r.path, r.version])).toEqual((golden.Exclude ?? []).map((r) => [r.Path, r.Version]));
    expect(f.replace.map((r) => [r.old.path, r.old.version, r.new.path, r.new.version])).toEqual(
      (golden.Replace ?? []).map((r) => [r.Old.Path, r.Old.Version ?? null, r.New.Path, r.New.Version ?? null]),
    );
    expect(f.retract.map((r) => [r.low, r.high, r.rationale])).toEqual(
      (golden.Retract ?? []).map((r) => [r.Low, r.High, r.Rationale ?? '']),
    );
    // Every element points back at a line that really holds it.
    const lines = text.split('\n');
    for (const r of f.require) expect(lines[r.line - 1]).toContain(`${r.path} ${r.version}`);
    for (const r of f.replace) expect(lines[r.line - 1]).toContain(r.old.path);
    for (const r of f.require) expect(r.file).toBe(`${name}/go.mod`);
    // Lax parsing of the same file gives the same requirements.
    expect(parseModFileLax(`${name}/go.mod`, text).require).toEqual(f.require);
  });

  it('reads the directives go1.19 does not know (kubernetes godebug, torrent toolchain) with their lines', () => {
    const k8s = parseModFile('go.mod', readFileSync(new URL('kubernetes.go.mod', dir)));
    expect(k8s.go).toMatchObject({ version: '1.24.0', line: 9 });
    expect(k8s.godebug).toEqual([{ file: 'go.mod', line: 11, col: 1, key: 'default', value: 'go1.24' }]);
    expect(k8s.require).toHaveLength(208);
    expect(k8s.replace.filter((r) => r.local)).toHaveLength(31);
    expect(k8s.require.find((r) => r.path === 'github.com/coreos/go-oidc')).toMatchObject({ version: 'v2.3.0+incompatible', line: 23 });
    const torrent = parseModFile('fs/go.mod', readFileSync(new URL('anacrolix-torrent-fs.go.mod', dir)));
    expect(torrent.toolchain).toMatchObject({ name: 'go1.21.0', line: 5 });
    expect(torrent.retract.map((r) => [r.low, r.high, r.rationale, r.line])).toEqual([
      ['v1.39.0', 'v1.39.0', "Doesn't signal interest to peers if choked when piece priorities change.", 94],
      ['v1.34.0', 'v1.38.1', "peer-requesting doesn't scale", 96],
    ]);
    expect(torrent.replace[0]).toMatchObject({ old: { path: 'github.com/anacrolix/torrent', version: null }, new: { path: '../', version: null }, local: true });
  });

  it('reads the Deprecated: message of golang/protobuf', () => {
    const f = parseModFile('go.mod', readFileSync(new URL('golang-protobuf.go.mod', dir)));
    expect(f.module).toMatchObject({ path: 'github.com/golang/protobuf', line: 2, deprecated: 'Use the "google.golang.org/protobuf" module instead.' });
  });
});

import { mkdtempSync, mkdirSync, readFileSync, rmSync, writeFileSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '../../src/cli/main.js';
import { readModuleZip } from '../../src/modzip/reader.js';
import { buildModuleZip } from '../helpers/module-zip.js';
import { buildRawZip } from '../helpers/hostile-zip.js';

const SIMPLE = {
  'go.mod': 'module example.com/m\n\ngo 1.13\n',
  'm.go': 'package m\n\nfunc Foo() int { return 42 }\n',
  'cmd/hello/hello.go': 'package main\n\nimport (\n  "fmt"\n  "example.com/m"\n)\n\nfunc main() {\n  fmt.Println(m.Foo())\n}\n',
};
const SIMPLE_SUM = 'example.com/m v1.0.0 h1:tpqYOOmuilagXzyqoJ3roUjp8gneQeTv5YVpL6BG7/k=\nexample.com/m v1.0.0/go.mod h1:UWkIka9t4wTRf5TZ+sRdwnADRAp+U7R9A2lAeNEx1cA=\n';

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'modwarden-hash-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function run(...argv: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(['hash', ...argv], { out: (t) => void out.push(t), err: (t) => void err.push(t), env: {}, cwd: dir });
  return { code, out: out.join(''), err: err.join('') };
}

function writeTree(root: string, files: Record<string, string>) {
  for (const [name, content] of Object.entries(files)) {
    mkdirSync(join(root, name, '..'), { recursive: true });
    writeFileSync(join(root, name), content);
  }
}

describe('modwarden hash zip', () => {
  it('prints the go.sum lines, deriving module@version from the entries', async () => {
    writeFileSync(join(dir, 'simple.zip'), await buildModuleZip('example.com/m', 'v1.0.0', SIMPLE));
    const r = await run('zip', 'simple.zip');
    expect(r).toEqual({ code: 0, out: SIMPLE_SUM, err: '' });
  });

  it('checks the zip against --module/--version when given', async () => {
    const r = await run('zip', 'simple.zip', '--module', 'example.com/other', '--version', 'v1.0.0');
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/^modwarden: simple\.zip: example\.com\/m@v1\.0\.0\/.*: path does not have prefix "example\.com\/other@v1\.0\.0\/"\n$/);
  });

  it('hashes the synthetic go.mod for a module without one', async () => {
    writeFileSync(join(dir, 'nogomod.zip'), await buildModuleZip('github.com/pmezard/go-difflib', 'v1.0.0', { 'difflib/difflib.go': 'package difflib\n' }));
    const r = await run('zip', 'nogomod.zip');
    expect(r.code).toBe(0);
    expect(r.out.split('\n')[1]).toBe('github.com/pmezard/go-difflib v1.0.0/go.mod h1:iKH77koFhYxTK1pcRnkKkqfTogsbg7gZNVY4sRDYZ/4=');
  });

  it('prints JSON with per-file digests', async () => {
    const r = await run('zip', 'simple.zip', '--json');
    const j = JSON.parse(r.out);
    expect(j.h1).toBe('h1:tpqYOOmuilagXzyqoJ3roUjp8gneQeTv5YVpL6BG7/k=');
    expect(j.files).toHaveLength(3);
    expect(j.goModSynthetic).toBe(false);
  });

  it('exits 2 naming the entry of a hostile zip', async () => {
    writeFileSync(join(dir, 'evil.zip'), buildRawZip([{ name: 'example.com/m@v1.0.0/a.go', data: 'x' }, { name: 'example.com/m@v1.0.0/../../evil', data: 'x' }]));
    const r = await run('zip', 'evil.zip');
    expect(r.code).toBe(2);
    expect(r.err).toBe('modwarden: evil.zip: example.com/m@v1.0.0/../../evil: malformed file path "../../evil": invalid path element ".."\n');
    expect(r.out).toBe('');
  });

  it('exits 2 on a missing file or a non-zip, without a stack trace', async () => {
    const missing = await run('zip', 'nope.zip');
    expect(missing.code).toBe(2);
    expect(missing.err).toMatch(/^modwarden: nope\.zip: cannot read .*ENOENT/);
    writeFileSync(join(dir, 'text.zip'), 'hello');
    const text = await run('zip', 'text.zip');
    expect(text.code).toBe(2);
    expect(text.err).toMatch(/^modwarden: text\.zip: not a valid zip file/);
    expect(text.err).not.toMatch(/\bat .*\.ts:\d+/);
  });

  it('refuses --module without --version', async () => {
    const r = await run('zip', 'simple.zip', '--module', 'example.com/m');
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/both --module and --version/);
  });
});

describe('modwarden hash dir', () => {
  it('prints the go.sum lines of the zip Go would build, leaving out what Go leaves out', async () => {
    const root = join(dir, 'tree');
    writeTree(root, { ...SIMPLE, '.git/config': '[core]\n', 'sub/go.mod': 'module example.com/m/sub\n', 'sub/s.go': 'package sub\n', 'vendor/x/y.go': 'package y\n' });
    symlinkSync('m.go', join(root, 'link.go'));
    const r = await run('dir', 'tree', '--module', 'example.com/m', '--version', 'v1.0.0', '--verbose');
    expect(r.code).toBe(0);
    expect(r.out).toBe(SIMPLE_SUM);
    expect(r.err).toContain('omitted .git: directory is a version control repository');
    expect(r.err).toContain('omitted sub: directory is in another module');
    expect(r.err).toContain('omitted link.go: not a regular file');
  });

  it('writes the zip with --zip, and that zip hashes the same', async () => {
    const r = await run('dir', 'tree', '--module', 'example.com/m', '--version', 'v1.0.0', '--zip', 'out.zip');
    expect(r.code).toBe(0);
    const back = await readModuleZip(readFileSync(join(dir, 'out.zip')), { path: 'example.com/m', version: 'v1.0.0' });
    expect(back.h1).toBe('h1:tpqYOOmuilagXzyqoJ3roUjp8gneQeTv5YVpL6BG7/k=');
  });

  it('exits 2 naming the file Go would refuse', async () => {
    const root = join(dir, 'bad');
    writeTree(root, { 'go.mod': 'module example.com/m\n', 'a:b.go': 'package m\n' });
    const r = await run('dir', 'bad', '--module', 'example.com/m', '--version', 'v1.0.0');
    expect(r.code).toBe(2);
    expect(r.err).toBe('modwarden: bad: a:b.go: malformed file path "a:b.go": invalid char \':\'\n');
  });

  it('exits 2 on a bad module path or version', async () => {
    const r = await run('dir', 'tree', '--module', 'example.com/m', '--version', 'v2.0.0');
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/mismatched module path example\.com\/m and version v2\.0\.0/);
  });

  it('requires --module and --version', async () => {
    const r = await run('dir', 'tree');
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/--module/);
  });

  it('handles a sub-directory module with --subdir --vcs (root LICENSE copied in)', async () => {
    const root = join(dir, 'repo');
    writeTree(root, { 'go.mod': 'module example.com/r\n', LICENSE: 'MIT\n', 'sub/go.mod': 'module example.com/r/sub\n', 'sub/s.go': 'package sub\n' });
    const r = await run('dir', 'repo', '--module', 'example.com/r/sub', '--version', 'v1.2.3', '--subdir', 'sub', '--vcs', '--json');
    expect(r.code).toBe(0);
    const j = JSON.parse(r.out);
    expect(j.files.map((f: { path: string }) => f.path).sort()).toEqual(['LICENSE', 'go.mod', 's.go']);
  });
});

describe('modwarden hash gomod', () => {
  it('prints the /go.mod hash', async () => {
    writeFileSync(join(dir, 'go.mod'), SIMPLE['go.mod']);
    expect(await run('gomod', 'go.mod')).toEqual({ code: 0, out: 'h1:UWkIka9t4wTRf5TZ+sRdwnADRAp+U7R9A2lAeNEx1cA=\n', err: '' });
    const line = await run('gomod', 'go.mod', '--module', 'example.com/m', '--version', 'v1.0.0');
    expect(line.out).toBe('example.com/m v1.0.0/go.mod h1:UWkIka9t4wTRf5TZ+sRdwnADRAp+U7R9A2lAeNEx1cA=\n');
  });

  it('exits 2 on a missing file', async () => {
    const r = await run('gomod', 'missing.mod');
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/cannot read missing\.mod: ENOENT/);
  });
});

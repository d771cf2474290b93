/** hashDir / writeModuleZipFromDir / listTree on real directories, with golang/mod's TestCreateFromDirSpecial vectors. */
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { hashDir, listTree, TreeRejectedError, writeModuleZipFromDir } from '../../src/modzip/dir.js';
import { readModuleZip } from '../../src/modzip/reader.js';

const MV = { modulePath: 'example.com/m', version: 'v1.0.0' };
const EMPTY = 'h1:47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=';

let root: string;
beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'modzip-dir-'));
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

describe('golang/mod zip_test.go TestCreateFromDirSpecial', () => {
  it('ignore_empty_dir', async () => {
    mkdirSync(join(root, 'empty'));
    expect((await hashDir(root, MV)).h1).toBe(EMPTY);
  });

  it('ignore_symlink', async () => {
    symlinkSync(root, join(root, 'link'));
    expect((await hashDir(root, MV)).h1).toBe(EMPTY);
  });

  it('dir_is_vendor (the module root itself is named vendor)', async () => {
    const vendor = join(root, 'vendor');
    mkdirSync(vendor);
    writeFileSync(join(vendor, 'go.mod'), 'module example.com/m\n\ngo 1.13\n');
    expect((await hashDir(vendor, MV)).h1).toBe('h1:XduFAgX/GaspZa8Jv4pfzoGEzNaU/r88PiCunijw5ok=');
  });
});

describe('listTree', () => {
  it('reports symlinks without following them, in sorted order, with sizes of regular files', async () => {
    mkdirSync(join(root, 'b'));
    writeFileSync(join(root, 'b', 'x.go'), 'package b\n');
    writeFileSync(join(root, 'a.go'), 'package a\n');
    symlinkSync('b', join(root, 'link'));
    expect(await listTree(root)).toEqual([
      { path: 'a.go', type: 'file', size: 10 },
      { path: 'b', type: 'dir', size: 0 },
      { path: 'b/x.go', type: 'file', size: 10 },
      { path: 'link', type: 'symlink', size: 0 },
    ]);
  });

  it('does not descend into pruned directories', async () => {
    mkdirSync(join(root, '.git'));
    writeFileSync(join(root, '.git', 'HEAD'), 'x');
    expect((await listTree(root, { prune: (_p, n) => n === '.git' })).map((e) => e.path)).toEqual(['.git']);
  });
});

describe('hashDir and writeModuleZipFromDir', () => {
  it('writes a zip that reads back to the same h1 and files', async () => {
    writeFileSync(join(root, 'go.mod'), 'module example.com/m\n');
    mkdirSync(join(root, 'pkg'));
    writeFileSync(join(root, 'pkg', 'p.go'), 'package pkg\n');
    const out = join(root, '..', `${root.split('/').pop()}.zip`);
    try {
      const written = await writeModuleZipFromDir(root, MV, out);
      const back = await readModuleZip(out, { path: MV.modulePath, version: MV.version });
      expect(back.h1).toBe(written.h1);
      expect(back.files.map((f) => [f.path, f.sha256]).sort()).toEqual(written.files.map((f) => [f.path, f.sha256]).sort());
    } finally {
      rmSync(out, { force: true });
    }
  });

  it('refuses a tree with a case collision, naming the file', async () => {
    writeFileSync(join(root, 'a.go'), 'package a\n');
    writeFileSync(join(root, 'A.go'), 'package a\n');
    const err = await hashDir(root, MV).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TreeRejectedError);
    expect((err as TreeRejectedError).entry).toBe('a.go');
    expect((err as TreeRejectedError).reason).toBe('case-insensitive file name collision: "A.go" and "a.go"');
  });

  it('refuses a missing directory with a clear message', async () => {
    await expect(hashDir(join(root, 'nope'), MV)).rejects.toThrow(/cannot read directory .*nope/);
  });
});

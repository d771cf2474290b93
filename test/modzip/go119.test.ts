/**
 * Cross-check against the real golang.org/x/mod/zip (as vendored in go1.19): the trees and Go's answers were
 * recorded by test/modzip/gen/generate-go119.mjs into test/fixtures/modzip/go119/, so this test needs no Go.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { hashDir, listTree, TreeRejectedError } from '../../src/modzip/dir.js';
import { selectModuleFiles, type TreeEntry } from '../../src/modzip/fileset.js';
import { hash1, sha256Hex } from '../../src/modzip/hash.js';
import { readModuleZip } from '../../src/modzip/reader.js';

interface GoResult {
  hash?: string;
  error?: string;
  valid?: string[];
  omitted?: string[];
  invalid?: string[];
  zip?: string;
}
interface Case {
  name: string;
  module: string;
  version: string;
  subdir?: string;
  tree: { path: string; type: 'file' | 'dir' | 'symlink'; content?: string; target?: string }[];
  committed: string[];
  go: { dir: GoResult; vcs: GoResult };
}

const FIXTURES = new URL('../fixtures/modzip/go119/', import.meta.url).pathname;
const data = JSON.parse(readFileSync(join(FIXTURES, 'cases.json'), 'utf8')) as { go: string; cases: Case[] };
const cases = data.cases;

let work: string;
beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), 'modzip-go119-'));
});
afterAll(() => rmSync(work, { recursive: true, force: true }));

function writeTree(dir: string, tree: Case['tree']): void {
  mkdirSync(dir, { recursive: true });
  for (const e of tree) {
    const p = join(dir, e.path);
    mkdirSync(dirname(p), { recursive: true });
    if (e.type === 'file') writeFileSync(p, e.content ?? '');
    else if (e.type === 'dir') mkdirSync(p, { recursive: true });
    else symlinkSync(e.target!, p);
  }
}

const sorted = (xs: string[] | undefined) => [...(xs ?? [])].sort();

it('has a meaningful corpus (Go accepted most trees, refused some)', () => {
  expect(data.go).toMatch(/go1\.19/);
  expect(cases.length).toBeGreaterThan(100);
  expect(cases.filter((c) => c.go.dir.hash).length).toBeGreaterThan(60);
  expect(cases.filter((c) => c.go.dir.error).length).toBeGreaterThan(5);
});

describe('zip.CreateFromDir + CheckDir (hashDir / selectModuleFiles mode "dir")', () => {
  it.each(cases.map((c) => [c.name, c] as const))('%s', async (_n, c) => {
    const root = join(work, 'dir', c.name);
    writeTree(root, c.tree);
    const modRoot = c.subdir ? join(root, c.subdir) : root;

    // The same three lists as Go's CheckDir.
    const entries = await listTree(modRoot);
    const goMod = c.tree.find((e) => e.path === (c.subdir ? `${c.subdir}/go.mod` : 'go.mod') && e.type === 'file')?.content;
    const sel = selectModuleFiles(entries, { modulePath: c.module, version: c.version, mode: 'dir', goMod });
    expect(sorted(sel.files.map((f) => f.path))).toEqual(sorted(c.go.dir.valid));
    expect(sorted(sel.omitted.map((o) => `${o.path}: ${o.reason}`))).toEqual(sorted(c.go.dir.omitted));
    expect(sorted(sel.errors.map((o) => `${o.path}: ${o.reason}`))).toEqual(sorted(c.go.dir.invalid));

    if (c.go.dir.error) {
      await expect(hashDir(modRoot, { modulePath: c.module, version: c.version })).rejects.toBeInstanceOf(TreeRejectedError);
    } else {
      expect((await hashDir(modRoot, { modulePath: c.module, version: c.version })).h1).toBe(c.go.dir.hash);
    }
  });
});

describe('zip.CreateFromVCS on a git commit (selectModuleFiles mode "vcs" over the committed entries)', () => {
  it.each(cases.map((c) => [c.name, c] as const))('%s', (_n, c) => {
    const byPath = new Map(c.tree.map((e) => [e.path, e]));
    const entries: TreeEntry[] = c.committed.map((p) => {
      const e = byPath.get(p)!;
      return { path: p, type: e.type === 'symlink' ? 'symlink' : 'file', size: Buffer.byteLength(e.content ?? e.target ?? '') };
    });
    const goMod = byPath.get(c.subdir ? `${c.subdir}/go.mod` : 'go.mod')?.content;
    const sel = selectModuleFiles(entries, { modulePath: c.module, version: c.version, subdir: c.subdir ?? '', mode: 'vcs', goMod });
    if (c.go.vcs.error) {
      expect(sel.errors.length).toBeGreaterThan(0);
      return;
    }
    expect(sel.errors).toEqual([]);
    // The go command's coderepo.Zip adds the repository-root LICENSE to a sub-directory module without one;
    // go1.19's x/mod CreateFromVCS (which made these answers) did not yet, so compare without that copy.
    let files = sel.files;
    const copied = files.find((f) => f.path === 'LICENSE' && f.sourcePath === 'LICENSE' && c.subdir);
    if (copied) {
      expect(byPath.has(`${c.subdir}/LICENSE`)).toBe(false);
      files = files.filter((f) => f !== copied);
    }
    const h1 = hash1(files.map((f) => ({ name: `${c.module}@${c.version}/${f.path}`, sha256: sha256Hex(byPath.get(f.sourcePath)!.content ?? '') })));
    expect(h1).toBe(c.go.vcs.hash);
  });
});

describe('readModuleZip on the zips Go wrote (dirhash.HashZip)', () => {
  const zips = cases.flatMap((c) => (['dir', 'vcs'] as const).filter((k) => c.go[k].zip).map((k) => [`${c.name}.${k}`, c, k] as const));
  it('covers many zips', () => expect(zips.length).toBeGreaterThan(100));
  it.each(zips)('%s', async (_n, c, kind) => {
    const got = await readModuleZip(join(FIXTURES, c.go[kind].zip!), { path: c.module, version: c.version });
    expect(got.h1).toBe(c.go[kind].hash);
  });
});

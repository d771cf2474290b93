/** Known-answer tests on a real module: rsc.io/quote v1.5.2, whose go.sum lines are public. */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { hashDir } from '../../src/modzip/dir.js';
import { selectModuleFiles } from '../../src/modzip/fileset.js';
import { hash1, hashGoMod, sha256Hex } from '../../src/modzip/hash.js';
import { readModuleZip } from '../../src/modzip/reader.js';
import { buildModuleZip } from '../helpers/module-zip.js';
import { readZipTest } from './helpers/txtar.js';

const t = readZipTest(new URL('../fixtures/modzip/real/rsc.io_quote_v1.5.2.txt', import.meta.url).pathname);
const files = Object.fromEntries(t.archive.files.map((f) => [f.name, f.data]));
const PUBLISHED = {
  h1: 'h1:w5fcysjrx7yqtD/aO+QwRjYZOKnaM9Uh2b40tElTs3Y=',
  goMod: 'h1:LzX7hefJvL54yjefDEDHNONDjII0t9xZLPXsUe+TKr0=',
};

describe('rsc.io/quote v1.5.2 (published go.sum lines)', () => {
  it('is the fixture we think it is', () => {
    expect(t.path).toBe('rsc.io/quote');
    expect(t.hash).toBe(PUBLISHED.h1);
    expect(Object.keys(files).sort()).toEqual(['LICENSE', 'README.md', 'buggy/buggy_test.go', 'go.mod', 'quote.go', 'quote_test.go']);
  });

  it('go.mod hashes to the published /go.mod line', () => {
    expect(hashGoMod(files['go.mod']!)).toBe(PUBLISHED.goMod);
  });

  it('hash1 over the module files gives the published h1', () => {
    expect(hash1(Object.entries(files).map(([n, d]) => ({ name: `rsc.io/quote@v1.5.2/${n}`, sha256: sha256Hex(d) })))).toBe(PUBLISHED.h1);
  });

  it('a checkout with a .git directory and a nested module hashes to the published h1 (hashDir)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'quote-'));
    try {
      const extra = { '.git/HEAD': 'ref: refs/heads/master\n', 'other/go.mod': 'module rsc.io/quote/other\n', 'other/x.go': 'package other\n', 'vendor/a/b.go': 'package b\n' };
      for (const [n, d] of [...Object.entries(files), ...Object.entries(extra)]) {
        mkdirSync(dirname(join(dir, n)), { recursive: true });
        writeFileSync(join(dir, n), d);
      }
      const got = await hashDir(dir, { modulePath: 'rsc.io/quote', version: 'v1.5.2' });
      expect(got.h1).toBe(PUBLISHED.h1);
      expect(got.omitted.map((o) => o.path).sort()).toEqual(['.git', 'other', 'vendor/a/b.go']);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('the repository as the go command sees a commit gives the published h1 (selectModuleFiles "vcs")', () => {
    const entries = Object.entries(files).map(([n, d]) => ({ path: n, type: 'file' as const, size: d.length }));
    const sel = selectModuleFiles(entries, { modulePath: 'rsc.io/quote', version: 'v1.5.2', mode: 'vcs', goMod: files['go.mod'] });
    expect(sel.errors).toEqual([]);
    expect(hash1(sel.files.map((f) => ({ name: `rsc.io/quote@v1.5.2/${f.path}`, sha256: sha256Hex(files[f.sourcePath]!) })))).toBe(PUBLISHED.h1);
  });

  it('its module zip reads back to both published lines (readModuleZip)', async () => {
    const zip = await buildModuleZip('rsc.io/quote', 'v1.5.2', files);
    const got = await readModuleZip(zip, { path: 'rsc.io/quote', version: 'v1.5.2' });
    expect(got.h1).toBe(PUBLISHED.h1);
    expect(got.goModH1).toBe(PUBLISHED.goMod);
  });
});

import { createHash } from 'node:crypto';
import { applyClone, compareFileLists, compareWithTarget, describeClone, type FileDigest } from '../../../src/checks/typosquat/clone.js';
import { createTyposquatDetector } from '../../../src/checks/typosquat/detector.js';
import type { ModuleVersion } from '../../../src/gomod/types.js';

const f = (path: string, content: string): FileDigest => ({ path, size: Buffer.byteLength(content), sha256: createHash('sha256').update(content).digest('hex') });

/** boltdb/bolt-like file list. */
const target: FileDigest[] = [
  f('go.mod', 'module github.com/boltdb/bolt\n'),
  f('LICENSE', 'MIT'),
  f('README.md', '# bolt'),
  f('bolt_linux.go', 'package bolt // linux'),
  f('bucket.go', 'package bolt // bucket'),
  f('cursor.go', 'package bolt // cursor'),
  f('db.go', 'package bolt // db'),
  f('tx.go', 'package bolt // tx'),
];

describe('clone comparison', () => {
  it('calls a copy with one file changed a near-copy and names the file (go.mod rename ignored)', () => {
    const suspect = target.map((x) => (x.path === 'go.mod' ? f('go.mod', 'module github.com/boltdb-go/bolt\n') : x.path === 'db.go' ? f('db.go', 'package bolt // db + init backdoor') : x));
    const c = compareFileLists(suspect, target);
    expect(c).toMatchObject({ nearCopy: true, identicalCopy: false, modified: ['db.go'], added: [], removed: [], identical: 6, targetFiles: 8 });
    expect(c.similarity).toBeCloseTo(6 / 7, 3);
  });

  it('separates added, removed and moved files', () => {
    const suspect = [...target.filter((x) => x.path !== 'tx.go' && x.path !== 'cursor.go'), f('internal/cursor.go', 'package bolt // cursor'), f('init.go', 'package bolt // dial home')];
    const c = compareFileLists(suspect, target);
    expect(c).toMatchObject({ nearCopy: true, added: ['init.go'], removed: ['tx.go'], moved: [['internal/cursor.go', 'cursor.go']] });
  });

  it('calls an untouched copy identical, and an unrelated module neither', () => {
    expect(compareFileLists(target.map((x) => (x.path === 'go.mod' ? f('go.mod', 'module x\n') : x)), target)).toMatchObject({ identicalCopy: true, nearCopy: false });
    const other = [f('go.mod', 'module y'), f('main.go', 'package main'), f('util.go', 'package main // util')];
    expect(compareFileLists(other, target)).toMatchObject({ identicalCopy: false, nearCopy: false, similarity: 0 });
  });

  it('fetches both modules through the given function and degrades when a fetch fails', async () => {
    const seen: string[] = [];
    const fetchFiles = async (mv: ModuleVersion) => {
      seen.push(`${mv.path}@${mv.version}`);
      if (mv.path === 'github.com/boltdb/bolt') return target;
      return target.map((x) => (x.path === 'db.go' ? f('db.go', 'evil') : x));
    };
    const c = await compareWithTarget({ path: 'github.com/boltdb-go/bolt', version: 'v1.3.1' }, { path: 'github.com/boltdb/bolt', version: 'v1.3.1' }, fetchFiles);
    expect(seen.sort()).toEqual(['github.com/boltdb-go/bolt@v1.3.1', 'github.com/boltdb/bolt@v1.3.1']);
    expect(describeClone(c)).toBe('`github.com/boltdb-go/bolt@v1.3.1` is a modified copy of `github.com/boltdb/bolt@v1.3.1` with 1 file changed (7 of 8 files identical; modified: `db.go`)');
    const failed = await compareWithTarget({ path: 'a.io/x', version: 'v1.0.0' }, { path: 'b.io/x', version: 'v1.0.0' }, async () => {
      throw new Error('proxy answered 410 Gone');
    });
    expect(failed).toMatchObject({ status: 'unavailable', reason: 'could not fetch module files: proxy answered 410 Gone', nearCopy: false });
  });

  it('turns a near-copy into the strongest typosquat evidence', async () => {
    const r = createTyposquatDetector().check('github.com/boltdb-go/bolt');
    const c = compareFileLists(target.map((x) => (x.path === 'db.go' ? f('db.go', 'evil') : x)), target);
    const out = applyClone(r, { ...c, suspect: 'github.com/boltdb-go/bolt@v1.3.1', target: 'github.com/boltdb/bolt@v1.3.1' });
    expect(out.score).toBe(0.95);
    expect(out.signals).toContain('near-copy');
    expect(out.reasons[0]).toMatch(/is a modified copy of .* with 1 file changed .*modified: `db.go`/);
    const unavailable = applyClone(r, { ...c, status: 'unavailable', reason: 'proxy down' });
    expect(unavailable.score).toBe(r.score);
    expect(unavailable.notes).toEqual(['content comparison unavailable: proxy down']);
  });
});

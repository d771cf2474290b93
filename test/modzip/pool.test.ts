/**
 * The worker pool gives the same answers as the calling thread alone: the same h1, files and kept contents
 * for good zips (Go's recorded hashes included), and the same refusal, naming the same entry, for hostile
 * ones. Worker threads load hash-worker.js from disk, so both paths run in a child process on the
 * transpiled sources; the child waits for its workers before each read, so they take the first batches.
 */
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { crc32 } from 'node:zlib';
import { buildRawZip, type RawEntry } from '../helpers/hostile-zip.js';
import { hash1, sha256Hex } from '../../src/modzip/hash.js';
import { HashPool } from '../../src/modzip/hash-pool.js';
import { readModuleZip } from '../../src/modzip/reader.js';
import { hostile, MV } from './helpers/hostile-corpus.js';
import { transpileModzip, type Transpiled } from './helpers/transpiled.js';

const FIXTURES = new URL('../fixtures/modzip/go119/', import.meta.url).pathname;
const MB = 1 << 20;
const P = `${MV.path}@${MV.version}/`;

interface ZipCase {
  title: string;
  file: string;
  mv: { path: string; version: string };
  limits?: Record<string, number>;
}
type Outcome =
  | { h1: string; goModH1: string | null; files: { path: string; size: number; sha256: string; content?: string }[] }
  | { error: { name: string; entry: string | null; reason: string | null; message: string } };
interface Row {
  off: Outcome;
  pool: Outcome;
}

// Reads every zip twice, on the calling thread alone and with two workers that are up before the read starts.
const CHILD = `
import { readFileSync } from 'node:fs';
const [, , readerPath, poolPath, casesPath] = process.argv;
const { readModuleZip } = await import(readerPath);
const { HashPool } = await import(poolPath);
const cases = JSON.parse(readFileSync(casesPath, 'utf8'));
const pool = new HashPool(2);
const read = (c, workers) =>
  readModuleZip(c.file, c.mv, { workers, pool, limits: c.limits, keepContent: (p) => p === 'go.mod' || p.endsWith('.keep') }).then(
    (r) => ({ h1: r.h1, goModH1: r.goModH1, files: r.files.map((f) => ({ ...f, content: f.content?.toString('base64') })) }),
    (e) => ({ error: { name: e.name, entry: e.entry ?? null, reason: e.reason ?? null, message: e.message } }),
  );
const rows = [];
for (const c of cases) {
  const off = await read(c, 'off');
  await pool.ready();
  rows.push({ off, pool: await read(c, 'always') });
}
console.log(JSON.stringify({ rows, stats: pool.stats }));
await pool.close();
`;

let dir: string;
let code: Transpiled;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'modzip-pool-'));
  code = transpileModzip('pooltest');
  writeFileSync(join(code.dir, 'child.mjs'), CHILD);
});
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
  code.remove();
});

function runBoth(cases: ZipCase[]): { rows: Row[]; stats: { workers: number; batches: number } } {
  const casesPath = join(dir, `cases-${Math.random().toString(36).slice(2)}.json`);
  writeFileSync(casesPath, JSON.stringify(cases));
  const out = execFileSync(process.execPath, [join(code.dir, 'child.mjs'), code.module('src/modzip/reader.ts'), code.module('src/modzip/hash-pool.ts'), casesPath], {
    encoding: 'utf8',
    env: { ...process.env, NODE_OPTIONS: '' },
    maxBuffer: 64 * MB,
  });
  return JSON.parse(out) as { rows: Row[]; stats: { workers: number; batches: number } };
}

function writeZip(name: string, zip: Buffer): string {
  const file = join(dir, name);
  writeFileSync(file, zip);
  return file;
}

const text = (n: number, seed: number) => Buffer.from(`package p // line ${seed}\nfunc f${seed}() int { return ${seed} }\n`.repeat(Math.ceil(n / 50))).subarray(0, n);

describe('the worker pool and the calling thread agree', () => {
  it("on the zips Go wrote, with Go's h1", () => {
    const { cases } = JSON.parse(readFileSync(join(FIXTURES, 'cases.json'), 'utf8')) as {
      cases: { name: string; module: string; version: string; go: Record<'dir' | 'vcs', { zip?: string; hash?: string }> }[];
    };
    const zips = cases.flatMap((c) =>
      (['dir', 'vcs'] as const).filter((k) => c.go[k].zip).map((k) => ({ title: `${c.name} (${k})`, file: join(FIXTURES, c.go[k].zip!), mv: { path: c.module, version: c.version }, go: c.go[k].hash })),
    );
    expect(zips.length).toBeGreaterThan(100);
    const { rows, stats } = runBoth(zips);
    rows.forEach((r, i) => {
      expect({ title: zips[i]!.title, ...r.pool }).toEqual({ title: zips[i]!.title, ...r.off });
      if (zips[i]!.go) expect('h1' in r.pool && r.pool.h1).toBe(zips[i]!.go);
    });
    expect(stats.batches).toBeGreaterThan(zips.length / 2);
  }, 120000);

  it('on a zip of many batches: small, large, stored, deflated, incompressible, kept, empty and directory entries', () => {
    const entries: RawEntry[] = [{ name: P + 'go.mod', data: 'module example.com/m\n' }, { name: P + 'docs/', method: 0 }, { name: P + 'empty.go', data: '' }];
    for (let i = 0; i < 400; i++) entries.push({ name: `${P}pkg${i % 9}/f${i}.go`, data: text(200 + ((i * 7919) % 40000), i), method: i % 5 === 0 ? 0 : 8 });
    entries.push({ name: P + 'gen/table.go', data: text(5 * MB, 1) });
    entries.push({ name: P + 'testdata/blob.bin', data: randomBytes(4 * MB) }); // deflates to stored blocks
    entries.push({ name: P + 'testdata/raw.bin', data: randomBytes(3 * MB), method: 0 });
    entries.push({ name: P + 'testdata/small.bin', data: randomBytes(300 << 10) }); // one-shot stored blocks
    entries.push({ name: P + 'notes.keep', data: text(2 * MB, 2) }); // a large kept entry stays on the calling thread
    const want = hash1(
      entries.map((e) => ({ name: e.name as string, sha256: sha256Hex(typeof e.data === 'string' ? Buffer.from(e.data) : (e.data ?? Buffer.alloc(0))) })),
    );
    const { rows, stats } = runBoth([{ title: 'mixed', file: writeZip('mixed.zip', buildRawZip(entries)), mv: MV }]);
    const [r] = rows;
    expect(r!.pool).toEqual(r!.off);
    expect('h1' in r!.pool && r!.pool.h1).toBe(want);
    const kept = 'files' in r!.pool ? r!.pool.files.filter((f) => f.content !== undefined).map((f) => f.path) : [];
    expect(kept.sort()).toEqual(['go.mod', 'notes.keep']);
    expect(stats.batches).toBeGreaterThan(2);
  }, 60000);

  it('on the hostile corpus and the go1.19 hostile zips: same refusal, same entry named', () => {
    const corpus = hostile.map((h, i) => ({ title: h.title, file: writeZip(`hostile-${i}.zip`, h.zip()), mv: h.mv ?? MV, limits: h.limits }));
    const { cases } = JSON.parse(readFileSync(join(FIXTURES, 'hostile/cases.json'), 'utf8')) as { cases: { title: string; file: string; module: string; version: string }[] };
    const go = cases.map((c) => ({ title: `go1.19: ${c.title}`, file: join(FIXTURES, 'hostile', c.file), mv: { path: c.module, version: c.version } }));
    const all = [...corpus, ...go];
    const { rows } = runBoth(all);
    rows.forEach((r, i) => {
      expect('error' in r.off).toBe(true);
      expect({ title: all[i]!.title, ...r.pool }).toEqual({ title: all[i]!.title, ...r.off });
    });
    // The corpus's own expectations hold on the pool path too.
    hostile.forEach((h, i) => {
      const e = (rows[i]!.pool as { error: { entry: string | null; reason: string } }).error;
      expect(e.entry).toBe(h.entry);
      expect(e.reason).toMatch(h.reason);
    });
  }, 120000);

  it('report the first bad entry in zip order, whichever thread finds a failure first', () => {
    const blob = (seed: number) => randomBytes(2 * MB + seed);
    const bad = (e: RawEntry): RawEntry => ({ ...e, crc: (crc32(e.data as Buffer) ^ 1) >>> 0 });
    // Twelve large entries (one batch each); the 4th and the 10th are corrupt.
    const many: RawEntry[] = Array.from({ length: 12 }, (_, i) => ({ name: `${P}blob${String(i).padStart(2, '0')}.bin`, data: blob(i) }));
    many[3] = bad(many[3]!);
    many[9] = bad(many[9]!);
    // A corrupt large entry whose error shows only at its end, before a corrupt small one found at once.
    const slowFirst: RawEntry[] = [
      { name: P + 'a.go', data: 'package a\n' },
      bad({ name: P + 'big.bin', data: randomBytes(8 * MB) }),
      ...Array.from({ length: 40 }, (_, i) => ({ name: `${P}s${i}.go`, data: text(30000, i) })),
      bad({ name: P + 'z.go', data: text(1000, 99) }),
    ];
    const { rows } = runBoth([
      { title: 'many', file: writeZip('many.zip', buildRawZip(many)), mv: MV },
      { title: 'slow first', file: writeZip('slow-first.zip', buildRawZip(slowFirst)), mv: MV },
    ]);
    const entryOf = (o: Outcome) => ('error' in o ? o.error.entry : null);
    expect(entryOf(rows[0]!.off)).toBe(P + 'blob03.bin');
    expect(entryOf(rows[0]!.pool)).toBe(P + 'blob03.bin');
    expect(entryOf(rows[1]!.off)).toBe(P + 'big.bin');
    expect(entryOf(rows[1]!.pool)).toBe(P + 'big.bin');
    expect(rows[0]!.pool).toEqual(rows[0]!.off);
    expect(rows[1]!.pool).toEqual(rows[1]!.off);
  }, 60000);
});

it('hashes on the calling thread alone where workers cannot start', async () => {
  const pool = new HashPool(2, new URL('./no-such-worker.js', import.meta.url));
  const entries: RawEntry[] = Array.from({ length: 30 }, (_, i) => ({ name: `${P}f${i}.go`, data: text(100_000, i) }));
  const file = writeZip('no-workers.zip', buildRawZip(entries));
  const want = hash1(entries.map((e) => ({ name: e.name as string, sha256: sha256Hex(e.data as Buffer) })));
  expect((await readModuleZip(file, MV, { workers: 'always', pool })).h1).toBe(want);
  await pool.ready();
  expect(pool.stats).toEqual({ workers: 0, batches: 0 });
  // Later reads do not try again: still the calling thread alone, still the same answer.
  expect((await readModuleZip(file, MV, { workers: 'always', pool })).h1).toBe(want);
  expect(pool.stats.workers).toBe(0);
});

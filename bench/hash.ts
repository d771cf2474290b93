/**
 * Benchmark: module-zip hashing (readModuleZip) on small to 200 MiB zips, every figure against baselines run
 * in the same process on the same file:
 *   - plain stream: yauzl's own entry streams through sha256, one entry after another, with none of our
 *     checks (what a straightforward reader costs);
 *   - this thread: readModuleZip with workers 'off' (everything on the calling thread, the path before the pool);
 *   - workers: readModuleZip as shipped (the calling thread plus the worker pool, already started).
 * Then, per process (node started for each run, as a CLI would be): wall time, hash-only time and peak RSS,
 * and Go's dirhash.HashZip on the same file when `go` is on PATH (optional; nothing else needs Go).
 *
 *   npm run build && node dist/bench/hash.js [iterations=5]
 *   node dist/bench/hash.js --write <case number> <file.zip>   (only writes that case's zip, e.g. for other tools)
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createWriteStream, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import yauzl from 'yauzl';
import yazl from 'yazl';
import { defaultPoolSize } from '../src/modzip/hash-pool.js';
import { readModuleZip } from '../src/modzip/reader.js';

const ITER = Number(process.argv[2] === '--write' ? 0 : (process.argv[2] ?? 5));
const MiB = 1 << 20;
const MV = { path: 'example.com/bench', version: 'v1.0.0' };
const PREFIX = `${MV.path}@${MV.version}/`;

/** A module: source files of varied sizes, a few large generated sources, and incompressible testdata. */
interface Spec {
  name: string;
  /** Source files, sizes log-uniform between sourceMin and sourceMax bytes. */
  sources: number;
  sourceMin: number;
  sourceMax: number;
  /** Sizes of large generated sources (tables, bindings). */
  generated: number[];
  /** Sizes of incompressible testdata (archives, images). */
  blobs: number[];
  /** Time it in separate processes and against Go too. */
  perProcess: boolean;
}

const SPECS: Spec[] = [
  { name: 'small  (200 x 50 B)', sources: 200, sourceMin: 50, sourceMax: 50, generated: [], blobs: [], perProcess: false },
  { name: 'medium (200 x 25 KiB)', sources: 200, sourceMin: 25 << 10, sourceMax: 25 << 10, generated: [], blobs: [], perProcess: false },
  { name: 'large  (100 x 1 MiB)', sources: 100, sourceMin: MiB, sourceMax: MiB, generated: [], blobs: [], perProcess: false },
  {
    name: 'module 200 MiB, testdata-heavy',
    sources: 3000,
    sourceMin: 300,
    sourceMax: 64 << 10,
    generated: [2 * MiB, 3 * MiB, 4 * MiB, 2 * MiB],
    blobs: Array(6).fill(31 * MiB),
    perProcess: true,
  },
  {
    name: 'module 200 MiB, source-heavy',
    sources: 6000,
    sourceMin: 300,
    sourceMax: 64 << 10,
    generated: Array.from({ length: 20 }, (_, i) => (2 + (i % 7)) * MiB),
    blobs: Array(4).fill(39 * MiB),
    perProcess: true,
  },
];

/** A deterministic generator (LCG), so every run builds the same zips and the same h1. */
function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => (s = (Math.imul(s, 1664525) + 1013904223) >>> 0);
}

// Go-like text from a small vocabulary: compresses about as well as real source (about 4:1). Files are
// slices of one pool, which is quick to build and compresses like the text it was cut from.
function textPool(size: number): Buffer {
  const words = ['func', 'return', 'err', 'nil', 'if', 'for', 'range', 'var', 'string', 'int', 'package', ':=', '{', '}', '(', ')', 'ctx', 'fmt.Errorf', 'x', 'y', '//', 'the', 'value'];
  const next = lcg(7);
  const parts: string[] = [];
  let n = 0;
  while (n < size) {
    const s = next();
    const w = words[s % words.length]! + (s % 7 === 0 ? String(s % 1000) : '') + (s % 11 === 0 ? '\n\t' : ' ');
    parts.push(w);
    n += w.length;
  }
  return Buffer.from(parts.join('')).subarray(0, size);
}

const POOL = textPool(16 * MiB);

function text(size: number, next: () => number): Buffer {
  const out = Buffer.allocUnsafe(size);
  for (let done = 0; done < size; ) {
    const from = next() % (POOL.length >> 1);
    done += POOL.copy(out, done, from, from + Math.min(size - done, POOL.length >> 1));
  }
  return out;
}

// Incompressible bytes in 1 MiB pieces (xorshift), streamed into the zip so the generator holds little.
function blob(size: number, seed: number): Readable {
  let x = seed | 1;
  return Readable.from(
    (function* () {
      for (let done = 0; done < size; done += MiB) {
        const piece = Buffer.allocUnsafe(Math.min(MiB, size - done));
        const words = new Uint32Array(piece.buffer, piece.byteOffset, piece.length >>> 2);
        for (let i = 0; i < words.length; i++) {
          x ^= x << 13;
          x ^= x >>> 17;
          x ^= x << 5;
          words[i] = x;
        }
        yield piece;
      }
    })(),
  );
}

/** Writes the module's zip (deflate, as the proxy serves them) and returns its uncompressed size. */
async function writeZip(spec: Spec, file: string): Promise<number> {
  const zip = new yazl.ZipFile();
  const next = lcg(spec.sources * 31 + spec.blobs.length);
  const opts = { mtime: new Date(0) };
  let total = 0;
  const goMod = Buffer.from(`module ${MV.path}\n\ngo 1.21\n`);
  zip.addBuffer(goMod, PREFIX + 'go.mod', opts);
  total += goMod.length;
  const ratio = Math.log(spec.sourceMax / spec.sourceMin);
  for (let i = 0; i < spec.sources; i++) {
    const size = Math.round(spec.sourceMin * Math.exp((next() / 2 ** 32) * ratio));
    zip.addBuffer(text(size, next), `${PREFIX}pkg${i % 60}/sub${i % 7}/file${i}.go`, opts);
    total += size;
  }
  spec.generated.forEach((size, i) => {
    zip.addBuffer(text(size, next), `${PREFIX}internal/tables/gen${i}.go`, opts);
    total += size;
  });
  spec.blobs.forEach((size, i) => {
    // Level 1: random data is stored in deflate blocks at any level; this only saves generating time.
    zip.addReadStream(blob(size, i + 1), `${PREFIX}testdata/blob${i}.bin`, { ...opts, size, compressionLevel: 1 });
    total += size;
  });
  zip.end();
  await pipeline(zip.outputStream, createWriteStream(file));
  return total;
}

/** The plain baseline: yauzl's entry streams through sha256, no checks, one entry after another. */
async function plainStreamHash(file: string): Promise<number> {
  const zip = await yauzl.openPromise(file, { lazyEntries: true });
  let files = 0;
  await new Promise<void>((resolve, reject) => {
    zip.on('entry', (e: yauzl.Entry) => {
      zip.openReadStream(e, (err, stream) => {
        if (err) return reject(err);
        const sha = createHash('sha256');
        stream.on('data', (c: Buffer) => sha.update(c));
        stream.on('error', reject);
        stream.on('end', () => {
          sha.digest('hex');
          files++;
          zip.readEntry();
        });
      });
    });
    zip.on('end', () => resolve());
    zip.on('error', reject);
    zip.readEntry();
  });
  zip.close();
  return files;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor((s.length - 1) / 2)]!;
}

/** Median ms of each variant, the variants interleaved run by run so that load from elsewhere hits all alike. */
async function timeInterleaved(variants: Record<string, () => Promise<unknown>>): Promise<Record<string, number>> {
  const runs: Record<string, number[]> = {};
  for (const [k, fn] of Object.entries(variants)) {
    await fn(); // warm-up (and starts the pool)
    runs[k] = [];
  }
  for (let i = 0; i < ITER; i++) {
    for (const [k, fn] of Object.entries(variants)) {
      const t0 = process.hrtime.bigint();
      await fn();
      runs[k]!.push(Number(process.hrtime.bigint() - t0) / 1e6);
    }
  }
  return Object.fromEntries(Object.entries(runs).map(([k, v]) => [k, median(v)]));
}

// One hash in a fresh node process: the reader is imported from this build, the peak RSS is Linux's VmHWM.
const CHILD = `
const t0 = performance.now();
const { readModuleZip } = await import(process.argv[1]);
const t1 = performance.now();
const r = await readModuleZip(process.argv[2], JSON.parse(process.argv[3]), { workers: process.argv[4] });
const t2 = performance.now();
let peak = 0;
try { peak = Number(/VmHWM:\\s+(\\d+) kB/.exec((await import('node:fs')).readFileSync('/proc/self/status', 'utf8'))[1]) * 1024; } catch {}
console.log(JSON.stringify({ h1: r.h1, hashMs: t2 - t1, importMs: t1 - t0, peak }));
`;

interface ProcessRun {
  h1: string;
  wallMs: number;
  hashMs: number;
  peak: number;
}

function runOurs(file: string, workers: 'auto' | 'off'): ProcessRun {
  const reader = new URL('../src/modzip/reader.js', import.meta.url).href;
  const t0 = process.hrtime.bigint();
  const out = execFileSync(process.execPath, ['--input-type=module', '-e', CHILD, reader, file, JSON.stringify(MV), workers], { encoding: 'utf8' });
  const wallMs = Number(process.hrtime.bigint() - t0) / 1e6;
  const r = JSON.parse(out) as { h1: string; hashMs: number; peak: number };
  return { h1: r.h1, wallMs, hashMs: r.hashMs, peak: r.peak };
}

/** Builds a tiny program around the dirhash package of the Go distribution, or null when Go is not there. */
function buildGoHashZip(dir: string): string | null {
  let goroot: string;
  try {
    goroot = execFileSync('go', ['env', 'GOROOT'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    return null;
  }
  const dirhash = join(goroot, 'src/cmd/vendor/golang.org/x/mod/sumdb/dirhash/hash.go');
  if (!existsSync(dirhash)) return null;
  const src = join(dir, 'gohash');
  mkdirSync(join(src, 'dirhash'), { recursive: true });
  writeFileSync(join(src, 'dirhash/hash.go'), readFileSync(dirhash));
  writeFileSync(join(src, 'go.mod'), 'module gohash\n\ngo 1.19\n');
  writeFileSync(
    join(src, 'main.go'),
    `package main

import (
\t"fmt"
\t"os"
\t"time"

\t"gohash/dirhash"
)

func main() {
\tt0 := time.Now()
\th, err := dirhash.HashZip(os.Args[1], dirhash.Hash1)
\tif err != nil {
\t\tfmt.Fprintln(os.Stderr, err)
\t\tos.Exit(1)
\t}
\tfmt.Printf("%s %f\\n", h, float64(time.Since(t0).Microseconds())/1000)
}
`,
  );
  const bin = join(dir, 'gohash-bin');
  const r = spawnSync('go', ['build', '-o', bin, '.'], { cwd: src, env: { ...process.env, GOFLAGS: '-mod=mod', GOPROXY: 'off' }, stdio: 'ignore' });
  return r.status === 0 ? bin : null;
}

// The CLI as a user runs it (bin/modwarden.js hash zip): the same hash plus the CLI's own start-up.
function runCli(file: string): ProcessRun {
  const bin = new URL('../../bin/modwarden.js', import.meta.url).pathname;
  const t0 = process.hrtime.bigint();
  const out = execFileSync(process.execPath, [bin, 'hash', 'zip', file, '--module', MV.path, '--version', MV.version], { encoding: 'utf8' });
  const wallMs = Number(process.hrtime.bigint() - t0) / 1e6;
  return { h1: out.split('\n')[0]!.split(' ')[2]!, wallMs, hashMs: NaN, peak: 0 };
}

function runGo(bin: string, file: string): ProcessRun {
  const t0 = process.hrtime.bigint();
  const out = execFileSync(bin, [file], { encoding: 'utf8' }).trim().split(' ');
  return { h1: out[0]!, wallMs: Number(process.hrtime.bigint() - t0) / 1e6, hashMs: Number(out[1]), peak: 0 };
}

function medianRun(runs: ProcessRun[]): ProcessRun {
  return { h1: runs[0]!.h1, wallMs: median(runs.map((r) => r.wallMs)), hashMs: median(runs.map((r) => r.hashMs)), peak: median(runs.map((r) => r.peak)) };
}

const ms = (x: number) => `${x.toFixed(0).padStart(6)} ms`;
const ratio = (base: number, x: number) => `${(base / x).toFixed(2).padStart(5)}x`;

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'bench-hash-'));
  console.log(
    `modzip hashing benchmark (median of ${ITER} runs, node ${process.version}, ${availableParallelism()} cores, pool of ${defaultPoolSize()} worker(s) beside the calling thread)\n`,
  );
  try {
    const built: { spec: Spec; file: string; zipBytes: number; content: number }[] = [];
    for (const spec of SPECS) {
      const file = join(dir, `${spec.name.replace(/[^a-z0-9]+/gi, '-')}.zip`);
      const content = await writeZip(spec, file);
      built.push({ spec, file, zipBytes: statSync(file).size, content });
    }

    console.log('In this process (pool already started):');
    console.log('zip                              content   zip size | plain stream | this thread |   workers | vs plain | vs this thread');
    for (const b of built) {
      const t = await timeInterleaved({
        plain: () => plainStreamHash(b.file),
        thread: () => readModuleZip(b.file, MV, { workers: 'off' }),
        workers: () => readModuleZip(b.file, MV),
      });
      console.log(
        `${b.spec.name.padEnd(31)} ${(b.content / MiB).toFixed(1).padStart(7)} MiB ${(b.zipBytes / MiB).toFixed(1).padStart(6)} MiB |` +
          ` ${ms(t.plain!)}    | ${ms(t.thread!)}   | ${ms(t.workers!)} |   ${ratio(t.plain!, t.workers!)} |   ${ratio(t.thread!, t.workers!)}`,
      );
    }

    const goBin = buildGoHashZip(dir);
    console.log('\nOne hash per process (node or Go started for each run; wall includes process start):');
    for (const b of built.filter((x) => x.spec.perProcess)) {
      const ours: ProcessRun[] = [];
      const thread: ProcessRun[] = [];
      const cli: ProcessRun[] = [];
      const go: ProcessRun[] = [];
      for (let i = 0; i < ITER; i++) {
        ours.push(runOurs(b.file, 'auto'));
        thread.push(runOurs(b.file, 'off'));
        cli.push(runCli(b.file));
        if (goBin) go.push(runGo(goBin, b.file));
      }
      const o = medianRun(ours);
      const s = medianRun(thread);
      const c = medianRun(cli);
      console.log(`${b.spec.name} (${(b.zipBytes / MiB).toFixed(0)} MiB zip, ${o.h1})`);
      console.log(`  ours, workers      wall ${ms(o.wallMs)}  hash ${ms(o.hashMs)}  peak RSS ${(o.peak / MiB).toFixed(0)} MiB`);
      console.log(`  ours, this thread  wall ${ms(s.wallMs)}  hash ${ms(s.hashMs)}  peak RSS ${(s.peak / MiB).toFixed(0)} MiB`);
      console.log(`  modwarden hash zip wall ${ms(c.wallMs)}  (the CLI: its start-up plus the same hash${c.h1 === o.h1 ? '' : `; h1 DIFFERS: ${c.h1}`})`);
      if (goBin) {
        const g = medianRun(go);
        console.log(`  go HashZip         wall ${ms(g.wallMs)}  hash ${ms(g.hashMs)}  (same h1: ${g.h1 === o.h1 ? 'yes' : `NO, Go says ${g.h1}`})`);
        console.log(`  go / ours (workers): wall ${ratio(g.wallMs, o.wallMs)}, hash ${ratio(g.hashMs, o.hashMs)}`);
      }
    }
    if (!goBin) console.log('(go not on PATH: the comparison with dirhash.HashZip is skipped)');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  console.log('\nvs x = baseline time / readModuleZip time on the same file (above 1.00x: faster than the baseline).');
}

if (process.argv[2] === '--write') {
  const spec = SPECS[Number(process.argv[3])];
  if (!spec || !process.argv[4]) throw new Error(`usage: hash.js --write <0..${SPECS.length - 1}> <file.zip>`);
  console.log(`${spec.name}: ${await writeZip(spec, process.argv[4])} bytes of content`);
} else {
  await main();
}

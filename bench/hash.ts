/**
 * Benchmark: module-zip hashing throughput (MB/s of uncompressed content) for small, medium and large zips,
 * against a plain sha256 pass over the same uncompressed bytes in the same run (the floor: every byte must
 * be hashed at least once) and an inflate+sha256 pass without any checks (the floor for a zip).
 *
 *   npm run build && node dist/bench/hash.js [iterations=5]
 */
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { deflateRawSync, inflateRawSync } from 'node:zlib';
import yazl from 'yazl';
import { readModuleZip } from '../src/modzip/reader.js';

const ITER = Number(process.argv[2] ?? 5);

interface Spec {
  name: string;
  files: number;
  fileSize: number;
}
const SPECS: Spec[] = [
  { name: 'small  (~10 KiB, 200 files)', files: 200, fileSize: 50 },
  { name: 'medium (~5 MiB, 200 files)', files: 200, fileSize: 25 * 1024 },
  { name: 'large  (~100 MiB, 100 files)', files: 100, fileSize: 1024 * 1024 },
];

// Go-like text from a small vocabulary: compresses about as well as real source (≈4:1).
function sourceText(size: number, seed: number): Buffer {
  const words = ['func', 'return', 'err', 'nil', 'if', 'for', 'range', 'var', 'string', 'int', 'package', ':=', '{', '}', '(', ')', 'ctx', 'fmt.Errorf', 'x', 'y', '//', 'the', 'value'];
  let s = seed >>> 0;
  const parts: string[] = [];
  let n = 0;
  while (n < size) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    const w = words[s % words.length]! + (s % 7 === 0 ? String(s % 1000) : '') + (s % 11 === 0 ? '\n\t' : ' ');
    parts.push(w);
    n += w.length;
  }
  return Buffer.from(parts.join('')).subarray(0, size);
}

async function buildZip(spec: Spec): Promise<{ zip: Buffer; contents: Buffer[] }> {
  const zip = new yazl.ZipFile();
  const contents: Buffer[] = [];
  for (let i = 0; i < spec.files; i++) {
    const data = sourceText(spec.fileSize, i + spec.fileSize);
    contents.push(data);
    zip.addBuffer(data, `example.com/bench@v1.0.0/pkg${i % 10}/file${i}.go`, { mtime: new Date(0) });
  }
  zip.end();
  const chunks: Buffer[] = [];
  for await (const c of zip.outputStream as AsyncIterable<Buffer>) chunks.push(c);
  return { zip: Buffer.concat(chunks), contents };
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

async function time(fn: () => unknown | Promise<unknown>): Promise<number> {
  const runs: number[] = [];
  await fn(); // warm-up
  for (let i = 0; i < ITER; i++) {
    const t0 = process.hrtime.bigint();
    await fn();
    runs.push(Number(process.hrtime.bigint() - t0) / 1e6);
  }
  return median(runs);
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'bench-hash-'));
  const mv = { path: 'example.com/bench', version: 'v1.0.0' };
  console.log(`modzip hashing benchmark (median of ${ITER} runs, node ${process.version})\n`);
  console.log('zip                            content   zip size   readModuleZip(file)  plain sha256   ratio   inflate+sha256  ratio');
  try {
    for (const spec of SPECS) {
      const { zip, contents } = await buildZip(spec);
      const file = join(dir, `${spec.files}x${spec.fileSize}.zip`);
      writeFileSync(file, zip);
      const total = contents.reduce((n, c) => n + c.length, 0);
      const compressed = contents.map((c) => deflateRawSync(c));

      const ours = await time(() => readModuleZip(file, mv));
      const sha = await time(() => {
        for (const c of contents) createHash('sha256').update(c).digest('hex');
      });
      const inflateSha = await time(() => {
        for (const c of compressed) createHash('sha256').update(inflateRawSync(c)).digest('hex');
      });
      const mbps = (ms: number) => `${(total / (1 << 20) / (ms / 1000)).toFixed(0).padStart(5)} MB/s`;
      console.log(
        `${spec.name.padEnd(30)} ${(total / 1024).toFixed(0).padStart(7)} KiB ${(zip.length / 1024).toFixed(0).padStart(7)} KiB ` +
          `${ours.toFixed(1).padStart(8)} ms ${mbps(ours)} ${sha.toFixed(1).padStart(7)} ms  ${(ours / sha).toFixed(1).padStart(5)}x ` +
          `${inflateSha.toFixed(1).padStart(8)} ms  ${(ours / inflateSha).toFixed(1).padStart(5)}x`,
      );
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  console.log('\nratio = readModuleZip time / baseline time on the same bytes (1.0x would be the floor).');
}

await main();

/**
 * Memory check: hashing a 200 MiB module zip must keep the process's peak RSS well under the zip's size,
 * with the worker pool at work (the zip is large enough for it), whether the files are stored or deflated
 * (incompressible data deflates to stored blocks, as testdata in real modules does). The hashing runs in a
 * child process (so jest's own memory does not count) on the transpiled sources, where the worker exists.
 */
import { execFileSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { closeSync, mkdtempSync, openSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { crc32, deflateRawSync } from 'node:zlib';
import { hash1 } from '../../src/modzip/hash.js';
import { transpileModzip } from './helpers/transpiled.js';

const MB = 1 << 20;
const FILES = 100;
const FILE_SIZE = 2 * MB;

// Writes a module zip file by file (stored, or deflated), so the test itself never holds it in memory.
function writeBigZip(path: string, method: 0 | 8): { h1: string; size: number } {
  const fd = openSync(path, 'w');
  const central: Buffer[] = [];
  const hashed: { name: string; sha256: string }[] = [];
  let offset = 0;
  for (let i = 0; i < FILES; i++) {
    const name = Buffer.from(`example.com/big@v1.0.0/data/file${String(i).padStart(3, '0')}.bin`);
    const data = randomBytes(FILE_SIZE);
    const stored = method === 8 ? deflateRawSync(data) : data;
    const crc = crc32(data);
    const lh = Buffer.alloc(30);
    lh.writeUInt32LE(0x04034b50, 0);
    lh.writeUInt16LE(20, 4);
    lh.writeUInt16LE(method, 8);
    lh.writeUInt32LE(crc, 14);
    lh.writeUInt32LE(stored.length, 18);
    lh.writeUInt32LE(data.length, 22);
    lh.writeUInt16LE(name.length, 26);
    writeSync(fd, lh);
    writeSync(fd, name);
    writeSync(fd, stored);
    const ch = Buffer.alloc(46);
    ch.writeUInt32LE(0x02014b50, 0);
    ch.writeUInt16LE(20, 4);
    ch.writeUInt16LE(20, 6);
    ch.writeUInt16LE(method, 10);
    ch.writeUInt32LE(crc, 16);
    ch.writeUInt32LE(stored.length, 20);
    ch.writeUInt32LE(data.length, 24);
    ch.writeUInt16LE(name.length, 28);
    ch.writeUInt32LE(offset, 42);
    central.push(ch, name);
    hashed.push({ name: name.toString(), sha256: createHash('sha256').update(data).digest('hex') });
    offset += 30 + name.length + stored.length;
  }
  const cd = Buffer.concat(central);
  const eocd = Buffer.alloc(22);
  eocd.writeUInt32LE(0x06054b50, 0);
  eocd.writeUInt16LE(FILES, 8);
  eocd.writeUInt16LE(FILES, 10);
  eocd.writeUInt32LE(cd.length, 12);
  eocd.writeUInt32LE(offset, 16);
  writeSync(fd, cd);
  writeSync(fd, eocd);
  closeSync(fd);
  return { h1: hash1(hashed), size: offset + cd.length + eocd.length };
}

// Peak RSS of the child's own address space: Linux's VmHWM (getrusage's maxRSS would also count the jest
// worker the child was forked from), or sampled rss where /proc is missing.
const CHILD = `
import { readFileSync } from 'node:fs';
const [, , zipPath, readerPath, poolPath] = process.argv;
const { readModuleZip } = await import(readerPath);
const { sharedHashPool } = await import(poolPath);
const hwm = () => {
  try {
    const m = /VmHWM:\\s+(\\d+) kB/.exec(readFileSync('/proc/self/status', 'utf8'));
    if (m) return Number(m[1]) * 1024;
  } catch {}
  return 0;
};
let sampled = process.memoryUsage().rss;
const timer = setInterval(() => { sampled = Math.max(sampled, process.memoryUsage().rss); }, 2);
const before = Math.max(hwm(), sampled);
const got = await readModuleZip(zipPath, { path: 'example.com/big', version: 'v1.0.0' });
clearInterval(timer);
sampled = Math.max(sampled, process.memoryUsage().rss);
const peak = Math.max(hwm(), sampled);
console.log(JSON.stringify({ h1: got.h1, files: got.files.length, before, peak, pool: sharedHashPool()?.stats ?? null }));
`;

let dir: string;
let code: ReturnType<typeof transpileModzip>;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'modzip-mem-'));
  code = transpileModzip('memtest');
  writeFileSync(join(code.dir, 'child.mjs'), CHILD);
});
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
  code.remove();
});

it.each([
  ['stored', 0],
  ['deflated', 8],
] as const)('hashes a 200 MiB module zip (%s) with the worker pool and peak RSS under half the zip size', (kind, method) => {
  const zipPath = join(dir, `big-${kind}.zip`);
  const want = writeBigZip(zipPath, method);
  expect(want.size).toBeGreaterThan(200 * MB);
  const out = execFileSync(process.execPath, [join(code.dir, 'child.mjs'), zipPath, code.module('src/modzip/reader.ts'), code.module('src/modzip/hash-pool.ts')], {
    encoding: 'utf8',
    env: { ...process.env, NODE_OPTIONS: '' },
  });
  rmSync(zipPath);
  const r = JSON.parse(out) as { h1: string; files: number; before: number; peak: number; pool: { workers: number; batches: number } | null };
  process.stdout.write(
    `memory check (${kind}): zip ${(want.size / MB).toFixed(0)} MiB, child peak RSS ${(r.peak / MB).toFixed(0)} MiB (before hashing ${(r.before / MB).toFixed(0)} MiB), ` +
      `${r.pool?.batches ?? 0} of ${FILES} files hashed by ${r.pool?.workers ?? 0} worker(s)\n`,
  );
  expect(r.h1).toBe(want.h1);
  expect(r.files).toBe(FILES);
  // The workers really took part (the calling thread hashes the rest).
  expect(r.pool?.batches).toBeGreaterThan(0);
  // Peak RSS of the whole child (Node itself and its worker threads included) stays under 50% of the zip's size.
  expect(r.peak).toBeLessThan(want.size * 0.5);
}, 120000);

/**
 * Memory check: hashing a 200 MiB module zip must keep the process's peak RSS well under the zip's size.
 * The hashing runs in a child process (so jest's own memory does not count) on the transpiled sources.
 */
import { execFileSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { closeSync, mkdirSync, mkdtempSync, openSync, readdirSync, readFileSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { crc32 } from 'node:zlib';
import ts from 'typescript';
import { hash1 } from '../../src/modzip/hash.js';

const REPO = new URL('../../', import.meta.url).pathname;
const MB = 1 << 20;
const FILES = 100;
const FILE_SIZE = 2 * MB;

// Writes a stored (uncompressed) module zip file by file, so the test itself never holds it in memory.
function writeBigZip(path: string): { h1: string; size: number } {
  const fd = openSync(path, 'w');
  const central: Buffer[] = [];
  const hashed: { name: string; sha256: string }[] = [];
  let offset = 0;
  for (let i = 0; i < FILES; i++) {
    const name = Buffer.from(`example.com/big@v1.0.0/data/file${String(i).padStart(3, '0')}.bin`);
    const data = randomBytes(FILE_SIZE);
    const crc = crc32(data);
    const lh = Buffer.alloc(30);
    lh.writeUInt32LE(0x04034b50, 0);
    lh.writeUInt16LE(20, 4);
    lh.writeUInt32LE(crc, 14);
    lh.writeUInt32LE(data.length, 18);
    lh.writeUInt32LE(data.length, 22);
    lh.writeUInt16LE(name.length, 26);
    writeSync(fd, lh);
    writeSync(fd, name);
    writeSync(fd, data);
    const ch = Buffer.alloc(46);
    ch.writeUInt32LE(0x02014b50, 0);
    ch.writeUInt16LE(20, 4);
    ch.writeUInt16LE(20, 6);
    ch.writeUInt32LE(crc, 16);
    ch.writeUInt32LE(data.length, 20);
    ch.writeUInt32LE(data.length, 24);
    ch.writeUInt16LE(name.length, 28);
    ch.writeUInt32LE(offset, 42);
    central.push(ch, name);
    hashed.push({ name: name.toString(), sha256: createHash('sha256').update(data).digest('hex') });
    offset += 30 + name.length + data.length;
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

// Transpiles src/ into node_modules/.cache so the child resolves yauzl etc. from the repo's node_modules.
function transpileSources(out: string): void {
  const walk = (dir: string) => {
    for (const e of readdirSync(join(REPO, dir), { withFileTypes: true })) {
      const rel = join(dir, e.name);
      if (e.isDirectory()) walk(rel);
      else if (e.name.endsWith('.ts')) {
        const js = ts.transpileModule(readFileSync(join(REPO, rel), 'utf8'), {
          compilerOptions: { module: ts.ModuleKind.ES2022, target: ts.ScriptTarget.ES2022, esModuleInterop: true },
        }).outputText;
        mkdirSync(join(out, dir), { recursive: true });
        writeFileSync(join(out, rel.replace(/\.ts$/, '.js')), js);
      }
    }
  };
  for (const d of ['src/modzip', 'src/gomod']) walk(d);
  writeFileSync(join(out, 'package.json'), '{"type":"module"}\n');
}

// Peak RSS of the child's own address space: Linux's VmHWM (getrusage's maxRSS would also count the jest
// worker the child was forked from), or sampled rss where /proc is missing.
const CHILD = `
import { readFileSync } from 'node:fs';
const [, , zipPath, readerPath] = process.argv;
const { readModuleZip } = await import(readerPath);
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
console.log(JSON.stringify({ h1: got.h1, files: got.files.length, before, peak }));
`;

it('hashes a 200 MiB module zip with peak RSS under half the zip size', () => {
  const dir = mkdtempSync(join(tmpdir(), 'modzip-mem-'));
  const cache = join(REPO, 'node_modules', '.cache', `modzip-memtest-${process.pid}`);
  try {
    const zipPath = join(dir, 'big.zip');
    const want = writeBigZip(zipPath);
    expect(want.size).toBeGreaterThan(200 * MB);
    transpileSources(cache);
    writeFileSync(join(cache, 'child.mjs'), CHILD);
    const out = execFileSync(process.execPath, [join(cache, 'child.mjs'), zipPath, join(cache, 'src/modzip/reader.js')], {
      encoding: 'utf8',
      env: { ...process.env, NODE_OPTIONS: '' },
    });
    const r = JSON.parse(out) as { h1: string; files: number; before: number; peak: number };
    process.stdout.write(`memory check: zip ${(want.size / MB).toFixed(0)} MiB, child peak RSS ${(r.peak / MB).toFixed(0)} MiB (before hashing ${(r.before / MB).toFixed(0)} MiB)\n`);
    expect(r.h1).toBe(want.h1);
    expect(r.files).toBe(FILES);
    // Peak RSS of the whole child (Node itself included) stays under 50% of the zip's size.
    expect(r.peak).toBeLessThan(want.size * 0.5);
  } finally {
    rmSync(dir, { recursive: true, force: true });
    rmSync(cache, { recursive: true, force: true });
  }
}, 60000);

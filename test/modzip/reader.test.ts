import { writeFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { deflateRawSync } from 'node:zlib';
import { randomBytes } from 'node:crypto';
import { readModuleZip, zipModuleVersion, ZipRejectedError } from '../../src/modzip/reader.js';
import { hashGoMod } from '../../src/modzip/hash.js';
import { buildModuleZip } from '../helpers/module-zip.js';
import { buildRawZip, deflatedZeros, type RawEntry } from '../helpers/hostile-zip.js';

const MV = { path: 'example.com/m', version: 'v1.0.0' };
const P = 'example.com/m@v1.0.0/';

const SIMPLE = {
  'go.mod': 'module example.com/m\n\ngo 1.13\n',
  'm.go': 'package m\n\nfunc Foo() int { return 42 }\n',
  'cmd/hello/hello.go': 'package main\n\nimport (\n  "fmt"\n  "example.com/m"\n)\n\nfunc main() {\n  fmt.Println(m.Foo())\n}\n',
};
const SIMPLE_H1 = 'h1:tpqYOOmuilagXzyqoJ3roUjp8gneQeTv5YVpL6BG7/k=';

describe('readModuleZip on well-formed zips', () => {
  it('computes the h1 of the simple vector (golang/mod create/simple.txt, go1.19.8)', async () => {
    const zip = await buildModuleZip(MV.path, MV.version, SIMPLE);
    const got = await readModuleZip(zip, MV);
    expect(got.h1).toBe(SIMPLE_H1);
    expect(got.goModH1).toBe('h1:UWkIka9t4wTRf5TZ+sRdwnADRAp+U7R9A2lAeNEx1cA=');
    expect(got.files.map((f) => f.path).sort()).toEqual(['cmd/hello/hello.go', 'go.mod', 'm.go']);
    expect(got.files.every((f) => f.content === undefined)).toBe(true);
  });

  it('gives the same h1 whatever the entry order, compression or timestamps', async () => {
    const entries: RawEntry[] = Object.entries(SIMPLE)
      .reverse()
      .map(([n, d], i) => ({ name: P + n, data: d, method: i % 2 === 0 ? 0 : 8 }));
    expect((await readModuleZip(buildRawZip(entries), MV)).h1).toBe(SIMPLE_H1);
  });

  it('reads from a file path as well as from bytes', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'modzip-'));
    try {
      const file = join(dir, 'v1.0.0.zip');
      writeFileSync(file, await buildModuleZip(MV.path, MV.version, SIMPLE));
      expect((await readModuleZip(file, MV)).h1).toBe(SIMPLE_H1);
      expect(await zipModuleVersion(file)).toEqual(MV);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('keeps content only for the files keepContent accepts', async () => {
    const zip = await buildModuleZip(MV.path, MV.version, SIMPLE);
    const got = await readModuleZip(zip, MV, { keepContent: (p) => p === 'go.mod' });
    const goMod = got.files.find((f) => f.path === 'go.mod')!;
    expect(goMod.content?.toString()).toBe(SIMPLE['go.mod']);
    expect(hashGoMod(goMod.content!)).toBe(got.goModH1);
    expect(got.files.find((f) => f.path === 'm.go')!.content).toBeUndefined();
  });

  it('hashes directory entries like dirhash.HashZip (empty content) but does not list them as files', async () => {
    const withDir = buildRawZip([{ name: P + 'a/', method: 0 }, { name: P + 'a/x.go', data: 'package a\n' }]);
    const got = await readModuleZip(withDir, MV);
    expect(got.files.map((f) => f.path)).toEqual(['a/x.go']);
    const without = await readModuleZip(buildRawZip([{ name: P + 'a/x.go', data: 'package a\n' }]), MV);
    expect(got.h1).not.toBe(without.h1);
  });

  it('returns goModH1 null for a module without go.mod', async () => {
    const got = await readModuleZip(await buildModuleZip(MV.path, MV.version, { 'a.go': 'package a\n' }), MV);
    expect(got.goModH1).toBeNull();
  });

  it('accepts an entry whose header CRC is 0, as Go does', async () => {
    const got = await readModuleZip(buildRawZip([{ name: P + 'a.go', data: 'package a\n', crc: 0 }]), MV);
    expect(got.files).toHaveLength(1);
  });
});

// Every hostile zip must be refused with the offending entry named (null: the zip as a whole).
const MB = 1 << 20;
const hostile: { title: string; zip: () => Buffer; entry: string | null; reason: RegExp; limits?: Record<string, number>; mv?: typeof MV }[] = [
  { title: 'path traversal', zip: () => buildRawZip([{ name: P + '../evil.go', data: 'x' }]), entry: P + '../evil.go', reason: /invalid path element "\.\."/ },
  { title: 'traversal out of the prefix', zip: () => buildRawZip([{ name: P + 'a/../../../etc/passwd', data: 'x' }]), entry: P + 'a/../../../etc/passwd', reason: /not clean/ },
  { title: 'absolute path', zip: () => buildRawZip([{ name: '/etc/passwd', data: 'x' }]), entry: '/etc/passwd', reason: /does not have prefix/ },
  { title: 'entry outside module@version/', zip: () => buildRawZip([{ name: P + 'a.go', data: 'x' }, { name: 'example.com/other@v1.0.0/a.go', data: 'x' }]), entry: 'example.com/other@v1.0.0/a.go', reason: /does not have prefix/ },
  { title: 'entry named exactly module@version', zip: () => buildRawZip([{ name: 'example.com/m@v1.0.0', data: 'x' }]), entry: 'example.com/m@v1.0.0', reason: /does not have prefix/ },
  { title: 'backslash', zip: () => buildRawZip([{ name: P + 'a\\..\\..\\b.go', data: 'x' }]), entry: P + 'a\\..\\..\\b.go', reason: /malformed file path/ },
  { title: 'double slash', zip: () => buildRawZip([{ name: P + 'a//b.go', data: 'x' }]), entry: P + 'a//b.go', reason: /not clean/ },
  { title: 'duplicate name', zip: () => buildRawZip([{ name: P + 'a.go', data: 'x' }, { name: P + 'a.go', data: 'y' }]), entry: P + 'a.go', reason: /multiple entries for file "a.go"/ },
  { title: 'case collision', zip: () => buildRawZip([{ name: P + 'm.go', data: 'x' }, { name: P + 'M.GO', data: 'y' }]), entry: P + 'M.GO', reason: /case-insensitive file name collision: "m.go" and "M.GO"/ },
  { title: 'Unicode case collision (Kelvin sign)', zip: () => buildRawZip([{ name: P + 'k.go', data: 'x' }, { name: P + '\u212a.go', data: 'y' }]), entry: P + '\u212a.go', reason: /case-insensitive/ },
  { title: 'directory collision by case', zip: () => buildRawZip([{ name: P + 'a/x.go', data: 'x' }, { name: P + 'A/y.go', data: 'y' }]), entry: P + 'A/y.go', reason: /case-insensitive file name collision: "a" and "A"/ },
  { title: 'file and directory of one name', zip: () => buildRawZip([{ name: P + 'a', data: 'x' }, { name: P + 'a/b.go', data: 'y' }]), entry: P + 'a/b.go', reason: /both a file and a directory/ },
  { title: 'go.mod below the root', zip: () => buildRawZip([{ name: P + 'sub/go.mod', data: 'module x\n' }]), entry: P + 'sub/go.mod', reason: /not in module root/ },
  { title: 'GO.MOD at the root', zip: () => buildRawZip([{ name: P + 'GO.MOD', data: 'module x\n' }]), entry: P + 'GO.MOD', reason: /lowercase/ },
  { title: 'invalid character', zip: () => buildRawZip([{ name: P + 'a:b.go', data: 'x' }]), entry: P + 'a:b.go', reason: /invalid char ':'/ },
  { title: 'Windows reserved name', zip: () => buildRawZip([{ name: P + 'con.go', data: 'x' }]), entry: P + 'con.go', reason: /disallowed as path element component on Windows/ },
  { title: 'newline in name', zip: () => buildRawZip([{ name: P + 'a\nb.go', data: 'x' }]), entry: P + 'a\nb.go', reason: /malformed file path/ },
  { title: 'invalid UTF-8 name', zip: () => buildRawZip([{ name: Buffer.concat([Buffer.from(P), Buffer.from([0xff, 0xfe]), Buffer.from('.go')]), data: 'x' }]), entry: JSON.stringify(P + '\xff\xfe.go'), reason: /not valid UTF-8/ },
  { title: 'bad CRC', zip: () => buildRawZip([{ name: P + 'a.go', data: 'package a\n', crc: 0x12345678 }]), entry: P + 'a.go', reason: /checksum error/ },
  { title: 'more data than declared (lying size)', zip: () => buildRawZip([{ name: P + 'a.go', data: 'package a\n'.repeat(100), declaredSize: 10 }]), entry: P + 'a.go', reason: /larger than its declared size/ },
  { title: 'less data than declared', zip: () => buildRawZip([{ name: P + 'a.go', data: 'package a\n', declaredSize: 1000 }]), entry: P + 'a.go', reason: /were declared/ },
  {
    title: 'zip bomb: 200 MiB of zeros declared as 1 KiB',
    zip: () => buildRawZip([{ name: P + 'bomb.go', rawData: deflatedZeros(200 * MB), declaredSize: 1024, crc: 0 }]),
    entry: P + 'bomb.go',
    reason: /larger than its declared size/,
  },
  {
    title: 'zip bomb: declared sizes over the 500 MiB total',
    zip: () => buildRawZip([{ name: P + 'a.bin', rawData: deflatedZeros(MB), declaredSize: 300 * MB }, { name: P + 'b.bin', rawData: deflatedZeros(MB), declaredSize: 300 * MB }]),
    entry: P + 'b.bin',
    reason: /total uncompressed size of module contents too large \(max size is 524288000 bytes\)/,
  },
  {
    title: 'overlapping entries reusing one compressed stream',
    zip: () => buildRawZip([{ name: P + 'f0', data: Buffer.alloc(4 * MB) }, ...Array.from({ length: 9 }, (_, i) => ({ name: P + `f${i + 1}`, sameDataAs: 0 }))]),
    entry: P + 'f5',
    reason: /total uncompressed size/,
    limits: { maxTotalUncompressed: 20 * MB },
  },
  {
    title: 'large entry (streamed) inflating past its declared size',
    zip: () => buildRawZip([{ name: P + 'big.bin', rawData: deflateRawSync(randomBytes(3 * MB), { level: 0 }), declaredSize: 2 * MB, crc: 0 }]),
    entry: P + 'big.bin',
    reason: /larger than its declared size \(2097152 bytes\)/,
  },
  {
    title: 'large entry (streamed) with corrupt deflate data',
    zip: () => buildRawZip([{ name: P + 'big.bin', rawData: Buffer.concat([deflateRawSync(randomBytes(MB), { level: 0 }).subarray(0, MB), randomBytes(MB)]), declaredSize: 3 * MB, crc: 0 }]),
    entry: P + 'big.bin',
    reason: /corrupt data|were declared/,
  },
  {
    title: 'large stored entry with a bad CRC',
    zip: () => buildRawZip([{ name: P + 'big.bin', data: randomBytes(2 * MB), method: 0, crc: 0xdeadbeef }]),
    entry: P + 'big.bin',
    reason: /checksum error/,
  },
  { title: 'go.mod over 16 MiB', zip: () => buildRawZip([{ name: P + 'go.mod', data: 'module x\n', declaredSize: 17 * MB }]), entry: P + 'go.mod', reason: /go.mod file too large \(max size is 16777216 bytes\)/ },
  { title: 'LICENSE over 16 MiB', zip: () => buildRawZip([{ name: P + 'LICENSE', rawData: deflatedZeros(17 * MB), declaredSize: 17 * MB }]), entry: P + 'LICENSE', reason: /LICENSE file too large/ },
  { title: 'too many entries', zip: () => buildRawZip(Array.from({ length: 11 }, (_, i) => ({ name: P + `f${i}.go`, data: 'x' }))), entry: null, reason: /11 entries \(limit is 10\)/, limits: { maxEntries: 10 } },
  { title: 'zip file over the size cap', zip: () => buildRawZip([{ name: P + 'a.go', data: 'x'.repeat(5000), method: 0 }]), entry: null, reason: /module zip file is too large/, limits: { maxZipBytes: 4096 } },
  { title: 'corrupt deflate data', zip: () => buildRawZip([{ name: P + 'a.go', rawData: Buffer.from([0xff, 0xff, 0xff, 0xff, 0x00, 0x11]), declaredSize: 10, crc: 0 }]), entry: P + 'a.go', reason: /corrupt data/ },
  { title: 'truncated deflate stream', zip: () => buildRawZip([{ name: P + 'a.go', rawData: deflateRawSync(Buffer.alloc(100000, 7)).subarray(0, 20), declaredSize: 100000 }]), entry: P + 'a.go', reason: /corrupt data|were declared/ },
  { title: 'unsupported compression method', zip: () => buildRawZip([{ name: P + 'a.go', data: 'x', method: 12 }]), entry: P + 'a.go', reason: /unsupported compression method 12/ },
  { title: 'encrypted entry', zip: () => buildRawZip([{ name: P + 'a.go', data: 'x', flags: 0x801 }]), entry: P + 'a.go', reason: /encrypted/ },
  { title: 'stored entry with mismatched sizes', zip: () => buildRawZip([{ name: P + 'a.go', data: 'xyz', method: 0, declaredCompressedSize: 2 }]), entry: P + 'a.go', reason: /stored entry declares/ },
  { title: 'directory entry with data', zip: () => buildRawZip([{ name: P + 'd/', data: 'hidden' }]), entry: P + 'd/', reason: /directory entry has data/ },
  { title: 'not a zip at all', zip: () => Buffer.from('this is not a zip file, just text'), entry: null, reason: /not a valid zip file/ },
  { title: 'truncated zip', zip: () => buildRawZip([{ name: P + 'a.go', data: 'package a\n' }]).subarray(0, 40), entry: null, reason: /not a valid zip file/ },
  { title: 'non-canonical version', zip: () => buildRawZip([]), entry: null, reason: /not canonical/, mv: { path: 'example.com/m', version: 'v1.0' } },
  { title: 'major version mismatch', zip: () => buildRawZip([]), entry: null, reason: /mismatched module path/, mv: { path: 'example.com/m', version: 'v2.0.0' } },
];

let hostileDir: string;
beforeAll(() => {
  hostileDir = mkdtempSync(join(tmpdir(), 'hostile-'));
});
afterAll(() => rmSync(hostileDir, { recursive: true, force: true }));

describe.each(['bytes', 'file'] as const)('readModuleZip refuses hostile zips (read from %s), naming the entry', (from) => {
  it.each(hostile.map((h, i) => [h.title, h, i] as const))('%s', async (_title, h, i) => {
    let source: string | Buffer = h.zip();
    if (from === 'file') {
      const file = join(hostileDir, `${i}.zip`);
      writeFileSync(file, source);
      source = file;
    }
    const err = await readModuleZip(source, h.mv ?? MV, { limits: h.limits }).then(
      () => null,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(ZipRejectedError);
    const z = err as ZipRejectedError;
    expect(z.entry).toBe(h.entry);
    expect(z.reason).toMatch(h.reason);
    if (h.entry !== null) expect(z.message.startsWith(h.entry)).toBe(true);
  });
});

describe('zipModuleVersion', () => {
  it('refuses a zip whose entries do not share one prefix', async () => {
    const zip = buildRawZip([{ name: P + 'a.go', data: 'x' }, { name: 'example.com/n@v1.0.0/b.go', data: 'x' }]);
    await expect(zipModuleVersion(zip)).rejects.toThrow(/does not share the prefix/);
  });

  it('finds a path containing @ in no element but the last', async () => {
    const zip = buildRawZip([{ name: 'github.com/a/b/v2@v2.3.4-pre.1/x.go', data: 'x' }]);
    expect(await zipModuleVersion(zip)).toEqual({ path: 'github.com/a/b/v2', version: 'v2.3.4-pre.1' });
  });
});

describe('readModuleZip on large entries (streamed path)', () => {
  it('hashes large stored and deflated entries like the in-memory reference', async () => {
    const a = randomBytes(3 * MB);
    const b = Buffer.from('package big // text\n'.repeat(200_000));
    const zip = buildRawZip([
      { name: P + 'a.bin', data: a, method: 0 },
      { name: P + 'b.go', data: b, method: 8 },
      { name: P + 'go.mod', data: 'module example.com/m\n' },
    ]);
    const want = (await readModuleZip(await buildModuleZip(MV.path, MV.version, { 'a.bin': a, 'b.go': b, 'go.mod': 'module example.com/m\n' }), MV)).h1;
    const dir = mkdtempSync(join(tmpdir(), 'modzip-large-'));
    try {
      const file = join(dir, 'large.zip');
      writeFileSync(file, zip);
      const got = await readModuleZip(file, MV, { keepContent: (p) => p === 'b.go' });
      expect(got.h1).toBe(want);
      expect(got.files.find((f) => f.path === 'b.go')!.content!.equals(b)).toBe(true);
      expect((await readModuleZip(zip, MV)).h1).toBe(want);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

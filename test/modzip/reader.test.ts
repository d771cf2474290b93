import { writeFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { readModuleZip, zipModuleVersion, ZipRejectedError } from '../../src/modzip/reader.js';
import { hashGoMod } from '../../src/modzip/hash.js';
import { buildModuleZip } from '../helpers/module-zip.js';
import { buildRawZip, type RawEntry } from '../helpers/hostile-zip.js';
import { hostile, MB } from './helpers/hostile-corpus.js';

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

  it('ignores the encryption flag and reads the bytes as stored, as Go does', async () => {
    const plain = await readModuleZip(buildRawZip([{ name: P + 'a.go', data: 'package a\n' }]), MV);
    const flagged = await readModuleZip(buildRawZip([{ name: P + 'a.go', data: 'package a\n', flags: 0x801 }]), MV);
    expect(flagged.h1).toBe(plain.h1);
  });

  it('accepts a directory entry with compressed bytes that inflate to nothing (jar tool), hashing it as empty', async () => {
    const jar = await readModuleZip(buildRawZip([{ name: P + 'd/', data: '', method: 8 }, { name: P + 'd/a.go', data: 'package d\n' }]), MV);
    const plain = await readModuleZip(buildRawZip([{ name: P + 'd/', method: 0 }, { name: P + 'd/a.go', data: 'package d\n' }]), MV);
    expect(jar.h1).toBe(plain.h1);
  });

  it('accepts an entry whose header CRC is 0, as Go does', async () => {
    const got = await readModuleZip(buildRawZip([{ name: P + 'a.go', data: 'package a\n', crc: 0 }]), MV);
    expect(got.files).toHaveLength(1);
  });
});

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

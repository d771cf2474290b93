import { Readable } from 'node:stream';
import { randomBytes } from 'node:crypto';
import { createHash } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import tar from 'tar-stream';
import { readTarGz, TarballFormatError, TarballTooLargeError, type TarEntry } from '../../src/sources/tarball.js';
import { buildTarball, makeCommit } from '../helpers/github-server.js';

const sha256 = (s: string | Buffer) => createHash('sha256').update(s).digest('hex');

async function tarGz(entries: Array<{ header: Parameters<ReturnType<typeof tar.pack>['entry']>[0]; body?: string | Buffer }>): Promise<Buffer> {
  const pack = tar.pack();
  for (const e of entries) {
    if (e.body === undefined) pack.entry(e.header);
    else pack.entry(e.header, e.body);
  }
  pack.finalize();
  const chunks: Buffer[] = [];
  for await (const c of pack) chunks.push(c as Buffer);
  return gzipSync(Buffer.concat(chunks));
}

async function readAll(buf: Buffer, opts: Partial<Parameters<typeof readTarGz>[1]> = {}) {
  const entries: TarEntry[] = [];
  const summary = await readTarGz(Readable.from([buf]), { maxBytes: 10 << 20, keepContent: () => true, ...opts }, (e) => entries.push(e));
  return { entries, summary };
}

describe('readTarGz', () => {
  it('reads a GitHub-style tarball: pax global header, top directory stripped, symlinks non-regular', async () => {
    const commit = makeCommit({ 'go.mod': 'module github.com/o/r\n', 'a/b.go': 'package a\n', 'link.go': { symlink: 'a/b.go' } }, '2024-01-02T03:04:05Z');
    const { entries, summary } = await readAll(await buildTarball(`o-r-${commit.sha.slice(0, 7)}`, commit));
    expect(summary.topDir).toBe(`o-r-${commit.sha.slice(0, 7)}`);
    const files = entries.filter((e) => e.type === 'file');
    expect(files.map((e) => e.path).sort()).toEqual(['a/b.go', 'go.mod']);
    expect(files.find((e) => e.path === 'a/b.go')).toMatchObject({ size: 10, sha256: sha256('package a\n'), content: Buffer.from('package a\n') });
    expect(entries.find((e) => e.path === 'link.go')).toEqual({ path: 'link.go', type: 'symlink', size: 0, sha256: '' });
    expect(entries.filter((e) => e.type === 'directory').map((e) => e.path)).toEqual(['a']);
  });

  it('handles names longer than 100 bytes (pax / ustar prefix)', async () => {
    const long = `${'d'.repeat(120)}/${'f'.repeat(90)}.go`;
    const { entries } = await readAll(await tarGz([{ header: { name: `top/${long}` }, body: 'x' }]));
    expect(entries).toEqual([{ path: long, type: 'file', size: 1, sha256: sha256('x'), content: Buffer.from('x') }]);
  });

  it('keeps content only when asked', async () => {
    const { entries } = await readAll(await tarGz([{ header: { name: 't/a' }, body: 'aaa' }, { header: { name: 't/b' }, body: 'bbbb' }]), {
      keepContent: (p) => p === 'a',
    });
    expect(entries[0].content?.toString()).toBe('aaa');
    expect(entries[1].content).toBeUndefined();
    expect(entries[1].sha256).toBe(sha256('bbbb'));
  });

  it('stops at the compressed byte cap', async () => {
    const big = await tarGz([{ header: { name: 't/big' }, body: randomBytes(300_000) }]);
    await expect(readAll(big, { maxBytes: 100_000 })).rejects.toBeInstanceOf(TarballTooLargeError);
  });

  it('stops a gzip bomb at the uncompressed cap', async () => {
    const bomb = await tarGz([{ header: { name: 't/zeros' }, body: Buffer.alloc(5_000_000) }]);
    expect(bomb.length).toBeLessThan(100_000);
    await expect(readAll(bomb, { maxUncompressedBytes: 1_000_000 })).rejects.toThrow(/uncompressed bytes/);
  });

  it('rejects entries outside the single top directory and unsafe names', async () => {
    await expect(readAll(await tarGz([{ header: { name: 't/a' }, body: '1' }, { header: { name: 'u/b' }, body: '2' }]))).rejects.toThrow(
      /"u\/b" is not under the top-level directory "t\/"/,
    );
    await expect(readAll(await tarGz([{ header: { name: 't/../etc/passwd' }, body: '1' }]))).rejects.toBeInstanceOf(TarballFormatError);
    await expect(readAll(await tarGz([{ header: { name: 'rootfile' }, body: '1' }]))).rejects.toThrow(/outside the top-level directory/);
  });

  it('reports a corrupt archive as a format error', async () => {
    await expect(readAll(Buffer.from('this is not gzip'))).rejects.toBeInstanceOf(TarballFormatError);
    const truncated = (await tarGz([{ header: { name: 't/a' }, body: randomBytes(20_000) }])).subarray(0, 5_000);
    await expect(readAll(truncated)).rejects.toBeInstanceOf(TarballFormatError);
  });
});

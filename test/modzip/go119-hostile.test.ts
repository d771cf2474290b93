/**
 * The hostile corpus against go1.19's golang.org/x/mod/zip: every zip we refuse, Go refuses too (in CheckZip,
 * Unzip or dirhash.HashZip), and where Go's CheckZip names the entry, we name the same entry with the same
 * words. Answers recorded by test/modzip/gen/generate-go119-hostile.mjs.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { readModuleZip, ZipRejectedError } from '../../src/modzip/reader.js';

interface Case {
  title: string;
  file: string;
  module: string;
  version: string;
  go: { checkError?: string; unzipError?: string; hashError?: string; hash?: string };
}
const DIR = new URL('../fixtures/modzip/go119/hostile/', import.meta.url).pathname;
const { cases } = JSON.parse(readFileSync(join(DIR, 'cases.json'), 'utf8')) as { cases: Case[] };

// go1.19's archive/zip still read a directory entry's data; today's archive/zip refuses it (File.Open returns
// ErrFormat for a directory with uncompressed data), and a current toolchain is what the proxy runs.
const NEWER_GO_REFUSES = new Set(['directory entry with data']);
// Messages that come from the shared module-path checks, worded like current golang/mod rather than go1.19.
const OTHER_WORDING = new Set(['major version mismatch']);

let sameWords = 0;
it('covers the corpus', () => expect(cases.length).toBeGreaterThan(30));
afterAll(() => {
  // The word-for-word comparison below must really have run for the CheckZip-stage cases.
  expect(sameWords).toBeGreaterThanOrEqual(15);
});

describe.each(cases.map((c) => [c.title, c] as const))('%s', (_t, c) => {
  it('is refused by us, and by Go', async () => {
    const err = await readModuleZip(join(DIR, c.file), { path: c.module, version: c.version }).then(
      () => null,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(ZipRejectedError);
    const goRefused = Boolean(c.go.checkError || c.go.unzipError || c.go.hashError);
    expect(goRefused).toBe(!NEWER_GO_REFUSES.has(c.title));

    // Where Go's CheckZip names an entry, we name the same entry in the same words.
    const first = c.go.checkError?.split('\n')[0];
    const z = err as ZipRejectedError;
    if (first && z.entry !== null && first.startsWith(z.entry + ': ') && !OTHER_WORDING.has(c.title)) {
      expect(z.message).toBe(first);
      sameWords++;
    }
  });
});

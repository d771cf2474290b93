import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { isProbablyText, unifiedDiff } from '../../../src/checks/textdiff.js';

/** GNU diff -u output for the same inputs, without the timestamps on the ---/+++ lines. */
function gnuDiff(a: string, b: string): string | null {
  const dir = mkdtempSync(join(tmpdir(), 'mw-diff-'));
  writeFileSync(join(dir, 'a'), a);
  writeFileSync(join(dir, 'b'), b);
  try {
    execFileSync('diff', ['-u', '--label', 'origin/f.go', '--label', 'proxy/f.go', 'a', 'b'], { cwd: dir });
    return '';
  } catch (e) {
    const err = e as { status?: number; stdout?: Buffer };
    if (err.status === 1 && err.stdout) return err.stdout.toString();
    return null;
  }
}
const haveDiff = gnuDiff('a\n', 'b\n') !== null;

describe('unifiedDiff', () => {
  it('shows an injected init function as added lines with context', () => {
    const clean = 'package bolt\n\nimport "os"\n\nfunc Open() {}\n';
    const evil = 'package bolt\n\nimport "os"\n\nfunc init() { go backdoor() }\n\nfunc Open() {}\n';
    expect(unifiedDiff('origin/db.go', 'proxy/db.go', clean, evil)).toBe(
      [
        '--- origin/db.go',
        '+++ proxy/db.go',
        '@@ -2,4 +2,6 @@',
        ' ',
        ' import "os"',
        ' ',
        '+func init() { go backdoor() }',
        '+',
        ' func Open() {}',
        '',
      ].join('\n'),
    );
  });

  it('diffs a whole new file against empty text', () => {
    expect(unifiedDiff('/dev/null', 'proxy/x.go', '', 'package x\nfunc X() {}\n')).toBe(
      '--- /dev/null\n+++ proxy/x.go\n@@ -0,0 +1,2 @@\n+package x\n+func X() {}\n',
    );
  });

  it('returns empty for equal text, and null past the edit bound instead of going quadratic', () => {
    expect(unifiedDiff('a', 'b', 'same\n', 'same\n')).toBe('');
    const a = Array.from({ length: 20000 }, (_, i) => `a ${i}`).join('\n');
    const b = Array.from({ length: 20000 }, (_, i) => `b ${i}`).join('\n');
    expect(unifiedDiff('a', 'b', a, b, { maxEditLength: 500 })).toBeNull();
    // A whole new file costs only its length: always shown, however long.
    expect(unifiedDiff('/dev/null', 'proxy/b', '', b, { maxEditLength: 500, maxLines: 5 })).toBe('--- /dev/null\n+++ proxy/b\n@@ -0,0 +1,20000 @@\n+b 0\n+b 1\n... (19999 more lines)\n');
  });

  it('cuts long diffs with a marker', () => {
    const a = Array.from({ length: 100 }, (_, i) => `a${i}`).join('\n') + '\n';
    const b = Array.from({ length: 100 }, (_, i) => `b${i}`).join('\n') + '\n';
    const d = unifiedDiff('a', 'b', a, b, { maxLines: 20 })!;
    expect(d.split('\n')).toHaveLength(22);
    expect(d).toMatch(/\.\.\. \(183 more lines\)\n$/);
  });

  (haveDiff ? it : it.skip)('agrees with GNU diff -u on random line edits', () => {
    const lines = fc.array(fc.constantFrom('a', 'b', 'c', 'd', '', 'func x() {}'), { maxLength: 25 });
    fc.assert(
      fc.property(lines, lines, fc.boolean(), fc.boolean(), (xa, xb, nla, nlb) => {
        const a = xa.join('\n') + (nla && xa.length ? '\n' : '');
        const b = xb.join('\n') + (nlb && xb.length ? '\n' : '');
        const ours = unifiedDiff('origin/f.go', 'proxy/f.go', a, b);
        const theirs = gnuDiff(a, b);
        // Hunks may legitimately differ in how they align equal lines; the counts and the edit must agree.
        expect(ours === '').toBe(theirs === '');
        if (ours && theirs) {
          expect(applyDiff(a, ours)).toBe(b);
          const headers = (s: string) => s.split('\n').filter((l) => l.startsWith('@@')).length;
          expect(headers(ours)).toBeGreaterThan(0);
          expect(Math.abs(headers(ours) - headers(theirs))).toBeLessThanOrEqual(headers(theirs));
        }
      }),
      { numRuns: 150 },
    );
  });
});

/** Applies a unified diff to `a` (test oracle: the diff must turn a into b). */
function applyDiff(a: string, diff: string): string {
  const src = a === '' ? [] : a.replace(/\n$/, '').split('\n');
  const out: string[] = [];
  let pos = 0;
  let noNl = !a.endsWith('\n') && a !== '';
  let lastKind = '';
  for (const line of diff.split('\n').slice(2)) {
    const m = /^@@ -(\d+)(?:,(\d+))? \+\d+(?:,\d+)? @@$/.exec(line);
    if (m) {
      const start = Number(m[1]);
      const count = m[2] === undefined ? 1 : Number(m[2]);
      const upto = count === 0 ? start : start - 1;
      while (pos < upto) out.push(src[pos++]);
      continue;
    }
    if (line.startsWith('\\')) {
      if (lastKind !== '-') noNl = true;
      continue;
    }
    if (line === '') continue;
    const kind = line[0];
    lastKind = kind;
    if (kind === ' ') out.push(src[pos++]);
    else if (kind === '-') pos++;
    else if (kind === '+') out.push(line.slice(1));
    if (kind !== '-') noNl = false;
  }
  while (pos < src.length) {
    out.push(src[pos++]);
    noNl = !a.endsWith('\n');
  }
  return out.length ? out.join('\n') + (noNl ? '' : '\n') : '';
}

describe('isProbablyText', () => {
  it('accepts UTF-8 text and rejects binary', () => {
    expect(isProbablyText(Buffer.from('package main // héllo\n'))).toBe(true);
    expect(isProbablyText(Buffer.from([0x50, 0x4b, 0x03, 0x04, 0x00]))).toBe(false);
    expect(isProbablyText(Buffer.from([0xff, 0xfe, 0x41]))).toBe(false);
  });
});

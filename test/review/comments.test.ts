import { planReview, postedFingerprints, rightSideLines } from '../../src/review/comments.js';
import { findingFingerprint } from '../../src/report/fingerprint.js';
import { boltFinding } from '../report/sample.js';

// A real GitHub pulls/files patch shape: two hunks, removals, context, and "\ No newline".
const PATCH = [
  '@@ -3,6 +3,8 @@ go 1.21',
  ' require (',
  ' \tgithub.com/pkg/errors v0.9.1',
  '-\tgithub.com/x/y v0.9.0',
  '+\tgithub.com/x/y v1.0.0',
  '+\tgithub.com/boltdb-go/bolt v1.3.1',
  '+\tgithub.com/a/b v1.0.0',
  ' )',
  ' ',
  '@@ -20,2 +22,3 @@ replace (',
  ' replace a => b v1.0.0',
  '-replace c => d v1.0.0',
  '+replace c => e v1.0.0',
  '\\ No newline at end of file',
].join('\n');

describe('rightSideLines', () => {
  it('returns added and context lines of the new file, never removed ones', () => {
    expect([...rightSideLines(PATCH)].sort((a, b) => a - b)).toEqual([3, 4, 5, 6, 7, 8, 9, 22, 23]);
  });
  it('is empty for a missing patch (binary or too large)', () => {
    expect(rightSideLines(undefined).size).toBe(0);
  });
  it('handles a new file', () => {
    expect([...rightSideLines('@@ -0,0 +1,3 @@\n+module m\n+\n+go 1.21')]).toEqual([1, 2, 3]);
  });
});

describe('planReview', () => {
  const files = [{ filename: 'go.mod', patch: PATCH }];

  it('puts findings on diff lines inline (line + side RIGHT) and the rest in the body', () => {
    const inDiff = boltFinding({ line: 6 });
    const outside = boltFinding({ rule: 'gosum-mismatch', severity: 'high', line: 40, title: 'go.sum differs.' });
    const plan = planReview({ findings: [inDiff, outside], files, headSha: 'abc123', posted: new Set() })!;
    expect(plan.commit_id).toBe('abc123');
    expect(plan.event).toBe('COMMENT');
    expect(plan.comments).toHaveLength(1);
    expect(plan.comments[0]).toMatchObject({ path: 'go.mod', line: 6, side: 'RIGHT' });
    expect(plan.comments[0]!.body).toContain('content-diverged');
    expect(plan.comments[0]!.body).toContain(`<!-- modwarden:fp=${findingFingerprint(inDiff)} -->`);
    expect(plan.body).toContain('On lines outside the diff');
    expect(plan.body).toContain('❌ **high `gosum-mismatch`**: `go.sum` differs.');
    expect(postedFingerprints([plan.body])).toEqual(new Set([findingFingerprint(inDiff), findingFingerprint(outside)]));
  });

  it('groups findings on the same line into one comment', () => {
    const plan = planReview({ findings: [boltFinding({ line: 6 }), boltFinding({ line: 6, rule: 'typosquat', severity: 'high' })], files, headSha: 'h', posted: new Set() })!;
    expect(plan.comments).toHaveLength(1);
    expect(plan.comments[0]!.body).toMatch(/content-diverged[\s\S]*typosquat/);
  });

  it('a removed line (left side only) is not commented inline', () => {
    const plan = planReview({ findings: [boltFinding({ line: 21 })], files, headSha: 'h', posted: new Set() })!;
    expect(plan.comments).toHaveLength(0);
  });

  it('posts nothing on a clean PR, for ignored or info findings, or when every finding was posted before', () => {
    expect(planReview({ findings: [], files, headSha: 'h', posted: new Set() })).toBeNull();
    expect(planReview({ findings: [boltFinding({ ignored: { by: 'a', reason: 'b' } }), boltFinding({ severity: 'info' })], files, headSha: 'h', posted: new Set() })).toBeNull();
    const f = boltFinding({ line: 6 });
    const first = planReview({ findings: [f], files, headSha: 'h1', posted: new Set() })!;
    // A new commit that moved the line still has the same finding: nothing new to say.
    expect(planReview({ findings: [{ ...f, line: 7 }], files, headSha: 'h2', posted: postedFingerprints([first.body]) })).toBeNull();
  });

  it('only the new findings are posted after a new commit', () => {
    const a = boltFinding({ line: 6 });
    const b = boltFinding({ line: 7, module: 'github.com/a/b', version: 'v1.0.0', rule: 'typosquat', severity: 'high' });
    const plan = planReview({ findings: [a, b], files, headSha: 'h2', posted: new Set([findingFingerprint(a)]) })!;
    expect(plan.fingerprints).toEqual([findingFingerprint(b)]);
    expect(plan.comments.map((c) => c.line)).toEqual([7]);
  });
});

/** The pure judge on hand-built facts: what was not gathered decides as much as what was. */
import { judge, type VerifyFacts } from '../../../src/checks/divergence/judge.js';
import type { ContentComparison } from '../../../src/checks/divergence/content.js';
import type { OriginFacts } from '../../../src/checks/divergence/origin-facts.js';
import type { ProxyFacts } from '../../../src/checks/divergence/proxy-facts.js';

const H1 = 'h1:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=';
const OTHER = 'h1:BBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBB=';
const RECORDED = '1'.repeat(40);
const TAGGED = '2'.repeat(40);

const served: ProxyFacts = {
  time: '2021-11-10T08:05:00Z',
  origin: { VCS: 'git', URL: 'https://github.com/o/r', Hash: RECORDED },
  h1: H1,
  goModH1: 'h1:mod',
  zipGoModH1: 'h1:mod',
  files: [{ path: 'go.mod', size: 10, sha256: 'x', gitBlobId: 'y' }],
};

function origin(over: Partial<OriginFacts> = {}): OriginFacts {
  return {
    location: { owner: 'o', repo: 'r', codeDir: '', pathMajor: '', via: 'module-path', label: 'github.com/o/r', url: 'https://github.com/o/r', protocol: 'github-api' },
    reader: null as never,
    repo: 'o/r',
    key: { owner: 'o', repo: 'r' },
    label: 'github.com/o/r',
    tag: 'v1.0.0',
    repoGone: false,
    tagged: { tag: 'v1.0.0', commit: RECORDED, annotated: false },
    commit: RECORDED,
    commitDate: '2021-11-10T08:05:00Z',
    ...over,
  };
}

const content = (same: boolean): ContentComparison => ({
  h1: same ? H1 : OTHER,
  goModH1: 'h1:mod',
  same,
  files: same ? { added: [], removed: [], modified: [] } : { added: ['evil.go'], removed: [], modified: [] },
  confirmedByGit: [],
  diffs: [],
  binary: [],
});

const facts = (over: Partial<VerifyFacts>): VerifyFacts => ({ module: 'github.com/o/r', version: 'v1.0.0', ...over });
const read = (o: OriginFacts) => ({ status: 'read' as const, facts: o });

describe('judge', () => {
  it('is consistent only when the content was compared and matched', () => {
    expect(judge(facts({ proxy: { status: 'read', facts: served }, origin: read(origin()), content: content(true) })).verdicts).toEqual(['consistent']);
    // Everything agreed, but the tree was never read: not consistent.
    const unread = judge(facts({ proxy: { status: 'read', facts: served }, origin: read(origin()) }));
    expect(unread.verdicts).toEqual(['verify-failed']);
    expect(unread.cause).toMatchObject({ kind: 'internal' });
    expect(judge(facts({})).verdicts).toEqual(['verify-failed']);
  });

  it('tells a failed source (verify-failed) from an unsupported origin (unverifiable)', () => {
    const down = judge(facts({ proxy: { status: 'not-read', resource: 'zip', cause: { kind: 'server-error', source: 'proxy', detail: 'HTTP 500' } } }));
    expect(down).toMatchObject({ verdict: 'verify-failed', cause: { kind: 'server-error' } });
    expect(down.reasons).toEqual(['could not read the .zip of github.com/o/r@v1.0.0 from the module proxy: HTTP 500']);
    const gitlab = judge(facts({ proxy: { status: 'read', facts: served }, origin: { status: 'unsupported', cause: { kind: 'not-github', source: 'origin', detail: 'on gitlab.com' } } }));
    expect(gitlab).toMatchObject({ verdict: 'unverifiable', cause: { kind: 'not-github' } });
    const blocked = judge(facts({ proxy: { status: 'blocked', reason: 'malicious' } }));
    expect(blocked.verdicts).toEqual(['proxy-blocked']);
    expect(blocked.cause).toBeUndefined();
  });

  it('keeps the history verdict when the origin fails half way', () => {
    const o = origin({ tagged: { tag: 'v1.0.0', commit: TAGGED, annotated: false }, commit: TAGGED, failure: { kind: 'timeout', source: 'origin', detail: 'timed out' } });
    expect(judge(facts({ proxy: { status: 'read', facts: served }, origin: read(o) })).verdicts).toEqual(['tag-moved', 'verify-failed']);
  });

  it('finds the boltdb-go shape: a moved tag, a later commit, different content', () => {
    const o = origin({ tagged: { tag: 'v1.0.0', commit: TAGGED, annotated: false }, commit: TAGGED, commitDate: '2021-11-12T09:30:00Z' });
    const j = judge(facts({ proxy: { status: 'read', facts: served }, origin: read(o), content: content(false) }));
    expect(j.verdicts).toEqual(['content-diverged', 'tag-moved']);
    expect(j.rewrittenAfterProxy).toBe(true);
    // Without a recorded commit, the later date alone shows the move.
    const unrecorded = judge(facts({ proxy: { status: 'read', facts: { ...served, origin: null } }, origin: read(o), content: content(true) }));
    expect(unrecorded.verdicts).toEqual(['tag-moved']);
  });

  it('is pure: the same facts give the same judgement and are left as they were', () => {
    const f = facts({ proxy: { status: 'read', facts: served }, origin: read(origin()), content: content(false), checksums: { goSum: { h1: OTHER }, sumdb: { status: 'invalid', detail: 'forged' } } });
    const before = JSON.stringify(f);
    const first = judge(f);
    expect(judge(f)).toEqual(first);
    expect(JSON.stringify(f)).toBe(before);
    expect(first.verdicts).toEqual(['content-diverged', 'sumdb-invalid', 'gosum-mismatch']);
  });
});

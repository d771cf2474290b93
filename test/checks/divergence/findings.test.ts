import { divergenceFindings, VERDICT_PRECEDENCE, type VerifyResult } from '../../../src/checks/divergence/verify.js';
import { RULE_IDS } from '../../../src/findings.js';
import type { RequirementChange } from '../../../src/gomod/types.js';

const change: RequirementChange = {
  goModPath: 'svc/go.mod',
  module: 'github.com/o/r',
  kind: 'upgraded',
  from: 'v1.0.0',
  to: 'v1.1.0',
  line: 12,
  indirect: false,
  replacement: null,
  fetch: { path: 'github.com/o/r', version: 'v1.1.0' },
};

function result(over: Partial<VerifyResult>): VerifyResult {
  return {
    module: 'github.com/o/r',
    version: 'v1.1.0',
    verdict: 'consistent',
    verdicts: ['consistent'],
    proxy: { h1: 'h1:P', goModH1: 'h1:PM', origin: null, time: '2024-01-01T00:00:00Z' },
    origin: { repo: 'o/r', commit: 'c'.repeat(40), h1: 'h1:O', goModH1: 'h1:OM', tag: 'v1.1.0' },
    files: { added: [], removed: [], modified: [] },
    reasons: [],
    ...over,
  };
}

describe('divergenceFindings', () => {
  it('gives nothing for a consistent version', () => {
    expect(divergenceFindings(change, result({}))).toEqual([]);
  });

  it('maps every problem verdict to its rule and severity, anchored on the go.mod line', () => {
    const expected: Record<string, string> = {
      'proxy-blocked': 'critical',
      'content-diverged': 'critical',
      'sumdb-mismatch': 'critical',
      'gosum-mismatch': 'high',
      'tag-moved': 'high',
      'tag-missing': 'medium',
    };
    for (const [v, severity] of Object.entries(expected)) {
      const [f] = divergenceFindings(change, result({ verdict: v as VerifyResult['verdict'], verdicts: [v as VerifyResult['verdict']], reasons: ['because'] }));
      expect(f).toMatchObject({ rule: v, severity, module: 'github.com/o/r', version: 'v1.1.0', goModPath: 'svc/go.mod', line: 12 });
      expect(RULE_IDS).toContain(f.rule);
      expect(f.title.length).toBeGreaterThan(10);
      expect(f.message.length).toBeGreaterThan(40);
      expect(f.evidence).toMatchObject({ proxy: { h1: 'h1:P' }, origin: { h1: 'h1:O' }, files: { added: [] } });
    }
  });

  it('reports unverifiable only when nothing worse was found, quieter for private modules', () => {
    const limited = divergenceFindings(
      change,
      result({ verdict: 'unverifiable', verdicts: ['unverifiable'], unverifiableCause: 'rate-limited', reasons: ['GitHub API rate limit reached'] }),
    );
    expect(limited).toHaveLength(1);
    expect(limited[0]).toMatchObject({ rule: 'unverifiable', severity: 'low' });
    expect(limited[0].message).toMatch(/rate limit resets/);
    const priv = divergenceFindings(change, result({ verdict: 'unverifiable', verdicts: ['unverifiable'], unverifiableCause: 'private', reasons: ['private'] }));
    expect(priv[0].severity).toBe('info');
    const both = divergenceFindings(change, result({ verdict: 'tag-moved', verdicts: ['tag-moved', 'unverifiable'], unverifiableCause: 'too-large', reasons: ['x'] }));
    expect(both.map((f) => f.rule)).toEqual(['tag-moved']);
  });

  it('keeps the verdict precedence a reviewer needs: bad bytes first, then history rewriting, then unknowns', () => {
    expect(VERDICT_PRECEDENCE).toEqual(['proxy-blocked', 'content-diverged', 'sumdb-mismatch', 'gosum-mismatch', 'tag-moved', 'tag-missing', 'unverifiable', 'consistent']);
  });
});

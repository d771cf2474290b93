import { divergenceFindings, VERDICT_PRECEDENCE, type VerifyResult } from '../../../src/checks/divergence/verify.js';
import { escalateLookalikeRetags } from '../../../src/checks/divergence/findings.js';
import { RULE_IDS, RULES, type Finding } from '../../../src/findings.js';
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

const P = 'h1:PPPPPPPPPPPPPPPPPPPPPPPPPPPPPPPPPPPPPPPPPPP=';
const G = 'h1:GGGGGGGGGGGGGGGGGGGGGGGGGGGGGGGGGGGGGGGGGGG=';

function result(over: Partial<VerifyResult>): VerifyResult {
  return {
    module: 'github.com/o/r',
    version: 'v1.1.0',
    verdict: 'consistent',
    verdicts: ['consistent'],
    proxy: { h1: P, goModH1: 'h1:PM', origin: { Hash: 'a'.repeat(40) }, time: '2024-01-01T00:00:00Z' },
    origin: { repo: 'o/r', commit: 'c'.repeat(40), h1: 'h1:O', goModH1: 'h1:OM', tag: 'v1.1.0', commitDate: '2024-02-01T00:00:00Z' },
    files: { added: ['evil.go'], removed: [], modified: [] },
    checksums: { goSum: { h1: G, goModH1: null }, sumdb: { h1: G, goModH1: null }, sumdbInvalid: 'SECURITY ERROR: bad signature' },
    reasons: [],
    ...over,
  };
}

const only = (v: VerifyResult['verdict'], over: Partial<VerifyResult> = {}) => result({ verdict: v, verdicts: [v], reasons: ['because'], ...over });

describe('divergenceFindings', () => {
  it('gives nothing for a consistent version', () => {
    expect(divergenceFindings(change, result({}))).toEqual([]);
  });

  it('maps every problem verdict to its rule at the rule table severity, anchored on the go.mod line', () => {
    const problems = VERDICT_PRECEDENCE.filter((v) => v !== 'consistent' && v !== 'unverifiable');
    for (const v of problems) {
      const [f] = divergenceFindings(change, only(v, v === 'verify-failed' ? { cause: { kind: 'server-error', source: 'proxy', detail: 'HTTP 500' } } : {}));
      expect(RULE_IDS).toContain(f!.rule);
      expect(f).toMatchObject({ rule: v, severity: RULES.find((r) => r.id === v)!.defaultSeverity, module: 'github.com/o/r', version: 'v1.1.0', goModPath: 'svc/go.mod', line: 12 });
      // One line of title; the message says what the rule adds, the evidence is structured.
      expect(f!.title).not.toMatch(/\n/);
      expect(f!.message).not.toContain('```');
      expect(f!.evidence).toMatchObject({ proxy: { h1: P }, origin: { h1: 'h1:O', repo: 'o/r' }, files: { added: ['evil.go'] } });
    }
  });

  it('names what differs in each checksum finding', () => {
    const [gosum] = divergenceFindings(change, only('gosum-mismatch'));
    expect(gosum!.message).toContain(`go.sum has \`${G}\` for the module content; the proxy's copy hashes to \`${P}\`.`);
    const [sumdb] = divergenceFindings(change, only('sumdb-mismatch'));
    expect(sumdb!.message).toContain(`The database records \`${G}\``);
    const [invalid] = divergenceFindings(change, only('sumdb-invalid'));
    expect(invalid!.message).toMatch(/^`SECURITY ERROR: bad signature`\. Someone may be serving forged checksums/);
  });

  it('verify-failed: retry in the title, the cause in a code span, severity high', () => {
    const [f] = divergenceFindings(change, only('verify-failed', { cause: { kind: 'corrupt-zip', source: 'proxy', detail: 'db.go: corrupt data @team' } }));
    expect(f).toMatchObject({ rule: 'verify-failed', severity: 'high' });
    expect(f!.title).toBe("Could not verify `github.com/o/r@v1.1.0`: the module proxy's zip is corrupt — /rescan to retry");
    expect(f!.message).toBe('`db.go: corrupt data @team`. The content was never compared, so this change is not reviewed.');
    const [limited] = divergenceFindings(change, only('verify-failed', { cause: { kind: 'rate-limited', source: 'origin', detail: 'GitHub API rate limit reached' } }));
    expect(limited!.title).toContain('GitHub rate-limited the check');
    expect(limited!.message).toContain('A GitHub token raises the limit.');
  });

  it('keeps verify-failed next to a history verdict, drops it next to a content verdict', () => {
    const cause = { kind: 'too-large' as const, source: 'origin' as const, detail: 'tarball too large' };
    const moved = divergenceFindings(change, result({ verdict: 'tag-moved', verdicts: ['tag-moved', 'verify-failed'], cause }));
    expect(moved.map((f) => f.rule)).toEqual(['tag-moved', 'verify-failed']);
    const blocked = divergenceFindings(change, result({ verdict: 'proxy-blocked', verdicts: ['proxy-blocked', 'verify-failed'], cause }));
    expect(blocked.map((f) => f.rule)).toEqual(['proxy-blocked']);
  });

  it('reports unverifiable only when nothing worse was found: low for an unsupported host, info for deliberate settings', () => {
    const host = divergenceFindings(change, only('unverifiable', { cause: { kind: 'not-github', source: 'origin', detail: 'the origin of x is on gitlab.com' } }));
    expect(host).toHaveLength(1);
    expect(host[0]).toMatchObject({ rule: 'unverifiable', severity: 'low', title: 'Cannot compare `github.com/o/r@v1.1.0` with its origin' });
    expect(host[0]!.message).toMatch(/^`the origin of x is on gitlab\.com`\. This is not evidence of an attack/);
    const priv = divergenceFindings(change, only('unverifiable', { cause: { kind: 'private', source: 'proxy', detail: 'matches GOPRIVATE=github.com/o' } }));
    expect(priv[0]!.severity).toBe('info');
    const both = divergenceFindings(change, result({ verdict: 'tag-moved', verdicts: ['tag-moved', 'unverifiable'], cause: { kind: 'not-github', source: 'origin', detail: 'x' } }));
    expect(both.map((f) => f.rule)).toEqual(['tag-moved']);
  });

  it('says which thing is gone in a tag-missing title', () => {
    const titles = (['repository', 'tag', 'commit'] as const).map((missing) => divergenceFindings(change, only('tag-missing', { origin: { ...result({}).origin, h1: null, missing } }))[0]!.title);
    expect(titles).toEqual([
      '`github.com/o/r` no longer exists, but the proxy still serves `github.com/o/r@v1.1.0`',
      'Tag `v1.1.0` is gone from `github.com/o/r`, but the proxy still serves `github.com/o/r@v1.1.0`',
      'The commit of `github.com/o/r@v1.1.0` is gone from `github.com/o/r`, but the proxy still serves it',
    ]);
  });

  it('keeps the verdict precedence a reviewer needs: bad bytes first, then history rewriting, then unknowns', () => {
    expect(VERDICT_PRECEDENCE).toEqual([
      'proxy-blocked',
      'content-diverged',
      'sumdb-mismatch',
      'sumdb-invalid',
      'gosum-mismatch',
      'tag-moved',
      'tag-missing',
      'verify-failed',
      'unverifiable',
      'consistent',
    ]);
  });
});

describe('escalateLookalikeRetags', () => {
  const finding = (rule: Finding['rule'], severity: Finding['severity'], module: string, evidence: Record<string, unknown> = {}): Finding => ({
    rule,
    severity,
    module,
    version: 'v1.0.0',
    goModPath: 'go.mod',
    line: 3,
    title: `${rule} ${module}`,
    message: 'm.',
    evidence,
  });
  const benign = { triage: { kind: 'benign', why: ['forward retag'] } };

  it('makes a benign retag critical on a module the typosquat check finds a look-alike, saying why', () => {
    const out = escalateLookalikeRetags([finding('typosquat', 'high', 'github.com/a-go/x'), finding('tag-moved', 'medium', 'github.com/a-go/x', benign), finding('content-diverged', 'medium', 'github.com/a-go/x', benign)]);
    expect(out.map((f) => f.severity)).toEqual(['high', 'critical', 'critical']);
    expect(out[1]!.message).toMatch(/^m\. Not benign after all: the module path looks like another module/);
    expect((out[1]!.evidence as { triage: { kind: string; escalatedBy: string } }).triage).toMatchObject({ kind: 'suspicious', escalatedBy: 'typosquat' });
  });

  it('leaves benign retags alone without a failing typosquat finding on the same module', () => {
    const input = [finding('typosquat', 'medium', 'github.com/a/x'), finding('tag-moved', 'medium', 'github.com/a/x', benign), finding('typosquat', 'critical', 'github.com/b/y'), finding('tag-moved', 'medium', 'github.com/c/z', benign)];
    expect(escalateLookalikeRetags(input)).toEqual(input);
  });

  it('does not touch undetermined or suspicious triage, nor other rules', () => {
    const input = [finding('typosquat', 'critical', 'm'), finding('tag-moved', 'high', 'm', { triage: { kind: 'undetermined' } }), finding('gosum-mismatch', 'high', 'm', benign)];
    expect(escalateLookalikeRetags(input)).toEqual(input);
  });
});

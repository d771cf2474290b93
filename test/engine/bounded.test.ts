import { boundFindings, conclusionOf } from '../../src/engine/result.js';
import { scan } from '../../src/engine/scan.js';
import { diffFiles, requiredModules } from '../../src/engine/gomod-step.js';
import { DEFAULT_REPO_CONFIG } from '../../src/config/repo.js';
import type { Finding } from '../../src/findings.js';
import { buildCheckRunOutput, checkRunUpdates } from '../../src/review/checkrun.js';

function f(over: Partial<Finding>): Finding {
  return { rule: 'tag-moved', severity: 'high', module: 'github.com/a/b', version: 'v1.0.0', goModPath: 'go.mod', line: 3, title: 't', message: 'm', evidence: {}, ...over };
}

describe('boundFindings', () => {
  it('keeps what fits, untouched', () => {
    const few = [f({}), f({ rule: 'typosquat' })];
    expect(boundFindings(few, { perModule: 10, perScan: 200 })).toEqual(expect.arrayContaining(few));
    expect(boundFindings(few, { perModule: 10, perScan: 200 })).toHaveLength(2);
  });

  it('per module: the most severe are listed, the rest counted in one finding with the highest severity', () => {
    const many = [f({ rule: 'content-diverged', severity: 'critical' }), ...Array.from({ length: 14 }, (_, i) => f({ rule: 'parse-error', severity: i === 13 ? 'critical' : 'low', line: i + 10 }))];
    const out = boundFindings(many, { perModule: 5, perScan: 200 });
    expect(out).toHaveLength(5);
    expect(out.slice(0, 2).map((x) => x.severity)).toEqual(['critical', 'critical']);
    const summary = out[4]!;
    expect(summary.title).toBe('11 more findings for github.com/a/b@v1.0.0 not listed (parse-error ×11)');
    expect(summary.severity).toBe('low');
    expect(summary.evidence).toEqual({ omitted: 11, rules: { 'parse-error': 11 }, limit: 'at most 5 per module' });
  });

  it('per scan: one finding stands for the rest, and the conclusion does not change', () => {
    const many = Array.from({ length: 30 }, (_, i) => f({ module: `github.com/m/${i}`, severity: i === 29 ? 'critical' : 'low' }));
    const out = boundFindings(many, { perModule: 10, perScan: 10 });
    expect(out).toHaveLength(10);
    expect(out[0]!.severity).toBe('critical');
    expect(out[9]!.title).toBe('21 more findings in this change not listed (tag-moved ×21)');
    expect(out[9]!.module).toBe('');
    expect(conclusionOf({ findings: out, errors: [] }, 'high')).toBe(conclusionOf({ findings: many, errors: [] }, 'high'));
  });

  it('a summary of only ignored findings is ignored; one that hides an active failure fails', () => {
    const ignored = Array.from({ length: 4 }, (_, i) => f({ line: i, ignored: { by: '@a', reason: 'ok' } }));
    const out = boundFindings(ignored, { perModule: 2, perScan: 100 });
    expect(out[1]!.ignored).toEqual({ by: '@a', reason: 'ok' });
    const mixed = [...ignored, f({ severity: 'low' }), f({ severity: 'low' }), f({ severity: 'critical', line: 99 })];
    const bounded = boundFindings(mixed, { perModule: 2, perScan: 100 });
    expect(conclusionOf({ findings: bounded, errors: [] }, 'high')).toBe('failure');
  });

  it('counts nested summaries: per-module summaries folded into the per-scan one keep their totals', () => {
    const many = Array.from({ length: 6 }, (_, m) => Array.from({ length: 5 }, (_, i) => f({ module: `github.com/m/${m}`, line: i }))).flat();
    const out = boundFindings(many, { perModule: 3, perScan: 4 });
    expect(out).toHaveLength(4);
    expect((out[3]!.evidence as { omitted: number }).omitted).toBe(30 - 3);
  });
});

describe('a go.mod with 20,000 malformed require lines', () => {
  it('gives a bounded scan and one check-run request, not 20,000 findings', async () => {
    const head = `module github.com/acme/service\n\ngo 1.21\n\nrequire (\n${Array.from({ length: 20_000 }, (_, i) => `\tgithub.com/x/m${i} not-a-version!`).join('\n')}\n)\n`;
    const files: Record<string, string | null> = { 'go.mod': head };
    const checks = { diff: diffFiles, requiredModules, typosquat: async () => [], verify: async () => [] };
    const result = await scan({ files: ['go.mod'], readFile: async (ref, p) => (ref === 'head' ? (files[p] ?? null) : 'module github.com/acme/service\n'), config: DEFAULT_REPO_CONFIG, deps: { checks } });
    expect(result.findings.length).toBeGreaterThan(1);
    expect(result.findings.length).toBeLessThanOrEqual(10);
    expect(result.findings.every((x) => x.rule === 'parse-error')).toBe(true);
    const summary = result.findings.at(-1)!;
    expect(summary.title).toMatch(/^\d[\d]* more findings in go\.mod not listed \(parse-error ×\d+\)$/);
    const out = buildCheckRunOutput(result, DEFAULT_REPO_CONFIG);
    expect(out.conclusion).toBe('failure');
    expect(checkRunUpdates(out)).toHaveLength(1);
  });
});

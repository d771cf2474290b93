import { batchAnnotations, brokenScanOutput, buildCheckRunOutput, checkRunUpdates, CHECKS_LIMITS, truncateBytes } from '../../src/review/checkrun.js';
import { sampleResult, boltFinding } from '../report/sample.js';
import type { ScanResult } from '../../src/engine/result.js';

const config = { failOn: 'high' as const };

describe('check run output', () => {
  it('maps severities to annotation levels on the exact lines', () => {
    const out = buildCheckRunOutput(sampleResult(), config);
    expect(out.conclusion).toBe('failure');
    expect(out.title).toBe('2 findings at or above high');
    expect(out.annotations.map((a) => [a.start_line, a.annotation_level])).toEqual([
      [7, 'failure'],
      [7, 'failure'],
      [9, 'warning'],
      [8, 'notice'],
    ]);
    expect(out.annotations[0]).toMatchObject({ path: 'go.mod', end_line: 7, title: 'critical content-diverged: github.com/boltdb-go/bolt@v1.3.1' });
    expect(out.annotations[0]!.raw_details).toContain('backdoor.go');
  });

  it('succeeds with a short title on a clean change', () => {
    const clean: ScanResult = { ...sampleResult(), findings: [] };
    const out = buildCheckRunOutput(clean, config);
    expect(out.conclusion).toBe('success');
    expect(out.title).toBe('4 changed modules, no problems found');
    expect(out.annotations).toEqual([]);
  });

  it('sends at most 50 annotations per request and completes with the last one', () => {
    const many = Array.from({ length: 120 }, (_, i) => boltFinding({ module: `github.com/o/m${i}`, line: i + 1 }));
    const out = buildCheckRunOutput({ ...sampleResult(), findings: many }, config);
    const updates = checkRunUpdates(out, new Date('2026-01-01T00:00:00Z'));
    expect(updates.map((u: any) => u.output.annotations.length)).toEqual([50, 50, 20]);
    expect(updates.slice(0, 2).every((u) => !('conclusion' in u))).toBe(true);
    expect(updates[2]).toMatchObject({ status: 'completed', conclusion: 'failure', completed_at: '2026-01-01T00:00:00.000Z' });
    expect(batchAnnotations([])).toEqual([[]]);
  });

  it('keeps the summary, title and annotation messages within the API limits', () => {
    const huge = 'x'.repeat(200_000);
    const many = Array.from({ length: 300 }, (_, i) => boltFinding({ module: `github.com/o/m${i}`, line: i + 1, message: huge, title: 't'.repeat(400) }));
    const out = buildCheckRunOutput({ ...sampleResult(), findings: many }, config);
    expect(out.summary.length).toBeLessThanOrEqual(CHECKS_LIMITS.summaryChars);
    expect(out.summary).toMatch(/cut to fit/);
    for (const a of out.annotations) {
      expect(Buffer.byteLength(a.message)).toBeLessThanOrEqual(CHECKS_LIMITS.annotationMessageBytes);
      expect(a.title.length).toBeLessThanOrEqual(255);
    }
    expect(brokenScanOutput('y'.repeat(1000)).title.length).toBeLessThanOrEqual(255);
  });

  it('never splits a multi-byte character when cutting', () => {
    const cut = truncateBytes('é'.repeat(100), 51, '…');
    expect(Buffer.byteLength(cut)).toBeLessThanOrEqual(51);
    expect(cut).not.toContain('\uFFFD');
  });

  it('a broken scan is a failure that says why', () => {
    const out = brokenScanOutput('GOPROXY https://proxy.example answered 500 for github.com/a/b/@v/v1.0.0.info');
    expect(out.conclusion).toBe('failure');
    expect(out.title).toMatch(/^Scan failed: GOPROXY/);
    expect(out.summary).toContain('/rescan');
  });
});

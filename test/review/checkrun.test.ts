import { batchAnnotations, brokenScanOutput, buildCheckRunOutput, checkRunUpdates, CHECKS_LIMITS, truncateBytes } from '../../src/review/checkrun.js';
import { sampleResult, boltFinding } from '../report/sample.js';
import type { ScanResult } from '../../src/engine/result.js';
import { liveMarkup } from '../report/live-markup.js';

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
    // Annotations are plain text: the raw title and message, the evidence as plain lines and the diff.
    expect(out.annotations[0]!.message).toBe('The proxy serves different code than the origin tag v1.3.1.\n\nBuilds get the proxy copy. Read `cursor.go` before merging.');
    expect(out.annotations[0]!.raw_details).toContain('files: {"added":["backdoor.go"],"removed":[],"modified":["db.go"]}');
    expect(out.annotations[0]!.raw_details).toContain('--- a/db.go\n+++ b/db.go');
  });

  it('succeeds with a short title on a clean change', () => {
    const clean: ScanResult = { ...sampleResult(), findings: [] };
    const out = buildCheckRunOutput(clean, config);
    expect(out.conclusion).toBe('success');
    expect(out.title).toBe('4 changed modules, no problems found');
    expect(out.annotations).toEqual([]);
  });

  it('annotates at most 50 findings, the most severe, in the completing request, and says how many were left out', () => {
    const many = Array.from({ length: 120 }, (_, i) => boltFinding({ module: `github.com/o/m${i}`, line: i + 1, severity: i < 100 ? 'medium' : 'critical' }));
    const out = buildCheckRunOutput({ ...sampleResult(), findings: many }, config);
    expect(out.annotations).toHaveLength(50);
    expect(out.annotations.slice(0, 20).every((a) => a.annotation_level === 'failure')).toBe(true);
    expect(out.summary).toContain('_70 more findings have no annotation on the diff: a check run shows at most 50, the most severe first.');
    const updates = checkRunUpdates(out, new Date('2026-01-01T00:00:00Z'));
    expect(updates).toHaveLength(1);
    expect(updates[0]).toMatchObject({ status: 'completed', conclusion: 'failure', completed_at: '2026-01-01T00:00:00.000Z' });
    expect((updates[0] as any).output.annotations).toHaveLength(50);
  });

  it('batches annotations by 50 (the Checks API maximum per request)', () => {
    expect(batchAnnotations(Array.from({ length: 120 }, (_, i) => i)).map((b) => b.length)).toEqual([50, 50, 20]);
    expect(batchAnnotations([])).toEqual([[]]);
  });

  it('keeps the summary, title and annotation messages within the API limits', () => {
    const huge = 'x'.repeat(200_000);
    const many = Array.from({ length: 300 }, (_, i) => boltFinding({ module: `github.com/o/m${i}`, line: i + 1, message: huge, title: 't'.repeat(400) }));
    const out = buildCheckRunOutput({ ...sampleResult(), findings: many }, config);
    expect(out.summary.length).toBeLessThanOrEqual(CHECKS_LIMITS.summaryChars);
    expect(out.summary).toMatch(/cut to fit/);
    expect(out.annotations.length).toBeLessThanOrEqual(CHECKS_LIMITS.annotationsPerRun);
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

  it('a broken scan is a failure that says why, with the error text inert', () => {
    const hostile = brokenScanOutput('proxy said: <img src=https://evil.example/x.png> @acme/team\r\nsecond line');
    expect(hostile.title).toBe('Scan failed: proxy said: <img src=https://evil.example/x.png> @acme/team');
    expect(liveMarkup(hostile.summary)).toEqual([]);
  });

  it('a broken scan is a failure that says why', () => {
    const out = brokenScanOutput('GOPROXY https://proxy.example answered 500 for github.com/a/b/@v/v1.0.0.info');
    expect(out.conclusion).toBe('failure');
    expect(out.title).toMatch(/^Scan failed: GOPROXY/);
    expect(out.summary).toContain('/rescan');
  });
});

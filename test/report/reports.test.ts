import { renderText } from '../../src/report/text.js';
import { renderJson } from '../../src/report/json.js';
import { renderMarkdown } from '../../src/report/markdown.js';
import { buildSarif } from '../../src/report/sarif.js';
import { renderSummary } from '../../src/report/markdown.js';
import { RULE_IDS } from '../../src/findings.js';
import { conclusionOf } from '../../src/engine/result.js';
import { sampleResult } from './sample.js';
import { liveMarkup } from './live-markup.js';

const config = { failOn: 'high' as const };

describe('conclusion', () => {
  it('fails at or above the threshold, is neutral below, succeeds when clean or all ignored', () => {
    const r = sampleResult();
    expect(conclusionOf(r, 'high')).toBe('failure');
    expect(conclusionOf({ ...r, findings: r.findings.filter((f) => f.severity === 'low') }, 'high')).toBe('neutral');
    expect(conclusionOf({ ...r, findings: r.findings.filter((f) => f.ignored) }, 'high')).toBe('success');
    expect(conclusionOf({ findings: [], errors: ['proxy down'] }, 'high')).toBe('failure');
  });
});

describe('text report', () => {
  it('prints one line per finding, most severe first, then the verdict', () => {
    const lines = renderText(sampleResult(), config).trimEnd().split('\n');
    expect(lines[0]).toBe('go.mod:7: critical content-diverged: github.com/boltdb-go/bolt@v1.3.1: The proxy serves different code than the origin tag v1.3.1.');
    expect(lines[1]).toMatch(/^go\.mod:7: high typosquat: /);
    expect(lines[2]).toMatch(/^go\.mod:9: low unverifiable: corp\.example\.com\/lib@v0\.1\.0/);
    expect(lines[3]).toBe('go.mod:8: high tag-moved: github.com/x/y@v1.0.0: Tag moved. [ignored by @alice: vetted]');
    expect(lines[4]).toBe('failure: 2 findings at or above high, 1 ignored. (4 modules checked in 2 files)');
  });
});

describe('json report', () => {
  it('carries the conclusion, fingerprints and every finding', () => {
    const out = JSON.parse(renderJson(sampleResult(), config));
    expect(out.conclusion).toBe('failure');
    expect(out.findings).toHaveLength(4);
    expect(out.findings[0]).toMatchObject({ rule: 'content-diverged', line: 7, fingerprint: expect.stringMatching(/^[0-9a-f]{16}$/) });
    expect(out.modules).toHaveLength(4);
  });
});

describe('markdown (one renderer)', () => {
  it('the CLI markdown equals the check-run summary text', () => {
    const r = sampleResult();
    expect(renderMarkdown(r, config).trim()).toBe(renderSummary(r, config, { maxSections: 1000 }).trim());
  });

  it('has the modules table with verdicts, then one section per module, most severe first', () => {
    const md = renderSummary(sampleResult(), config);
    expect(md).toContain('### ModWarden: 2 findings at or above `high`, 1 ignored.');
    expect(md).toContain('| `github.com/boltdb-go/bolt` | added v1.3.1 | `go.mod:7` | ❌ failing (content-diverged, typosquat) |');
    expect(md).toContain('| `corp.example.com/lib` | added v0.1.0 | `go.mod:9` | ⚠️ warning (unverifiable) — private |');
    const headings = md.split('\n').filter((l) => l.startsWith('#### '));
    expect(headings).toEqual([
      '#### 🛑 `github.com/boltdb-go/bolt@v1.3.1` · `go.mod:7`',
      '#### 🟡 `corp.example.com/lib@v0.1.0` · `go.mod:9`',
      '#### ⚪ `github.com/x/y@v1.0.0` · `go.mod:8`',
    ]);
    // The headline finding's verdict in one line, then its message and the diff; the typosquat is folded.
    expect(md).toContain('#### 🛑 `github.com/boltdb-go/bolt@v1.3.1` · `go.mod:7`\n\n**critical `content-diverged`**: The proxy serves different code than the origin tag v1.3.1.');
    expect(md).toContain('```diff\n--- a/db.go');
    expect(md).toContain('<details><summary>1 more finding: ❌ typosquat; evidence</summary>');
    expect(md).toContain('❌ **high `typosquat`**: `github.com/boltdb-go/bolt` looks like `github.com/boltdb/bolt`.');
    expect(md).toContain('- added: `backdoor.go`');
    expect(md).toContain('_Ignored by `@alice`: vetted_');
  });

  it('shows a module\'s diff once, says shared sentences once and shared evidence once', () => {
    const r = sampleResult();
    const ev = { reasons: ['said in the message'], proxy: { h1: 'h1:AAAA' }, verdicts: ['content-diverged', 'tag-moved'], diffs: [{ path: 'db.go', diff: '--- origin/db.go\n+++ proxy/db.go\n+import "net"' }] };
    r.findings = [
      { ...r.findings[0]!, evidence: ev, message: 'Content differs.\n\nThe tag was rewritten after the proxy cached it.' },
      { ...r.findings[0]!, rule: 'tag-moved', severity: 'high', evidence: ev, message: 'The tag moved.\n\nThe tag was rewritten after the proxy cached it.' },
    ];
    const md = renderSummary(r, config);
    expect(md.match(/```diff\n--- origin\/db\.go/g)).toHaveLength(1);
    expect(md).toContain('`db.go`:\n\n```diff\n--- origin/db.go');
    expect(md.match(/The tag was rewritten/g)).toHaveLength(1);
    expect(md).not.toContain('said in the message');
    expect(md).toContain('Evidence (`content-diverged`, `tag-moved`):');
    expect(md.match(/^Evidence \(/gm)).toHaveLength(1);
  });

  it('says "go.sum changed" for a version whose go.sum lines changed without a version change', () => {
    const r = sampleResult();
    r.modules = [{ ...r.modules[3]!, kind: 'upgraded', from: 'v0.9.1', to: 'v0.9.1' }];
    expect(renderSummary(r, config)).toContain('| `github.com/pkg/errors` | go.sum changed for v0.9.1 | `go.mod:10` | ✅ ok |');
  });

  it('folds the quiet rows of a long table and lists modules past the section limit one line each', () => {
    const r = sampleResult();
    const ok = r.modules[3]!;
    r.modules = [...r.modules, ...Array.from({ length: 12 }, (_, i) => ({ ...ok, module: `github.com/ok/m${i}` }))];
    r.findings = Array.from({ length: 4 }, (_, i) => ({ ...r.findings[0]!, module: `github.com/bad/m${i}`, line: i + 1 }));
    const md = renderSummary(r, config, { maxSections: 2 });
    expect(md).toContain('<details><summary>13 more modules with nothing to report</summary>');
    expect(md.match(/^#### /gm)).toHaveLength(2);
    expect(md).toContain('2 more modules with findings:\n\n- 🛑 `github.com/bad/m2@v1.3.1` `go.mod:3`: **critical `content-diverged`**');
  });

  it('keeps hostile evidence inside its code block and cannot plant markers', () => {
    const r = sampleResult();
    r.findings[0]!.evidence = { diff: '```\n<!-- modwarden:fp=deadbeef -->\n# heading', '<img src=x>': '@acme/team' };
    const md = renderSummary(r, config);
    expect(md).not.toContain('<!-- modwarden:fp=deadbeef -->');
    expect(md).toContain('````diff\n```');
    expect(liveMarkup(md)).toEqual([]);
  });
});

describe('SARIF 2.1.0', () => {
  // Required properties from sarif-schema-2.1.0.json: sarifLog{version, runs}, run{tool}, tool{driver},
  // toolComponent{name}, result{message}, message{text|id}, reportingDescriptor{id}, region startLine >= 1.
  const log = buildSarif(sampleResult(), config, '0.1.0') as any;

  it('has the top-level shape GitHub code scanning accepts', () => {
    expect(log.version).toBe('2.1.0');
    expect(log.$schema).toMatch(/sarif-2\.1\.0/);
    expect(Array.isArray(log.runs)).toBe(true);
    expect(log.runs).toHaveLength(1);
    expect(log.runs[0].tool.driver.name).toBe('ModWarden');
  });

  it('declares every rule once, with descriptions and help', () => {
    const rules = log.runs[0].tool.driver.rules;
    expect(rules.map((r: any) => r.id)).toEqual([...RULE_IDS]);
    for (const r of rules) {
      expect(typeof r.shortDescription.text).toBe('string');
      expect(typeof r.fullDescription.text).toBe('string');
      expect(typeof r.help.text).toBe('string');
      expect(['error', 'warning', 'note', 'none']).toContain(r.defaultConfiguration.level);
      expect(r.properties['security-severity']).toMatch(/^\d+\.\d$/);
    }
  });

  it('gives each result a ruleId, level, message, location with startLine and fingerprints', () => {
    const results = log.runs[0].results;
    expect(results).toHaveLength(4);
    for (const res of results) {
      expect(RULE_IDS).toContain(res.ruleId);
      expect(log.runs[0].tool.driver.rules[res.ruleIndex].id).toBe(res.ruleId);
      expect(['error', 'warning', 'note', 'none']).toContain(res.level);
      expect(typeof res.message.text).toBe('string');
      const loc = res.locations[0].physicalLocation;
      expect(loc.artifactLocation.uri).toBe('go.mod');
      expect(Number.isInteger(loc.region.startLine) && loc.region.startLine >= 1).toBe(true);
      expect(Object.values(res.partialFingerprints).every((v) => typeof v === 'string')).toBe(true);
    }
    expect(results[0]).toMatchObject({ ruleId: 'content-diverged', level: 'error', locations: [{ physicalLocation: { region: { startLine: 7 } } }] });
    // The same words as the Markdown report, raw: message.text is plain text.
    expect(results[0].message.text).toBe('github.com/boltdb-go/bolt@v1.3.1: The proxy serves different code than the origin tag v1.3.1.\n\nBuilds get the proxy copy. Read `cursor.go` before merging.');
    const ignored = results.find((r: any) => r.ruleId === 'tag-moved');
    expect(ignored.level).toBe('note');
    expect(ignored.suppressions).toEqual([{ kind: 'external', justification: 'vetted (@alice)' }]);
  });

  it('serialises to JSON without losing anything', () => {
    expect(JSON.parse(JSON.stringify(log))).toEqual(log);
  });
});

/**
 * The evaluation data of issue 11 (test/fixtures/typosquat/malicious.tsv): parses, has no duplicates, every row is
 * sourced, and the figures its README states are the file's. Also the loader's refusals on bad input.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { packageRoot } from '../../../src/checks/typosquat/corpus.js';
import {
  attackDoubles,
  EvalDataError,
  parseDateBound,
  parseMaliciousTsv,
  parseRequirementsTsv,
} from '../../../src/checks/typosquat/eval-data.js';
import { isValidPath } from '../../../src/gomod/index.js';

const dir = join(packageRoot(), 'test', 'fixtures', 'typosquat');
const text = readFileSync(join(dir, 'malicious.tsv'), 'utf8');
const records = parseMaliciousTsv(text);
const readme = readFileSync(join(dir, 'README.md'), 'utf8');

/** The number the README states after `- <label>:`. */
function stated(label: string): number {
  const m = new RegExp(`^- ${label}: (\\d+)$`, 'm').exec(readme);
  if (!m) throw new Error(`README states no "${label}"`);
  return Number(m[1]);
}

const header = text.split('\n').filter((l) => l.startsWith('#')).join('\n') + '\n' + text.split('\n').find((l) => l.startsWith('module\t'))! + '\n';

describe('malicious.tsv (publicly reported malicious Go modules)', () => {
  it('has the figures its README states', () => {
    expect(records.length).toBe(stated('malicious modules'));
    expect(records.filter((r) => r.target !== null).length).toBe(stated('with a known target'));
    expect(records.filter((r) => r.targetBasis === 'report').length).toBe(stated('target named by a source'));
    expect(records.filter((r) => r.targetBasis === 'name').length).toBe(stated('target from the name only'));
    expect(new Set(records.map((r) => r.campaign)).size).toBe(stated('campaigns'));
  });

  it('has no duplicate module (case-insensitively, as GitHub paths resolve) except the reported case variants', () => {
    expect(new Set(records.map((r) => r.module)).size).toBe(records.length);
    const lower = new Map<string, string[]>();
    for (const r of records) lower.set(r.module.toLowerCase(), [...(lower.get(r.module.toLowerCase()) ?? []), r.module]);
    const variants = [...lower.values()].filter((v) => v.length > 1);
    // Socket lists ordinarymea/tnsr_ids and ordinarymea/TNSR_IDS as two modules: Go module paths are case-sensitive.
    expect(variants).toEqual([['github.com/ordinarymea/tnsr_ids', 'github.com/ordinarymea/TNSR_IDS']]);
  });

  it('gives every row a URL, and every known target a repository and a valid path', () => {
    for (const r of records) {
      expect(r.sources.length).toBeGreaterThan(0);
      expect(isValidPath(r.module)).toBe(true);
      if (r.target !== null) {
        expect(isValidPath(r.target)).toBe(true);
        expect(r.targetRepo).not.toBeNull();
        expect(r.target).not.toBe(r.module);
      }
    }
  });

  it('keeps every malicious row of the older labelled.tsv, with the same target or its vanity path', () => {
    const labelled = readFileSync(join(dir, 'labelled.tsv'), 'utf8')
      .split('\n')
      .filter((l) => l && !l.startsWith('#') && !l.startsWith('module\t'))
      .map((l) => l.split('\t'))
      .filter((c) => c[1] === 'malicious');
    const byModule = new Map(records.map((r) => [r.module, r]));
    for (const [module, , target] of labelled) {
      const r = byModule.get(module!);
      expect(r).toBeDefined();
      expect([r!.target, r!.targetRepo]).toContain(target);
    }
  });

  it('dates the target before the copy where both are known', () => {
    for (const r of records) {
      if (r.targetFirstTime && r.published) expect(r.targetFirstTime.getTime()).toBeLessThan(r.published.earliest.getTime());
      if (r.published) expect(r.published.earliest.getTime()).toBeLessThanOrEqual(r.reported.latest.getTime());
    }
  });

  it('gives the attack double only what the sources support', () => {
    const doubles = attackDoubles(records);
    expect(doubles.length).toBe(stated('with a known target'));
    const bolt = doubles.find((d) => d.suspect === 'github.com/boltdb-go/bolt')!;
    expect(bolt.target).toBe('github.com/boltdb/bolt');
    expect(bolt.publishedNotBefore?.toISOString()).toBe('2021-11-01T00:00:00.000Z');
    expect(bolt.publishedNotAfter.toISOString()).toBe('2021-11-30T23:59:59.999Z');
    expect(bolt.reviewAt.oneYear.toISOString()).toBe('2022-11-30T23:59:59.999Z');
    expect(bolt.reviewAt.threeYears.toISOString()).toBe('2024-11-30T23:59:59.999Z');
    // Undated copy: bounded by its report only.
    const libyear = doubles.find((d) => d.suspect === 'github.com/potablewashb/go-libyear')!;
    expect(libyear.publishedNotBefore).toBeNull();
    expect(libyear.publishedNotAfter.toISOString()).toBe('2025-03-05T23:59:59.999Z');
    const atlas = doubles.find((d) => d.suspect === 'github.com/readyrevena/atlas-provider-gorm')!;
    expect([atlas.target, atlas.targetRepo]).toEqual(['ariga.io/atlas-provider-gorm', 'github.com/ariga/atlas-provider-gorm']);
  });
});

describe('eval-data loaders refuse bad input with the line', () => {
  const row = (cells: Partial<Record<number, string>>): string => {
    const base = [
      'github.com/a/b', 'v1.0.0', 'github.com/c/b', 'github.com/c/b', 'report', 'copy', '2025-01', '2025-02-01', 'v0.1.0',
      '2020-01-01T00:00:00Z', 'x', 'https://example.org/r', 'n',
    ];
    for (const [i, v] of Object.entries(cells)) base[Number(i)] = v!;
    return header + base.join('\t') + '\n';
  };

  it('accepts a good row', () => {
    expect(parseMaliciousTsv(row({}), 'f.tsv')).toHaveLength(1);
  });

  it.each([
    [{ 4: 'guess' }, /f\.tsv:\d+: target_basis "guess"/],
    [{ 5: 'evil' }, /kind "evil"/],
    [{ 2: '-' }, /target and target_basis disagree/],
    [{ 6: '2025-13' }, /published "2025-13" is not a date/],
    [{ 7: 'soon' }, /reported "soon" is not a date/],
    [{ 9: '2020-01-01' }, /target_first_time "2020-01-01" is not a timestamp/],
    [{ 11: 'http://example.org' }, /sources must be https URLs/],
    [{ 0: 'not a path' }, /is not a module path/],
  ])('refuses %j', (cells, message) => {
    expect(() => parseMaliciousTsv(row(cells), 'f.tsv')).toThrow(message);
    expect(() => parseMaliciousTsv(row(cells), 'f.tsv')).toThrow(EvalDataError);
  });

  it('refuses a wrong header or column count', () => {
    expect(() => parseMaliciousTsv('module\tversions\n', 'f.tsv')).toThrow(/f\.tsv:1: header must be/);
    expect(() => parseMaliciousTsv(header + 'github.com/a/b\tv1\n', 'f.tsv')).toThrow(/2 columns, want 13/);
    expect(() => parseRequirementsTsv('# only a comment\n', 'r.tsv')).toThrow(/r\.tsv: no header row/);
  });

  it('reads dates at the precision given', () => {
    expect(parseDateBound('2024-02')?.latest.toISOString()).toBe('2024-02-29T23:59:59.999Z');
    expect(parseDateBound('2025-01..02')?.earliest.toISOString()).toBe('2025-01-01T00:00:00.000Z');
    expect(parseDateBound('2025-01..02')?.latest.toISOString()).toBe('2025-02-28T23:59:59.999Z');
    expect(parseDateBound('2025-02-30')).toBeNull();
    expect(parseDateBound('2025-04-10T11:00:46Z')?.earliest.toISOString()).toBe('2025-04-10T11:00:46.000Z');
  });
});

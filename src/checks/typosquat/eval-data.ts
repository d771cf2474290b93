/**
 * Loaders for the evaluation data of the typosquat check (test/fixtures/typosquat/malicious.tsv) and the real
 * module graph it is measured on (test/fixtures/graph/debian-requirements.tsv). Pure: text in, records out; a
 * malformed row is an EvalDataError naming the file and line.
 */

export class EvalDataError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'EvalDataError';
  }
}

/** How the target of a malicious module is known (see the header of malicious.tsv). */
export type TargetBasis = 'report' | 'name' | 'none';
export type MaliciousKind = 'copy' | 'lookalike' | 'sleeper' | 'original' | 'malicious-version';

/** A date as precise as the sources give it: the interval it stands for. */
export interface DateBound {
  /** The text as written in the file (`2021-11`, `2025-01..02`, `2025-04-10T11:00:46Z`). */
  text: string;
  earliest: Date;
  latest: Date;
}

export interface MaliciousRecord {
  module: string;
  /** Malicious versions named by a report; empty when unknown. */
  versions: string[];
  target: string | null;
  targetRepo: string | null;
  targetBasis: TargetBasis;
  kind: MaliciousKind;
  /** Publication of the malicious module; null when no source gives it. */
  published: DateBound | null;
  reported: DateBound;
  targetFirstVersion: string | null;
  targetFirstTime: Date | null;
  campaign: string;
  sources: string[];
  notes: string;
  line: number;
}

const MALICIOUS_COLUMNS = [
  'module', 'versions', 'target', 'target_repo', 'target_basis', 'kind', 'published', 'reported',
  'target_first_version', 'target_first_time', 'campaign', 'sources', 'notes',
] as const;
const BASES: readonly TargetBasis[] = ['report', 'name', 'none'];
const KINDS: readonly MaliciousKind[] = ['copy', 'lookalike', 'sleeper', 'original', 'malicious-version'];

/** Data rows of a TSV with `#` comments and one header row; checks the header. */
function tsvRows(text: string, file: string, columns: readonly string[]): Array<{ cells: string[]; line: number }> {
  const rows: Array<{ cells: string[]; line: number }> = [];
  let header = false;
  text.split('\n').forEach((raw, i) => {
    const line = i + 1;
    const l = raw.replace(/\r$/, '');
    if (l === '' || l.startsWith('#')) return;
    const cells = l.split('\t');
    if (!header) {
      if (cells.join('\t') !== columns.join('\t')) {
        throw new EvalDataError(`${file}:${line}: header must be "${columns.join('<TAB>')}"`);
      }
      header = true;
      return;
    }
    if (cells.length !== columns.length) {
      throw new EvalDataError(`${file}:${line}: ${cells.length} columns, want ${columns.length}`);
    }
    rows.push({ cells, line });
  });
  if (!header) throw new EvalDataError(`${file}: no header row`);
  return rows;
}

const opt = (s: string): string | null => (s === '-' || s === 'unknown' || s === '' ? null : s);

const YM = /^(\d{4})-(\d{2})$/;
const YMD = /^(\d{4})-(\d{2})-(\d{2})$/;
const YM_RANGE = /^(\d{4})-(\d{2})\.\.(\d{2})$/;
const STAMP = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|[+-]\d{2}:\d{2})$/;

function monthEnd(y: number, m: number): Date {
  return new Date(Date.UTC(y, m, 1) - 1); // m is 1-based: Date.UTC(y, m) is the first day of the next month
}

/** Parses a date of the precision the sources give (UTC for date-only forms). Null for anything else. */
export function parseDateBound(text: string): DateBound | null {
  let m: RegExpExecArray | null;
  if (STAMP.test(text)) {
    const d = new Date(text);
    return Number.isNaN(d.getTime()) ? null : { text, earliest: d, latest: d };
  }
  if ((m = YMD.exec(text))) {
    const start = new Date(Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!));
    if (start.getUTCDate() !== +m[3]!) return null;
    return { text, earliest: start, latest: new Date(start.getTime() + 86_400_000 - 1) };
  }
  if ((m = YM.exec(text)) && +m[2]! >= 1 && +m[2]! <= 12) {
    return { text, earliest: new Date(Date.UTC(+m[1]!, +m[2]! - 1, 1)), latest: monthEnd(+m[1]!, +m[2]!) };
  }
  if ((m = YM_RANGE.exec(text)) && +m[2]! >= 1 && +m[3]! <= 12 && +m[2]! <= +m[3]!) {
    return { text, earliest: new Date(Date.UTC(+m[1]!, +m[2]! - 1, 1)), latest: monthEnd(+m[1]!, +m[3]!) };
  }
  return null;
}

/** Parses malicious.tsv. */
export function parseMaliciousTsv(text: string, file = 'malicious.tsv'): MaliciousRecord[] {
  return tsvRows(text, file, MALICIOUS_COLUMNS).map(({ cells, line }) => {
    const at = `${file}:${line}`;
    const [module, versions, target, targetRepo, basis, kind, published, reported, tfv, tft, campaign, sources, notes] = cells as [
      string, string, string, string, string, string, string, string, string, string, string, string, string,
    ];
    if (!/^[a-z0-9.-]+\.[a-z]{2,}\/\S+$/i.test(module)) throw new EvalDataError(`${at}: "${module}" is not a module path`);
    if (!BASES.includes(basis as TargetBasis)) throw new EvalDataError(`${at}: target_basis "${basis}" is not one of ${BASES.join(', ')}`);
    if (!KINDS.includes(kind as MaliciousKind)) throw new EvalDataError(`${at}: kind "${kind}" is not one of ${KINDS.join(', ')}`);
    if ((basis === 'none') !== (opt(target) === null)) throw new EvalDataError(`${at}: target and target_basis disagree`);
    const pub = opt(published) === null ? null : parseDateBound(published);
    if (opt(published) !== null && pub === null) throw new EvalDataError(`${at}: published "${published}" is not a date`);
    const rep = parseDateBound(reported);
    if (rep === null) throw new EvalDataError(`${at}: reported "${reported}" is not a date`);
    const firstTime = opt(tft) === null ? null : new Date(tft);
    if (firstTime !== null && (!STAMP.test(tft) || Number.isNaN(firstTime.getTime()))) {
      throw new EvalDataError(`${at}: target_first_time "${tft}" is not a timestamp`);
    }
    const urls = sources.split(' ').filter(Boolean);
    if (urls.length === 0 || urls.some((u) => !/^https:\/\/\S+$/.test(u))) throw new EvalDataError(`${at}: sources must be https URLs`);
    return {
      module,
      versions: opt(versions) === null ? [] : versions.split(',').map((v) => v.trim()),
      target: opt(target),
      targetRepo: opt(targetRepo),
      targetBasis: basis as TargetBasis,
      kind: kind as MaliciousKind,
      published: pub,
      reported: rep,
      targetFirstVersion: opt(tfv),
      targetFirstTime: firstTime,
      campaign,
      sources: urls,
      notes,
      line,
    };
  });
}

/**
 * What the test double of a labelled attack needs: the copy, its target, and the dates the sources support.
 * `publishedNotAfter` is the latest moment the copy can have been published (end of the stated period, else the
 * report date); reviews are placed one and three years after it, as issue 11 asks.
 */
export interface AttackDouble {
  suspect: string;
  target: string;
  targetRepo: string;
  targetBasis: TargetBasis;
  kind: MaliciousKind;
  publishedNotAfter: Date;
  /** Earliest moment of the stated publication period; null when no source dates the publication. */
  publishedNotBefore: Date | null;
  targetFirstTime: Date | null;
  reviewAt: { oneYear: Date; threeYears: Date };
}

function addYears(d: Date, n: number): Date {
  const r = new Date(d.getTime());
  r.setUTCFullYear(r.getUTCFullYear() + n);
  return r;
}

/** The labelled attacks with a known target, in file order. */
export function attackDoubles(records: readonly MaliciousRecord[]): AttackDouble[] {
  return records
    .filter((r) => r.target !== null)
    .map((r) => {
      const notAfter = r.published?.latest ?? r.reported.latest;
      return {
        suspect: r.module,
        target: r.target!,
        targetRepo: r.targetRepo ?? r.target!,
        targetBasis: r.targetBasis,
        kind: r.kind,
        publishedNotAfter: notAfter,
        publishedNotBefore: r.published?.earliest ?? null,
        targetFirstTime: r.targetFirstTime,
        reviewAt: { oneYear: addYears(notAfter, 1), threeYears: addYears(notAfter, 3) },
      };
    });
}

/** One module required by go.mod files of Debian's Go library packages (debian-requirements.tsv). */
export interface RequirementRecord {
  module: string;
  /** `v2`… from the path's major suffix; for unsuffixed paths the majors of the required versions (`v0`, `v1`, `v2+incompatible`). */
  major: string;
  /** go.mod files that require it; each counts once, as direct when any of its lines for the module is direct. */
  gomodFiles: number;
  direct: number;
  indirect: number;
  /** Distinct Debian packages whose go.mod files require it. */
  debianPackages: number;
  /** A few of those packages (sorted, at most three). */
  examplePackages: string[];
  line: number;
}

export const REQUIREMENT_COLUMNS = ['module', 'major', 'gomod_files', 'direct', 'indirect', 'debian_packages', 'example_packages'] as const;

/** Parses debian-requirements.tsv. */
export function parseRequirementsTsv(text: string, file = 'debian-requirements.tsv'): RequirementRecord[] {
  return tsvRows(text, file, REQUIREMENT_COLUMNS).map(({ cells, line }) => {
    const at = `${file}:${line}`;
    const [module, major, files, direct, indirect, pkgs, examples] = cells as [string, string, string, string, string, string, string];
    const n = (s: string, what: string): number => {
      if (!/^\d+$/.test(s)) throw new EvalDataError(`${at}: ${what} "${s}" is not a count`);
      return Number(s);
    };
    const rec: RequirementRecord = {
      module,
      major,
      gomodFiles: n(files, 'gomod_files'),
      direct: n(direct, 'direct'),
      indirect: n(indirect, 'indirect'),
      debianPackages: n(pkgs, 'debian_packages'),
      examplePackages: examples.split(',').filter(Boolean),
      line,
    };
    if (module === '' || /\s/.test(module)) throw new EvalDataError(`${at}: "${module}" is not a module path`);
    if (rec.direct + rec.indirect !== rec.gomodFiles || rec.gomodFiles === 0) throw new EvalDataError(`${at}: counts do not add up`);
    if (rec.examplePackages.length === 0 || rec.examplePackages.length > rec.debianPackages) {
      throw new EvalDataError(`${at}: example_packages must name 1..debian_packages packages`);
    }
    return rec;
  });
}

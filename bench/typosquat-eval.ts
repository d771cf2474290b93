/**
 * The labelled evaluation of the typosquat check (issue 11): precision and recall per mode (offline, proxy
 * only, proxy + GitHub) on the publicly reported malicious Go modules, the false-alarm rate at failing
 * severity on the long-tail legitimate modules Debian's Go packages require (treated as unknown to the
 * corpus), and corpus leave-one-out. The worlds are the doubles of bench/typosquat-world.ts (their header
 * lists what they assume). Printed by `npm run build && node dist/bench/typosquat-eval.js` (and by
 * bench/typosquat), asserted by test/checks/typosquat/evaluation.test.ts.
 */
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { assessModule, type AssessSources } from '../src/checks/typosquat/assess.js';
import { loadCorpus, packageRoot, type Corpus } from '../src/checks/typosquat/corpus.js';
import { createTyposquatDetector, type TyposquatDetector, type TyposquatResult } from '../src/checks/typosquat/detector.js';
import { attackDoubles, parseMaliciousTsv, parseRequirementsTsv, type MaliciousRecord } from '../src/checks/typosquat/eval-data.js';
import type { Severity } from '../src/findings.js';
import { attackWorld, legitWorld, reposByName, type World } from './typosquat-world.js';

export type Mode = 'offline' | 'proxy' | 'proxy+github';
export const MODES: readonly Mode[] = ['offline', 'proxy', 'proxy+github'];
const FAILING: ReadonlySet<Severity> = new Set(['high', 'critical']);

/** One labelled module's verdict. */
export interface Judged {
  module: string;
  severity: Severity | null;
  target: string | null;
  targetRepo: string | null;
  /** Failing at the default failOn: high. */
  fails: boolean;
}

export interface ModeFigures {
  mode: Mode;
  /** Malicious modules reported at failing severity / all labelled malicious modules. */
  caught: number;
  malicious: number;
  /** Of the labelled attacks with a known target: caught at failing severity naming that target. */
  caughtWithTarget: number;
  withTarget: number;
  /** Long-tail legitimate modules failing / reported at any severity / judged. */
  legitFailing: number;
  legitReported: number;
  legit: number;
  /** Corpus leave-one-out: entries failing / judged. */
  looFailing: number;
  loo: number;
  precision: number;
  recall: number;
  attacks: Judged[];
  legitFalseAlarms: Judged[];
  looFalseAlarms: Judged[];
}

export interface EvalData {
  records: MaliciousRecord[];
  debian: string[];
  corpus: Corpus;
  detector: TyposquatDetector;
  known: Map<string, string[]>;
}

/** Loads the labelled data from the package's test fixtures. */
export function loadEvalData(root = packageRoot()): EvalData {
  const fx = (...p: string[]) => readFileSync(join(root, 'test', 'fixtures', ...p), 'utf8');
  const records = parseMaliciousTsv(fx('typosquat', 'malicious.tsv'));
  const debian = parseRequirementsTsv(fx('graph', 'debian-requirements.tsv')).map((r) => r.module);
  const corpus = loadCorpus();
  const detector = createTyposquatDetector({ corpus });
  const known = reposByName([
    ...corpus.entries.map((e) => e.module),
    ...debian,
    ...records.flatMap((r) => [r.target ?? '', r.targetRepo ?? '']).filter(Boolean),
  ]);
  return { records, debian, corpus, detector, known };
}

function sourcesFor(mode: Mode, world: World, assumeUnknown: boolean, now: Date): AssessSources {
  return {
    proxy: mode === 'offline' ? null : world.proxy,
    meta: mode === 'proxy+github' ? world.meta : null,
    fetchFiles: mode === 'offline' ? null : (mv) => world.fetchFiles(mv),
    ...(mode === 'offline' ? { proxyOff: 'offline' } : {}),
    metaOff: mode === 'proxy+github' ? 'unused' : 'no GitHub',
    assumeUnknown,
    now,
  };
}

function judged(r: TyposquatResult): Judged {
  const severity = r.suspicious ? (r.severity ?? null) : null;
  return { module: r.module, severity, target: r.target, targetRepo: r.targetRepo ?? null, fails: severity !== null && FAILING.has(severity) };
}

const lower = (s: string | null | undefined) => (s ?? '').toLowerCase();

/** True when the verdict names the labelled target (its module path or its GitHub repository). */
export function namesTarget(j: Judged, rec: MaliciousRecord): boolean {
  if (!rec.target) return false;
  const wanted = [rec.target, rec.targetRepo ?? ''].map(lower).filter(Boolean);
  return [j.target, j.targetRepo].map(lower).some((x) => x && wanted.includes(x));
}

/** Judges every labelled attack, reviewed `yearsAfter` years after publication. */
export async function judgeAttacks(data: EvalData, mode: Mode, yearsAfter: 1 | 3 = 1): Promise<Judged[]> {
  const doubles = new Map(attackDoubles(data.records).map((a) => [a.suspect, a]));
  const out: Judged[] = [];
  for (const rec of data.records) {
    const a = doubles.get(rec.module);
    const at = a ? (yearsAfter === 1 ? a.reviewAt.oneYear : a.reviewAt.threeYears) : addYears(rec.published?.latest ?? rec.reported.latest, yearsAfter);
    const world = a
      ? attackWorld(a, data.records, { at })
      : legitLikeUnknown(rec, data, at);
    const r = await assessModule(data.detector, { path: rec.module, version: null }, [], sourcesFor(mode, world, false, at));
    out.push(judged(r));
  }
  return out;
}

/** A labelled attack with no known target: its own world (no original to find), judged all the same. */
function legitLikeUnknown(rec: MaliciousRecord, data: EvalData, at: Date): World {
  return legitWorld(rec.module, data.known, { at, ownerAgeDays: 3 });
}

function addYears(d: Date, n: number): Date {
  const r = new Date(d.getTime());
  r.setUTCFullYear(r.getUTCFullYear() + n);
  return r;
}

/** Judges legitimate modules as unknown to the corpus (worst-case worlds). */
export async function judgeLegit(data: EvalData, modules: readonly string[], mode: Mode, opts: { ownerAgeDays?: number } = {}): Promise<Judged[]> {
  const at = new Date(Date.UTC(2026, 0, 1));
  const out: Judged[] = [];
  for (const m of modules) {
    const world = legitWorld(m, data.known, { at, ...(opts.ownerAgeDays !== undefined ? { ownerAgeDays: opts.ownerAgeDays } : {}) });
    out.push(judged(await assessModule(data.detector, { path: m, version: null }, [], sourcesFor(mode, world, true, at))));
  }
  return out;
}

/** Every figure of one mode. */
export async function evaluateMode(data: EvalData, mode: Mode): Promise<ModeFigures> {
  const attacks = await judgeAttacks(data, mode);
  const legit = await judgeLegit(data, data.debian, mode);
  const loo = await judgeLegit(data, data.corpus.entries.map((e) => e.module), mode);
  const caught = attacks.filter((j) => j.fails).length;
  const withTarget = data.records.filter((r) => r.target !== null);
  const caughtWithTarget = withTarget.filter((r) => {
    const j = attacks.find((x) => x.module === r.module)!;
    return j.fails && namesTarget(j, r);
  }).length;
  const legitFalseAlarms = legit.filter((j) => j.fails);
  const fp = legitFalseAlarms.length;
  return {
    mode,
    caught,
    malicious: data.records.length,
    caughtWithTarget,
    withTarget: withTarget.length,
    legitFailing: fp,
    legitReported: legit.filter((j) => j.severity !== null).length,
    legit: legit.length,
    looFailing: loo.filter((j) => j.fails).length,
    loo: loo.length,
    precision: caught + fp ? caught / (caught + fp) : 1,
    recall: caught / data.records.length,
    attacks,
    legitFalseAlarms,
    looFalseAlarms: loo.filter((j) => j.fails),
  };
}

const pct = (a: number, b: number) => `${((100 * a) / b).toFixed(2)}%`;

/** The figures as printed lines. */
export function formatFigures(f: ModeFigures): string[] {
  return [
    `${f.mode.padEnd(13)} precision ${f.precision.toFixed(3)}  recall ${f.recall.toFixed(3)} (${f.caught}/${f.malicious} malicious failing)  ` +
      `known-target attacks caught with their target ${f.caughtWithTarget}/${f.withTarget}  ` +
      `long-tail failing ${f.legitFailing}/${f.legit} (${pct(f.legitFailing, f.legit)}; reported at any severity ${pct(f.legitReported, f.legit)})  ` +
      `leave-one-out failing ${f.looFailing}/${f.loo} (${pct(f.looFailing, f.loo)})`,
  ];
}

/** Runs the whole evaluation and prints it. */
export async function printEvaluation(write: (s: string) => void = (s) => process.stdout.write(s)): Promise<ModeFigures[]> {
  const data = loadEvalData();
  write(`typosquat evaluation: ${data.records.length} reported malicious modules (${data.records.filter((r) => r.target).length} with a known target), ` +
    `${data.debian.length} long-tail legitimate modules (Debian go.mod requirements, as unknown to the corpus), ${data.corpus.entries.length} corpus entries (leave-one-out); failing = high or critical\n`);
  const all: ModeFigures[] = [];
  for (const mode of MODES) {
    const t0 = performance.now();
    const f = await evaluateMode(data, mode);
    all.push(f);
    write(formatFigures(f).join('\n') + `  [${((performance.now() - t0) / 1000).toFixed(1)} s]\n`);
    for (const j of f.legitFalseAlarms.slice(0, 10)) write(`    long-tail false alarm: ${j.module} (${j.severity}) vs ${j.target}\n`);
    for (const j of f.looFalseAlarms.slice(0, 10)) write(`    leave-one-out false alarm: ${j.module} (${j.severity}) vs ${j.target}\n`);
  }
  const full = all.at(-1)!;
  const missed = data.records.filter((r) => r.target && !namesTarget(full.attacks.find((j) => j.module === r.module)!, r));
  write(`proxy+github: attacks with a known target missed or named wrongly: ${missed.length ? missed.map((r) => r.module).join(', ') : 'none'}\n`);
  const sens = await judgeLegit(data, data.debian, 'proxy+github', { ownerAgeDays: 3 });
  write(`sensitivity: if every long-tail owner account were 3 days old at repo creation, long-tail failing in proxy+github would be ${sens.filter((j) => j.fails).length}/${sens.length} (${pct(sens.filter((j) => j.fails).length, sens.length)})\n`);
  return all;
}

const invoked = process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url);
if (invoked) {
  await printEvaluation();
}


/**
 * Precision and recall on the labelled set of real malicious Go modules and real legitimate look-alikes
 * (test/fixtures/typosquat/labelled.tsv). Prints the figures; asserts floors so a regression fails.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createTyposquatDetector, type TyposquatResult } from '../../../src/checks/typosquat/detector.js';
import { loadCorpus, packageRoot } from '../../../src/checks/typosquat/corpus.js';
import { editDistance } from '../../../src/checks/typosquat/names.js';
import type { GitHubMetaClient, Lookup, RepoMeta, UserMeta } from '../../../src/sources/github/meta.js';
import { assessModule } from '../../../src/checks/typosquat/assess.js';

interface Row {
  module: string;
  label: 'malicious' | 'benign';
  target: string;
  context: string;
  source: string;
}

const dir = join(packageRoot(), 'test', 'fixtures', 'typosquat');
const rows: Row[] = readFileSync(join(dir, 'labelled.tsv'), 'utf8')
  .split('\n')
  .filter((l) => l && !l.startsWith('#') && !l.startsWith('module\t'))
  .map((l) => {
    const [module, label, target, context, source] = l.split('\t');
    return { module: module!, label: label as Row['label'], target: target!, context: context!, source: source! };
  });

interface Double {
  repos: Record<string, { createdAt: string; stars: number; owner: string }>;
  users: Record<string, string>;
  now: string;
}
const double = JSON.parse(readFileSync(join(dir, 'enrichment.json'), 'utf8')) as Double;

/** An in-memory GitHub metadata source built from enrichment.json (no network). */
function fakeMeta(): GitHubMetaClient {
  const meta = (full: string): RepoMeta => {
    const r = double.repos[full]!;
    return { fullName: full, name: full.split('/')[1]!, owner: r.owner, createdAt: r.createdAt, stars: r.stars, fork: false, parent: null, archived: false };
  };
  const missing = { ok: false as const, why: 'failed' as const, message: 'not in the double' };
  return {
    async repo(owner, name): Promise<Lookup<RepoMeta>> {
      const full = `${owner}/${name}`;
      return double.repos[full] ? { ok: true, value: meta(full) } : missing;
    },
    async user(login): Promise<Lookup<UserMeta>> {
      const c = double.users[login];
      return c ? { ok: true, value: { login, createdAt: c, type: 'User' } } : missing;
    },
    async searchByName(name): Promise<Lookup<RepoMeta[]>> {
      const hits = Object.keys(double.repos).filter((f) => f.split('/')[1]!.toLowerCase() === name.toLowerCase());
      return { ok: true, value: hits.map(meta).sort((a, b) => b.stars - a.stars) };
    },
  };
}

const corpus = loadCorpus();
const detector = createTyposquatDetector({ corpus });

async function judge(row: Row, enrich: boolean): Promise<TyposquatResult> {
  const existing = row.context.startsWith('existing:') ? [row.context.slice('existing:'.length)] : [];
  // The same assessment the app runs, with GitHub facts from the double (or none: offline). No proxy here.
  return assessModule(detector, { path: row.module, version: null }, existing, { proxy: null, meta: enrich ? fakeMeta() : null, fetchFiles: null, now: new Date(double.now) });
}

function score(flags: Array<{ row: Row; flagged: boolean }>) {
  let tp = 0, fp = 0, fn = 0, tn = 0;
  for (const { row, flagged } of flags) {
    if (row.label === 'malicious') flagged ? tp++ : fn++;
    else flagged ? fp++ : tn++;
  }
  return { tp, fp, fn, tn, precision: tp + fp ? tp / (tp + fp) : 1, recall: tp + fn ? tp / (tp + fn) : 1 };
}

/** What existing detectors do: whole-path edit distance <= 2 to a corpus path (not itself in the corpus). */
function wholePathBaseline(module: string): boolean {
  const lower = module.toLowerCase();
  if (corpus.entries.some((e) => e.module.toLowerCase() === lower)) return false;
  return corpus.entries.some((e) => editDistance(lower, e.module.toLowerCase(), 2) <= 2);
}

describe('labelled set (real malicious Go modules and real legitimate look-alikes)', () => {
  it('has both classes and sources for every malicious row', () => {
    expect(rows.filter((r) => r.label === 'malicious').length).toBeGreaterThanOrEqual(15);
    expect(rows.filter((r) => r.label === 'benign').length).toBeGreaterThanOrEqual(30);
    for (const r of rows.filter((x) => x.label === 'malicious')) expect(r.source.length).toBeGreaterThan(10);
  });

  it('reaches precision and recall floors, and names the right target', async () => {
    const full = await Promise.all(rows.map(async (row) => ({ row, result: await judge(row, true) })));
    const offline = await Promise.all(rows.map(async (row) => ({ row, result: await judge(row, false) })));
    const s = score(full.map((x) => ({ row: x.row, flagged: x.result.suspicious })));
    const so = score(offline.map((x) => ({ row: x.row, flagged: x.result.suspicious })));
    const sb = score(rows.map((row) => ({ row, flagged: wholePathBaseline(row.module) })));
    const wrongTarget = full.filter((x) => x.row.label === 'malicious' && x.result.suspicious && x.result.target !== x.row.target);
    const misses = full.filter((x) => (x.row.label === 'malicious') !== x.result.suspicious);
    const fmt = (n: number) => n.toFixed(3);
    const lines = [
      `labelled set: ${rows.length} modules (${s.tp + s.fn} malicious, ${s.fp + s.tn} benign)`,
      `name check + enrichment double: precision ${fmt(s.precision)} recall ${fmt(s.recall)} (tp ${s.tp} fp ${s.fp} fn ${s.fn} tn ${s.tn})`,
      `name check only (offline):      precision ${fmt(so.precision)} recall ${fmt(so.recall)} (tp ${so.tp} fp ${so.fp} fn ${so.fn} tn ${so.tn})`,
      `whole-path edit distance <= 2:  precision ${fmt(sb.precision)} recall ${fmt(sb.recall)} (tp ${sb.tp} fp ${sb.fp} fn ${sb.fn} tn ${sb.tn})`,
      `wrong target named: ${wrongTarget.length}`,
      ...misses.map((x) => `  misclassified: ${x.row.label} ${x.row.module} score ${x.result.score} -> ${x.result.target}`),
    ];
    process.stdout.write(lines.join('\n') + '\n');
    expect(s.recall).toBeGreaterThanOrEqual(0.9);
    expect(s.precision).toBeGreaterThanOrEqual(0.9);
    expect(wrongTarget.map((x) => x.row.module)).toEqual([]);
    // Offline, the niche targets that only enrichment can find are missed; everything else is caught.
    const offlineMisses = offline.filter((x) => x.row.label === 'malicious' && !x.result.suspicious).map((x) => x.row.context);
    expect(offlineMisses.every((c) => c === 'enrichment')).toBe(true);
  });

  it('keeps false alarms rare among the corpus\'s own legitimate look-alikes (leave-one-out)', () => {
    let flagged = 0;
    for (const e of corpus.entries) if (detector.check(e.module, { assumeUnknown: true }).suspicious) flagged++;
    const rate = flagged / corpus.entries.length;
    process.stdout.write(`corpus leave-one-out: ${flagged} of ${corpus.entries.length} legitimate modules flagged (${(rate * 100).toFixed(2)}%)\n`);
    expect(rate).toBeLessThan(0.08);
  });
});

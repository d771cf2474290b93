/**
 * Typosquat check throughput: candidates per second with the look-alike index vs a naive scan of every
 * corpus entry (same comparison, same answers), and vs the naive whole-path Dice scan existing detectors do.
 * Runs on the shipped corpus and on a synthetic 50k-entry corpus, in the same process. Then what the
 * evidence lookups of issue 11 cost for a PR of 200 new modules (requests by source, wall time with a simulated
 * latency, per mode), and the labelled evaluation (bench/typosquat-eval.ts).
 *   npm run build && node dist/bench/typosquat.js
 */
import { loadCorpus, type Corpus, type CorpusEntry } from '../src/checks/typosquat/corpus.js';
import { createTyposquatDetector } from '../src/checks/typosquat/detector.js';
import { diceExact } from '../src/checks/typosquat/names.js';
import { assessModule, type AssessSources } from '../src/checks/typosquat/assess.js';
import { attackDoubles } from '../src/checks/typosquat/eval-data.js';
import type { GitHubMetaClient } from '../src/sources/github/meta.js';
import { loadEvalData, MODES, printEvaluation, type Mode } from './typosquat-eval.js';
import { attackWorld, legitWorld, type Calls, type World } from './typosquat-world.js';

/** A small deterministic PRNG (mulberry32) so every run measures the same inputs. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const SYL = ['go', 'lib', 'data', 'cloud', 'kube', 'net', 'sql', 'log', 'auth', 'http', 'json', 'yaml', 'bolt', 'rpc', 'grpc', 'mux', 'zap', 'tidy', 'fast', 'micro', 'ops', 'dev', 'byte', 'hash', 'vault', 'mesh', 'edge', 'queue', 'cache', 'store'];

function word(r: () => number, parts: number): string {
  let w = '';
  for (let i = 0; i < parts; i++) w += (i && r() < 0.3 ? '-' : '') + SYL[Math.floor(r() * SYL.length)]!;
  return w + (r() < 0.3 ? String(Math.floor(r() * 100)) : '');
}

/** A synthetic corpus: the real one plus generated github.com/<owner>/<repo> paths up to `size` entries. */
function syntheticCorpus(real: Corpus, size: number): Corpus {
  const r = rng(1);
  const entries: CorpusEntry[] = [...real.entries];
  const seen = new Set(entries.map((e) => e.module));
  while (entries.length < size) {
    const m = `github.com/${word(r, 2)}/${word(r, 1 + Math.floor(r() * 3))}`;
    if (seen.has(m)) continue;
    seen.add(m);
    entries.push({ module: m, base: m, major: '', dependents: Math.floor(r() * 3), awesome: false, partial: false });
  }
  return { entries, aliases: real.aliases };
}

/** Candidates a big PR might add: look-alikes of corpus entries and fresh, unrelated modules. */
function candidates(corpus: Corpus, n: number): string[] {
  const r = rng(2);
  const out: string[] = [];
  const mutate = (s: string) => {
    const i = Math.floor(r() * s.length);
    const c = 'abcdefghijklmnopqrstuvwxyz'[Math.floor(r() * 26)]!;
    return r() < 0.5 ? s.slice(0, i) + c + s.slice(i) : s.slice(0, i) + s.slice(i + 1);
  };
  while (out.length < n) {
    const e = corpus.entries[Math.floor(r() * corpus.entries.length)]!.module.split('/');
    const kind = r();
    if (kind < 0.3 && e.length >= 3) out.push([e[0], mutate(e[1]!), ...e.slice(2)].join('/'));
    else if (kind < 0.5 && e.length >= 3) out.push([e[0], `newowner${Math.floor(r() * 1000)}`, ...e.slice(2)].join('/'));
    else if (kind < 0.6 && e.length >= 3) out.push([e[0], e[1], mutate(e[2]!)].join('/'));
    else out.push(`github.com/${word(r, 2)}x/${word(r, 2)}y`);
  }
  return out;
}

function timeIt(fn: () => void, minMs = 1500): { runs: number; ms: number } {
  let runs = 0;
  const t0 = performance.now();
  let t = t0;
  while (t - t0 < minMs) {
    fn();
    runs++;
    t = performance.now();
  }
  return { runs, ms: t - t0 };
}

function bench(label: string, corpus: Corpus, n: number): void {
  const t0 = performance.now();
  const indexed = createTyposquatDetector({ corpus });
  const buildMs = performance.now() - t0;
  const naive = createTyposquatDetector({ corpus, scan: 'naive' });
  const cands = candidates(corpus, n);
  const modules = corpus.entries.map((e) => e.module);

  // Same answers?
  let differ = 0;
  for (const c of cands) {
    const a = indexed.check(c);
    const b = naive.check(c);
    if (a.target !== b.target || a.score !== b.score) differ++;
  }
  const flagged = cands.filter((c) => indexed.check(c).suspicious).length;

  const ti = timeIt(() => cands.forEach((c) => indexed.check(c)));
  const sample = cands.slice(0, Math.max(5, Math.floor(n / 10)));
  const tn = timeIt(() => sample.forEach((c) => naive.check(c)));
  const td = timeIt(() => sample.forEach((c) => { let best = 0; for (const m of modules) best = Math.max(best, diceExact(c, m)); }));
  const rate = (t: { runs: number; ms: number }, k: number) => (t.runs * k * 1000) / t.ms;
  const ri = rate(ti, cands.length);
  const rn = rate(tn, sample.length);
  const rd = rate(td, sample.length);
  process.stdout.write(
    `${label}: ${corpus.entries.length} entries (${indexed.index.targets.length} repository targets), index built in ${buildMs.toFixed(0)} ms\n` +
      `  candidates: ${cands.length} (${flagged} flagged); index vs naive scan answers differing: ${differ}\n` +
      `  index:                 ${ri.toFixed(0).padStart(8)} candidates/s\n` +
      `  naive scan (same rules): ${rn.toFixed(0).padStart(6)} candidates/s   index is ${(ri / rn).toFixed(1)}x faster\n` +
      `  naive whole-path Dice:   ${rd.toFixed(0).padStart(6)} candidates/s   index is ${(ri / rd).toFixed(1)}x faster\n`,
  );
}

const real = loadCorpus();
bench('shipped corpus', real, 500);
bench('synthetic corpus', syntheticCorpus(real, 50_000), 500);

// ---------------------------------------------------------------------------------------------------------
// The evidence lookups of issue 11: what a PR of 200 new modules costs with the proxy and GitHub.

/** Runs `fn` over `items` with at most `n` at a time. */
async function pool<T, R>(items: readonly T[], n: number, fn: (t: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  await Promise.all(Array.from({ length: n }, async () => {
    for (let i = next++; i < items.length; i = next++) out[i] = await fn(items[i]!);
  }));
  return out;
}

/** A GitHub view with a per-scan search budget, as GitHubMetaSource.forScan gives the scan. */
function budgeted(meta: GitHubMetaClient, budget: { left: number }): GitHubMetaClient {
  return {
    repo: (o, n) => meta.repo(o, n),
    user: (l) => meta.user(l),
    async searchByName(name) {
      if (budget.left <= 0) return { ok: false, why: 'limited', message: 'GitHub search skipped: search budget for this scan used up' };
      budget.left--;
      return meta.searchByName(name);
    },
  };
}

async function prCost(mode: Mode, latencyMs: number, concurrency: number, searchBudget: number): Promise<void> {
  const data = loadEvalData();
  // A PR adding 200 modules: 190 long-tail legitimate ones (every 6th of the Debian set) and 10 reported copies.
  const legit = data.debian.filter((_, i) => i % 6 === 0).slice(0, 190);
  const attacks = attackDoubles(data.records).filter((a) => a.kind === 'copy').slice(0, 10);
  const budget = { left: searchBudget };
  const totals: Calls = { proxy: 0, zips: 0, github: 0, searches: 0 };
  const jobs: Array<() => Promise<{ fails: boolean; notes: number }>> = [
    ...legit.map((m) => async () => {
      const w = legitWorld(m, data.known, { at: new Date(Date.UTC(2026, 0, 1)), latencyMs });
      const r = await assessModule(data.detector, { path: m, version: null }, [], sourcesOf(mode, w, budget, true));
      add(totals, w.calls);
      return { fails: !!r.severity && ['high', 'critical'].includes(r.severity), notes: (r.notes ?? []).filter((n) => n.includes('budget')).length };
    }),
    ...attacks.map((a) => async () => {
      const w = attackWorld(a, data.records, { at: a.reviewAt.oneYear, latencyMs });
      const r = await assessModule(data.detector, { path: a.suspect, version: null }, [], sourcesOf(mode, w, budget, false));
      add(totals, w.calls);
      return { fails: !!r.severity && ['high', 'critical'].includes(r.severity), notes: 0 };
    }),
  ];
  const t0 = performance.now();
  const res = await pool(jobs, concurrency, (j) => j());
  const ms = performance.now() - t0;
  process.stdout.write(
    `  ${mode.padEnd(13)} ${(ms / 1000).toFixed(2).padStart(6)} s  requests: proxy ${totals.proxy}, zips ${totals.zips}, GitHub ${totals.github}, searches ${totals.searches} (budget ${searchBudget}; ${res.reduce((n, r) => n + r.notes, 0)} modules over it)  failing: ${res.filter((r) => r.fails).length}\n`,
  );
}

function add(a: Calls, b: Calls): void {
  a.proxy += b.proxy;
  a.zips += b.zips;
  a.github += b.github;
  a.searches += b.searches;
}

function sourcesOf(mode: Mode, w: World, budget: { left: number }, assumeUnknown: boolean): AssessSources {
  return {
    proxy: mode === 'offline' ? null : w.proxy,
    meta: mode === 'proxy+github' ? budgeted(w.meta, budget) : null,
    fetchFiles: mode === 'offline' ? null : (mv) => w.fetchFiles(mv),
    assumeUnknown,
  };
}

const LATENCY_MS = 50;
const CONCURRENCY = 8;
process.stdout.write(`\nPR of 200 new modules (190 long-tail legitimate, 10 reported copies), every request ${LATENCY_MS} ms, ${CONCURRENCY} at a time:\n`);
for (const mode of MODES) await prCost(mode, LATENCY_MS, CONCURRENCY, 60);

process.stdout.write('\n');
await printEvaluation();

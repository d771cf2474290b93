/**
 * Benchmark: go.mod parse and parse+diff time for very large go.mod files (thousands of requirements plus
 * replaces), against a baseline measured in the same run: a plain line split with whitespace tokenising of
 * the same text (the least work any go.mod reader must do).
 *
 *   npm run build && node dist/bench/parse.js [requirements=5000] [iterations=15]
 */
import { diffGoMod } from '../src/gomod/diff.js';
import { parseModFile } from '../src/gomod/modfile.js';

const N = Number(process.argv[2] ?? 5000);
const ITER = Number(process.argv[3] ?? 15);

/** Deterministic pseudo-random numbers (no Math.random, so runs compare). */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => (s = (Math.imul(s, 1664525) + 1013904223) >>> 0);
}

interface Req {
  path: string;
  version: string;
  indirect: boolean;
}

function version(r: () => number, i: number): string {
  switch (r() % 4) {
    case 0:
      return `v0.0.0-2023${String((r() % 12) + 1).padStart(2, '0')}15120000-${(r() >>> 0).toString(16).padStart(8, '0')}abcd`;
    case 1:
      return `v${(r() % 3) + 2}.${r() % 20}.${r() % 10}+incompatible`;
    default:
      return `v1.${r() % 40}.${i % 17}`;
  }
}

/** A go.mod shaped like a big real one: two require blocks, comments, single-line and block replaces. */
function makeGoMod(reqs: Req[], replaces: string[]): string {
  const direct = reqs.filter((x) => !x.indirect);
  const indirect = reqs.filter((x) => x.indirect);
  const block = (xs: Req[]) => xs.map((x) => `\t${x.path} ${x.version}${x.indirect ? ' // indirect' : ''}`).join('\n');
  return (
    '// Generated for the parse benchmark.\nmodule example.com/bench/monorepo\n\ngo 1.22\n\ntoolchain go1.22.3\n\n' +
    `require (\n${block(direct)}\n)\n\n// Transitive requirements.\nrequire (\n${block(indirect)}\n)\n\n` +
    `replace (\n${replaces.map((r) => `\t${r}`).join('\n')}\n)\n`
  );
}

function build(): { base: string; head: string; requirements: number; replaces: number } {
  const r = rng(42);
  const reqs: Req[] = [];
  for (let i = 0; i < N; i++) {
    const org = `org${r() % 400}`;
    const v = version(r, i);
    const path = `github.com/${org}/repo${i}`;
    reqs.push({ path, version: v, indirect: i % 3 !== 0 });
  }
  const replaces: string[] = [];
  for (let i = 0; i < N / 10; i++) {
    const target = reqs[(i * 7) % N]!;
    replaces.push(
      i % 4 === 0
        ? `${target.path} => ./third_party/fork${i}`
        : `${target.path} => github.com/forks/fork${i} v1.${i % 9}.0`,
    );
  }
  const base = makeGoMod(reqs, replaces);
  // Head: 10% bumped, 2% removed, 2% added, 2% of replaces changed.
  const headReqs = reqs
    .filter((_, i) => i % 50 !== 1)
    .map((x, i) => (i % 10 === 0 && x.version.startsWith('v1.') ? { ...x, version: x.version.replace(/^v1\.(\d+)/, (_m, m) => `v1.${Number(m) + 1}`) } : x));
  for (let i = 0; i < N / 50; i++) headReqs.push({ path: `github.com/newcomer/lib${i}`, version: `v0.${i}.0`, indirect: false });
  const headReplaces = replaces.map((x, i) => (i % 50 === 5 ? x.replace(/=> .*/, `=> github.com/evil/fork${i} v0.0.1`) : x));
  return { base, head: makeGoMod(headReqs, headReplaces), requirements: N, replaces: replaces.length };
}

/** Baseline: split into lines and whitespace tokens, nothing else. */
function baseline(text: string): number {
  let tokens = 0;
  for (const line of text.split('\n')) tokens += line.trim().split(/\s+/).length;
  return tokens;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

/**
 * Times several functions, interleaved (one run of each per round) so that load from other processes on a
 * shared machine hits every step alike and the ratios stay meaningful. Returns the median ms of each.
 */
function timeInterleaved(fns: (() => unknown)[]): number[] {
  for (let i = 0; i < 3; i++) for (const fn of fns) fn(); // warm-up
  const runs: number[][] = fns.map(() => []);
  for (let i = 0; i < ITER; i++) {
    fns.forEach((fn, k) => {
      const t0 = process.hrtime.bigint();
      fn();
      runs[k]!.push(Number(process.hrtime.bigint() - t0) / 1e6);
    });
  }
  return runs.map(median);
}

function main(): void {
  const { base, head, requirements, replaces } = build();
  let changes = 0;
  const [baselineMs, parseMs, diffMs] = timeInterleaved([
    () => baseline(base),
    () => parseModFile('go.mod', base),
    () => (changes = diffGoMod({ path: 'go.mod', content: base }, { path: 'go.mod', content: head }).length),
  ]);
  const results = { baseline: baselineMs!, parse: parseMs!, diff: diffMs! };
  const kib = Buffer.byteLength(base) / 1024;
  const perSec = (ms: number) => Math.round((requirements / ms) * 1000).toLocaleString('en-US');
  console.log(`go.mod with ${requirements} requirements and ${replaces} replaces (${kib.toFixed(0)} KiB); median of ${ITER} runs`);
  console.log(`node ${process.version}, ${process.platform}/${process.arch}`);
  console.log('');
  console.log('step                              ms    requirements/s   x baseline');
  const row = (name: string, ms: number) =>
    console.log(`${name.padEnd(30)}${ms.toFixed(2).padStart(8)}${perSec(ms).padStart(17)}${(ms / results.baseline).toFixed(1).padStart(13)}`);
  row('baseline: line+token split', results.baseline);
  row('parseModFile (strict)', results.parse);
  row('parse base+head and diff', results.diff);
  console.log('');
  console.log(`diff found ${changes} changes; parse throughput ${(kib / 1024 / (results.parse / 1000)).toFixed(1)} MiB/s`);
}

main();

/**
 * Benchmark: time and peak memory to verify N module versions against a local GOPROXY and a fake GitHub
 * API, both answering every request after an injected latency. Runs the same set sequentially (the
 * baseline) and with bounded concurrency (p-limit), and prints both with their ratio. The servers run in
 * a child process, so the figures are the verifier's own (time, peak RSS and heap of this process).
 *
 *   npm run build && node --expose-gc dist/bench/verify.js [modules=50] [latencyMs=50] [concurrency=16]
 */
import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import pLimit from 'p-limit';
import type { VerifyResult } from '../src/checks/divergence/verify.js';
import { loadEngineEnv } from '../src/config/operator.js';
import { createClients } from '../src/engine/wiring.js';
import { verifyVersion } from '../src/engine/verify-step.js';
import { sha, startGitHub, startProxy, type OriginRepo, type ProxyModule } from '../demo/servers.js';

const N = Number(process.argv[2] ?? 50);
const LATENCY = Number(process.argv[3] ?? 50);
const CONCURRENCY = Number(process.argv[4] ?? 16);
const FILES_PER_MODULE = 20;
/** Every fifth module gets an extra file on the proxy side, so the diff path is measured too. */
const DIVERGED_EVERY = 5;

interface Fixture {
  modules: ProxyModule[];
  repos: OriginRepo[];
  expectedDiverged: number;
}

/** N repositories with one tagged commit each; the proxy serves the same files (or one more). */
function buildFixture(n: number): Fixture {
  const modules: ProxyModule[] = [];
  const repos: OriginRepo[] = [];
  let expectedDiverged = 0;
  for (let i = 0; i < n; i++) {
    const path = `github.com/bench/m${i}`;
    const files: Record<string, string> = { 'go.mod': `module ${path}\n\ngo 1.21\n` };
    for (let f = 0; f < FILES_PER_MODULE; f++) {
      files[`pkg${f % 4}/file${f}.go`] = `package pkg${f % 4}\n\n// File ${f} of module ${i}.\n` + `var V${f} = "${'x'.repeat(2000)}"\n`;
    }
    files['README.md'] = `# m${i}\n`;
    const commit = { sha: sha('bench', `m${i}`), date: '2024-01-01T00:00:00Z', files };
    repos.push({ owner: 'bench', name: `m${i}`, createdAt: '2023-01-01T00:00:00Z', stars: 10, commits: [commit], tags: { 'v1.0.0': commit.sha } });
    const diverged = i % DIVERGED_EVERY === DIVERGED_EVERY - 1;
    if (diverged) expectedDiverged++;
    modules.push({
      path,
      version: 'v1.0.0',
      files: diverged ? { ...files, 'init.go': 'package main\n\nfunc init() { /* injected */ }\n' } : files,
      time: commit.date,
      origin: { VCS: 'git', URL: `https://github.com/bench/m${i}`, Ref: 'refs/tags/v1.0.0', Hash: commit.sha },
    });
  }
  return { modules, repos, expectedDiverged };
}

interface Run {
  ms: number;
  peakRssMb: number;
  peakHeapMb: number;
  results: VerifyResult[];
}

/** Starts the two servers in a child process (so their CPU and memory are not measured) and returns their URLs. */
async function startServers(n: number): Promise<{ child: ChildProcess; proxyUrl: string; githubUrl: string }> {
  const child = fork(fileURLToPath(import.meta.url), ['--serve', String(n), String(LATENCY)], { stdio: 'inherit' });
  const urls = await new Promise<{ proxyUrl: string; githubUrl: string }>((resolve, reject) => {
    child.once('message', (m) => resolve(m as { proxyUrl: string; githubUrl: string }));
    child.once('exit', (code) => reject(new Error(`server process exited with ${code}`)));
  });
  return { child, ...urls };
}

/** Child process: serve the fixture until the parent disconnects. */
async function serve(n: number, latencyMs: number): Promise<void> {
  const fx = buildFixture(n);
  const proxy = await startProxy(fx.modules, latencyMs);
  const github = await startGitHub(fx.repos, null, latencyMs);
  process.send!({ proxyUrl: proxy.url, githubUrl: github.url });
  process.on('disconnect', () => {
    void Promise.all([proxy.close(), github.close()]).then(() => process.exit(0));
  });
}

/** Verifies every module with at most `concurrency` in flight, sampling memory every 5 ms. */
async function run(fx: Fixture, concurrency: number): Promise<Run> {
  const servers = await startServers(fx.modules.length);
  // The engine's own wiring, as the app and the CLI build it.
  const settings = loadEngineEnv({
    GOPROXY: servers.proxyUrl,
    GOSUMDB: 'off',
    GITHUB_API_URL: servers.githubUrl,
    MODWARDEN_CONCURRENCY: String(Math.max(8, concurrency * 2)),
  });
  const clients = createClients(settings, { meta: false });
  (globalThis as { gc?: () => void }).gc?.();
  let peakRss = process.memoryUsage().rss;
  let peakHeap = process.memoryUsage().heapUsed;
  const sampler = setInterval(() => {
    const m = process.memoryUsage();
    peakRss = Math.max(peakRss, m.rss);
    peakHeap = Math.max(peakHeap, m.heapUsed);
  }, 5);
  const limit = pLimit(concurrency);
  const start = performance.now();
  const results = await Promise.all(fx.modules.map((m) => limit(() => verifyVersion(clients, m, null))));
  const ms = performance.now() - start;
  clearInterval(sampler);
  await clients.proxy.close();
  servers.child.disconnect();
  await new Promise((r) => servers.child.once('exit', r));
  return { ms, peakRssMb: peakRss / 2 ** 20, peakHeapMb: peakHeap / 2 ** 20, results };
}

function summarize(results: VerifyResult[]): string {
  const counts = new Map<string, number>();
  for (const r of results) counts.set(r.verdict, (counts.get(r.verdict) ?? 0) + 1);
  return [...counts].map(([v, c]) => `${c} ${v}`).join(', ');
}

async function main(): Promise<void> {
  const fx = buildFixture(N);
  console.log(`verify bench: ${N} modules (${FILES_PER_MODULE + 2} files each, 1 in ${DIVERGED_EVERY} diverged), ${LATENCY} ms latency per request`);
  // Warm-up so module loading and JIT do not count against the baseline.
  await run(buildFixture(2), 1);
  const seq = await run(fx, 1);
  const con = await run(fx, CONCURRENCY);
  const line = (label: string, r: Run) =>
    `  ${label.padEnd(22)} ${(r.ms / 1000).toFixed(2).padStart(7)} s  ${(r.ms / N).toFixed(1).padStart(7)} ms/module  ` +
    `peak RSS ${r.peakRssMb.toFixed(0).padStart(4)} MiB  peak heap ${r.peakHeapMb.toFixed(0).padStart(4)} MiB`;
  console.log(line('sequential (baseline)', seq));
  console.log(line(`concurrent (p-limit ${CONCURRENCY})`, con));
  console.log(`  speed-up: ${(seq.ms / con.ms).toFixed(1)}x   peak RSS ratio (concurrent/sequential): ${(con.peakRssMb / seq.peakRssMb).toFixed(2)}`);
  console.log(`  verdicts: sequential ${summarize(seq.results)}; concurrent ${summarize(con.results)} (expected ${fx.expectedDiverged} content-diverged)`);
  const wrong = [...seq.results, ...con.results].filter((r, k) => {
    const diverged = k % N % DIVERGED_EVERY === DIVERGED_EVERY - 1;
    return r.verdict !== (diverged ? 'content-diverged' : 'consistent');
  });
  if (wrong.length > 0) {
    console.log(`  WARNING: ${wrong.length} results differ from the expected verdicts, e.g. ${wrong[0].module}: ${wrong[0].verdict} (${wrong[0].reasons.at(-1)})`);
    process.exitCode = 1;
  }
}

const entry = process.argv[2] === '--serve' ? serve(Number(process.argv[3]), Number(process.argv[4])) : main();
entry.catch((e: unknown) => {
  console.error(e);
  process.exitCode = 1;
});

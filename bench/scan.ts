/**
 * bench/scan: a pull request adding 200 modules, scanned against local servers that add 50 ms to every
 * request (GOPROXY and GitHub API doubles from demo/servers.ts). Prints the scan time (cold, then warm:
 * proxy answers are cached across scans, origin state is re-read), peak memory, and beside it the time
 * Go's own `go mod download` needs for the same modules from the same proxy when `go` is on PATH.
 *
 *   npm run build && node dist/bench/scan.js [modules=200] [latencyMs=50]
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_REPO_CONFIG } from '../src/config/repo.js';
import { scan, type ScanResult } from '../src/engine/scan.js';
import { createClients, createScanChecks } from '../src/engine/wiring.js';
import { sha, startGitHub, startProxy, type OriginRepo, type ProxyModule } from '../demo/servers.js';

const N = Number(process.argv[2] ?? 200);
const LATENCY = Number(process.argv[3] ?? 50);
const CONCURRENCY = Number(process.env.MODWARDEN_CONCURRENCY ?? 16);

function moduleFiles(path: string, i: number): Record<string, string> {
  return {
    'go.mod': `module ${path}\n\ngo 1.19\n`,
    LICENSE: 'Apache License 2.0\n',
    'README.md': `# ${path}\n`,
    [`pkg${i % 7}.go`]: `package pkg\n\n// F${i} is generated for the benchmark.\nfunc F${i}() int { return ${i} }\n` + '// padding\n'.repeat(200),
    'util/util.go': `package util\n\nconst Name = "${path}"\n`,
  };
}

let peakRss = 0;
const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 10);

function runGo(args: string[], cwd: string, env: NodeJS.ProcessEnv): Promise<{ ok: boolean; ms: number; err: string }> {
  const t0 = performance.now();
  return new Promise((resolve) => {
    execFile('go', args, { cwd, env, maxBuffer: 64 << 20 }, (err, _out, stderr) => resolve({ ok: !err, ms: performance.now() - t0, err: String(stderr).split('\n').slice(0, 3).join(' ') }));
  });
}

async function goAvailable(): Promise<string | null> {
  return new Promise((resolve) => execFile('go', ['version'], (err, out) => resolve(err ? null : out.trim())));
}

async function main(): Promise<void> {
  const modules: ProxyModule[] = [];
  const repos: OriginRepo[] = [];
  for (let i = 0; i < N; i++) {
    const owner = `bench-org-${String(i).padStart(3, '0')}`;
    const name = `widget${i}`;
    const path = `github.com/${owner}/${name}`;
    const files = moduleFiles(path, i);
    const commit = { sha: sha(path, 'v1.0.0'), date: '2024-01-01T00:00:00Z', files };
    repos.push({ owner, name, createdAt: '2020-01-01T00:00:00Z', stars: 100, commits: [commit], tags: { 'v1.0.0': commit.sha } });
    modules.push({ path, version: 'v1.0.0', files, time: '2024-01-01T00:05:00Z', origin: { VCS: 'git', URL: `https://github.com/${owner}/${name}`, Ref: 'refs/tags/v1.0.0', Hash: commit.sha } });
  }
  const proxy = await startProxy(modules, LATENCY);
  const github = await startGitHub(repos, null, LATENCY);
  const requires = modules.map((m) => `\t${m.path} ${m.version}`).join('\n');
  const base = 'module example.com/bench\n\ngo 1.19\n';
  const head = `${base}\nrequire (\n${requires}\n)\n`;

  const clients = createClients({
    goproxy: proxy.url,
    gosumdb: 'off',
    goprivate: '',
    gonoproxy: null,
    gonosumdb: null,
    githubApiUrl: github.url,
    originToken: null,
    concurrency: CONCURRENCY,
    cacheEntries: 5000,
    tarballMaxBytes: 10 << 20,
    httpTimeoutMs: 30_000,
  });
  const checks = createScanChecks(clients);
  const runScan = async (): Promise<{ ms: number; result: ScanResult; proxyRequests: number; githubRequests: number }> => {
    const p0 = proxy.requests;
    const g0 = github.requests;
    const t0 = performance.now();
    const result = await scan({
      files: ['go.mod'],
      readFile: async (ref, p) => (p === 'go.mod' ? (ref === 'base' ? base : head) : null),
      config: DEFAULT_REPO_CONFIG,
      deps: { checks, concurrency: CONCURRENCY },
    });
    return { ms: performance.now() - t0, result, proxyRequests: proxy.requests - p0, githubRequests: github.requests - g0 };
  };

  const rssBefore = process.memoryUsage().rss;
  const cold = await runScan();
  const warm = await runScan();
  await clients.proxy.close();
  const verdicts = new Map<string, number>();
  for (const m of cold.result.modules) verdicts.set(m.verdict, (verdicts.get(m.verdict) ?? 0) + 1);

  const line = (label: string, value: string) => console.log(`${label.padEnd(44)} ${value}`);
  console.log(`bench/scan: PR adding ${N} modules, ${LATENCY} ms added latency per request, concurrency ${CONCURRENCY}\n`);
  line('modwarden scan (cold caches)', `${(cold.ms / 1000).toFixed(2)} s  (${cold.proxyRequests} proxy + ${cold.githubRequests} GitHub requests)`);
  line('modwarden scan again (proxy answers cached)', `${(warm.ms / 1000).toFixed(2)} s  (${warm.proxyRequests} proxy + ${warm.githubRequests} GitHub requests)`);
  line('verdicts', [...verdicts].map(([k, v]) => `${k} ${v}`).join(', ') + (cold.result.errors.length ? `; ${cold.result.errors.length} errors: ${cold.result.errors[0]}` : ''));
  line('findings', String(cold.result.findings.length));
  line('peak RSS (sampled every 10 ms)', `${(peakRss / 2 ** 20).toFixed(0)} MiB (${((peakRss - rssBefore) / 2 ** 20).toFixed(0)} MiB above the start)`);
  line('max RSS (process.resourceUsage)', `${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MiB`);

  const goVersion = await goAvailable();
  if (!goVersion) {
    line('go mod download', 'skipped: `go` is not on PATH (apt-get install -y golang-go)');
  } else {
    const dir = mkdtempSync(join(tmpdir(), 'modwarden-bench-go-'));
    try {
      writeFileSync(join(dir, 'go.mod'), head);
      const env: NodeJS.ProcessEnv = {
        PATH: process.env.PATH,
        HOME: dir,
        GOPATH: join(dir, 'gopath'),
        GOMODCACHE: join(dir, 'modcache'),
        GOCACHE: join(dir, 'gocache'),
        GOPROXY: proxy.url,
        GOSUMDB: 'off',
        GOFLAGS: '-mod=mod',
        GO111MODULE: 'on',
        GOTOOLCHAIN: 'local',
      };
      const p0 = proxy.requests;
      const r = await runGo(['mod', 'download', 'all'], dir, env);
      const requests = proxy.requests - p0;
      if (r.ok) {
        line(`go mod download (${goVersion.replace(/^go version /, '')})`, `${(r.ms / 1000).toFixed(2)} s  (${requests} proxy requests; downloads only, no checks)`);
        line('ratio scan / go mod download', `${(cold.ms / r.ms).toFixed(2)}x (cold scan, which also verifies every module against its origin)`);
      } else {
        line('go mod download', `failed after ${(r.ms / 1000).toFixed(2)} s: ${r.err}`);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
  clearInterval(sampler);
  await proxy.close();
  await github.close();
}

main().catch((e: unknown) => {
  clearInterval(sampler);
  console.error(`bench/scan failed: ${e instanceof Error ? e.stack ?? e.message : String(e)}`);
  process.exitCode = 1;
});

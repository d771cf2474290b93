/**
 * bench/watch: the dependency watch over an organisation of 200 repositories that share 300 modules, every
 * request to the local servers delayed by 50 ms (GOPROXY and origin GitHub doubles from demo/servers.ts, and
 * a small installation-API double here). Three runs through WatchService and the real checks:
 *   1. baseline on install (every repo audited, each module@version verified once for the whole org);
 *   2. scheduled, nothing changed (cheap probes only: proxy .info + origin tag per module version);
 *   3. scheduled after 3 origin tags moved (only those versions are verified in full; their repos are told).
 * Prints time and requests per run, and the verifications a per-repo audit without sharing would need.
 * GitHub repository search (typosquat evidence) is off here: GitHub paces it at 30 searches a minute, so
 * it would measure GitHub's pacing, not the watch (the watch stores look-alike verdicts for a week, so
 * only a baseline pays it). `--with-search` turns it on.
 *
 *   npm run build && node dist/bench/watch.js [repos=200] [modules=300] [latencyMs=50]
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ProbotOctokit } from 'probot';
import { createClients, createScanChecks } from '../src/engine/wiring.js';
import { createModuleProber } from '../src/engine/watch-probe.js';
import { MemoryStore } from '../src/sources/store/memory.js';
import { InProcessWatchQueue } from '../src/app/watch/queue.js';
import { WatchService, type RunStats } from '../src/app/watch/service.js';
import type { Octokit } from '../src/app/github.js';
import { sha, startGitHub, startProxy, type OriginRepo, type ProxyModule } from '../demo/servers.js';

const args = process.argv.slice(2).filter((a) => !a.startsWith('--'));
const WITH_SEARCH = process.argv.includes('--with-search');
const REPOS = Number(args[0] ?? 200);
const MODULES = Number(args[1] ?? 300);
const LATENCY = Number(args[2] ?? 50);
const PER_REPO = 30;
const CONCURRENCY = Number(process.env.MODWARDEN_CONCURRENCY ?? 16);
const JOBS = Number(process.env.MODWARDEN_WATCH_CONCURRENCY ?? 8);

function moduleFiles(path: string, i: number): Record<string, string> {
  return {
    'go.mod': `module ${path}\n\ngo 1.19\n`,
    LICENSE: 'Apache License 2.0\n',
    [`pkg${i % 7}.go`]: `package pkg\n\n// F${i} is generated for the benchmark.\nfunc F${i}() int { return ${i} }\n` + '// padding\n'.repeat(100),
  };
}

/** The org's repositories: each requires PER_REPO of the shared modules (every module used by someone). */
function orgRepos(modules: ProxyModule[]): Map<string, Record<string, string>> {
  const out = new Map<string, Record<string, string>>();
  for (let r = 0; r < REPOS; r++) {
    const picked = new Set<number>();
    for (let k = 0; picked.size < Math.min(PER_REPO, modules.length); k++) picked.add((r * 7 + k * 13 + (k * k) % 17) % modules.length);
    const req = [...picked].sort((a, b) => a - b).map((i) => `\t${modules[i]!.path} ${modules[i]!.version}`);
    const files: Record<string, string> = { 'go.mod': `module github.com/bench/svc-${r}\n\ngo 1.21\n\nrequire (\n${req.slice(0, 20).join('\n')}\n)\n` };
    // A third of the repos keep some requirements in a sub-module.
    if (r % 3 === 0) files['tools/go.mod'] = `module github.com/bench/svc-${r}/tools\n\ngo 1.21\n\nrequire (\n${req.slice(20).join('\n')}\n)\n`;
    else files['go.mod'] = files['go.mod']!.replace(')\n', `${req.slice(20).join('\n')}\n)\n`);
    out.set(`svc-${r}`, files);
  }
  return out;
}

/** The installation's API for the org: repos, default-branch heads, trees, contents, check runs, issues. */
async function startInstallationApi(repos: Map<string, Record<string, string>>, latencyMs: number) {
  const counts = { requests: 0, writes: 0, issuesOpened: 0, issuesUpdated: 0 };
  let remaining = 5000;
  const send = (res: ServerResponse, status: number, body: unknown, raw = false) => {
    res.writeHead(status, {
      'content-type': raw ? 'text/plain; charset=utf-8' : 'application/json',
      'x-ratelimit-limit': '5000',
      'x-ratelimit-remaining': String(Math.max(0, --remaining)),
      'x-ratelimit-reset': String(Math.floor(Date.now() / 1000) + 3600),
    });
    res.end(raw ? String(body) : JSON.stringify(body));
  };
  const route = (req: IncomingMessage, res: ServerResponse) => {
    counts.requests++;
    const u = new URL(req.url ?? '/', 'http://x');
    const segs = u.pathname.split('/').slice(1).map(decodeURIComponent);
    const [, owner, name, kind, ...rest] = segs;
    const files = owner === 'bench' && name ? repos.get(name) : undefined;
    const head = name ? sha('head', name) : '';
    if (req.method !== 'GET') counts.writes++;
    if (!files) return send(res, 404, { message: 'Not Found' });
    const tail = rest.join('/');
    if (req.method === 'GET' && kind === undefined) return send(res, 200, { name, full_name: `bench/${name}`, default_branch: 'main', archived: false });
    if (kind === 'git' && tail === 'ref/heads/main') return send(res, 200, { ref: 'refs/heads/main', object: { sha: head, type: 'commit' } });
    if (kind === 'git' && rest[0] === 'trees') return send(res, 200, { sha: head, truncated: false, tree: Object.keys(files).map((path) => ({ path, type: 'blob', mode: '100644', sha: sha(path) })) });
    if (kind === 'contents') return files[tail] === undefined ? send(res, 404, { message: 'Not Found' }) : send(res, 200, files[tail], true);
    if (kind === 'check-runs') return send(res, req.method === 'POST' ? 201 : 200, { id: 1 });
    if (kind === 'issues' && req.method === 'POST' && rest.length === 0) return counts.issuesOpened++, send(res, 201, { number: 1, state: 'open', user: { login: 'modwarden[bot]', type: 'Bot' } });
    if (kind === 'issues' && req.method === 'PATCH') return counts.issuesUpdated++, send(res, 200, {});
    if (kind === 'issues') return send(res, 200, []);
    return send(res, 404, { message: 'Not Found' });
  };
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => setTimeout(() => route(req, res), latencyMs));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    counts,
    remaining: () => remaining,
    close: () => new Promise<void>((resolve) => (server.closeAllConnections(), server.close(() => resolve()))),
  };
}

async function main(): Promise<void> {
  const modules: ProxyModule[] = [];
  const origins: OriginRepo[] = [];
  for (let i = 0; i < MODULES; i++) {
    const owner = `shared-${String(i).padStart(3, '0')}`;
    const name = `lib${i}`;
    const path = `github.com/${owner}/${name}`;
    const files = moduleFiles(path, i);
    const commit = { sha: sha(path, 'v1.0.0'), date: '2024-01-01T00:00:00Z', files };
    origins.push({ owner, name, createdAt: '2020-01-01T00:00:00Z', stars: 100, commits: [commit], tags: { 'v1.0.0': commit.sha } });
    modules.push({ path, version: 'v1.0.0', files, time: '2024-01-01T00:05:00Z', origin: { VCS: 'git', URL: `https://github.com/${owner}/${name}`, Ref: 'refs/tags/v1.0.0', Hash: commit.sha } });
  }
  const repos = orgRepos(modules);
  const proxy = await startProxy(modules, LATENCY);
  const github = await startGitHub(origins, null, LATENCY);
  const api = await startInstallationApi(repos, LATENCY);
  const settings = {
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
  };
  const quiet = { info() {}, warn() {}, error: (o: unknown, m?: string) => console.error(m, o), debug() {} };
  // A new client per job, as app.auth() gives (each gets the watch's rate-budget hooks).
  const octokit = () => new ProbotOctokit({ auth: { token: 'bench' }, baseUrl: api.url, throttle: { enabled: false }, retry: { enabled: false }, log: quiet }) as unknown as Octokit;
  const watch = new WatchService({
    store: new MemoryStore(),
    queue: new InProcessWatchQueue(JOBS, (e) => console.error(e)),
    startRun: () => {
      const clients = createClients(settings, { meta: WITH_SEARCH });
      const prober = createModuleProber({ env: clients.env, origin: clients.origin });
      return { checks: createScanChecks(clients), probe: prober.probe, close: async () => (await prober.close(), await clients.close?.()) };
    },
    auth: async () => octokit(),
    log: quiet,
    concurrency: CONCURRENCY,
  });

  const measure = async (label: string, start: () => Promise<string>) => {
    const before = { api: api.counts.requests, writes: api.counts.writes, proxy: proxy.requests, origin: github.requests };
    const t0 = performance.now();
    const runId = await start();
    const stats = (await watch.runDone(runId)) as RunStats;
    await watch.idle();
    const ms = performance.now() - t0;
    const d = { api: api.counts.requests - before.api, writes: api.counts.writes - before.writes, proxy: proxy.requests - before.proxy, origin: github.requests - before.origin };
    console.log(
      `${label.padEnd(36)} ${(ms / 1000).toFixed(2).padStart(7)} s  repos ${stats.repos}  verified ${String(stats.verified).padStart(3)}  reused ${String(stats.reused).padStart(3)}  ` +
        `requests: installation API ${d.api} (${(d.api / REPOS).toFixed(1)}/repo, ${d.writes} writes), proxy ${d.proxy}, origin ${d.origin}`,
    );
    return { ...stats, apiRequests: d.api };
  };

  const pins = [...repos.values()].reduce((n, files) => n + Object.values(files).reduce((k, t) => k + (t.match(/^\tgithub\.com\//gm)?.length ?? 0), 0), 0);
  console.log(
    `bench/watch: ${REPOS} repos sharing ${MODULES} modules (${pins} pins), ${LATENCY} ms added latency per request, ${JOBS} repos at once, ` +
      `concurrency ${CONCURRENCY}, GitHub search ${WITH_SEARCH ? 'on' : 'off'}\n`,
  );
  const baseline = await measure('1. baseline on install', () => watch.baseline(1, [...repos.keys()].map((repo) => ({ owner: 'bench', repo }))));
  await measure('2. scheduled, nothing changed', async () => (await watch.scheduled()).runId);
  // Three origin tags move to other code.
  for (const o of origins.slice(0, 3)) {
    const moved = { sha: sha(o.owner, 'moved'), date: '2025-01-01T00:00:00Z', files: { ...o.commits[0]!.files, 'evil.go': 'package pkg\n\nfunc init() {}\n' } };
    o.commits.push(moved);
    o.tags['v1.0.0'] = moved.sha;
  }
  await measure('3. scheduled, 3 tags moved', async () => (await watch.scheduled()).runId);
  console.log(
    `\nmodule verifications in the baseline: ${baseline.verified} for ${MODULES} module versions; a per-repo audit without sharing: ${pins} ` +
      `(${(pins / Math.max(1, baseline.verified)).toFixed(1)}x more). Watch issues opened in all: ${api.counts.issuesOpened} (the repos pinning a moved version).`,
  );
  const per500 = Math.round((baseline.apiRequests / REPOS) * 500);
  console.log(
    `installation API budget left after the three runs: ${api.remaining()} of 5000. A 500-repo baseline at this rate needs ~${per500} requests; ` +
      'the watch stops at 1000 left (a fifth kept for pull requests) and resumes after the hourly reset.',
  );
  await api.close();
  await proxy.close();
  await github.close();
}

void main().then(
  () => process.exit(0),
  (e) => {
    console.error(e);
    process.exit(1);
  },
);

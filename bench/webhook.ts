/**
 * Benchmark: how fast the app answers webhooks under a burst. 70 signed `pull_request` deliveries are
 * sent at once over HTTP to a real Probot server running the app (60 distinct deliveries for PRs #7, #8
 * and #9 of one repo, plus 10 redeliveries reusing earlier delivery ids). GitHub is a local stand-in that
 * answers every API call after `--github-latency` ms (default 100, about what api.github.com takes), so a
 * handler that calls GitHub before answering shows it in its answer time. Prints p50 / p99 / max answer
 * time, then waits for every queued scan and prints how many check runs were created and completed.
 *
 *   npm run build && node dist/bench/webhook.js [--github-latency 100] [--redis redis://127.0.0.1:6379]
 */
import { createHmac } from 'node:crypto';
import { createServer, request, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Probot, ProbotOctokit } from 'probot';
import { createApp } from '../src/app/index.js';
import type { ModWardenService } from '../src/app/service.js';
import type { OperatorConfig } from '../src/config/operator.js';
import { diffFiles, requiredModules } from '../src/engine/gomod-step.js';
import type { ScanChecks } from '../src/engine/scan.js';

const SECRET = 'bench-secret';
const DELIVERIES = 70;
const REDELIVERIES = 10;
const PULLS = [7, 8, 9];

function arg(name: string, dflt: string | null): string | null {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] ?? dflt : dflt;
}

const latencyMs = Number(arg('github-latency', '100'));
const redisUrl = arg('redis', null);
const sha = (n: number, salt: number) => createHmac('sha1', 'x').update(`${n}:${salt}`).digest('hex');

const BASE_GOMOD = 'module github.com/acme/service\n\ngo 1.21\n\nrequire github.com/pkg/errors v0.9.1\n';
const HEAD_GOMOD = 'module github.com/acme/service\n\ngo 1.21\n\nrequire (\n\tgithub.com/pkg/errors v0.9.1\n\tgithub.com/boltdb-go/bolt v1.3.1\n)\n';

/** A GitHub API stand-in: every answer after `latencyMs`; counts check runs created and completed. */
async function startGitHub() {
  const counts = { requests: 0, created: 0, completed: 0, reviews: 0 };
  let nextId = 1000;
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      counts.requests++;
      const url = new URL(req.url ?? '/', 'http://x');
      const json = (status: number, value: unknown) => {
        res.writeHead(status, { 'content-type': 'application/json' });
        res.end(JSON.stringify(value));
      };
      const text = (value: string) => {
        res.writeHead(200, { 'content-type': 'text/plain' });
        res.end(value);
      };
      setTimeout(() => {
        const p = url.pathname;
        if (req.method === 'POST' && p.endsWith('/access_tokens')) return json(201, { token: 'bench', expires_at: new Date(Date.now() + 3600e3).toISOString() });
        if (req.method === 'POST' && p.endsWith('/check-runs')) {
          counts.created++;
          const id = nextId++;
          return json(201, { id, html_url: `https://github.com/acme/service/runs/${id}`, app: { id: 1, slug: 'modwarden' } });
        }
        if (req.method === 'PATCH' && p.includes('/check-runs/')) {
          if (JSON.parse(body || '{}').status === 'completed') counts.completed++;
          return json(200, {});
        }
        if (req.method === 'GET' && /\/pulls\/\d+\/files$/.test(p)) {
          return json(200, [{ filename: 'go.mod', status: 'modified', patch: '@@ -1,5 +1,8 @@\n module github.com/acme/service\n+\tgithub.com/boltdb-go/bolt v1.3.1' }]);
        }
        if (req.method === 'GET' && p.includes('/compare/')) return json(200, { merge_base_commit: { sha: 'b'.repeat(40) } });
        if (req.method === 'GET' && /\/issues\/\d+\/comments$/.test(p)) return json(200, []);
        if (req.method === 'GET' && /\/pulls\/\d+\/reviews$/.test(p)) return json(200, []);
        if (req.method === 'POST' && /\/pulls\/\d+\/reviews$/.test(p)) {
          counts.reviews++;
          return json(200, { id: 1 });
        }
        if (req.method === 'GET' && p.includes('/git/trees/')) return json(200, { sha: 'b'.repeat(40), tree: [{ path: 'go.mod', type: 'blob', mode: '100644', sha: 'c'.repeat(40) }], truncated: false });
        if (req.method === 'GET' && p.endsWith('/contents/go.mod')) return text(url.searchParams.get('ref') === 'b'.repeat(40) ? BASE_GOMOD : HEAD_GOMOD);
        return json(404, { message: 'Not Found' });
      }, latencyMs);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, counts, close: () => new Promise<void>((r) => server.close(() => r())) };
}

/** Checks that answer at once: this measures the front door, not the engine. */
const checks: ScanChecks = {
  diff: diffFiles,
  requiredModules,
  typosquat: async () => [],
  verify: async () => [],
};

function operator(githubApiUrl: string): OperatorConfig {
  return {
    appId: '1',
    privateKey: 'unused: the bench authenticates with a token',
    webhookSecret: SECRET,
    goproxy: 'off',
    gosumdb: 'off',
    goprivate: '',
    gonoproxy: null,
    gonosumdb: null,
    githubApiUrl,
    originToken: null,
    gheHost: null,
    concurrency: 4,
    jobConcurrency: 4,
    cacheEntries: 100,
    tarballMaxBytes: 1 << 20,
    httpTimeoutMs: 5000,
    logLevel: 'fatal',
    ...(redisUrl ? { redisUrl } : {}),
  } as OperatorConfig;
}

function payload(number: number, salt: number) {
  return {
    action: 'synchronize',
    number,
    installation: { id: 42 },
    repository: { name: 'service', full_name: 'acme/service', owner: { login: 'acme' } },
    pull_request: { number, state: 'open', user: { login: 'dev' }, head: { sha: sha(number, salt) }, base: { sha: 'a'.repeat(40) } },
    sender: { login: 'dev' },
  };
}

/** POSTs one signed delivery; resolves with the answer time in ms and the status. */
function deliver(url: string, id: string, body: string): Promise<{ ms: number; status: number }> {
  const signature = `sha256=${createHmac('sha256', SECRET).update(body).digest('hex')}`;
  const started = process.hrtime.bigint();
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      { method: 'POST', headers: { 'content-type': 'application/json', 'x-github-event': 'pull_request', 'x-github-delivery': id, 'x-hub-signature-256': signature } },
      (res) => {
        res.resume();
        res.on('end', () => resolve({ ms: Number(process.hrtime.bigint() - started) / 1e6, status: res.statusCode ?? 0 }));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

const pct = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;

async function main() {
  const github = await startGitHub();
  let service: ModWardenService | undefined;
  const probot = new Probot({
    githubToken: 'bench-token',
    secret: SECRET,
    baseUrl: github.url,
    logLevel: 'fatal',
    Octokit: ProbotOctokit.defaults((options: object) => ({ ...options, retry: { enabled: false }, throttle: { enabled: false } })),
  });
  await probot.load(createApp({ operator: operator(github.url), scanDeps: { checks, concurrency: 4 }, onService: (s) => (service = s) }));
  const middleware = await probot.getNodeMiddleware();
  const server = createServer((req, res) => void middleware(req, res, () => res.writeHead(404).end()));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/github/webhooks`;

  const firsts = Array.from({ length: DELIVERIES - REDELIVERIES }, (_, i) => ({ id: `delivery-${i}`, body: JSON.stringify(payload(PULLS[i % PULLS.length]!, i)) }));
  const again = firsts.slice(0, REDELIVERIES);
  const all = [...firsts, ...again];
  // One warm-up delivery outside the measurement (module loading, first token).
  await deliver(url, 'warm-up', JSON.stringify(payload(99, 0)));
  await service!.idle();
  const created0 = github.counts.created;

  const answers = await Promise.all(all.map((d) => deliver(url, d.id, d.body)));
  const times = answers.map((a) => a.ms).sort((a, b) => a - b);
  const bad = answers.filter((a) => a.status < 200 || a.status >= 300).length;
  process.stdout.write(
    `webhook answers, ${all.length} concurrent signed deliveries (${REDELIVERIES} redelivered), GitHub latency ${latencyMs} ms${redisUrl ? ', Redis queue' : ', in-process queue'}:\n` +
      `  p50 ${pct(times, 50).toFixed(1)} ms   p99 ${pct(times, 99).toFixed(1)} ms   max ${times.at(-1)!.toFixed(1)} ms   non-2xx ${bad}\n`,
  );
  const t0 = Date.now();
  await service!.idle();
  process.stdout.write(
    `  queue drained in ${Date.now() - t0} ms: ${github.counts.created - created0} check runs created, ${github.counts.completed} completed in all (${DELIVERIES - REDELIVERIES} distinct heads)\n`,
  );
  await service!.close();
  await new Promise<void>((r) => server.close(() => r()));
  await github.close();
}

main().then(
  () => process.exit(0),
  (e) => {
    process.stderr.write(`${e instanceof Error ? e.stack : String(e)}\n`);
    process.exit(1);
  },
);

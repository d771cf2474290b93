/**
 * Benchmark: how long `modwarden verify github.com/boltdb/bolt@v1.3.1` takes against a GOPROXY that
 * misbehaves on the `.zip` (it answers `.info` and `.mod` normally):
 *   - hang:  accepts the connection and never answers;
 *   - stall: sends the headers and the first 4 KiB, then nothing more.
 * Runs the real CLI (dist/, so `npm run build` first) as a child process with the operator's default time
 * bounds, then with bounds ten times smaller, and prints each wall time next to the bound that should
 * decide it (the baseline: measured / bound is about 1, not 1 per retry). Issue 12 measured 907 s for
 * the hang before the bounds existed.
 *
 *   npm run build && node dist/bench/stalled-proxy.js [hang|stall|all] [--short-only]
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';
import { moduleZip } from '../demo/servers.js';

type Mode = 'hang' | 'stall';
const MODULE = 'github.com/boltdb/bolt';
const VERSION = 'v1.3.1';
const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** A proxy for one module version whose `.zip` misbehaves as `mode` says; GitHub API requests get 404. */
async function startProxy(mode: Mode) {
  // Incompressible content, so the zip is far larger than the 4 KiB the "stall" mode sends.
  const noise = randomBytes(48 * 1024).toString('base64');
  const zip = await moduleZip(MODULE, VERSION, { 'go.mod': `module ${MODULE}\n`, 'db.go': `package bolt\n\n// ${noise}\n` });
  const sockets = new Set<Socket>();
  const held = new Set<ServerResponse>();
  const seen: string[] = [];
  const server = createServer((req, res) => {
    const url = req.url ?? '/';
    seen.push(url);
    if (url.endsWith('.info')) return void res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ Version: VERSION, Time: '2016-11-04T22:05:15Z' }));
    if (url.endsWith('.mod')) return void res.writeHead(200, { 'content-type': 'text/plain' }).end(`module ${MODULE}\n`);
    if (url.endsWith('.zip')) {
      held.add(res);
      if (mode === 'stall') {
        res.writeHead(200, { 'content-type': 'application/zip', 'content-length': String(zip.length) });
        res.write(zip.subarray(0, 4096));
      }
      return;
    }
    res.writeHead(404, { 'content-type': 'application/json' }).end('{"message":"Not Found"}');
  });
  server.on('connection', (s: Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    zipRequests: () => seen.filter((u) => u.endsWith('.zip')).length,
    close: () =>
      new Promise<void>((r) => {
        for (const res of held) res.destroy();
        for (const s of sockets) s.destroy();
        server.close(() => r());
      }),
  };
}

/** Runs the CLI against the proxy and returns wall time, exit code and the reason line it printed. */
async function runVerify(proxyUrl: string, env: Record<string, string>): Promise<{ ms: number; code: number | null; reason: string }> {
  const childEnv: NodeJS.ProcessEnv = { PATH: process.env.PATH, HOME: process.env.HOME, GOSUMDB: 'off', GOPROXY: proxyUrl, GITHUB_API_URL: proxyUrl, ...env };
  const t0 = performance.now();
  const child = spawn(process.execPath, [join(root, 'bin', 'modwarden.js'), 'verify', `${MODULE}@${VERSION}`], { env: childEnv });
  let out = '';
  child.stdout.on('data', (c: Buffer) => (out += c.toString()));
  child.stderr.on('data', (c: Buffer) => (out += c.toString()));
  const code = await new Promise<number | null>((r) => child.on('close', r));
  const ms = performance.now() - t0;
  const reason = out.split('\n').find((l) => /did not answer|stopped sending|did not finish|cancelled/.test(l))?.trim() ?? out.trim().split('\n').slice(-1)[0] ?? '';
  return { ms, code, reason };
}

async function measure(mode: Mode, label: string, env: Record<string, string>, boundMs: number): Promise<void> {
  const proxy = await startProxy(mode);
  try {
    const r = await runVerify(proxy.url, env);
    console.log(
      `${mode.padEnd(5)} ${label.padEnd(26)} ${(r.ms / 1000).toFixed(1).padStart(6)} s   bound ${(boundMs / 1000).toFixed(0).padStart(3)} s   ratio ${(r.ms / boundMs).toFixed(2)}   ` +
        `.zip requests ${proxy.zipRequests()}   exit ${r.code}`,
    );
    console.log(`      ${r.reason}`);
  } finally {
    await proxy.close();
  }
}

const which = (process.argv[2] ?? 'all') as Mode | 'all';
const shortOnly = process.argv.includes('--short-only');
const modes: Mode[] = which === 'all' ? ['hang', 'stall'] : [which];
console.log(`modwarden verify ${MODULE}@${VERSION} against a misbehaving proxy (issue 12 measured 907 s for "hang" before time bounds)`);
for (const mode of modes) {
  const defaults = mode === 'hang' ? 30_000 : 20_000;
  const short: Record<string, string> = mode === 'hang' ? { MODWARDEN_HTTP_CONNECT_TIMEOUT_MS: '3000' } : { MODWARDEN_HTTP_STALL_TIMEOUT_MS: '2000' };
  if (!shortOnly) await measure(mode, 'defaults', {}, defaults);
  await measure(mode, `bound / 10 (${Object.keys(short)[0]!.replace('MODWARDEN_HTTP_', '')})`, short, defaults / 10);
}

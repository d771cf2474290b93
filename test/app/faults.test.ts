/**
 * GitHub failing at app level: a 5xx on the review and on the check-run updates. The check run is still
 * completed, and nothing is posted twice.
 */
import nock from 'nock';
import {
  API,
  REPO,
  checkRunCreated,
  checksWith,
  finding,
  payload,
  startApp,
  stopApps,
  mockPrReads,
} from './harness.js';

beforeEach(() => {
  nock.disableNetConnect();
  nock.enableNetConnect('127.0.0.1');
});
afterEach(async () => {
  await stopApps();
  nock.cleanAll();
  nock.enableNetConnect();
});

const diverged = checksWith({ verify: (m, v) => [finding('content-diverged', 'critical', m, v, 'The proxy serves different code than the origin tag')] });


it('a 502 on the check-run update and on the review: the run completes once, the review is attempted once (never doubled)', async () => {
  const { probot, service } = await startApp({ checks: diverged });
  service.completionRetry = { firstDelayMs: 5, maxDelayMs: 20 };
  let creates = 0;
  let reviewPosts = 0;
  const completions: any[] = [];
  const scope = nock(API)
    .post(`${REPO}/check-runs`).reply(201, () => (creates++, checkRunCreated()))
    .patch(`${REPO}/check-runs/4242`).reply(502, { message: 'Bad Gateway' })
    .patch(`${REPO}/check-runs/4242`, (b) => (completions.push(b), true)).reply(200, {})
    .get(`${REPO}/pulls/2/reviews`).query({ per_page: 100 }).reply(200, [])
    .post(`${REPO}/pulls/2/reviews`).reply(502, () => (reviewPosts++, { message: 'Bad Gateway' }));
  mockPrReads(scope);
  await probot.receive({ id: 'fault-1', name: 'pull_request', payload: payload('pull_request.opened') });
  // GitHub redelivers after the slow answer it saw: the same delivery id is not a second scan.
  await probot.receive({ id: 'fault-1', name: 'pull_request', payload: payload('pull_request.opened') });
  await service.idle();
  expect(creates).toBe(1);
  expect(completions).toEqual([expect.objectContaining({ status: 'completed', conclusion: 'failure' })]);
  // A review POST that failed may or may not have been applied by GitHub: not retried blindly.
  expect(reviewPosts).toBe(1);
  expect(scope.isDone()).toBe(true);
});

import { createServer, type Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { createScanDeps } from '../../src/engine/wiring.js';
import { startBoltWorld, worldSettings, type BoltWorld } from './boltdb-world.js';

/** A proxy in front of the world's: `.info` and `.mod` pass through; the `.zip` hangs, or resets mid-body. */
async function faultyProxy(upstream: string, mode: 'hang' | 'reset') {
  const sockets = new Set<Socket>();
  const server: Server = createServer(async (req, res) => {
    if (req.url?.endsWith('.zip')) {
      if (mode === 'hang') return; // never answers
      const zip = Buffer.from(await (await fetch(upstream + req.url)).arrayBuffer());
      res.writeHead(200, { 'content-type': 'application/zip', 'content-length': String(zip.length) });
      res.write(zip.subarray(0, Math.floor(zip.length / 2)));
      setTimeout(() => req.socket.destroy(), 20); // connection reset mid-zip
      return;
    }
    const up = await fetch(upstream + req.url);
    res.writeHead(up.status, { 'content-type': up.headers.get('content-type') ?? 'text/plain' });
    res.end(Buffer.from(await up.arrayBuffer()));
  });
  server.on('connection', (s: Socket) => (sockets.add(s), s.on('close', () => sockets.delete(s))));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => new Promise<void>((r) => (sockets.forEach((s) => s.destroy()), server.close(() => r()))),
  };
}

describe('the module proxy failing mid-zip, at app level', () => {
  let world: BoltWorld | null = null;
  let front: Awaited<ReturnType<typeof faultyProxy>> | null = null;
  afterEach(async () => {
    await front?.close();
    await world?.close();
    world = null;
    front = null;
  });

  for (const mode of ['hang', 'reset'] as const) {
    it(`a proxy that ${mode === 'hang' ? 'never answers the .zip' : 'resets the connection mid-zip'}: verify-failed, and the run completes once`, async () => {
      world = await startBoltWorld();
      front = await faultyProxy(world.proxy.url, mode);
      const settings = { ...worldSettings(world), goproxy: front.url, httpConnectTimeoutMs: 400, httpStallTimeoutMs: 400, httpTimeoutMs: 2000 };
      const { probot, service } = await startApp(createScanDeps(settings));
      let creates = 0;
      const completions: any[] = [];
      const scope = nock(API)
        .post(`${REPO}/check-runs`).reply(201, () => (creates++, checkRunCreated()))
        .patch(`${REPO}/check-runs/4242`, (b) => (completions.push(b), true)).reply(200, {})
        .get(`${REPO}/pulls/2/reviews`).query({ per_page: 100 }).reply(200, [])
        .post(`${REPO}/pulls/2/reviews`).reply(200, { id: 1 });
      mockPrReads(scope);
      await probot.receive({ id: `proxy-${mode}`, name: 'pull_request', payload: payload('pull_request.opened') });
      await service.idle();
      expect(creates).toBe(1);
      expect(completions).toEqual([expect.objectContaining({ status: 'completed', conclusion: 'failure' })]);
      const titles = completions[0].output.annotations.map((a: { title: string }) => a.title);
      expect(titles).toContain('high verify-failed: github.com/boltdb-go/bolt@v1.3.1');
      expect(completions[0].output.summary).toMatch(mode === 'hang' ? /cause: kind `timeout`, source `proxy`, detail `proxy \S+ did not answer within 400 ms/ : /cause: kind `(network|bad-response|corrupt-zip)`, source `proxy`/);
    });
  }
});

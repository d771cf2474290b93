/**
 * Real HTTP: Probot's node middleware on a node:http server on 127.0.0.1, port 0. A delivery signed with
 * the webhook secret runs the app; a wrong signature is refused and nothing runs.
 */
import nock from 'nock';
import { createHmac } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Probot, ProbotOctokit, createNodeMiddleware } from 'probot';
import { createApp } from '../../src/app/index.js';
import type { ModWardenService } from '../../src/app/service.js';
import { API, REPO, WEBHOOK_SECRET, checkRunCreated, checksWith, mockConfig, operator, payload, stopApps } from './harness.js';

let server: Server;
let url: string;
let service: ModWardenService;

beforeAll(async () => {
  const probot = new Probot({
    githubToken: 'test-installation-token',
    secret: WEBHOOK_SECRET,
    logLevel: 'fatal',
    Octokit: ProbotOctokit.defaults((o: object) => ({ ...o, retry: { enabled: false }, throttle: { enabled: false } })),
  });
  const middleware = await createNodeMiddleware(
    createApp({ operator: operator(), scanDeps: { checks: checksWith({}) }, onService: (s) => (service = s) }),
    { probot, webhooksPath: '/api/github/webhooks' },
  );
  server = createServer((req, res) => {
    void middleware(req, res, () => {
      res.writeHead(404).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/github/webhooks`;
});

afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
});

beforeEach(() => {
  nock.disableNetConnect();
  nock.enableNetConnect('127.0.0.1');
});
afterEach(async () => {
  await stopApps();
  nock.cleanAll();
  nock.enableNetConnect();
});

function post(body: string, signature: string, id: string) {
  return fetch(url, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      'x-github-event': 'pull_request',
      'x-github-delivery': id,
      'x-hub-signature-256': signature,
      'user-agent': 'GitHub-Hookshot/test',
    },
    body,
  });
}

const sign = (body: string, secret: string) => 'sha256=' + createHmac('sha256', secret).update(body).digest('hex');

describe('webhook endpoint', () => {
  it('accepts a correctly signed delivery and runs the app', async () => {
    const body = JSON.stringify(payload('pull_request.opened'));
    const created: any[] = [];
    const scope = nock(API)
      .post(`${REPO}/check-runs`, (b) => (created.push(b), true)).reply(201, checkRunCreated())
      .get(`${REPO}/pulls/2/files`).query({ per_page: 100 }).reply(200, [{ filename: 'docs/x.md', status: 'added', patch: '@@ -0,0 +1 @@\n+x' }])
      .patch(`${REPO}/check-runs/4242`, (b) => b.conclusion === 'success').reply(200, {});
    mockConfig(scope, null);
    const res = await post(body, sign(body, WEBHOOK_SECRET), 'http-1');
    expect(res.status).toBe(200);
    await service.idle();
    expect(created).toHaveLength(1);
    expect(scope.isDone()).toBe(true);
  });

  it('refuses a delivery with a wrong signature, and nothing runs', async () => {
    const body = JSON.stringify(payload('pull_request.opened'));
    const unmatched: string[] = [];
    const listener = (req: any) => unmatched.push(`${req.method} ${req.path ?? req.url}`);
    nock.emitter.on('no match', listener);
    const res = await post(body, sign(body, 'not-the-secret'), 'http-2');
    await service.idle();
    nock.emitter.removeListener('no match', listener);
    expect(res.status).toBe(400);
    // Only our own POST to the local server passes through nock; no GitHub API call was attempted.
    expect(unmatched).toEqual(['POST /api/github/webhooks']);
  });

  it('refuses a delivery whose body was changed after signing', async () => {
    const body = JSON.stringify(payload('pull_request.opened'));
    const signature = sign(body, WEBHOOK_SECRET);
    const res = await post(body.replace('"opened"', '"reopened"'), signature, 'http-3');
    expect(res.status).toBe(400);
  });
});

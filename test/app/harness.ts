/**
 * Test harness for the app: a real Probot instance with our app loaded, GitHub's API mocked with nock
 * (every call asserted by the tests), and scan dependencies the test chooses.
 */
import nock from 'nock';
import { readFileSync } from 'node:fs';
import { Probot, ProbotOctokit } from 'probot';
import { createApp, type AppOptions } from '../../src/app/index.js';
import type { ModWardenService } from '../../src/app/service.js';
import type { OperatorConfig } from '../../src/config/operator.js';
import type { Finding } from '../../src/findings.js';
import type { ScanChecks, ScanDeps } from '../../src/engine/scan.js';
import { diffFiles, requiredModules } from '../../src/engine/gomod-step.js';

export const API = 'https://api.github.com';
export const REPO = '/repos/acme/service';
export const HEAD = 'ec26c3e57ca3a959ca5aad62de7213c562f8c821';
export const BASE = 'f95f852bd8fca8fcc58a9a2d6c842781e32a215e';
export const MERGE_BASE = '1111111111111111111111111111111111111111';
export const WEBHOOK_SECRET = 'it-is-a-secret';

/** A webhook payload from test/fixtures/webhooks/ (a fresh copy each time). */
export function payload(name: string): any {
  return JSON.parse(readFileSync(new URL(`../fixtures/webhooks/${name}.json`, import.meta.url), 'utf8'));
}

export function operator(over: Partial<OperatorConfig> = {}): OperatorConfig {
  return {
    appId: '123',
    privateKey: 'unused: the tests authenticate with a token',
    webhookSecret: WEBHOOK_SECRET,
    goproxy: 'off',
    gosumdb: 'off',
    goprivate: '',
    gonoproxy: null,
    gonosumdb: null,
    githubApiUrl: 'http://127.0.0.1:1',
    originToken: null,
    gheHost: null,
    concurrency: 4,
    jobConcurrency: 2,
    cacheEntries: 100,
    tarballMaxBytes: 1 << 20,
    httpTimeoutMs: 2000,
    logLevel: 'fatal',
    ...over,
  };
}

/**
 * Checks for app tests: the real go.mod diff, with typosquat and verify answers the test decides
 * (the checks themselves are tested elsewhere; here we assert what the app does with their findings).
 */
export function checksWith(answers: { typosquat?: (module: string) => Finding[]; verify?: (module: string, version: string) => Finding[] | Promise<Finding[]> }): ScanChecks {
  return {
    diff: diffFiles,
    requiredModules,
    async typosquat(change) {
      return (answers.typosquat?.(change.fetch!.path) ?? []).map((f) => ({ ...f, goModPath: change.goModPath, line: change.line }));
    },
    async verify(change) {
      const found = await (answers.verify?.(change.fetch!.path, change.fetch!.version) ?? []);
      return found.map((f) => ({ ...f, goModPath: change.goModPath, line: change.line }));
    },
  };
}

/** A finding about `module@version` (goModPath/line are filled in from the change). */
export function finding(rule: Finding['rule'], severity: Finding['severity'], module: string, version: string, title: string): Finding {
  return { rule, severity, module, version, goModPath: '', line: null, title, message: 'What to do about it.', evidence: { note: 'evidence' } };
}

export interface Harness {
  probot: Probot;
  service: ModWardenService;
}

const started: ModWardenService[] = [];

/** Stops every app the test started (their queues stop taking jobs; stores are released). */
export async function stopApps(): Promise<void> {
  await Promise.all(started.splice(0).map((s) => s.close(true).catch(() => {})));
}

/** A Probot with our app loaded; scans use `scanDeps`. */
export async function startApp(scanDeps: ScanDeps, over: Partial<OperatorConfig> = {}, baseUrl?: string, app: Partial<AppOptions> = {}): Promise<Harness> {
  let service: ModWardenService | undefined;
  const probot = new Probot({
    ...(baseUrl ? { baseUrl } : {}),
    githubToken: 'test-installation-token',
    secret: WEBHOOK_SECRET,
    logLevel: 'fatal',
    // A function, not an object: Probot merges its own throttle options over object defaults, and the
    // write throttle (1 s between POST/PATCH) would slow every test down.
    Octokit: ProbotOctokit.defaults((options: object) => ({ ...options, retry: { enabled: false }, throttle: { enabled: false } })),
  });
  await probot.load(createApp({ operator: operator(over), scanDeps, onService: (s) => (service = s), sweepOnStart: false, ...app }));
  started.push(service!);
  return { probot, service: service! };
}

export const BASE_GOMOD = `module github.com/acme/service

go 1.21

require (
\tgithub.com/pkg/errors v0.9.1
)
`;

export const HEAD_GOMOD = `module github.com/acme/service

go 1.21

require (
\tgithub.com/boltdb-go/bolt v1.3.1
\tgithub.com/pkg/errors v0.9.1
)
`;

/** The `patch` GitHub's pulls/files API returns for BASE_GOMOD -> HEAD_GOMOD. */
export const GOMOD_PATCH = '@@ -3,5 +3,6 @@ module github.com/acme/service\n go 1.21\n \n require (\n+\tgithub.com/boltdb-go/bolt v1.3.1\n \tgithub.com/pkg/errors v0.9.1\n )';

/** Mocks the config lookup (repo, then the org's .github repo) with `yaml` or 404s. */
export function mockConfig(scope: nock.Scope, yaml: string | null): nock.Scope {
  if (yaml !== null) return scope.get(`${REPO}/contents/${encodeURIComponent('.github/modwarden.yml')}`).reply(200, yaml, { 'content-type': 'text/plain; charset=utf-8' });
  return scope
    .get(`${REPO}/contents/${encodeURIComponent('.github/modwarden.yml')}`)
    .reply(404, { message: 'Not Found' })
    .get(`/repos/acme/.github/contents/${encodeURIComponent('.github/modwarden.yml')}`)
    .reply(404, { message: 'Not Found' });
}

/** Mocks reading a file at a commit through the contents API (raw media type). */
export function mockFile(scope: nock.Scope, path: string, ref: string, text: string | null): nock.Scope {
  const i = scope.get(`${REPO}/contents/${encodeURIComponent(path)}`).query({ ref });
  return text === null ? i.reply(404, { message: 'Not Found' }) : i.reply(200, text, { 'content-type': 'text/plain; charset=utf-8' });
}

/** Check-run creation answer, with the app slug the service learns its bot login from. */
export function checkRunCreated(id = 4242) {
  return { id, html_url: `https://github.com/acme/service/runs/${id}`, status: 'in_progress', app: { id: 123, slug: 'modwarden' } };
}

/** Mocks the recursive git tree of a commit (the app lists the base's go.mod files for existing requirements). */
export function mockTree(scope: nock.Scope, sha: string, paths: string[]): nock.Scope {
  return scope
    .get(`${REPO}/git/trees/${sha}`)
    .query({ recursive: 'true' })
    .reply(200, {
      sha,
      url: `${API}${REPO}/git/trees/${sha}`,
      tree: paths.map((path) => ({ path, mode: '100644', type: 'blob', sha: '0'.repeat(40), size: 100, url: `${API}${REPO}/git/blobs/${'0'.repeat(40)}` })),
      truncated: false,
    });
}

/** What a worker reads to scan PR #2 (BASE_GOMOD → HEAD_GOMOD, no go.sum, no repo config). */
export function mockPrReads(scope: nock.Scope): nock.Scope {
  scope
    .get(`${REPO}/pulls/2/files`).query({ per_page: 100 }).reply(200, [{ filename: 'go.mod', status: 'modified', patch: GOMOD_PATCH }])
    .get(`${REPO}/compare/${BASE}...${HEAD}`).query({ per_page: 1 }).reply(200, { merge_base_commit: { sha: MERGE_BASE } })
    .get(`${REPO}/issues/2/comments`).query({ per_page: 100 }).reply(200, []);
  mockFile(scope, 'go.mod', MERGE_BASE, BASE_GOMOD);
  mockFile(scope, 'go.mod', HEAD, HEAD_GOMOD);
  mockFile(scope, 'go.sum', HEAD, null);
  mockTree(scope, MERGE_BASE, ['go.mod']);
  mockConfig(scope, null);
  return scope;
}

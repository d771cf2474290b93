/**
 * Test doubles of the module proxy and GitHub for the typosquat evaluation (issue 11), built from the labelled
 * data: the publicly reported malicious modules (test/fixtures/typosquat/malicious.tsv) and the long-tail
 * legitimate modules required by Debian's Go packages (test/fixtures/graph/debian-requirements.tsv).
 * Shared by bench/typosquat-eval.ts and the tests (which may import bench/, never the other way round).
 *
 * What the doubles assume, beyond the cited data (the report states these):
 * - an attack: the copy's repository is created 2 days before its publication (the latest date the sources
 *   support) by an account made 3 days earlier (the reports describe throwaway accounts); it has 0 stars; its
 *   content is the target's files plus one payload file with `init()` importing `os/exec` and `net/http`
 *   (kinds `copy` and `lookalike`), or its own code (`sleeper`); it republishes the target's latest tag.
 *   The target has "tens of stars" (20), its repository is a month older than its first release (the cited
 *   first-release time, else three years before the copy), its owner two years older than that.
 * - a legitimate module is judged in the worst case for it: every other module is older (first release
 *   2015) and more starred (500) than it (published 2021, 5 stars), nothing is a declared fork or rename, no
 *   `// Deprecated:` line helps; its content is its own. The one favourable assumption: its owner account
 *   existed before the repository (two years; `ownerAgeDays` changes it for the sensitivity figure).
 */
import { createHash } from 'node:crypto';
import type { FileDigest } from '../src/checks/typosquat/clone.js';
import type { ProxyFacts } from '../src/checks/typosquat/evidence.js';
import type { AttackDouble, MaliciousRecord } from '../src/checks/typosquat/eval-data.js';
import { parsePath } from '../src/checks/typosquat/path-parts.js';
import type { GitHubMetaClient, Lookup, RepoMeta, UserMeta } from '../src/sources/github/meta.js';

const DAY = 86_400_000;

/** One module the fake proxy serves. */
export interface FakeModule {
  versions: Array<{ version: string; time: string }>;
  files: FileDigest[];
  deprecated?: string;
}

/** One repository and its owner in the fake GitHub. */
export interface FakeRepo {
  meta: RepoMeta;
  ownerCreatedAt: string;
}

/** Request counts, by kind (the bench reports what the evidence costs). */
export interface Calls {
  proxy: number;
  zips: number;
  github: number;
  searches: number;
}

/** A world: proxy, GitHub and module files, with request counters and optional latency. */
export interface World {
  proxy: ProxyFacts;
  meta: GitHubMetaClient;
  fetchFiles(mv: { path: string; version: string }): Promise<FileDigest[]>;
  calls: Calls;
}

export interface WorldSpec {
  modules: Map<string, FakeModule>;
  repos: Map<string, FakeRepo>;
  /** Served for a path not in `modules` (null: not found). */
  moduleFallback?: (path: string) => FakeModule | null;
  /** Served for a repository not in `repos` (null: 404). */
  repoFallback?: (owner: string, name: string) => FakeRepo | null;
  /** Simulated latency per request, ms (bench). */
  latencyMs?: number;
  /** Only what existed at this time is visible (versions, repositories): the review time. */
  at?: Date;
}

function sha(s: string): string {
  return createHash('sha256').update(s).digest('hex');
}

/** Files of a small Go module, distinct per `seed`. */
export function moduleFiles(seed: string, name: string): FileDigest[] {
  const go = (imports: string[]) => ({ imports, init: false });
  const files: Array<[string, FileDigest['go'] | undefined]> = [
    ['go.mod', undefined],
    ['LICENSE', undefined],
    ['README.md', undefined],
    [`${name}.go`, go(['errors', 'fmt', 'io'])],
    [`${name}_test.go`, go(['testing'])],
    ['options.go', go(['time'])],
    ['internal/util/util.go', go(['strings'])],
    ['example_test.go', go(['fmt'])],
  ];
  return files.map(([path, g]) => ({ path, size: 1000 + path.length, sha256: sha(`${seed}:${path}`), ...(g ? { go: g } : {}) }));
}

/** A copy of `target` with one payload file: `init()` that reaches the network and runs programs. */
export function payloadCopy(target: FileDigest[], suspect: string): FileDigest[] {
  return [
    ...target.map((f) => (f.path === 'go.mod' ? { ...f, sha256: sha(`${suspect}:go.mod`) } : f)),
    { path: 'payload_unix.go', size: 2400, sha256: sha(`${suspect}:payload`), go: { imports: ['net/http', 'os/exec'], init: true } },
  ];
}

export function createWorld(spec: WorldSpec): World {
  const calls: Calls = { proxy: 0, zips: 0, github: 0, searches: 0 };
  // Owners' creation times; a later repository of the same owner says it last (the world's own suspect).
  const users = new Map<string, string>();
  for (const r of spec.repos.values()) users.set(r.meta.owner.toLowerCase(), r.ownerCreatedAt);
  const at = spec.at?.getTime() ?? Infinity;
  const wait = () => (spec.latencyMs ? new Promise<void>((r) => setTimeout(r, spec.latencyMs)) : Promise.resolve());
  const moduleOf = (path: string): FakeModule => {
    const m = spec.modules.get(path) ?? spec.moduleFallback?.(path) ?? null;
    const visible = m ? m.versions.filter((v) => Date.parse(v.time) <= at) : [];
    if (!m || !visible.length) throw new Error(`${path}: not found (HTTP 404 from the proxy double)`);
    return { ...m, versions: visible };
  };
  const repoOf = (owner: string, name: string): FakeRepo | null => {
    const r = spec.repos.get(`${owner}/${name}`.toLowerCase()) ?? spec.repoFallback?.(owner, name) ?? null;
    return r && Date.parse(r.meta.createdAt) <= at ? r : null;
  };
  const proxy: ProxyFacts = {
    async list(path) {
      calls.proxy++;
      await wait();
      try {
        return moduleOf(path).versions.map((v) => v.version);
      } catch {
        return [];
      }
    },
    async info(path, version) {
      calls.proxy++;
      await wait();
      const v = moduleOf(path).versions.find((x) => x.version === version);
      if (!v) throw new Error(`${path}@${version}: not found`);
      return { Version: v.version, Time: v.time };
    },
    async latest(path) {
      calls.proxy++;
      await wait();
      const v = moduleOf(path).versions.at(-1)!;
      return { Version: v.version, Time: v.time };
    },
    async mod(path, version) {
      calls.proxy++;
      await wait();
      const m = moduleOf(path);
      return `${m.deprecated ? `// Deprecated: ${m.deprecated}\n` : ''}module ${path}\n\ngo 1.21\n` + (version ? '' : '');
    },
  };
  const meta: GitHubMetaClient = {
    async repo(owner, name): Promise<Lookup<RepoMeta>> {
      calls.github++;
      await wait();
      return { ok: true, value: repoOf(owner, name)?.meta ?? null };
    },
    async user(login): Promise<Lookup<UserMeta>> {
      calls.github++;
      await wait();
      const created = users.get(login.toLowerCase()) ?? spec.repoFallback?.(login, 'x')?.ownerCreatedAt ?? null;
      return { ok: true, value: created ? { login, createdAt: created, type: 'User' } : null };
    },
    async searchByName(name): Promise<Lookup<RepoMeta[]>> {
      calls.searches++;
      await wait();
      const hits = [...spec.repos.values()].filter((r) => r.meta.name.toLowerCase() === name.toLowerCase() && Date.parse(r.meta.createdAt) <= at);
      return { ok: true, value: hits.map((r) => r.meta).sort((a, b) => b.stars - a.stars) };
    },
  };
  return {
    proxy,
    meta,
    calls,
    async fetchFiles(mv) {
      calls.zips++;
      await wait();
      return moduleOf(mv.path).files;
    },
  };
}

function repoMeta(full: string, createdAt: string, stars: number, extra: Partial<RepoMeta> = {}): RepoMeta {
  const [owner, name] = full.split('/') as [string, string];
  return { fullName: full, name, owner, createdAt, stars, fork: false, parent: null, archived: false, forks: Math.floor(stars / 10), ...extra };
}

const iso = (ms: number) => new Date(ms).toISOString();

/** The GitHub `owner/repo` of a github.com module path, else null. */
function ghName(path: string): string | null {
  const p = parsePath(path);
  return p.host === 'github.com' && p.owner && p.repo ? `${p.owner}/${p.repo}` : null;
}

/** Latest version a copy republishes, and the target's release list. */
function targetVersions(firstVersion: string | null, firstMs: number, before: number): Array<{ version: string; time: string }> {
  const first = firstVersion && /^v\d+\.\d+\.\d+$/.test(firstVersion) ? firstVersion : 'v1.0.0';
  const [maj] = first.slice(1).split('.');
  const later = `v${maj}.9.0`;
  const laterMs = Math.min(before - 30 * DAY, firstMs + 365 * DAY);
  return laterMs > firstMs ? [{ version: first, time: iso(firstMs) }, { version: later, time: iso(laterMs) }] : [{ version: first, time: iso(firstMs) }];
}

/** The world of one labelled attack (with its campaign's siblings as other same-name repositories). */
export function attackWorld(a: AttackDouble, all: readonly MaliciousRecord[], opts: { at: Date; latencyMs?: number; copyContent?: boolean }): World {
  const pubMs = a.publishedNotAfter.getTime();
  const tFirst = a.targetFirstTime?.getTime() ?? pubMs - 3 * 365 * DAY;
  const record = all.find((r) => r.module === a.suspect);
  const modules = new Map<string, FakeModule>();
  const repos = new Map<string, FakeRepo>();
  const tName = parsePath(a.target).repo || parsePath(a.targetRepo).repo;
  const tFiles = moduleFiles(a.target, tName);
  const tVersions = targetVersions(record?.targetFirstVersion ?? null, tFirst, pubMs);
  modules.set(a.target, { versions: tVersions, files: tFiles });
  const copies = opts.copyContent !== false && (a.kind === 'copy' || a.kind === 'lookalike');
  modules.set(a.suspect, {
    versions: [{ version: tVersions.at(-1)!.version, time: iso(pubMs) }],
    files: copies ? payloadCopy(tFiles, a.suspect) : moduleFiles(a.suspect, parsePath(a.suspect).repo),
  });
  const tRepo = ghName(a.targetRepo);
  if (tRepo) repos.set(tRepo.toLowerCase(), { meta: repoMeta(tRepo, iso(tFirst - 30 * DAY), 20), ownerCreatedAt: iso(tFirst - 760 * DAY) });
  // The copy and its campaign siblings: throwaway accounts, days-old repositories, no stars.
  for (const r of all.filter((x) => x.campaign === record?.campaign)) {
    const full = ghName(r.module);
    if (!full) continue;
    const at = (r.published?.latest ?? r.reported.latest).getTime() - 2 * DAY;
    repos.set(full.toLowerCase(), { meta: repoMeta(full, iso(at), 0), ownerCreatedAt: iso(at - 3 * DAY) });
  }
  return createWorld({
    modules,
    repos,
    // Any other module (a corpus target the name check picked): older, unrelated code.
    moduleFallback: (path) => ({ versions: [{ version: 'v1.0.0', time: iso(Date.UTC(2015, 1, 1)) }], files: moduleFiles(path, parsePath(path).repo || 'x') }),
    repoFallback: (owner, name) => ({ meta: repoMeta(`${owner}/${name}`, iso(Date.UTC(2015, 0, 1)), 500), ownerCreatedAt: iso(Date.UTC(2012, 0, 1)) }),
    at: opts.at,
    ...(opts.latencyMs ? { latencyMs: opts.latencyMs } : {}),
  });
}

/**
 * The world of one legitimate module, worst case for it (see the header): every other module and repository
 * is older and more used; search finds the same-name repositories among `knownRepos` (the corpus, the Debian
 * set and the labelled targets).
 */
export function legitWorld(module: string, knownRepos: ReadonlyMap<string, string[]>, opts: { at: Date; ownerAgeDays?: number; latencyMs?: number }): World {
  const self = ghName(module);
  const created = Date.UTC(2021, 5, 1);
  const modules = new Map<string, FakeModule>([[module, { versions: [{ version: 'v1.2.0', time: iso(created + DAY) }], files: moduleFiles(module, parsePath(module).repo || 'x') }]]);
  const repos = new Map<string, FakeRepo>();
  const older = (full: string): FakeRepo => ({ meta: repoMeta(full, iso(Date.UTC(2015, 0, 1)), 500), ownerCreatedAt: iso(Date.UTC(2012, 0, 1)) });
  if (self) {
    for (const full of knownRepos.get(self.split('/')[1]!.toLowerCase()) ?? []) repos.set(full.toLowerCase(), older(full));
    repos.delete(self.toLowerCase());
    repos.set(self.toLowerCase(), { meta: repoMeta(self, iso(created), 5), ownerCreatedAt: iso(created - (opts.ownerAgeDays ?? 730) * DAY) });
  }
  return createWorld({
    modules,
    repos,
    moduleFallback: (path) => ({ versions: [{ version: 'v1.0.0', time: iso(Date.UTC(2015, 1, 1)) }, { version: 'v1.5.0', time: iso(Date.UTC(2019, 1, 1)) }], files: moduleFiles(path, parsePath(path).repo || 'x') }),
    repoFallback: (owner, name) => older(`${owner}/${name}`),
    at: opts.at,
    ...(opts.latencyMs ? { latencyMs: opts.latencyMs } : {}),
  });
}

/** Repository name (lower case) -> `owner/repo` of every github.com path in `paths`. */
export function reposByName(paths: Iterable<string>): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const p of paths) {
    const full = ghName(p);
    if (!full) continue;
    const key = full.split('/')[1]!.toLowerCase();
    const list = out.get(key) ?? [];
    if (!list.some((x) => x.toLowerCase() === full.toLowerCase())) list.push(full);
    out.set(key, list);
  }
  return out;
}

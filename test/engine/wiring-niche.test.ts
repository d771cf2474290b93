/**
 * The scan's typosquat step searches GitHub for older same-name repositories even when the name check
 * found no target: a copy of a niche module under a new owner is invisible to a popularity list.
 */
import { createScanChecks, type EngineClients } from '../../src/engine/wiring.js';
import { DEFAULT_REPO_CONFIG } from '../../src/config/repo.js';
import type { GitHubMetaClient, RepoMeta } from '../../src/sources/github/meta.js';
import type { RequirementChange } from '../../src/gomod/types.js';

const DAY = 86_400_000;
const ago = (days: number) => new Date(Date.now() - days * DAY).toISOString();

function repo(full: string, createdAt: string, stars: number): RepoMeta {
  const [owner, name] = full.split('/') as [string, string];
  return { fullName: full, name, owner, createdAt, stars, fork: false, parent: null, archived: false };
}

/** GitHub as it looked for the hypert copies: a days-old copy, and the years-old original found by search. */
function metaDouble(searches: string[]): GitHubMetaClient {
  const repos: Record<string, RepoMeta> = {
    'belatedplanet/hypert': repo('belatedplanet/hypert', ago(3), 0),
    'areknoster/hypert': repo('areknoster/hypert', ago(700), 120),
  };
  return {
    async repo(owner, name) {
      return { ok: true, value: repos[`${owner}/${name}`] ?? null };
    },
    async user(login) {
      return { ok: true, value: { login, createdAt: login === 'belatedplanet' ? ago(3) : ago(3000), type: 'User' } };
    },
    async searchByName(name) {
      searches.push(name);
      return { ok: true, value: Object.values(repos).filter((r) => r.name === name).sort((a, b) => b.stars - a.stars) };
    },
  };
}

function added(path: string): RequirementChange {
  return { goModPath: 'go.mod', module: path, kind: 'added', from: null, to: 'v0.1.0', line: 5, indirect: false, replacement: null, fetch: { path, version: 'v0.1.0' } };
}

function checks(meta: GitHubMetaClient | null) {
  const proxy = { latest: async () => Promise.reject(new Error('proxy not reachable in this test')) };
  const clients = { env: {}, proxy, origin: null, meta, verifier: async () => [] } as unknown as EngineClients;
  return createScanChecks(clients);
}

describe('scan typosquat step: niche targets found by GitHub search', () => {
  it('flags a new owner copying a niche repo the corpus does not know, naming the older repo', async () => {
    const searches: string[] = [];
    const findings = await checks(metaDouble(searches)).typosquat(added('github.com/belatedplanet/hypert'), { existing: [], config: DEFAULT_REPO_CONFIG });
    expect(searches).toEqual(['hypert']);
    expect(findings).toHaveLength(1);
    expect(findings[0]!.rule).toBe('typosquat');
    expect(findings[0]!.line).toBe(5);
    expect(JSON.stringify(findings[0])).toContain('github.com/areknoster/hypert');
  });

  it('without metadata the same module passes the name check alone (the gap the search closes)', async () => {
    const findings = await checks(null).typosquat(added('github.com/belatedplanet/hypert'), { existing: [], config: DEFAULT_REPO_CONFIG });
    expect(findings).toEqual([]);
  });
});

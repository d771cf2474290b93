/**
 * The watch's cheap change detection: for a pinned module@version, what the proxy's `.info` says today
 * (or that it refuses the version) and which commit the origin tag points at (or that the tag or the
 * repository is gone). Two small requests; the full content comparison runs only when this answer
 * differs from the one stored with the last verdict, or there is none.
 */
import { RULES, type Finding } from '../findings.js';
import type { ModuleVersion } from '../gomod/types.js';
import { isPseudoVersion } from '../gomod/module.js';
import { GoProxyClient, ProxyError } from '../sources/goproxy.js';
import type { GoEnv } from '../sources/goenv.js';
import type { HttpClient } from '../sources/http.js';
import { tagForVersion } from '../sources/github/location.js';
import type { OriginReader } from '../sources/origin-reader.js';
import type { OriginResolver } from '../sources/origin-location.js';
import { asResolver } from '../checks/divergence/origin-facts.js';
import { getJson, setJson, type Store } from '../sources/store/store.js';
import { createHash } from 'node:crypto';
import type { VerdictResolver, VerifyKey } from './audit.js';

/** What the two cheap requests saw, as stable words (equal probes = nothing moved). */
export interface ModuleProbe {
  /** `info <Time> <Origin.Hash>`, or `refused <kind>` (blocked, not-found, gone...), or `error`. */
  proxy: string;
  /** `commit <sha>`, `missing` (no such tag), `repo-gone`, `unsupported` (not on GitHub), or `error`. */
  tag: string;
}

/** Answers probes; one per run (its proxy client has a fresh memory, so `.info` is re-read). */
export type ModuleProber = (mv: ModuleVersion) => Promise<ModuleProbe>;

/** A probe with an `error` side proves nothing: the module is verified in full. */
export function probeIsConclusive(p: ModuleProbe): boolean {
  return p.proxy !== 'error' && p.tag !== 'error';
}

/**
 * Builds a prober for one run over the engine's settings: a proxy client of its own (the long-lived one
 * caches `.info` of canonical versions, which would hide a version the proxy now refuses) and the origin
 * client (tag lookups are never cached).
 */
export function createModuleProber(deps: { env: GoEnv; http?: HttpClient; origin: OriginReader | OriginResolver | null }): { probe: ModuleProber; requests: () => number; close(): Promise<void> } {
  const proxy = new GoProxyClient({ env: deps.env, ...(deps.http ? { http: deps.http } : {}), cacheEntries: 10_000 });
  const memo = new Map<string, Promise<ModuleProbe>>();
  let requests = 0;
  const probeOnce = async (mv: ModuleVersion): Promise<ModuleProbe> => {
    let proxySide = 'error';
    let recorded: { VCS?: string; URL?: string; Subdir?: string } | null = null;
    try {
      requests++;
      const info = await proxy.info(mv.path, mv.version);
      recorded = info.Origin ?? null;
      proxySide = `info ${info.Time ?? ''} ${info.Origin?.Hash ?? ''}`.trim();
    } catch (e) {
      proxySide = e instanceof ProxyError && !['rate-limited', 'unavailable', 'bad-response'].includes(e.kind) ? `refused ${e.kind}` : 'error';
    }
    let tag = 'unsupported';
    if (isPseudoVersion(mv.version)) {
      tag = 'pseudo-version';
    } else if (deps.origin) {
      try {
        // The same resolution as the divergence check: GitHub, a known host, the proxy's Origin, or go-get.
        const loc = await asResolver(deps.origin).locate(mv.path, recorded);
        if (loc.ok) {
          requests++;
          const t = await loc.reader.resolveTag(loc.location.owner, loc.location.repo, tagForVersion(loc.location.codeDir, mv.version));
          tag = t ? `commit ${t.commit}` : 'missing';
        }
      } catch (e) {
        tag = (e as { name?: string }).name === 'RepoNotFoundError' || (e as { status?: number }).status === 404 ? 'repo-gone' : 'error';
      }
    }
    return { proxy: proxySide, tag };
  };
  return {
    probe: (mv) => {
      const k = `${mv.path}@${mv.version}`;
      let p = memo.get(k);
      if (!p) {
        p = probeOnce(mv);
        memo.set(k, p);
      }
      return p;
    },
    requests: () => requests,
    close: () => proxy.close(),
  };
}

/**
 * Identity of the checks themselves: when the rules change (an improved check, a new rule), every stored
 * verdict is stale and the next run verifies in full. Bump CHECKS_REVISION with a check's logic.
 */
const CHECKS_REVISION = 1;
export const RULES_REVISION = createHash('sha256')
  .update(JSON.stringify([CHECKS_REVISION, RULES.map((r) => [r.id, r.defaultSeverity])]))
  .digest('hex')
  .slice(0, 12);

/** A stored verdict: the findings of a full verification, and the probe it was made under. */
export interface StoredVerdict {
  mv: ModuleVersion;
  probe: ModuleProbe;
  rules: string;
  findings: Finding[];
  checkedAt: string;
}

/** Store keys of the watch's per-module memory. */
export const verdictKey = (id: string) => `watch:v1:verdict:${id}`;
export const typosquatKey = (id: string) => `watch:v1:typosquat:${id}`;

/**
 * How long a stored look-alike verdict holds: the name check is pure, but the repository facts that
 * weigh in (age, stars, forks, same-name repositories) drift slowly; a week is fresh enough.
 */
export const TYPOSQUAT_TTL_MS = 7 * 24 * 3600 * 1000;

/**
 * Stored verdicts expire after 30 days: a version then gets a full comparison again even if the cheap facts
 * never moved, and versions no repository pins any more are forgotten.
 */
export const VERDICT_TTL_MS = 30 * 24 * 3600 * 1000;
export const probeKey = (mv: ModuleVersion) => `watch:v1:mv:${mv.path}@${mv.version}`;

/** Counters of one run. */
export interface WatchVerdictStats {
  probed: number;
  verified: number;
  reused: number;
}

/**
 * The watch's resolver: probe first; when the probe equals the one stored with the last verdict (same
 * rules), that verdict holds and nothing is downloaded; otherwise verify in full and store the answer.
 * Shared by every repo and installation through the store, by module@version and go.sum hashes.
 */
export function storedVerdicts(
  store: Store,
  probe: ModuleProber,
  now: () => Date = () => new Date(),
  stats: WatchVerdictStats = { probed: 0, verified: 0, reused: 0 },
): { resolve: VerdictResolver; stats: WatchVerdictStats } {
  const resolve: VerdictResolver = async (key: VerifyKey, run) => {
    if (key.kind === 'typosquat') {
      const stored = await getJson<StoredVerdict>(store, typosquatKey(key.id));
      if (stored && stored.rules === RULES_REVISION && now().getTime() - Date.parse(stored.checkedAt) < TYPOSQUAT_TTL_MS) return stored.findings;
      const findings = await run();
      await setJson(store, typosquatKey(key.id), { mv: key.mv, probe: { proxy: '', tag: '' }, rules: RULES_REVISION, findings, checkedAt: now().toISOString() } satisfies StoredVerdict, {
        ttlMs: TYPOSQUAT_TTL_MS,
      });
      return findings;
    }
    stats.probed++;
    const [seen, stored] = await Promise.all([probe(key.mv), getJson<StoredVerdict>(store, verdictKey(key.id))]);
    if (stored && stored.rules === RULES_REVISION && probeIsConclusive(seen) && stored.probe.proxy === seen.proxy && stored.probe.tag === seen.tag) {
      stats.reused++;
      return stored.findings;
    }
    stats.verified++;
    const findings = await run();
    const checkedAt = now().toISOString();
    await setJson(store, verdictKey(key.id), { mv: key.mv, probe: seen, rules: RULES_REVISION, findings, checkedAt } satisfies StoredVerdict, { ttlMs: VERDICT_TTL_MS });
    await setJson(store, probeKey(key.mv), { probe: seen, checkedAt }, { ttlMs: VERDICT_TTL_MS });
    return findings;
  };
  return { resolve, stats };
}

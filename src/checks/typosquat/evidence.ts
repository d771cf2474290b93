/**
 * Gathering the facts a typosquat verdict rests on, from the sources the app already talks to: the module
 * proxy (first publication, `// Deprecated:` lines, zips) and GitHub (repositories, owners, same-name search).
 * Every lookup degrades to a reason instead of throwing; the scoring is in verdict.ts.
 */
import { compareVersions, isValidVersion, sortVersions } from '../../gomod/module.js';
import { parseModFileLax } from '../../gomod/modfile.js';
import type { GitHubMetaClient, Lookup, RepoMeta } from '../../sources/github/meta.js';
import type { Publication, RepoSide } from './verdict.js';

/** The proxy calls the check needs (GoProxyClient has them; the evaluation's double too). */
export interface ProxyFacts {
  list(path: string): Promise<string[]>;
  info(path: string, version: string): Promise<{ Version: string; Time?: string }>;
  latest(path: string): Promise<{ Version: string; Time?: string }>;
  mod?(path: string, version: string): Promise<Buffer | string>;
}

/** A fact, or why it could not be had. */
export type Got<T> = { ok: true; value: T } | { ok: false; why: string };

const why = (e: unknown): string => (e instanceof Error ? e.message : String(e));

/** Release versions of a module, oldest first (pseudo-versions are not listed by `@v/list`). */
export async function releases(proxy: ProxyFacts, path: string): Promise<Got<string[]>> {
  try {
    return { ok: true, value: sortVersions((await proxy.list(path)).filter((v) => isValidVersion(v))) };
  } catch (e) {
    return { ok: false, why: `proxy: ${why(e)}` };
  }
}

/** The first published version and its time: the earliest listed release, else the latest (pseudo-)version. */
export async function firstPublication(proxy: ProxyFacts, path: string, listed: Got<string[]>): Promise<Got<Publication | null>> {
  try {
    const first = listed.ok ? listed.value[0] : undefined;
    const info = first ? await proxy.info(path, first) : await proxy.latest(path);
    return { ok: true, value: info.Time ? { version: info.Version, time: info.Time } : null };
  } catch (e) {
    return { ok: false, why: `proxy: ${why(e)}` };
  }
}

/** The target version to compare a suspect version with: the same, else the nearest earlier release, else the latest. */
export function comparableVersion(targetReleases: readonly string[], suspectVersion: string): string | null {
  if (targetReleases.includes(suspectVersion)) return suspectVersion;
  const earlier = targetReleases.filter((v) => compareVersions(v, suspectVersion) < 0);
  return earlier.at(-1) ?? targetReleases.at(-1) ?? null;
}

/** The `// Deprecated:` message of a module's go.mod at a version, or null. */
export async function deprecation(proxy: ProxyFacts, path: string, version: string): Promise<Got<string | null>> {
  if (!proxy.mod) return { ok: false, why: 'proxy: go.mod not available' };
  try {
    const text = await proxy.mod(path, version);
    return { ok: true, value: parseModFileLax('go.mod', text).module?.deprecated ?? null };
  } catch (e) {
    return { ok: false, why: `proxy: ${why(e)}` };
  }
}

/** A repository and its owner's creation time; `value: null` when the repository does not exist. */
export async function repoSide(meta: GitHubMetaClient, owner: string, name: string): Promise<Got<RepoSide | null>> {
  const r = await meta.repo(owner, name);
  if (!r.ok) return { ok: false, why: r.message };
  if (!r.value) return { ok: true, value: null };
  const u = await meta.user(r.value.owner);
  return { ok: true, value: { repo: r.value, ownerCreatedAt: u.ok ? u.value?.createdAt || null : null } };
}

/**
 * An older repository with the same name that is used more than the suspect: the likely original of a copy
 * published under a new owner. Relative facts only (created before the suspect, more stars); the most starred wins.
 */
export function olderSameName(found: readonly RepoMeta[], suspect: RepoMeta): RepoMeta | null {
  const created = Date.parse(suspect.createdAt);
  const older = found
    .filter((r) => r.name.toLowerCase() === suspect.name.toLowerCase() && r.fullName.toLowerCase() !== suspect.fullName.toLowerCase())
    .filter((r) => Date.parse(r.createdAt) < created && r.stars > (Number.isFinite(suspect.stars) ? suspect.stars : 0))
    .filter((r) => !(suspect.fork && (suspect.parent ?? '').toLowerCase() === r.fullName.toLowerCase()))
    .sort((a, b) => b.stars - a.stars || (a.fullName < b.fullName ? -1 : 1));
  return older[0] ?? null;
}

/** Runs a search and returns the older same-name repository, or why not. */
export async function searchOriginal(meta: GitHubMetaClient, suspect: RepoMeta): Promise<Got<RepoMeta | null>> {
  const found: Lookup<RepoMeta[]> = await meta.searchByName(suspect.name);
  if (!found.ok) return { ok: false, why: found.message };
  return { ok: true, value: olderSameName(found.value ?? [], suspect) };
}

/**
 * Where a module's origin lives on GitHub, the way the go command finds it: pure functions over the
 * module path and the proxy's (untrusted) Origin record. No I/O.
 */
import { splitPathVersion } from '../../gomod/module.js';
import { oneLine } from '../plain-text.js';

/** The provenance a proxy may record in `.info` (all fields optional and untrusted). */
export interface ProxyOrigin {
  VCS?: string;
  URL?: string;
  Subdir?: string;
  Hash?: string;
  Ref?: string;
}

/** Where a module lives on GitHub. */
export interface GitHubLocation {
  owner: string;
  repo: string;
  /** Directory of the module inside the repo without any major-version directory; '' at the root. */
  codeDir: string;
  /** The `/vN` suffix of the module path without the slash ('v2'), or '' when there is none. */
  pathMajor: string;
  /** How the repo was found: the github.com path itself, the proxy's Origin URL, or gopkg.in's fixed mapping. */
  via: 'module-path' | 'proxy-origin' | 'gopkg.in';
}

/** Result of {@link resolveGitHubLocation}: a location, or the reason there is none. */
export type LocationResult = { ok: true; location: GitHubLocation } | { ok: false; reason: string };

const GITHUB_PATH_RE = /^github\.com\/([A-Za-z0-9_.-]+)\/([A-Za-z0-9_.-]+)((?:\/[A-Za-z0-9_.-]+)*)$/;

/**
 * Maps a module path to its GitHub repository (cmd/go/internal/vcs RepoRootForImportPath and cmd/go/internal/modfetch/coderepo.go): `github.com/owner/repo[/dir][/vN]`
 * directly; any other path when the proxy's Origin URL names a repository on https://github.com (then
 * Origin.Subdir gives the directory); gopkg.in paths by gopkg.in's fixed mapping to GitHub. Anything
 * else is not verifiable without a resolver.
 */
export function resolveGitHubLocation(modulePath: string, origin?: ProxyOrigin | null): LocationResult {
  const split = splitPathVersion(modulePath);
  if (!split) return { ok: false, reason: `"${modulePath}" is not a valid module path` };
  const { prefix, pathMajor } = split;
  // gopkg.in style `.vN` suffixes are not GitHub module paths; only `/vN` is stripped here.
  const major = pathMajor.startsWith('/') ? pathMajor.slice(1) : '';
  const m = GITHUB_PATH_RE.exec(prefix);
  if (m) {
    const [, owner, repo, rest] = m;
    if (repo.endsWith('.git')) return { ok: false, reason: `GitHub repository name "${repo}" ends in .git, which Go rejects` };
    return { ok: true, location: { owner, repo, codeDir: rest.replace(/^\//, ''), pathMajor: major, via: 'module-path' } };
  }
  const fromOrigin = githubRepoFromUrl(origin?.URL);
  if (fromOrigin) {
    const subdir = typeof origin?.Subdir === 'string' ? origin.Subdir.replace(/^\/+|\/+$/g, '') : '';
    if (subdir.split('/').some((el) => el === '..' || el === '.')) {
      return { ok: false, reason: `the proxy's Origin.Subdir ${quoted(origin?.Subdir)} is not a clean path` };
    }
    return { ok: true, location: { ...fromOrigin, codeDir: subdir, pathMajor: major, via: 'proxy-origin' } };
  }
  // gopkg.in is a fixed redirector to GitHub: gopkg.in/pkg.vN -> go-pkg/pkg, gopkg.in/user/pkg.vN -> user/pkg.
  const gopkg = /^gopkg\.in\/(?:([A-Za-z0-9_.-]+)\/)?([A-Za-z0-9_-]+)$/.exec(prefix);
  if (gopkg && pathMajor.startsWith('.v')) {
    const [, user, pkg] = gopkg;
    return { ok: true, location: { owner: user ?? `go-${pkg}`, repo: pkg, codeDir: '', pathMajor: '', via: 'gopkg.in' } };
  }
  const host = modulePath.split('/')[0];
  const named = origin?.URL ? ` (the proxy names its origin as ${quoted(origin.URL)}, which is not a GitHub repository)` : '';
  return {
    ok: false,
    reason: `the origin of ${modulePath} is on ${host}, not github.com${named}; no resolver is configured for that host`,
  };
}

/** Parses `https://github.com/owner/repo[.git]` (nothing else) into owner and repo. */
export function githubRepoFromUrl(url: string | undefined): { owner: string; repo: string } | null {
  if (!url) return null;
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return null;
  }
  if (u.protocol !== 'https:' || u.hostname.toLowerCase() !== 'github.com' || u.port || u.search || u.hash || u.username) return null;
  const m = /^\/([A-Za-z0-9_.-]+)\/([A-Za-z0-9_.-]+?)(?:\.git)?\/?$/.exec(u.pathname);
  return m ? { owner: m[1], repo: m[2] } : null;
}

/** The git tag Go reads for `version` of a module in `codeDir` (cmd/go/internal/modfetch/coderepo.go, codeRepo.Stat): `dir/vX.Y.Z`, `+incompatible` dropped. */
export function tagForVersion(codeDir: string, version: string): string {
  const v = version.replace(/\+incompatible$/, '');
  return codeDir ? `${codeDir}/${v}` : v;
}

/** A value from the proxy, quoted and shortened for a reason text. */
function quoted(v: string | undefined): string {
  return oneLine(JSON.stringify(v ?? ''), 200);
}

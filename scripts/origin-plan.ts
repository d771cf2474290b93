/**
 * Which origin reader would handle a module, judged offline from its path with the resolver's own rules
 * (issue 13's before/after count). "Before" is the GitHub-only resolution ModWarden had (github.com paths,
 * gopkg.in), by path alone; "after" adds cmd/go's known hosts and `?go-get=1` discovery. Discovery needs
 * the network: for those modules the reader is inferred (which host the go-import tag names), not measured.
 */
import { splitPathVersion } from '../src/gomod/module.js';
import { resolveGitHubLocation } from '../src/sources/github/location.js';
import { knownHost } from '../src/sources/origin-resolver.js';

export type OriginPlan =
  /** github.com paths and gopkg.in: GitHub's REST API, compared before and after. */
  | 'github-api'
  /** cmd/go's static table names a git repository (bitbucket.org, git.apache.org, host/path.git). */
  | 'known-host-git'
  /** golang.org/x/NAME: discovery names go.googlesource.com/NAME (git smart HTTP). */
  | 'go-get-googlesource'
  /** A GitLab instance: discovery names the GitLab project (git + archive endpoint on gitlab.com, git elsewhere). */
  | 'go-get-gitlab'
  /** Any other domain: discovery decides (git on GitHub, googlesource, cgit, ...; a few could be hg or a proxy). */
  | 'go-get-vanity'
  /** A non-git VCS host (launchpad.net is Bazaar) or a host that no longer exists: not comparable. */
  | 'unsupported-vcs'
  /** Not a module path. */
  | 'invalid';

const GITLAB_HOSTS = new Set(['gitlab.com', 'salsa.debian.org', 'framagit.org', 'gitlab.gnome.org', 'gitlab.freedesktop.org']);

export function originPlan(path: string): OriginPlan {
  const split = splitPathVersion(path);
  if (!split || !path.split('/')[0]!.includes('.')) return 'invalid';
  if (resolveGitHubLocation(path, null).ok) return 'github-api';
  const known = knownHost(split.prefix);
  if (known) return 'unsupported' in known ? 'unsupported-vcs' : 'known-host-git';
  const host = path.split('/')[0]!.toLowerCase();
  if (host === 'golang.org' && path.startsWith('golang.org/x/')) return 'go-get-googlesource';
  if (GITLAB_HOSTS.has(host)) return 'go-get-gitlab';
  return 'go-get-vanity';
}

/** True when the GitHub-only resolution of before issue 13 compared the module (by path, no proxy Origin). */
export function comparableBefore(path: string): boolean {
  return resolveGitHubLocation(path, null).ok;
}

/**
 * Where a module lives, judged from its path alone (no network): the split issue 13 asks to count.
 *   github      github.com/...
 *   known-host  a code host whose repository follows from the path: gitlab.com, bitbucket.org, codeberg.org, ...;
 *               the other hosts of cmd/go's static table (src/cmd/go/internal/vcs/vcs.go `vcsPaths`: hub.jazz.net,
 *               git.apache.org, git.openstack.org, chiselapp.com) and launchpad.net (tried after discovery there);
 *               golang.org/x/NAME (served from go.googlesource.com/NAME); gopkg.in (redirects to GitHub by its rules)
 *   vanity      any other domain: the repository is only known from the domain's `?go-get=1` page
 *               (k8s.io, sigs.k8s.io, go.uber.org, google.golang.org, go.etcd.io, ...)
 *   invalid     not a public module path (no dot in the first element, e.g. a local replace target)
 */

export type HostGroup = 'github' | 'known-host' | 'vanity' | 'invalid';

export interface HostClass {
  group: HostGroup;
  /** The host named by the path (first path element, lower-cased). */
  host: string;
  /** Where the repository is, when the path alone says (`github.com/go-yaml/yaml` for gopkg.in/yaml.v3). */
  repository: string | null;
}

/** Code hosts whose repository root is the first two path elements after the host (owner/repo). */
const OWNER_REPO_HOSTS = new Set(['github.com', 'bitbucket.org', 'codeberg.org', 'gitea.com', 'gitee.com', 'git.sr.ht']);
/** GitLab instances: subgroups nest, so the repository root is not known from the path alone. */
const GITLAB_HOSTS = new Set(['gitlab.com', 'framagit.org', 'salsa.debian.org', 'gitlab.gnome.org', 'gitlab.freedesktop.org']);

/** Hosts cmd/go knows without discovery, whose repository root is not simply owner/repo. */
const STATIC_HOSTS = new Set(['hub.jazz.net', 'git.apache.org', 'git.openstack.org', 'chiselapp.com', 'launchpad.net']);

function gopkgIn(path: string): string | null {
  // gopkg.in/pkg.vN -> github.com/go-pkg/pkg; gopkg.in/user/pkg.vN -> github.com/user/pkg (gopkg.in's documented rules)
  const m = /^gopkg\.in\/(?:([^/.]+)\/)?([^/.]+)\.v\d+(?:-unstable)?(?:\/|$)/.exec(path);
  if (!m) return null;
  return m[1] ? `github.com/${m[1]}/${m[2]}` : `github.com/go-${m[2]}/${m[2]}`;
}

export function classifyModuleHost(path: string): HostClass {
  const first = path.split('/')[0]!.toLowerCase();
  if (!first.includes('.') || path.includes(' ') || path.startsWith('.') || path.startsWith('/')) {
    return { group: 'invalid', host: first, repository: null };
  }
  const parts = path.split('/');
  if (OWNER_REPO_HOSTS.has(first)) {
    const repository = parts.length >= 3 ? `${first}/${parts[1]}/${parts[2]}` : null;
    return { group: first === 'github.com' ? 'github' : 'known-host', host: first, repository };
  }
  if (GITLAB_HOSTS.has(first) || STATIC_HOSTS.has(first)) return { group: 'known-host', host: first, repository: null };
  if (first === 'golang.org' && parts[1] === 'x' && parts[2]) {
    return { group: 'known-host', host: first, repository: `go.googlesource.com/${parts[2]}` };
  }
  if (first === 'go.googlesource.com' && parts[1]) return { group: 'known-host', host: first, repository: `go.googlesource.com/${parts[1]}` };
  if (first === 'gopkg.in') {
    const repository = gopkgIn(path);
    return repository ? { group: 'known-host', host: first, repository } : { group: 'invalid', host: first, repository: null };
  }
  return { group: 'vanity', host: first, repository: null };
}

export interface HostCounts {
  total: number;
  byGroup: Record<HostGroup, number>;
  /** Per host, most first (ties by name). */
  byHost: Array<{ host: string; group: HostGroup; count: number }>;
}

/** Counts modules by group and host; `weight` lets the caller count requirements instead of modules. */
export function countHosts(modules: ReadonlyArray<{ module: string; weight?: number }>): HostCounts {
  const byGroup: Record<HostGroup, number> = { github: 0, 'known-host': 0, vanity: 0, invalid: 0 };
  const hosts = new Map<string, { group: HostGroup; count: number }>();
  let total = 0;
  for (const { module, weight = 1 } of modules) {
    const c = classifyModuleHost(module);
    byGroup[c.group] += weight;
    total += weight;
    const key = `${c.host}\t${c.group}`; // golang.org is a known host for /x/ paths, a vanity domain otherwise
    const h = hosts.get(key) ?? { group: c.group, count: 0 };
    h.count += weight;
    hosts.set(key, h);
  }
  const byHost = [...hosts.entries()]
    .map(([key, v]) => ({ host: key.split('\t')[0]!, ...v }))
    .sort((a, b) => b.count - a.count || (a.host < b.host ? -1 : a.host > b.host ? 1 : 0) || (a.group < b.group ? -1 : 1));
  return { total, byGroup, byHost };
}

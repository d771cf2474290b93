/**
 * Splits a Go module path into the parts an impostor can play with: host, owner, repository, sub-path and
 * major-version suffix. Hosting sites (github.com, gitlab.com, ...) have `owner/repo`; vanity hosts
 * (golang.org/x/<name>, go.uber.org/<name>, k8s.io/<name>, gopkg.in/<name>.vN) have a different shape.
 * Pure: no I/O, tolerant of invalid paths (non-ASCII paths are parsed so they can be explained).
 */
import { getDomain } from 'tldts';

/** Sites where anyone can register an account and publish `host/owner/repo`. */
export const CODE_HOSTS = new Set([
  'github.com',
  'gitlab.com',
  'bitbucket.org',
  'gitee.com',
  'codeberg.org',
  'gitea.com',
  'git.sr.ht',
  'hub.jazz.net',
  'launchpad.net',
  'sourcehut.org',
  'framagit.org',
  'salsa.debian.org',
]);

/** The parts of one module path. */
export interface PathParts {
  /** The path as given. */
  path: string;
  /** First element, lower-cased. */
  host: string;
  /** True for code hosts where anyone can create the owner (github.com, gitlab.com, ...). */
  hosted: boolean;
  /** Account or group on a code host (or gopkg.in user); null on vanity hosts. */
  owner: string | null;
  /** Repository (hosted) or first name under the vanity namespace; '' when the path is just a domain. */
  repo: string;
  /** Elements after the repository, without the major suffix ('' when none). */
  sub: string;
  /** Major-version suffix as `vN` ('' when none). */
  major: string;
  /** How the major suffix is written: `/vN`, gopkg.in's `.vN`, or none. */
  majorStyle: '/' | '.' | '';
  /** The path without its major-version suffix. */
  base: string;
  /** Where one controller's namespace starts: `github.com/owner`, `golang.org/x`, `k8s.io`. */
  namespace: string;
  /** `namespace/repo`: one repository or one vanity module family. */
  root: string;
  /** The GitHub repository this path is known to be served from by rule (gopkg.in), lower-cased, or null. */
  githubRepo: string | null;
}

/** Splits `path` into its parts. Never throws. */
export function parsePath(path: string): PathParts {
  const elems = path.split('/').filter((e) => e !== '');
  const host = (elems[0] ?? '').toLowerCase();
  let rest = elems.slice(1);

  // Major suffix: trailing /vN (N >= 2) or gopkg.in's .vN on the last element.
  let major = '';
  let majorStyle: PathParts['majorStyle'] = '';
  const last = rest[rest.length - 1];
  if (last && /^v([2-9]|[1-9][0-9]+)$/.test(last) && rest.length > 1) {
    major = last;
    majorStyle = '/';
    rest = rest.slice(0, -1);
  } else if (host === 'gopkg.in' && last) {
    const m = /^(.*)\.(v[0-9]+)(?:-unstable)?$/.exec(last);
    if (m) {
      major = m[2]!;
      majorStyle = '.';
      rest = [...rest.slice(0, -1), m[1]!];
    }
  }

  let owner: string | null = null;
  let repo = '';
  let sub: string[] = [];
  let namespace = host;
  let githubRepo: string | null = null;
  const hosted = CODE_HOSTS.has(host);
  // A domain made to look like a code host (githb.com, gitlab.co) is read with the code host's shape.
  const hostLike = hosted ? null : codeHostLookAlike(host);
  if (hosted || hostLike) {
    owner = rest[0] ?? '';
    repo = rest[1] ?? '';
    sub = rest.slice(2);
    namespace = `${host}/${owner}`;
    if (host === 'github.com' && hosted) githubRepo = `github.com/${owner}/${repo}`.toLowerCase();
  } else if (host === 'gopkg.in') {
    // gopkg.in/pkg.vN is github.com/go-pkg/pkg; gopkg.in/user/pkg.vN is github.com/user/pkg.
    if (rest.length >= 2) {
      owner = rest[0]!;
      repo = rest[1]!;
      sub = rest.slice(2);
      namespace = `gopkg.in/${owner}`;
      githubRepo = `github.com/${owner}/${repo}`.toLowerCase();
    } else {
      repo = rest[0] ?? '';
      namespace = 'gopkg.in';
      githubRepo = repo ? `github.com/go-${repo}/${repo}`.toLowerCase() : null;
    }
  } else if (host === 'golang.org' && rest[0] === 'x') {
    namespace = 'golang.org/x';
    repo = rest[1] ?? '';
    sub = rest.slice(2);
  } else {
    repo = rest[0] ?? '';
    sub = rest.slice(1);
  }
  const base = majorStyle === '/' ? elems.slice(0, -1).join('/') : majorStyle === '.' ? path.replace(/\.v[0-9]+(?:-unstable)?$/, '') : path;
  return {
    path,
    host,
    hosted,
    owner,
    repo,
    sub: sub.join('/'),
    major,
    majorStyle,
    base,
    namespace,
    root: repo ? `${namespace}/${repo}` : namespace,
    githubRepo,
  };
}

/** The code host `host` imitates (one or two edits away, or the same name under another TLD), or null. */
export function codeHostLookAlike(host: string): string | null {
  if (CODE_HOSTS.has(host)) return null;
  const name = host.slice(0, host.lastIndexOf('.'));
  for (const h of ['github.com', 'gitlab.com', 'bitbucket.org']) {
    if (name && name === h.slice(0, h.lastIndexOf('.'))) return h;
    if (Math.abs(h.length - host.length) <= 2 && smallEdit(host, h)) return h;
  }
  return null;
}

/** True when a and b are at most two single-character edits apart (cheap check for short strings). */
function smallEdit(a: string, b: string): boolean {
  const n = a.length;
  const m = b.length;
  let prev = Array.from({ length: m + 1 }, (_, j) => j);
  for (let i = 1; i <= n; i++) {
    const cur = [i];
    for (let j = 1; j <= m; j++) cur[j] = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    prev = cur;
  }
  return prev[m]! <= 2;
}

/**
 * The registrable part of a host (`sigs.k8s.io` -> `k8s.io`, `go.etcd.io` -> `etcd.io`), from the Public Suffix
 * List (tldts), so sibling vanity domains of one organisation compare equal and `co.uk`-style suffixes are
 * kept whole. Hosts with no registrable part (an IP, a bare suffix) are returned as they are.
 */
export function registrableDomain(host: string): string {
  return getDomain(host, { allowPrivateDomains: false }) ?? host;
}

/** Case-folds the parts of a path that the host treats case-insensitively (GitHub owner/repo). */
export function foldCase(parts: PathParts, p: string): string {
  return parts.hosted ? p.toLowerCase() : p;
}

/**
 * Finds where a module's origin lives the way the go command does (cmd/go/internal/vcs, mod.md #vcs-find)
 * and picks the reader for it:
 * 1. github.com paths and gopkg.in (fixed mappings) go to the GitHub reader;
 * 2. else the proxy's `.info` Origin (VCS git and a URL), when it sent one;
 * 3. else cmd/go's static known hosts (bitbucket.org, git.apache.org, `host/path.git` qualifiers;
 *    launchpad.net, hub.jazz.net and the other VCSs are not git: not supported);
 * 4. else `?go-get=1` discovery: the `go-import` meta tag (3 fields, or 4 with a subdirectory).
 * A repository on github.com is read through GitHub's API, one on a GitLab host through git plus its
 * archive endpoint, any other through git smart HTTP. Every URL passes the SSRF guard first, so a refused
 * origin is answered at once, with the reason.
 */
import { LRUCache } from 'lru-cache';
import { splitPathVersion } from '../gomod/module.js';
import { resolveGitHubLocation, githubRepoFromUrl } from './github/location.js';
import type { HttpClient } from './http.js';
import { OriginRefusedError, type OriginPolicy } from './origin-guard.js';
import type { Located, OriginLocation, OriginResolver } from './origin-location.js';
import type { OriginCallOptions, OriginReader } from './origin-reader.js';
import { oneLine } from './plain-text.js';
import { GitOriginReader, type GitOriginOptions } from './git/origin.js';
import { GitLabOriginReader } from './git/gitlab.js';

export interface OriginResolverOptions {
  /** The GitHub reader (null: github.com origins are not read). */
  github: OriginReader | null;
  /** HTTP client whose fetch is the policy's (vetted addresses, same-host redirects). */
  http: HttpClient;
  policy: OriginPolicy;
  /** Hosts served by GitLab (default gitlab.com): their files come from the archive endpoint. */
  gitlabHosts?: string[];
  /** Caps of git readers. */
  git?: Omit<GitOriginOptions, 'http' | 'label'>;
  /** Where the discovery page of a path is (default `https://<path>?go-get=1`); tests point it at a local server. */
  discoveryUrl?: (importPath: string, scheme: 'https' | 'http') => string;
}

/** A go-import meta tag. */
export interface GoImport {
  prefix: string;
  vcs: string;
  repoUrl: string;
  subdir: string;
}

const MAX_DISCOVERY_BYTES = 1 << 20;

/** Discovery answers are kept this long: where a module lives changes rarely (its tags are re-read every time). */
const DISCOVERY_TTL_MS = 60 * 60 * 1000;

export class GoOriginResolver implements OriginResolver {
  private readonly gitlabHosts: Set<string>;
  private readonly discovered = new LRUCache<string, { ok: true; imp: GoImport } | Extract<Located, { ok: false }>>({ max: 2000, ttl: DISCOVERY_TTL_MS });

  constructor(private readonly o: OriginResolverOptions) {
    this.gitlabHosts = new Set((o.gitlabHosts ?? ['gitlab.com']).map((h) => h.toLowerCase()));
  }

  async locate(modulePath: string, origin: { VCS?: string; URL?: string; Subdir?: string } | null, opts: OriginCallOptions = {}): Promise<Located> {
    const split = splitPathVersion(modulePath);
    if (!split) return { ok: false, kind: 'not-resolved', detail: `"${modulePath}" is not a valid module path` };
    const pathMajor = split.pathMajor.startsWith('/') ? split.pathMajor.slice(1) : '';

    // 1. Fixed mappings to GitHub (no request needed).
    if (modulePath.startsWith('github.com/') || modulePath.startsWith('gopkg.in/')) {
      const gh = resolveGitHubLocation(modulePath, null);
      if (gh.ok) return this.github(gh.location.owner, gh.location.repo, gh.location.codeDir, gh.location.pathMajor, gh.location.via);
      return { ok: false, kind: 'not-resolved', detail: gh.reason };
    }
    // 2. The proxy's record of where it fetched the module.
    if (origin?.URL) {
      if (origin.VCS && origin.VCS !== 'git') return { ok: false, kind: 'unsupported-vcs', detail: `the proxy says ${modulePath} comes from a ${quoted(origin.VCS)} repository; only git origins are read` };
      const subdir = cleanSubdir(origin.Subdir);
      if (subdir === null) return { ok: false, kind: 'not-resolved', detail: `the proxy's Origin.Subdir ${quoted(origin.Subdir)} is not a clean path` };
      return this.repoAt(origin.URL, subdir, pathMajor, 'proxy-origin', opts);
    }
    // 3. cmd/go's static table.
    const known = knownHost(split.prefix);
    if (known) {
      if ('unsupported' in known) return { ok: false, kind: 'unsupported-vcs', detail: known.unsupported };
      return this.repoAt(known.url, known.codeDir, pathMajor, 'known-host', opts);
    }
    // 4. ?go-get=1 discovery (answers kept for an hour; a network failure is not kept).
    let found = this.discovered.get(modulePath);
    if (!found) {
      found = await this.discover(modulePath, opts);
      this.discovered.set(modulePath, found);
    }
    if (!found.ok) return found;
    const imp = found.imp;
    if (imp.vcs === 'mod') return { ok: false, kind: 'unsupported-vcs', detail: `${imp.prefix} is served only by a module proxy (${imp.repoUrl}), with no repository to compare` };
    if (imp.vcs !== 'git') return { ok: false, kind: 'unsupported-vcs', detail: `${imp.prefix} lives in a ${imp.vcs} repository; only git origins are read` };
    const rel = split.prefix === imp.prefix ? '' : split.prefix.slice(imp.prefix.length + 1);
    const codeDir = [imp.subdir, rel].filter(Boolean).join('/');
    return this.repoAt(imp.repoUrl, codeDir, pathMajor, 'go-get', opts);
  }

  /** The reader for a repository URL: GitHub's API for github.com, else git (GitLab: plus archives), after the guard. */
  private async repoAt(url: string, codeDir: string, pathMajor: string, via: OriginLocation['via'], opts: OriginCallOptions): Promise<Located> {
    const gh = githubRepoFromUrl(url);
    if (gh) return this.github(gh.owner, gh.repo, codeDir, pathMajor, via);
    let vetted;
    try {
      vetted = await this.o.policy.vet(url, opts.signal);
    } catch (e) {
      if (e instanceof OriginRefusedError) return { ok: false, kind: 'origin-refused', detail: e.message };
      throw e;
    }
    const u = vetted.url;
    const clean = `${u.protocol}//${u.host}${u.pathname.replace(/\/+$/, '')}`;
    const label = `${u.host}${u.pathname.replace(/\/+$/, '').replace(/\.git$/, '')}`;
    const gitlab = this.gitlabHosts.has(u.hostname.toLowerCase()) || this.gitlabHosts.has(u.host.toLowerCase());
    const options: GitOriginOptions = { ...this.o.git, http: this.o.http, label };
    const reader = gitlab ? new GitLabOriginReader(clean, options) : new GitOriginReader(clean, options);
    const [owner, ...rest] = label.split('/');
    return {
      ok: true,
      reader,
      location: { owner: owner!, repo: rest.join('/'), codeDir, pathMajor, via, label, url: clean, protocol: gitlab ? 'gitlab-archive' : 'git-smart-http' },
    };
  }

  private github(owner: string, repo: string, codeDir: string, pathMajor: string, via: OriginLocation['via']): Located {
    if (!this.o.github) return { ok: false, kind: 'not-github', detail: `the origin is github.com/${owner}/${repo}, but GitHub origin checks are off` };
    return {
      ok: true,
      reader: this.o.github,
      location: { owner, repo, codeDir, pathMajor, via, label: `github.com/${owner}/${repo}`, url: `https://github.com/${owner}/${repo}`, protocol: 'github-api' },
    };
  }

  /** `GET https://<path>?go-get=1` (http only under GOINSECURE) and the one go-import tag whose prefix covers the path. */
  private async discover(modulePath: string, opts: OriginCallOptions): Promise<{ ok: true; imp: GoImport } | Extract<Located, { ok: false }>> {
    const where = this.o.discoveryUrl ?? ((p: string, scheme: string) => `${scheme}://${p}?go-get=1`);
    const schemes: Array<'https' | 'http'> = this.o.policy.insecureAllowed(modulePath) ? ['https', 'http'] : ['https'];
    let lastError: unknown;
    for (const scheme of schemes) {
      const url = where(modulePath, scheme);
      let body: string;
      try {
        await this.o.policy.vet(url, opts.signal);
        const res = await this.o.http.get(url, { maxBytes: MAX_DISCOVERY_BYTES, retries: 0, ...(opts.signal ? { signal: opts.signal } : {}) });
        body = res.body.toString('utf8');
      } catch (e) {
        if (e instanceof OriginRefusedError) return { ok: false, kind: 'origin-refused', detail: `discovery of ${modulePath}: ${e.message}` };
        // Go ignores the status code of the discovery page; an HTTP error page may still hold the tag.
        const errBody = (e as { body?: unknown }).body;
        if (typeof errBody === 'string' && errBody.includes('go-import')) {
          body = errBody;
        } else {
          lastError = e;
          continue;
        }
      }
      const imports = parseGoImports(body);
      const matching = imports.filter((i) => modulePath === i.prefix || modulePath.startsWith(`${i.prefix}/`));
      const mod = matching.filter((i) => i.vcs === 'mod');
      const chosen = mod.length > 0 ? mod : matching;
      if (chosen.length === 0) {
        return { ok: false, kind: 'not-resolved', detail: `${where(modulePath, scheme).split('?')[0]}?go-get=1 has no go-import meta tag for ${modulePath}` };
      }
      if (chosen.length > 1) return { ok: false, kind: 'not-resolved', detail: `${modulePath} has more than one matching go-import meta tag` };
      return { ok: true, imp: chosen[0]! };
    }
    throw lastError;
  }
}

/**
 * The go-import tags of a discovery page, read as Go does: only in the head (stop at `<body>` or
 * `</head>`), `content` of 3 fields (or 4, with a subdirectory), names compared case-insensitively.
 */
export function parseGoImports(html: string): GoImport[] {
  const head = html.split(/<body\b|<\/head>/i)[0] ?? '';
  const out: GoImport[] = [];
  for (const m of head.matchAll(/<meta\s+([^>]*?)\/?>/gi)) {
    const attrs = new Map<string, string>();
    for (const a of m[1]!.matchAll(/([A-Za-z-]+)\s*=\s*("([^"]*)"|'([^']*)'|([^\s"'>]+))/g)) attrs.set(a[1]!.toLowerCase(), decodeEntities(a[3] ?? a[4] ?? a[5] ?? ''));
    if (attrs.get('name')?.toLowerCase() !== 'go-import') continue;
    const f = (attrs.get('content') ?? '').trim().split(/\s+/);
    if (f.length !== 3 && f.length !== 4) continue;
    const [prefix, vcs, repoUrl, subdir] = f as [string, string, string, string | undefined];
    const sub = cleanSubdir(subdir);
    if (sub === null) continue;
    out.push({ prefix, vcs, repoUrl, subdir: sub });
  }
  return out;
}

/** cmd/go's static table (vcs.go vcsPaths), git entries only; other VCSs are named as unsupported. */
export function knownHost(prefix: string): { url: string; codeDir: string } | { unsupported: string } | null {
  let m = /^(bitbucket\.org\/[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+)((?:\/[A-Za-z0-9_.-]+)*)$/.exec(prefix);
  if (m) return { url: `https://${m[1]}`, codeDir: m[2]!.replace(/^\//, '') };
  m = /^(git\.(?:apache|openstack)\.org\/[a-z0-9_.-]+\.git)((?:\/[A-Za-z0-9_.-]+)*)$/.exec(prefix);
  if (m) return { url: `https://${m[1]}`, codeDir: m[2]!.replace(/^\//, '') };
  if (/^launchpad\.net\//.test(prefix)) return { unsupported: `${prefix} is on launchpad.net, a Bazaar host; only git origins are read` };
  if (/^hub\.jazz\.net\//.test(prefix)) return { unsupported: `${prefix} is on hub.jazz.net, which no longer exists` };
  if (/^chiselapp\.com\//.test(prefix)) return { unsupported: `${prefix} is on chiselapp.com, a Fossil host; only git origins are read` };
  m = /^((?:[a-z0-9.-]+\.)+[a-z0-9.-]+(?::[0-9]+)?(?:\/~?[A-Za-z0-9_.-]+)+?)\.(bzr|fossil|git|hg|svn)((?:\/~?[A-Za-z0-9_.-]+)*)$/.exec(prefix);
  if (m) {
    if (m[2] !== 'git') return { unsupported: `${prefix} names a ${m[2]} repository; only git origins are read` };
    return { url: `https://${m[1]}.git`, codeDir: m[3]!.replace(/^\//, '') };
  }
  return null;
}

function cleanSubdir(s: string | undefined): string | null {
  const sub = (s ?? '').replace(/^\/+|\/+$/g, '');
  if (sub === '') return '';
  return sub.split('/').some((el) => el === '..' || el === '.' || el === '') ? null : sub;
}

function decodeEntities(s: string): string {
  return s.replace(/&amp;/g, '&').replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&lt;/g, '<').replace(/&gt;/g, '>');
}

function quoted(v: string | undefined): string {
  return oneLine(JSON.stringify(v ?? ''), 200);
}

/**
 * Where a module's origin repository lives and which reader answers for it: the result of origin
 * resolution (origin-resolver.ts for any host, or GitHub-only). Types only.
 */
import type { OriginCallOptions, OriginReader } from './origin-reader.js';

/** A located repository. */
export interface OriginLocation {
  /** The reader's arguments (GitHub: owner and name; a git host: its host and repository path). */
  owner: string;
  repo: string;
  /** Directory of the module inside the repository without any major-version directory; '' at the root. */
  codeDir: string;
  /** The `/vN` suffix of the module path without the slash ('v2'), or ''. */
  pathMajor: string;
  /**
   * How the repository was found: the github.com path itself, the proxy's `.info` Origin, gopkg.in's fixed
   * mapping, a cmd/go known-host rule, or `?go-get=1` discovery.
   */
  via: 'module-path' | 'proxy-origin' | 'gopkg.in' | 'known-host' | 'go-get';
  /** The repository as messages name it: `github.com/owner/repo`, `go.googlesource.com/net`. */
  label: string;
  /** The repository URL that is read. */
  url: string;
  /** How it is read: GitHub's REST API, git smart HTTP (protocol v2), or git plus GitLab's archive endpoint. */
  protocol: 'github-api' | 'git-smart-http' | 'gitlab-archive';
}

/** Why an origin is not read: a host ModWarden does not support, a refused address, a non-git VCS, nothing found. */
export type NotLocatedKind = 'not-github' | 'origin-refused' | 'unsupported-vcs' | 'not-resolved';

export type Located = { ok: true; location: OriginLocation; reader: OriginReader } | { ok: false; kind: NotLocatedKind; detail: string };

/** Finds where a module lives. Network failures while resolving are thrown (they are source failures). */
export interface OriginResolver {
  locate(modulePath: string, origin: { VCS?: string; URL?: string; Subdir?: string } | null, opts?: OriginCallOptions): Promise<Located>;
}

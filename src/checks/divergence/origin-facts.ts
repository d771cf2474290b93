/**
 * What the origin repository on GitHub holds for a version today: the repository (renamed? gone?), the
 * tag and the commit it names (or a pseudo-version's commit), dates, and the module's files at that
 * commit as Go would zip them (tarball -> Go's file-set rules -> SHA-256 per file). Facts only: what they
 * mean is judge.ts's job.
 */
import { modulePath } from '../../gomod/modfile.js';
import { isPseudoVersion, pseudoVersionRev } from '../../gomod/module.js';
import type { ModuleVersion } from '../../gomod/types.js';
import { MAX_GO_MOD, selectModuleFiles, type TreeEntry } from '../../modzip/fileset.js';
import { githubRepoFromUrl, resolveGitHubLocation, tagForVersion } from '../../sources/github/location.js';
import type { Origin } from '../../sources/goproxy.js';
import type { CommitInfo, GitTreeEntry, OriginCallOptions, OriginReader, TagInfo, TarEntry } from '../../sources/origin-reader.js';
import type { OriginLocation, OriginResolver } from '../../sources/origin-location.js';
import { isRepoGone, originCause } from './faults.js';
import { recordedCommit, type ProxyFacts } from './proxy-facts.js';
import type { RecordedFacts } from './triage.js';
import type { VerifyCause } from './types.js';

export type { OriginReader } from '../../sources/origin-reader.js';
export type { OriginLocation, OriginResolver } from '../../sources/origin-location.js';

/** A GitHub-only resolver over one reader: github.com paths, gopkg.in, and a proxy Origin naming GitHub. */
export function githubOnlyResolver(reader: OriginReader): OriginResolver {
  return {
    async locate(path, origin) {
      const loc = resolveGitHubLocation(path, origin);
      if (!loc.ok) return { ok: false, kind: 'not-github', detail: loc.reason };
      const { owner, repo } = loc.location;
      return {
        ok: true,
        reader,
        location: { ...loc.location, label: `github.com/${owner}/${repo}`, url: `https://github.com/${owner}/${repo}`, protocol: 'github-api' },
      };
    },
  };
}

/** A reader (GitHub-only) or a resolver (any host): verifyModule accepts both. */
export function asResolver(origin: OriginReader | OriginResolver): OriginResolver {
  return 'locate' in origin ? origin : githubOnlyResolver(origin);
}

/** One file of the module as built from the origin tree. */
export interface OriginFile {
  /** Path inside the module. */
  path: string;
  size: number;
  sha256: string;
  /** Path inside the repository. */
  source: string;
}

/** The module's files at the compared commit. */
export interface OriginTree {
  /** The module's directory in the repository ('' = the root). */
  subdir: string;
  /** Neither candidate go.mod (codeDir, codeDir/vN) declares the module path. */
  rootUnclear: boolean;
  files: OriginFile[];
  /** Bytes kept for diffs, by repository path: go.mod files and small files that differ from the proxy's. */
  content: Map<string, Buffer>;
  /** Why Go would refuse to zip this tree (the first few problems). */
  problems: string[];
}

/** The commit's git tree, read only when the tarball's files differ from the proxy's. */
export interface GitBlobs {
  /** Regular-file blob ids by repository path, or null when the tree could not be read. */
  blobs: Map<string, string> | null;
  /** Why the tree could not be read. */
  error?: string;
}

/** What the origin repository holds today. */
export interface OriginFacts {
  location: OriginLocation;
  /** The reader that answers for this repository. */
  reader: OriginReader;
  /** `owner/repo` read (after a rename redirect); for a git host, `host/path`. */
  repo: string;
  /** The reader's arguments for the repository (after a rename redirect). */
  key: { owner: string; repo: string };
  /** The repository as messages name it (`github.com/owner/repo`, `go.googlesource.com/net`). */
  label: string;
  /** The name asked for, when GitHub redirected. */
  movedFrom?: string;
  /** The proxy's Origin.URL, when it names another repository than the module path (which Go fetches). */
  proxyNamedOther?: string;
  /** The tag Go reads for the version; null for a pseudo-version. */
  tag: string | null;
  /** The repository does not exist any more (or is private). */
  repoGone: boolean;
  /** What the tag names today, null when the tag is gone; absent when not looked up. */
  tagged?: TagInfo | null;
  /** A pseudo-version's commit, null when it is gone; absent for tagged versions. */
  revCommit?: CommitInfo | null;
  /** The commit the proxy recorded, looked up because the tag is gone; null when it is gone too. */
  recorded?: CommitInfo | null;
  /** The commit whose tree was read (or would have been). */
  commit: string | null;
  /** Committer date of `commit`, when known. */
  commitDate?: string;
  tree?: OriginTree;
  gitBlobs?: GitBlobs;
  /** Set when a request failed and the origin could not be read to the end. */
  failure?: VerifyCause;
  /** The commit the proxy recorded, examined because the tag moved (retag triage). */
  recordedFacts?: RecordedFacts;
}

/** The origin's answer: its facts, or why it is not compared at all. */
export type OriginOutcome = { status: 'read'; facts: OriginFacts } | { status: 'unsupported'; cause: VerifyCause };

/** Limits of what is kept from the origin tarball. */
export interface OriginReadOptions {
  /** Largest file whose bytes are kept (for diffs). */
  maxFileBytes: number;
  /** Most bytes kept over all files. */
  maxKeptBytes: number;
}

/** Reads the origin of a version the proxy served; never throws. */
export async function gatherOriginFacts(
  mv: ModuleVersion,
  proxy: ProxyFacts,
  origin: OriginReader | OriginResolver | null,
  options: OriginReadOptions,
  call: OriginCallOptions = {},
): Promise<OriginOutcome> {
  if (!origin) {
    return { status: 'unsupported', cause: { kind: 'no-origin-client', source: 'origin', detail: 'origin checks are turned off' } };
  }
  let located;
  try {
    located = await asResolver(origin).locate(mv.path, proxy.origin, call);
  } catch (e) {
    const cause = originCause(e);
    return { status: 'unsupported', cause: { ...cause, kind: cause.kind === 'internal' ? 'origin-error' : cause.kind, detail: `finding the origin of ${mv.path}: ${cause.detail}` } };
  }
  if (!located.ok) return { status: 'unsupported', cause: { kind: located.kind, source: 'origin', detail: located.detail } };
  const { location, reader } = located;
  const pseudo = isPseudoVersion(mv.version);
  const facts: OriginFacts = {
    location,
    reader,
    repo: location.protocol === 'github-api' ? `${location.owner}/${location.repo}` : location.label,
    key: { owner: location.owner, repo: location.repo },
    label: location.label,
    tag: pseudo ? null : tagForVersion(location.codeDir, mv.version),
    repoGone: false,
    commit: null,
  };
  const named = githubRepoFromUrl(proxy.origin?.URL);
  if (location.via === 'module-path' && proxy.origin?.URL && (!named || `${named.owner}/${named.repo}`.toLowerCase() !== facts.repo.toLowerCase())) {
    facts.proxyNamedOther = proxy.origin.URL;
  }
  try {
    const target = await resolveCommit(mv, proxy, reader, facts, call);
    if (target) await readTree(mv, proxy, reader, facts, target, options, call);
  } catch (e) {
    facts.failure = originCause(e);
  }
  return { status: 'read', facts };
}

/** Which commit to read, with the request for its date when that is still unknown. */
interface Target {
  owner: string;
  repo: string;
  commit: string;
  date?: Promise<CommitInfo | null>;
}

/**
 * Resolves the repository (following a rename) and the commit the version names there today: the tag's
 * commit, a pseudo-version's commit, or, when the tag is gone, the commit the proxy recorded. Null when
 * there is nothing to read.
 */
async function resolveCommit(mv: ModuleVersion, proxy: ProxyFacts, client: OriginReader, facts: OriginFacts, call: OriginCallOptions): Promise<Target | null> {
  let { owner, repo } = facts.location;
  // The repository lookup (deleted? renamed?) and the tag or commit lookup are independent: the tag
  // request follows a rename redirect by itself, and its 404 only means "tag missing" once the
  // repository is known to exist.
  const [repoAnswer, refAnswer] = await Promise.allSettled([
    client.getRepo(owner, repo, call),
    facts.tag === null ? client.findCommit(owner, repo, revisionToFind(mv.version, proxy.origin), call) : client.resolveTag(owner, repo, facts.tag, call),
  ]);
  if (repoAnswer.status === 'rejected') {
    if (isRepoGone(repoAnswer.reason)) {
      facts.repoGone = true;
      return null;
    }
    throw repoAnswer.reason;
  }
  if (repoAnswer.value.movedFrom) {
    facts.movedFrom = repoAnswer.value.movedFrom;
    owner = repoAnswer.value.owner;
    repo = repoAnswer.value.repo;
    facts.repo = repoAnswer.value.fullName;
    facts.key = { owner, repo };
    if (facts.location.protocol === 'github-api') facts.label = `github.com/${repoAnswer.value.fullName}`;
  }
  if (refAnswer.status === 'rejected') throw refAnswer.reason;

  if (facts.tag === null) {
    const c = refAnswer.value as CommitInfo | null;
    facts.revCommit = c;
    if (!c) return null;
    facts.commit = c.sha;
    facts.commitDate = c.committerDate;
    return { owner, repo, commit: c.sha };
  }
  const tagged = refAnswer.value as TagInfo | null;
  facts.tagged = tagged;
  if (tagged) {
    facts.commit = tagged.commit;
    // The date only adds evidence; it is fetched alongside the (slow) tarball, and its failure costs nothing.
    return { owner, repo, commit: tagged.commit, date: client.getCommit(owner, repo, tagged.commit, call).catch(() => null) };
  }
  const recorded = recordedCommit(proxy.origin);
  if (!recorded) return null;
  facts.recorded = await client.getCommit(owner, repo, recorded, call);
  if (!facts.recorded) return null;
  facts.commit = recorded;
  facts.commitDate = facts.recorded.committerDate;
  return { owner, repo, commit: recorded };
}

/** Streams the tarball of the target commit and builds the module's file set with Go's rules. */
async function readTree(
  mv: ModuleVersion,
  proxy: ProxyFacts,
  client: OriginReader,
  facts: OriginFacts,
  target: Target,
  options: OriginReadOptions,
  call: OriginCallOptions,
): Promise<void> {
  const { codeDir, pathMajor } = facts.location;
  const majorDir = pathMajor ? join(codeDir, pathMajor) : null;
  const proxySha = new Map(proxy.files.map((f) => [f.path, f.sha256]));
  // Module-relative names a repository path may have (the module may sit in codeDir or codeDir/vN).
  const relNames = (p: string): string[] => {
    const out: string[] = [];
    for (const dir of majorDir ? [majorDir, codeDir] : [codeDir]) {
      if (dir === '') out.push(p);
      else if (p.startsWith(dir + '/')) out.push(p.slice(dir.length + 1));
    }
    if (p === 'LICENSE') out.push('LICENSE');
    return out;
  };
  const entries: TreeEntry[] = [];
  const sha = new Map<string, string>();
  const content = new Map<string, Buffer>();
  // The candidate module roots' go.mod files decide where the module lives (and Go 1.24's vendor rules).
  const goMods = new Set([join(codeDir, 'go.mod'), ...(majorDir ? [join(majorDir, 'go.mod')] : [])]);
  let kept = 0;
  const [dated, streamed] = await Promise.allSettled([
    target.date ?? Promise.resolve(null),
    client.streamTarball(
      target.owner,
      target.repo,
      target.commit,
      (e: TarEntry) => {
        entries.push({ path: e.path, type: e.type === 'directory' ? 'dir' : e.type, size: e.size });
        if (e.type !== 'file') return;
        sha.set(e.path, e.sha256);
        if (!e.content) return;
        // Keep the go.mod files, and small files that differ from the proxy's (for diffs) within a budget.
        if (goMods.has(e.path)) {
          content.set(e.path, e.content);
        } else if (kept + e.content.length <= options.maxKeptBytes && relNames(e.path).some((r) => proxySha.get(r) !== e.sha256)) {
          kept += e.content.length;
          content.set(e.path, e.content);
        }
      },
      { keepContent: (p, size) => (goMods.has(p) && size <= MAX_GO_MOD) || (size <= options.maxFileBytes && relNames(p).length > 0), signal: call.signal },
    ),
  ]);
  // The date is evidence even when the tarball then fails.
  if (dated.status === 'fulfilled' && dated.value) facts.commitDate = dated.value.committerDate;
  if (streamed.status === 'rejected') throw streamed.reason;

  const declares = (dir: string) => {
    const c = content.get(join(dir, 'go.mod'));
    return c !== undefined && modulePath(c) === mv.path;
  };
  // Go's findDir for a major-version path: the module lives in codeDir/vN when that go.mod declares the
  // module path, else in codeDir. Other paths live in codeDir.
  const subdir = majorDir && declares(majorDir) ? majorDir : codeDir;
  const rootUnclear = majorDir !== null && subdir === codeDir && !declares(codeDir);
  const selection = selectModuleFiles(entries, {
    modulePath: mv.path,
    version: mv.version,
    subdir,
    mode: 'vcs',
    goMod: content.get(join(subdir, 'go.mod')) ?? null,
  });
  const moduleContent = new Map<string, Buffer>();
  const files = selection.files.map((f) => {
    const bytes = content.get(f.sourcePath);
    if (bytes) moduleContent.set(f.path, bytes);
    return { path: f.path, size: f.size, sha256: sha.get(f.sourcePath) ?? '', source: f.sourcePath };
  });
  facts.tree = {
    subdir,
    rootUnclear,
    files,
    content: moduleContent,
    problems: selection.errors.slice(0, 3).map((p) => `${p.path}: ${p.reason}`),
  };
}

/**
 * Reads the commit's git tree: blob ids are independent of the .gitattributes export rules that shape
 * GitHub's tarballs (and that the go command's `git archive` ignores). Never throws.
 */
export async function gatherGitBlobs(facts: OriginFacts, call: OriginCallOptions = {}): Promise<GitBlobs> {
  const { owner, repo } = facts.key;
  try {
    const tree = facts.commit ? await facts.reader.getTree(owner, repo, facts.commit, call) : null;
    if (!tree) return { blobs: null, error: `${facts.location.protocol === 'github-api' ? 'GitHub' : facts.label} has no git tree for the commit` };
    return { blobs: blobMap(tree.entries) };
  } catch (e) {
    return { blobs: null, error: originCause(e).detail };
  }
}

function blobMap(entries: readonly GitTreeEntry[]): Map<string, string> {
  return new Map(entries.filter((e) => e.type === 'blob' && (e.mode === '100644' || e.mode === '100755')).map((e) => [e.path, e.sha]));
}

/** The full revision to look up for a pseudo-version: the proxy's recorded commit when it extends the short one. */
function revisionToFind(version: string, origin: Origin | null): string {
  const rev = pseudoVersionRev(version);
  const recorded = recordedCommit(origin);
  return recorded && recorded.startsWith(rev) ? recorded : rev;
}

/**
 * The commit the proxy recorded, examined because the tag names another one today: is it still there,
 * are the proxy's files exactly its module files (by git blob id, no bytes needed), and how does the
 * tag's commit today relate to it. Never throws: what cannot be read is `unknown` with a note.
 */
export async function gatherRecordedFacts(mv: ModuleVersion, proxy: ProxyFacts, facts: OriginFacts, call: OriginCallOptions = {}): Promise<RecordedFacts | undefined> {
  const recorded = recordedCommit(proxy.origin);
  if (!recorded || !facts.tagged || facts.tagged.commit === recorded) return undefined;
  const { owner, repo } = facts.key;
  const out: RecordedFacts = { commit: recorded, exists: null, matchesProxy: 'unknown', mismatched: [], relation: 'unknown', notes: [] };
  const [tree, relation] = await Promise.allSettled([
    facts.reader.getTree(owner, repo, recorded, call),
    facts.reader.compareCommits ? facts.reader.compareCommits(owner, repo, recorded, facts.tagged.commit, call) : Promise.resolve('unknown' as const),
  ]);
  if (relation.status === 'fulfilled') out.relation = relation.value;
  else out.notes.push(originCause(relation.reason).detail);
  if (tree.status === 'rejected') {
    out.notes.push(originCause(tree.reason).detail);
    return out;
  }
  if (tree.value === null) {
    out.exists = false;
    if (out.relation === 'unrelated') out.relation = 'unknown';
    return out;
  }
  out.exists = true;
  if (tree.value.truncated) {
    out.notes.push('the host truncated the commit tree');
    return out;
  }
  const subdir = facts.tree?.subdir ?? facts.location.codeDir;
  const entries: TreeEntry[] = tree.value.entries.map((e) => ({
    path: e.path,
    type: e.type === 'tree' ? 'dir' : e.type === 'commit' ? 'other' : e.mode === '120000' ? 'symlink' : 'file',
    size: e.size ?? 0,
  }));
  const goMod = proxy.files.find((f) => f.path === 'go.mod')?.content ?? null;
  const selection = selectModuleFiles(entries, { modulePath: mv.path, version: mv.version, subdir, mode: 'vcs', goMod });
  const blobs = blobMap(tree.value.entries);
  const served = new Map(proxy.files.map((f) => [f.path, f.gitBlobId]));
  const mismatched = new Set<string>();
  for (const [path, id] of served) {
    const blob = blobs.get(join(subdir, path)) ?? (path === 'LICENSE' ? blobs.get('LICENSE') : undefined);
    if (blob !== id) mismatched.add(path);
  }
  for (const f of selection.files) if (!served.has(f.path)) mismatched.add(f.path);
  out.mismatched = [...mismatched].sort();
  out.matchesProxy = mismatched.size === 0 ? 'yes' : 'no';
  return out;
}

function join(dir: string, name: string): string {
  return dir === '' ? name : `${dir}/${name}`;
}

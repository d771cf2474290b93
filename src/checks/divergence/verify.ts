/**
 * Proxy divergence: does the Go module proxy serve, for module@version, what the origin repository holds
 * at that version's tag today? Catches the boltdb-go attack (the proxy cached a backdoored version, then
 * the tag was moved back to clean code). Checks run cheapest first: checksums, then the tag's commit
 * against the Origin hash the proxy recorded, then the content itself (origin tarball -> Go's module file
 * set -> h1) with the list of differing files and short diffs. Any failure to check is `unverifiable`
 * with a reason: never a crash, never a false `consistent`.
 */
import { createHash } from 'node:crypto';
import { defaultSeverity, type Finding } from '../../findings.js';
import { checkModuleVersion, isPseudoVersion, pseudoVersionRev, pseudoVersionTime } from '../../gomod/module.js';
import type { ModuleVersion, RequirementChange } from '../../gomod/types.js';
import { MAX_GO_MOD, selectModuleFiles, type TreeEntry } from '../../modzip/fileset.js';
import { hash1, hashGoMod, syntheticGoMod } from '../../modzip/hash.js';
import { readModuleZip, type ModuleFile } from '../../modzip/reader.js';
import {
  GitHubApiError,
  githubRepoFromUrl,
  RateLimitedError as GitHubRateLimitedError,
  RepoNotFoundError,
  resolveGitHubLocation,
  tagForVersion,
  TarballTooLargeError,
  type CommitInfo,
  type GitHubLocation,
  type GitHubOriginClient,
  type TagInfo,
  type TarEntry,
} from '../../sources/github/origin.js';
import { PrivateModuleError, ProxyBlockedError, ProxyError, type GoProxyClient, type Origin } from '../../sources/goproxy.js';
import { compareSums, describeMismatch, type ModuleSums } from '../consistency.js';
import { isProbablyText, unifiedDiff } from '../textdiff.js';

/** What one module version's check concluded. */
export const VERDICTS = [
  'consistent',
  'tag-moved',
  'tag-missing',
  'content-diverged',
  'gosum-mismatch',
  'sumdb-mismatch',
  'proxy-blocked',
  'unverifiable',
] as const;
export type Verdict = (typeof VERDICTS)[number];

/**
 * Which verdict heads the result when several apply, most urgent first. Evidence that the bytes a build
 * downloads are bad or not what was reviewed comes first (the proxy itself flags the module; its code
 * differs from the origin's; it differs from what the checksum database promised everyone; from what the
 * PR's go.sum pins), then evidence of history rewriting at the origin (a moved tag, then a vanished one),
 * then "could not check", and only then "consistent".
 */
export const VERDICT_PRECEDENCE: readonly Verdict[] = [
  'proxy-blocked',
  'content-diverged',
  'sumdb-mismatch',
  'gosum-mismatch',
  'tag-moved',
  'tag-missing',
  'unverifiable',
  'consistent',
];

/** Why a check could not be completed (drives the severity of an `unverifiable` finding). */
export type UnverifiableCause =
  | 'private'
  | 'not-github'
  | 'no-origin-client'
  | 'rate-limited'
  | 'too-large'
  | 'network'
  | 'proxy'
  | 'invalid-input'
  /** The checksum database answered something that does not verify: forged, forked or tampered with. */
  | 'sumdb-unverified'
  | 'other';

/** A short unified diff of one file between the origin (---) and the proxy (+++). */
export interface FileDiff {
  path: string;
  diff: string;
}

/** Everything verifyModule found for one module version. */
export interface VerifyResult {
  module: string;
  version: string;
  /** The headline verdict (the first of `verdicts` in VERDICT_PRECEDENCE order). */
  verdict: Verdict;
  /** Every verdict that applies, in precedence order (e.g. content-diverged and tag-moved). */
  verdicts: Verdict[];
  proxy: {
    h1: string | null;
    goModH1: string | null;
    /** `.info` Origin exactly as the proxy gave it, or null when it sent none. */
    origin: Origin | null;
    /** `.info` Time. */
    time: string | null;
  };
  origin: {
    /** `owner/repo` on GitHub, when resolved. */
    repo: string | null;
    /** The commit compared: the tag's commit today (or a pseudo-version's commit). */
    commit: string | null;
    /** h1 of the module file set built from the origin tree at `commit`, or null when not computed. */
    h1: string | null;
    goModH1: string | null;
    tag: string | null;
    annotated?: boolean;
    /** Tagger date of an annotated tag. */
    tagDate?: string;
    /** Committer date of `commit`. */
    commitDate?: string;
    /** The name asked for, when GitHub redirected (renamed or transferred repository). */
    movedFrom?: string;
  };
  /** Paths inside the module: added = only in the proxy's zip, removed = only at the origin, modified = both, different. */
  files: { added: string[]; removed: string[]; modified: string[] };
  diffs?: FileDiff[];
  /** Set when the tag's commit today is dated after the proxy's version time (evidence the tag was rewritten). */
  rewrittenAfterProxy?: boolean;
  /** Set with an `unverifiable` verdict. */
  unverifiableCause?: UnverifiableCause;
  /** Human-readable explanations, in the order the checks ran. */
  reasons: string[];
}

/** What verifyModule needs from a GOPROXY client (GoProxyClient fits). */
export type ProxySource = Pick<GoProxyClient, 'info' | 'mod' | 'zip'>;

/** What verifyModule needs from a checksum database client: the hashes recorded for a module version. */
export interface SumDbSource {
  lookup(path: string, version: string): Promise<ModuleSums | { lines: string[] } | string[] | string>;
}

/** Inputs of verifyModule besides the module version. */
export interface VerifyDeps {
  proxy: ProxySource;
  /** null: origin checks are off (the result is then at best unverifiable). */
  origin: GitHubOriginClient | null;
  sumdb?: SumDbSource | null;
  /** The PR's go.sum hashes for this version, when it has them. */
  goSum?: ModuleSums | null;
  /** Largest file (bytes) shown as a diff. Default 64 KiB. */
  maxDiffFileBytes?: number;
  /** Most files diffed. Default 10. */
  maxDiffs?: number;
}

const DEFAULT_MAX_DIFF_FILE = 64 << 10;
const DEFAULT_MAX_DIFFS = 10;
/** Most bytes of differing origin files held for diffs (a wholly different tree must not fill memory). */
const MAX_KEPT_BYTES = 8 << 20;
/** Slack for comparing a commit date with `.info` Time (Go truncates to seconds). */
const DATE_SLACK_MS = 1000;

/** Collects verdicts and reasons while the checks run. */
class Recorder {
  readonly result: VerifyResult;
  contentCompared = false;

  constructor(mv: ModuleVersion) {
    this.result = {
      module: mv.path,
      version: mv.version,
      verdict: 'unverifiable',
      verdicts: [],
      proxy: { h1: null, goModH1: null, origin: null, time: null },
      origin: { repo: null, commit: null, h1: null, goModH1: null, tag: null },
      files: { added: [], removed: [], modified: [] },
      reasons: [],
    };
  }

  add(v: Verdict, reason: string): void {
    if (!this.result.verdicts.includes(v)) this.result.verdicts.push(v);
    this.result.reasons.push(reason);
  }

  unverifiable(cause: UnverifiableCause, reason: string): void {
    this.result.unverifiableCause ??= cause;
    this.add('unverifiable', reason);
  }

  note(reason: string): void {
    this.result.reasons.push(reason);
  }

  finish(): VerifyResult {
    const r = this.result;
    // "consistent" needs positive proof: the origin's content was hashed and matched.
    if (!this.contentCompared && r.verdicts.length === 0) {
      this.unverifiable('other', 'the content at the origin was not compared, so consistency is not established');
    }
    r.verdicts.sort((a, b) => VERDICT_PRECEDENCE.indexOf(a) - VERDICT_PRECEDENCE.indexOf(b));
    r.verdict = r.verdicts[0] ?? 'consistent';
    if (r.verdict === 'consistent' && r.verdicts.length === 0) r.verdicts = ['consistent'];
    if (!r.verdicts.includes('unverifiable')) delete r.unverifiableCause;
    return r;
  }
}

/** The proxy's side: `.info`, the go.mod hash, and the zip's files with their hashes. */
interface ProxyFacts {
  origin: Origin | null;
  time: string | null;
  h1: string;
  goModH1: string;
  files: ModuleFile[];
  /** Where the zip is, to re-read contents for diffs. */
  zipFile: string;
}

/**
 * Verifies one module version: proxy content vs the origin repository today, go.sum and the checksum
 * database. Always resolves (errors become `unverifiable` with a reason).
 */
export async function verifyModule(mv: ModuleVersion, deps: VerifyDeps): Promise<VerifyResult> {
  const rec = new Recorder(mv);
  try {
    checkModuleVersion(mv.path, mv.version);
  } catch (e) {
    rec.unverifiable('invalid-input', `${mv.path}@${mv.version} is not a valid module version: ${(e as Error).message}`);
    return rec.finish();
  }
  try {
    const proxy = await proxyFacts(mv, deps.proxy, rec);
    if (!proxy) return rec.finish();
    await checkSums(mv, proxy, deps, rec);
    const target = await originCommit(mv, proxy, deps.origin, rec);
    if (target && deps.origin) {
      // The commit's date only adds evidence, so it is fetched alongside the (slow) tarball.
      const [dated] = await Promise.all([target.commitDate ?? Promise.resolve(null), compareContent(mv, proxy, deps.origin, target, deps, rec)]);
      dated?.();
    }
  } catch (e) {
    // Anything unexpected still gives an answer, never a crash or a false "consistent".
    rec.unverifiable('other', `internal error while verifying ${mv.path}@${mv.version}: ${(e as Error)?.message ?? String(e)}`);
  }
  return rec.finish();
}

/** Reads `.info`, `.mod` and the zip; records proxy-blocked / unverifiable and returns null on failure. */
async function proxyFacts(mv: ModuleVersion, proxy: ProxySource, rec: Recorder): Promise<ProxyFacts | null> {
  const at = `${mv.path}@${mv.version}`;
  try {
    // The three requests are independent; one round trip instead of three.
    const [info, mod, zip] = await Promise.all([proxy.info(mv.path, mv.version), proxy.mod(mv.path, mv.version), proxy.zip(mv.path, mv.version)]);
    rec.result.proxy.origin = info.Origin ?? null;
    rec.result.proxy.time = info.Time ?? null;
    const goModH1 = hashGoMod(mod);
    rec.result.proxy.goModH1 = goModH1;
    const contents = await readModuleZip(zip.file, mv, { keepContent: (p) => p === 'go.mod' });
    rec.result.proxy.h1 = contents.h1;
    if (contents.goModH1 !== null && contents.goModH1 !== goModH1) {
      rec.note(`the proxy's .mod for ${at} (${goModH1}) differs from the go.mod inside its zip (${contents.goModH1})`);
    }
    return { origin: info.Origin ?? null, time: info.Time ?? null, h1: contents.h1, goModH1, files: contents.files, zipFile: zip.file };
  } catch (e) {
    if (e instanceof ProxyBlockedError) {
      rec.add('proxy-blocked', `the module proxy refuses to serve ${at}: ${e.reason || e.message}`);
    } else if (e instanceof PrivateModuleError) {
      rec.unverifiable('private', `${at} is a private module (${e.reason}); it is not sent to a public proxy, so it was not checked`);
    } else if (e instanceof ProxyError) {
      rec.unverifiable(e.kind === 'rate-limited' ? 'rate-limited' : 'proxy', `could not read ${at} from the module proxy: ${e.message}`);
    } else if ((e as Error)?.name === 'ZipRejectedError') {
      rec.unverifiable('proxy', `the proxy's zip for ${at} is not a valid module zip: ${(e as Error).message}`);
    } else {
      throw e;
    }
    return null;
  }
}

/** go.sum and checksum-database hashes against the proxy's content. */
async function checkSums(mv: ModuleVersion, proxy: ProxyFacts, deps: VerifyDeps, rec: Recorder): Promise<void> {
  const at = `${mv.path}@${mv.version}`;
  const served: ModuleSums = { h1: proxy.h1, goModH1: proxy.goModH1 };
  if (deps.goSum) {
    for (const m of compareSums('go.sum', deps.goSum, served)) rec.add('gosum-mismatch', describeMismatch(m, at));
  }
  if (!deps.sumdb) return;
  try {
    const recorded = toSums(await deps.sumdb.lookup(mv.path, mv.version), mv);
    if (!recorded.h1 && !recorded.goModH1) {
      rec.note(`the checksum database has no hashes for ${at}`);
      return;
    }
    const mismatches = compareSums('sumdb', recorded, served);
    for (const m of mismatches) rec.add('sumdb-mismatch', describeMismatch(m, at));
    if (mismatches.length === 0) rec.note(`the checksum database agrees with the proxy's hashes for ${at}`);
  } catch (e) {
    const kind = (e as { kind?: unknown })?.kind;
    const msg = (e as Error)?.message ?? String(e);
    if (kind === 'verification-failed') {
      // A forged or forked database answer is a security signal, so the version is not called consistent.
      rec.unverifiable('sumdb-unverified', `the checksum database's answer for ${at} failed verification (${msg}); treat this as a security problem, not an outage`);
    } else if (kind === 'not-found') {
      rec.note(`the checksum database has no record of ${at}; the go command refuses such a version unless GONOSUMDB or GOPRIVATE covers it`);
    } else {
      rec.note(`the checksum database was not consulted for ${at}: ${msg}`);
    }
  }
}

/** Normalises whatever the sumdb client returns into the two hashes. */
function toSums(rec: Awaited<ReturnType<SumDbSource['lookup']>>, mv: ModuleVersion): ModuleSums {
  const fromLines = (lines: string[]): ModuleSums => {
    const sums: ModuleSums = {};
    for (const line of lines) {
      const f = line.trim().split(/\s+/);
      if (f.length !== 3 || f[0] !== mv.path) continue;
      if (f[1] === mv.version) sums.h1 ??= f[2];
      else if (f[1] === `${mv.version}/go.mod`) sums.goModH1 ??= f[2];
    }
    return sums;
  };
  if (typeof rec === 'string') return fromLines(rec.split('\n'));
  if (Array.isArray(rec)) return fromLines(rec);
  if ('lines' in rec && Array.isArray(rec.lines)) return fromLines(rec.lines);
  return rec as ModuleSums;
}

/** Which commit of which repository to compare with. */
interface OriginTarget {
  owner: string;
  repo: string;
  commit: string;
  location: GitHubLocation;
  /** Resolves to a step that records the commit's date and any rewrite evidence (never rejects). */
  commitDate?: Promise<(() => void) | null>;
}

/**
 * Finds the origin repository and the commit the version names there today. Records tag-moved,
 * tag-missing, rewrite evidence and notes; returns null when there is nothing to compare with.
 */
async function originCommit(mv: ModuleVersion, proxy: ProxyFacts, client: GitHubOriginClient | null, rec: Recorder): Promise<OriginTarget | null> {
  const at = `${mv.path}@${mv.version}`;
  if (!client) {
    rec.unverifiable('no-origin-client', `origin checks are turned off, so ${at} was not compared with its repository`);
    return null;
  }
  const loc = resolveGitHubLocation(mv.path, proxy.origin);
  if (!loc.ok) {
    rec.unverifiable('not-github', loc.reason);
    return null;
  }
  const { location } = loc;
  let owner = location.owner;
  let repo = location.repo;
  rec.result.origin.repo = `${owner}/${repo}`;
  const recordedHash = proxy.origin?.Hash && /^[0-9a-f]{40}$/.test(proxy.origin.Hash) ? proxy.origin.Hash : null;
  const recordedRepo = githubRepoFromUrl(proxy.origin?.URL);
  if (location.via === 'module-path' && proxy.origin?.URL && (!recordedRepo || `${recordedRepo.owner}/${recordedRepo.repo}`.toLowerCase() !== `${owner}/${repo}`.toLowerCase())) {
    rec.note(`the proxy recorded its origin as ${proxy.origin.URL}, but the module path names github.com/${owner}/${repo}; comparing with the latter (what the go command would fetch)`);
  }

  const pseudo = isPseudoVersion(mv.version);
  const tag = pseudo ? null : tagForVersion(location.codeDir, mv.version);
  rec.result.origin.tag = tag;
  try {
    // The repository lookup (deleted? renamed?) and the tag or commit lookup are independent: the tag
    // request follows a rename redirect by itself, and its 404 is only read as "tag missing" once the
    // repository is known to exist.
    const [repoAnswer, refAnswer] = await Promise.allSettled([
      client.getRepo(owner, repo),
      pseudo ? client.findCommit(owner, repo, pseudoVersionRev(mv.version)) : client.resolveTag(owner, repo, tag!),
    ]);
    if (repoAnswer.status === 'rejected') throw repoAnswer.reason;
    const info = repoAnswer.value;
    if (info.movedFrom) {
      rec.result.origin.movedFrom = info.movedFrom;
      rec.note(`GitHub redirects ${info.movedFrom} to ${info.fullName} (renamed or transferred); comparing with ${info.fullName}`);
      owner = info.owner;
      repo = info.repo;
      rec.result.origin.repo = info.fullName;
    }
    if (refAnswer.status === 'rejected') throw refAnswer.reason;

    if (pseudo) return pseudoVersionCommit(mv, refAnswer.value as CommitInfo | null, owner, repo, location, recordedHash, rec);

    if (proxy.origin?.Ref && proxy.origin.Ref !== `refs/tags/${tag}`) {
      rec.note(`the proxy recorded ref ${proxy.origin.Ref} for ${at}; Go reads tag ${tag}`);
    }
    const t = refAnswer.value as TagInfo | null;
    if (!t) {
      rec.add('tag-missing', `tag ${tag} no longer exists in github.com/${owner}/${repo}, but the proxy still serves ${at}`);
      if (!recordedHash) return null;
      const old = await client.getCommit(owner, repo, recordedHash);
      if (!old) {
        rec.note(`the commit the proxy recorded for ${at} (${recordedHash}) is not in the repository either`);
        return null;
      }
      rec.note(`the commit the proxy recorded for ${at} (${recordedHash.slice(0, 12)}) still exists; comparing the proxy's content with it`);
      rec.result.origin.commit = recordedHash;
      rec.result.origin.commitDate = old.committerDate;
      return { owner, repo, commit: recordedHash, location };
    }
    rec.result.origin.commit = t.commit;
    rec.result.origin.annotated = t.annotated;
    if (t.taggerDate) rec.result.origin.tagDate = t.taggerDate;
    const moved = recordedHash !== null && recordedHash !== t.commit;
    if (moved) {
      rec.add(
        'tag-moved',
        `tag ${tag} of github.com/${owner}/${repo} points at commit ${t.commit.slice(0, 12)} today, but the proxy recorded commit ${recordedHash.slice(0, 12)} when it cached ${at}`,
      );
    } else if (recordedHash === null) {
      rec.note(`the proxy recorded no origin commit for ${at} (older proxies did not), so only the content can show a moved tag`);
    }
    const commitDate = client.getCommit(owner, repo, t.commit).then(
      (commit) =>
        commit &&
        (() => {
          rec.result.origin.commitDate = commit.committerDate;
          rewriteEvidence(proxy.time, commit, moved ? t.taggerDate : undefined, tag!, at, recordedHash !== null, rec);
        }),
      () => null,
    );
    return { owner, repo, commit: t.commit, location, commitDate };
  } catch (e) {
    recordOriginError(e, at, owner, repo, rec);
    return null;
  }
}

/** A pseudo-version names its commit: resolve the 12-hex revision and check what the proxy recorded. */
function pseudoVersionCommit(
  mv: ModuleVersion,
  c: CommitInfo | null,
  owner: string,
  repo: string,
  location: GitHubLocation,
  recordedHash: string | null,
  rec: Recorder,
): OriginTarget | null {
  const at = `${mv.path}@${mv.version}`;
  const rev = pseudoVersionRev(mv.version);
  if (recordedHash && !recordedHash.startsWith(rev)) {
    rec.note(`the proxy recorded commit ${recordedHash.slice(0, 12)} for ${at}, which is not the pseudo-version's revision ${rev}`);
  }
  if (!c) {
    rec.add('tag-missing', `commit ${rev} named by pseudo-version ${mv.version} is no longer in github.com/${owner}/${repo}, but the proxy still serves ${at}`);
    return null;
  }
  rec.result.origin.commit = c.sha;
  rec.result.origin.commitDate = c.committerDate;
  const want = pseudoVersionTime(mv.version).getTime();
  if (Math.floor(Date.parse(c.committerDate) / 1000) * 1000 !== want) {
    rec.note(`commit ${c.sha.slice(0, 12)} is dated ${c.committerDate}, but pseudo-version ${mv.version} says ${new Date(want).toISOString()}`);
  }
  return { owner, repo, commit: c.sha, location };
}

/**
 * `.info` Time is the commit time of the version when the proxy resolved it. A tag that names a commit
 * dated later (or a moved annotated tag created later) was rewritten after the proxy cached the version.
 */
function rewriteEvidence(
  proxyTime: string | null,
  commit: CommitInfo,
  movedTagDate: string | undefined,
  tag: string,
  at: string,
  originHashRecorded: boolean,
  rec: Recorder,
): void {
  if (!proxyTime) return;
  const cached = Date.parse(proxyTime);
  const later = (d: string | undefined) => d !== undefined && Date.parse(d) > cached + DATE_SLACK_MS;
  if (later(commit.committerDate)) {
    rec.result.rewrittenAfterProxy = true;
    const evidence = `tag ${tag} names a commit dated ${commit.committerDate}, later than the proxy's time for ${at} (${proxyTime})`;
    if (originHashRecorded) {
      rec.note(`tag rewritten after the proxy cached the version: ${evidence}`);
    } else {
      // .info Time of a tagged version is its commit's time, so a later commit is another commit.
      rec.add('tag-moved', `tag rewritten after the proxy cached the version: ${evidence}, so the tag no longer names the commit the proxy cached (inferred from dates: the proxy recorded no origin commit)`);
    }
  } else if (later(movedTagDate)) {
    rec.result.rewrittenAfterProxy = true;
    rec.note(`tag rewritten after the proxy cached the version: annotated tag ${tag} was created ${movedTagDate}, later than the proxy's time for ${at} (${proxyTime})`);
  }
}

/** Maps origin-side failures to verdicts: a gone repository is tag-missing; the rest is unverifiable. */
function recordOriginError(e: unknown, at: string, owner: string, repo: string, rec: Recorder): void {
  if (e instanceof RepoNotFoundError) {
    rec.add('tag-missing', `the origin repository github.com/${owner}/${repo} no longer exists (or is private), but the proxy still serves ${at}`);
  } else if (e instanceof GitHubRateLimitedError) {
    rec.unverifiable('rate-limited', `GitHub API rate limit reached while checking ${at}; it resets at ${e.resetAt.toISOString()} (set GITHUB_TOKEN for a higher limit)`);
  } else if (e instanceof TarballTooLargeError) {
    rec.unverifiable('too-large', `the source of github.com/${owner}/${repo} is too large to download for comparison (${e.message})`);
  } else if (e instanceof GitHubApiError) {
    rec.unverifiable(e.status === null ? 'network' : 'other', `could not read the origin of ${at}: ${e.message}`);
  } else if ((e as Error)?.name === 'TarballFormatError') {
    rec.unverifiable('other', `the origin tarball for ${at} could not be read: ${(e as Error).message}`);
  } else {
    throw e;
  }
}

/** The origin tree as streamed: entries for selectModuleFiles, hashes, and the contents worth keeping. */
interface OriginTree {
  entries: TreeEntry[];
  sha: Map<string, string>;
  content: Map<string, Buffer>;
}

/**
 * Downloads the origin tree at the target commit, builds the module's file set with Go's rules, hashes it
 * and compares with the proxy's zip; on a difference lists the files and diffs small text files.
 */
async function compareContent(
  mv: ModuleVersion,
  proxy: ProxyFacts,
  client: GitHubOriginClient,
  target: OriginTarget,
  deps: VerifyDeps,
  rec: Recorder,
): Promise<void> {
  const at = `${mv.path}@${mv.version}`;
  const maxDiffFile = deps.maxDiffFileBytes ?? DEFAULT_MAX_DIFF_FILE;
  const { codeDir, pathMajor } = target.location;
  const majorDir = pathMajor ? join(codeDir, pathMajor) : null;
  const proxySha = new Map(proxy.files.map((f) => [f.path, f.sha256]));
  // Module-relative names an origin path may have (the module may sit in codeDir or codeDir/vN).
  const relNames = (p: string): string[] => {
    const out: string[] = [];
    for (const dir of majorDir ? [majorDir, codeDir] : [codeDir]) {
      if (dir === '') out.push(p);
      else if (p.startsWith(dir + '/')) out.push(p.slice(dir.length + 1));
    }
    if (p === 'LICENSE') out.push('LICENSE');
    return out;
  };
  const tree: OriginTree = { entries: [], sha: new Map(), content: new Map() };
  // The candidate module roots' go.mod files decide where the module lives (and Go 1.24's vendor rules).
  const goMods = new Set([join(codeDir, 'go.mod'), ...(majorDir ? [join(majorDir, 'go.mod')] : [])]);
  let keptBytes = 0;
  try {
    await client.streamTarball(
      target.owner,
      target.repo,
      target.commit,
      (e: TarEntry) => {
        tree.entries.push({ path: e.path, type: e.type === 'directory' ? 'dir' : e.type, size: e.size });
        if (e.type !== 'file') return;
        tree.sha.set(e.path, e.sha256);
        if (!e.content) return;
        // Keep the go.mod files, and small files that differ from the proxy's (for diffs) within a budget.
        if (goMods.has(e.path)) {
          tree.content.set(e.path, e.content);
        } else if (keptBytes + e.content.length <= MAX_KEPT_BYTES && relNames(e.path).some((r) => proxySha.get(r) !== e.sha256)) {
          keptBytes += e.content.length;
          tree.content.set(e.path, e.content);
        }
      },
      {
        keepContent: (p, size) => (goMods.has(p) && size <= MAX_GO_MOD) || (size <= maxDiffFile && relNames(p).length > 0),
      },
    );
  } catch (e) {
    recordOriginError(e, at, target.owner, target.repo, rec);
    return;
  }

  const subdir = moduleDir(mv, codeDir, majorDir, tree, rec);
  const goModPath = join(subdir, 'go.mod');
  const selection = selectModuleFiles(tree.entries, {
    modulePath: mv.path,
    version: mv.version,
    subdir,
    mode: 'vcs',
    goMod: tree.content.get(goModPath) ?? null,
  });
  if (selection.errors.length > 0) {
    const first = selection.errors.slice(0, 3).map((p) => `${p.path}: ${p.reason}`).join('; ');
    rec.note(`the origin tree at ${target.commit.slice(0, 12)} would not make a valid module zip for ${at} (${first})`);
  }
  const originFiles = selection.files.map((f) => ({ path: f.path, size: f.size, sha256: tree.sha.get(f.sourcePath) ?? '', source: f.sourcePath }));
  const originH1 = () => hash1(originFiles.map((f) => ({ name: `${mv.path}@${mv.version}/${f.path}`, sha256: f.sha256 })));
  let h1 = originH1();
  const goMod = originFiles.find((f) => f.path === 'go.mod');
  rec.result.origin.h1 = h1;
  rec.result.origin.goModH1 = goMod ? hash1([{ name: 'go.mod', sha256: goMod.sha256 }]) : hashGoMod(syntheticGoMod(mv.path));
  rec.contentCompared = true;
  if (h1 === proxy.h1) {
    rec.note(`the origin tree at commit ${target.commit.slice(0, 12)} hashes to ${h1}, exactly the proxy's h1`);
    return;
  }

  const proxyMap = new Map(proxy.files.map((f) => [f.path, f]));
  const differing = () => {
    const originMap = new Map(originFiles.map((f) => [f.path, f]));
    return {
      originMap,
      added: [...proxyMap.keys()].filter((p) => !originMap.has(p)).sort(),
      removed: [...originMap.keys()].filter((p) => !proxyMap.has(p)).sort(),
      modified: [...proxyMap.keys()].filter((p) => originMap.has(p) && originMap.get(p)!.sha256 !== proxyMap.get(p)!.sha256).sort(),
    };
  };
  let diff = differing();
  // GitHub's tarballs apply .gitattributes (export-ignore, export-subst, LFS objects), which the go
  // command's git archive does not. Before calling a file different, check the proxy's bytes against the
  // commit's git blob ids, which no attribute changes. One extra request, only when something differs.
  if (diff.added.length > 0 || diff.modified.length > 0) {
    const confirmed = await confirmByGitTree(mv, proxy, client, target, subdir, [...diff.added, ...diff.modified], rec);
    if (confirmed.size > 0) {
      for (const p of confirmed) {
        const served = proxyMap.get(p)!;
        const f = originFiles.find((o) => o.path === p);
        if (f) f.sha256 = served.sha256;
        else originFiles.push({ path: p, size: served.size, sha256: served.sha256, source: join(subdir, p) });
      }
      h1 = originH1();
      rec.result.origin.h1 = h1;
      const gm = originFiles.find((f) => f.path === 'go.mod');
      if (gm) rec.result.origin.goModH1 = hash1([{ name: 'go.mod', sha256: gm.sha256 }]);
      rec.note(
        `${confirmed.size} file(s) that GitHub's tarball leaves out or rewrites (.gitattributes export rules, LFS) match the commit's git blobs: ${[...confirmed].sort().join(', ')}`,
      );
      if (h1 === proxy.h1) {
        rec.note(`with those files, the origin tree at commit ${target.commit.slice(0, 12)} hashes to ${h1}, exactly the proxy's h1`);
        return;
      }
      diff = differing();
    }
  }
  const { originMap, added, removed, modified } = diff;
  rec.result.files = { added, removed, modified };
  const where = rec.result.origin.tag ? `tag ${rec.result.origin.tag} (commit ${target.commit.slice(0, 12)})` : `commit ${target.commit.slice(0, 12)}`;
  rec.add(
    'content-diverged',
    `the proxy's zip for ${at} (${proxy.h1}) differs from github.com/${target.owner}/${target.repo} at ${where} (${h1}): ` +
      [list('only in the proxy', added), list('changed', modified), list('only at the origin', removed)].filter(Boolean).join('; '),
  );
  const diffs = await fileDiffs(mv, proxy, { added, removed, modified }, originMap, tree, deps);
  if (diffs.length > 0) rec.result.diffs = diffs;
}

/**
 * Checks proxy files against the commit's git tree: a file whose bytes hash (as a git blob) to the
 * regular-file entry at the same path holds exactly the committed content. Returns the confirmed paths.
 */
async function confirmByGitTree(
  mv: ModuleVersion,
  proxy: ProxyFacts,
  client: GitHubOriginClient,
  target: OriginTarget,
  subdir: string,
  paths: string[],
  rec: Recorder,
): Promise<Set<string>> {
  const confirmed = new Set<string>();
  let gitTree: Awaited<ReturnType<GitHubOriginClient['getTree']>>;
  try {
    gitTree = await client.getTree(target.owner, target.repo, target.commit);
  } catch (e) {
    rec.note(`could not read the git tree of ${target.commit.slice(0, 12)} to check files affected by .gitattributes: ${(e as Error).message}`);
    return confirmed;
  }
  if (!gitTree) return confirmed;
  const blobs = new Map(gitTree.entries.filter((e) => e.type === 'blob' && (e.mode === '100644' || e.mode === '100755')).map((e) => [e.path, e.sha]));
  const want = new Set(paths);
  let contents: ModuleFile[];
  try {
    contents = (await readModuleZip(proxy.zipFile, mv, { keepContent: (p, size) => want.has(p) && size <= MAX_GO_MOD })).files;
  } catch {
    return confirmed;
  }
  for (const f of contents) {
    if (!want.has(f.path) || !f.content) continue;
    // A sub-directory module without its own LICENSE gets the repository root's (Go's LICENSE rule).
    const sha = blobs.get(join(subdir, f.path)) ?? (f.path === 'LICENSE' ? blobs.get('LICENSE') : undefined);
    if (sha !== undefined && sha === gitBlobSha1(f.content)) confirmed.add(f.path);
  }
  return confirmed;
}

/** Git's object id of a blob: SHA-1 over `blob <size>\0` and the bytes. */
function gitBlobSha1(bytes: Buffer): string {
  return createHash('sha1').update(`blob ${bytes.length}\0`).update(bytes).digest('hex');
}

/**
 * Go's findDir for a major-version path: the module lives in codeDir/vN when that go.mod declares the
 * module path, else in codeDir. Non-major paths live in codeDir.
 */
function moduleDir(mv: ModuleVersion, codeDir: string, majorDir: string | null, tree: OriginTree, rec: Recorder): string {
  if (!majorDir) return codeDir;
  const declares = (dir: string) => {
    const c = tree.content.get(join(dir, 'go.mod'));
    return c !== undefined && modulePathOf(c.toString('utf8')) === mv.path;
  };
  if (declares(majorDir)) return majorDir;
  if (!declares(codeDir)) rec.note(`neither ${join(codeDir, 'go.mod')} nor ${join(majorDir, 'go.mod')} at the origin declares module ${mv.path}`);
  return codeDir;
}

/** Short unified diffs (origin ---, proxy +++) for small text files: added first, then changed, then removed. */
async function fileDiffs(
  mv: ModuleVersion,
  proxy: ProxyFacts,
  files: VerifyResult['files'],
  originMap: Map<string, { path: string; size: number; sha256: string; source: string }>,
  tree: OriginTree,
  deps: VerifyDeps,
): Promise<FileDiff[]> {
  const maxFile = deps.maxDiffFileBytes ?? DEFAULT_MAX_DIFF_FILE;
  const maxDiffs = deps.maxDiffs ?? DEFAULT_MAX_DIFFS;
  const proxySize = new Map(proxy.files.map((f) => [f.path, f.size]));
  const wanted = [...files.added, ...files.modified].filter((p) => (proxySize.get(p) ?? Infinity) <= maxFile).slice(0, maxDiffs);
  let proxyContent = new Map<string, Buffer>();
  if (wanted.length > 0) {
    const want = new Set(wanted);
    try {
      const again = await readModuleZip(proxy.zipFile, mv, { keepContent: (p) => want.has(p) });
      proxyContent = new Map(again.files.filter((f) => f.content).map((f) => [f.path, f.content!]));
    } catch {
      // The zip was read once already; if it is gone now, the file lists still stand without diffs.
    }
  }
  const out: FileDiff[] = [];
  const push = (path: string, before: Buffer | null, after: Buffer | null) => {
    if (out.length >= maxDiffs) return;
    if ((before && !isProbablyText(before)) || (after && !isProbablyText(after))) return;
    const diff = unifiedDiff(
      before ? `origin/${path}` : '/dev/null',
      after ? `proxy/${path}` : '/dev/null',
      before?.toString('utf8') ?? '',
      after?.toString('utf8') ?? '',
      { maxLines: 120 },
    );
    if (diff) out.push({ path, diff });
  };
  for (const p of files.added) {
    const after = proxyContent.get(p);
    if (after) push(p, null, after);
  }
  for (const p of files.modified) {
    const after = proxyContent.get(p);
    const before = tree.content.get(originMap.get(p)!.source);
    if (after && before) push(p, before, after);
  }
  for (const p of files.removed) {
    const before = tree.content.get(originMap.get(p)!.source);
    if (before) push(p, before, null);
  }
  return out;
}

/** Go's modfile.ModulePath: the `module` directive's path from go.mod text, leniently, or ''. */
export function modulePathOf(goMod: string): string {
  for (let line of goMod.split('\n')) {
    line = line.trim();
    if (!line.startsWith('module')) continue;
    line = line.slice('module'.length);
    if (line !== '' && !/^[ \t]/.test(line)) continue;
    line = line.trim();
    const comment = line.indexOf('//');
    if (comment >= 0) line = line.slice(0, comment).trim();
    if (line.startsWith('"')) {
      try {
        return JSON.parse(line) as string;
      } catch {
        return '';
      }
    }
    return line;
  }
  return '';
}

function join(dir: string, name: string): string {
  return dir === '' ? name : `${dir}/${name}`;
}

function list(label: string, paths: string[]): string {
  if (paths.length === 0) return '';
  const shown = paths.slice(0, 8).join(', ');
  return `${label}: ${shown}${paths.length > 8 ? ` and ${paths.length - 8} more` : ''}`;
}

// ---------------------------------------------------------------------------------------------------
// Findings


/**
 * Findings for one requirement change from its verify result: one per problem verdict (an
 * `unverifiable` finding only when nothing worse was found), anchored on the change's go.mod line.
 */
export function divergenceFindings(change: RequirementChange, result: VerifyResult): Finding[] {
  const at = `${result.module}@${result.version}`;
  const evidence = findingEvidence(result);
  const base = {
    module: result.module,
    version: result.version,
    goModPath: change.goModPath,
    line: change.line,
  };
  const findings: Finding[] = [];
  for (const v of result.verdicts) {
    if (v === 'consistent') continue;
    if (v === 'unverifiable') {
      if (result.verdicts.some((x) => x !== 'unverifiable')) continue;
      const cause = result.unverifiableCause;
      const quiet = cause === 'private' || cause === 'not-github' || cause === 'no-origin-client';
      // A checksum-database answer that fails its signature or log proof is tampering, not an outage.
      const forgedSumDb = cause === 'sumdb-unverified';
      const advice = forgedSumDb
        ? `The checksum database's answer did not verify against its public key or its signed log: someone may be ` +
          `serving forged checksums. Do not merge until it verifies; check GOSUMDB and the network path to it.`
        : `This is not evidence of an attack, but the version was not checked. ` +
          (cause === 'rate-limited'
            ? 'Run the check again after the rate limit resets, or configure a GitHub token.'
            : 'Review the dependency by hand if it is new to the project.');
      findings.push({
        ...base,
        rule: forgedSumDb ? 'sumdb-invalid' : 'unverifiable',
        severity: forgedSumDb ? defaultSeverity('sumdb-invalid') : quiet ? 'info' : defaultSeverity('unverifiable'),
        title: `Could not verify ${at} against its origin`,
        message:
          `ModWarden could not confirm that the module proxy serves for \`${at}\` what its source repository holds:\n\n` +
          bullets(result.reasons) +
          `\n\n${advice}`,
        evidence,
      });
      continue;
    }
    findings.push({ ...base, rule: v, severity: defaultSeverity(v), title: title(v, at, result), message: message(v, at, result), evidence });
  }
  return findings;
}

function title(v: Verdict, at: string, r: VerifyResult): string {
  const repo = r.origin.repo ? `github.com/${r.origin.repo}` : 'its origin repository';
  switch (v) {
    case 'proxy-blocked':
      return `The Go module proxy refuses to serve ${at}`;
    case 'content-diverged':
      return `The module proxy serves different code for ${at} than ${repo} holds`;
    case 'sumdb-mismatch':
      return `The checksum database disagrees with the module proxy about ${at}`;
    case 'gosum-mismatch':
      return `go.sum records a different hash for ${at} than the module proxy serves`;
    case 'tag-moved':
      return `Tag ${r.origin.tag ?? r.version} of ${repo} was moved after the proxy cached ${at}`;
    case 'tag-missing':
      return `${at} is served by the proxy but its ${r.origin.tag ? `tag ${r.origin.tag}` : 'source'} is gone from ${repo}`;
    default:
      return `${at}: ${v}`;
  }
}

function message(v: Verdict, at: string, r: VerifyResult): string {
  const why = r.reasons.filter((s) => reasonFor(v, s));
  const parts: string[] = [];
  switch (v) {
    case 'content-diverged': {
      parts.push(
        `Builds download \`${at}\` from the module proxy (h1 \`${r.proxy.h1}\`), but the code in ${r.origin.repo ? `github.com/${r.origin.repo}` : 'the repository'} at ` +
          `${r.origin.tag ? `tag \`${r.origin.tag}\` (commit \`${r.origin.commit?.slice(0, 12)}\`)` : `commit \`${r.origin.commit?.slice(0, 12)}\``} hashes to \`${r.origin.h1}\`.`,
      );
      const f = r.files;
      if (f.added.length) parts.push(`Only in what the proxy serves: ${codeList(f.added)}.`);
      if (f.modified.length) parts.push(`Different between the two: ${codeList(f.modified)}.`);
      if (f.removed.length) parts.push(`Only in the repository: ${codeList(f.removed)}.`);
      parts.push(
        'This is how the boltdb-go attack worked: the proxy cached a backdoored version forever, then the tag was moved to clean code, ' +
          'so reading the repository shows nothing wrong. **Review the code the proxy serves before merging**, and prefer a version whose content matches its repository.',
      );
      const first = r.diffs?.[0];
      if (first) parts.push('```diff\n' + first.diff.split('\n').slice(0, 40).join('\n').trimEnd() + '\n```');
      break;
    }
    case 'tag-moved':
      parts.push(...why);
      parts.push(
        'Git tags are mutable; the proxy keeps the first content it saw. A moved tag means the repository no longer shows the code builds use' +
          (r.verdicts.includes('content-diverged') ? ' (and here the content differs too).' : ' (here the content still matches, so the move may be benign).') +
          ' Ask the maintainers why the tag moved before depending on this version.',
      );
      break;
    case 'tag-missing':
      parts.push(...why);
      parts.push('The proxy still serves this version, but there is no source left to review it against. Pin a version whose tag exists, or review the proxy\'s copy by hand.');
      break;
    case 'gosum-mismatch':
      parts.push(...why);
      parts.push('The go command will refuse this go.sum (`SECURITY ERROR`) unless checksum checks are off. Regenerate go.sum with `go mod tidy` and find out why it differed: a hand-edited go.sum can hide a swapped dependency.');
      break;
    case 'sumdb-mismatch':
      parts.push(...why);
      parts.push('The checksum database is the public record every Go user verifies against; a proxy serving other content is compromised or targeting you. Do not merge; report it.');
      break;
    case 'proxy-blocked':
      parts.push(...why);
      parts.push('The public Go module proxy blocks modules it considers malicious or taken down. Remove this dependency.');
      break;
    default:
      parts.push(...why);
  }
  if (r.rewrittenAfterProxy && (v === 'tag-moved' || v === 'content-diverged')) {
    parts.push('The tag now names a commit dated after the proxy cached the version: the tag was rewritten after the proxy cached it.');
  }
  return parts.join('\n\n');
}

/** Which reasons belong in the message of a verdict's finding. */
function reasonFor(v: Verdict, reason: string): boolean {
  switch (v) {
    case 'tag-moved':
      return /points at commit|rewritten/.test(reason);
    case 'tag-missing':
      return /no longer/.test(reason) || /still exists/.test(reason);
    case 'gosum-mismatch':
      return reason.includes("go.sum");
    case 'sumdb-mismatch':
      return reason.includes('checksum database');
    case 'proxy-blocked':
      return reason.includes('refuses');
    default:
      return true;
  }
}

function findingEvidence(r: VerifyResult): Record<string, unknown> {
  const ev: Record<string, unknown> = {
    verdict: r.verdict,
    verdicts: r.verdicts,
    proxy: r.proxy,
    origin: r.origin,
    files: r.files,
    reasons: r.reasons,
  };
  if (r.diffs) ev.diffs = r.diffs;
  if (r.rewrittenAfterProxy) ev.rewrittenAfterProxy = true;
  if (r.unverifiableCause) ev.unverifiableCause = r.unverifiableCause;
  return ev;
}

function codeList(paths: string[]): string {
  const shown = paths.slice(0, 10).map((p) => `\`${p}\``);
  return shown.join(', ') + (paths.length > 10 ? ` and ${paths.length - 10} more` : '');
}

function bullets(lines: string[]): string {
  return lines.map((l) => `- ${l}`).join('\n');
}

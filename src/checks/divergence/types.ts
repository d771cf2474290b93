/**
 * The divergence check's vocabulary: verdicts, why a version could not be compared, and the result the
 * CLI (`modwarden verify`), the engine and the findings read.
 */
import type { Origin } from '../../sources/goproxy.js';
import type { RetagTriage } from './triage.js';

/** What one module version's check concluded. Every verdict but `consistent` is also a rule id. */
export const VERDICTS = [
  'consistent',
  'tag-moved',
  'tag-missing',
  'content-diverged',
  'gosum-mismatch',
  'sumdb-mismatch',
  'sumdb-invalid',
  'proxy-blocked',
  'verify-failed',
  'unverifiable',
] as const;
export type Verdict = (typeof VERDICTS)[number];

/**
 * Which verdict heads the result when several apply, most urgent first. Evidence that the bytes a build
 * downloads are bad or not what was reviewed comes first (the proxy itself flags the module; its code
 * differs from the origin's; from what the checksum database promised everyone, or the database's answer
 * is forged; from what the PR's go.sum pins), then evidence of history rewriting at the origin (a moved
 * tag, then a vanished one), then "could not check" (a source failed, then an origin not supported), and
 * only then "consistent".
 */
export const VERDICT_PRECEDENCE: readonly Verdict[] = [
  'proxy-blocked',
  'content-diverged',
  'sumdb-mismatch',
  'sumdb-invalid',
  'gosum-mismatch',
  'tag-moved',
  'tag-missing',
  'verify-failed',
  'unverifiable',
  'consistent',
];

/** Why the origin cannot be compared yet: a deliberate setting or something ModWarden does not support (`unverifiable`). */
export const UNSUPPORTED_CAUSES = ['private', 'no-proxy', 'not-github', 'no-origin-client', 'invalid-input', 'origin-refused', 'unsupported-vcs', 'not-resolved'] as const;

/** Why a source failed, so the content was never compared (`verify-failed`: the go command would fail too). */
export const FAILURE_CAUSES = [
  'not-found',
  'forbidden',
  'rate-limited',
  'server-error',
  'network',
  'timeout',
  'too-large',
  'bad-response',
  'corrupt-zip',
  'origin-error',
  'internal',
] as const;

export type CauseKind = (typeof UNSUPPORTED_CAUSES)[number] | (typeof FAILURE_CAUSES)[number];

/** Why a version was not compared: what kind of problem, where, and the source's own words in one line. */
export interface VerifyCause {
  kind: CauseKind;
  source: 'input' | 'proxy' | 'origin' | 'internal';
  /** One line of plain text (untrusted: it may quote a server). */
  detail: string;
}

/** True when the cause is a failed source (`verify-failed`), false when the origin is not supported (`unverifiable`). */
export function isFailure(kind: CauseKind): boolean {
  return (FAILURE_CAUSES as readonly string[]).includes(kind);
}

/** A short unified diff of one file between the origin (---) and the proxy (+++). */
export interface FileDiff {
  path: string;
  diff: string;
}

/** Paths inside the module: added = only in the proxy's zip, removed = only at the origin, modified = both, different. */
export interface FileChanges {
  added: string[];
  removed: string[];
  modified: string[];
}

/** The two hashes recorded for a version (go.sum lines or a checksum-database record); null when absent. */
export interface RecordedSums {
  h1: string | null;
  goModH1: string | null;
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
    /** The proxy's own words (one line) when it refuses the version as blocked. */
    blocked?: string;
  };
  origin: {
    /** `owner/repo` on GitHub (or `host/path` on another git host), when resolved. */
    repo: string | null;
    /** The repository read, as messages name it (`github.com/owner/repo`, `go.googlesource.com/net`). */
    label?: string;
    /** The repository URL read, how it was found and how it was read. */
    url?: string;
    via?: 'module-path' | 'proxy-origin' | 'gopkg.in' | 'known-host' | 'go-get';
    protocol?: 'github-api' | 'git-smart-http' | 'gitlab-archive';
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
    /** What is gone at the origin: the whole repository, the version's tag, or a pseudo-version's commit. */
    missing?: 'repository' | 'tag' | 'commit';
  };
  /** The hashes recorded elsewhere, when they were consulted. */
  checksums?: {
    /** The PR's go.sum lines for this version. */
    goSum: RecordedSums | null;
    /** The checksum database's record, when it answered. */
    sumdb: RecordedSums | null;
    /** Why the checksum database's answer failed verification (one line). */
    sumdbInvalid?: string;
  };
  files: FileChanges;
  /** Diffs of differing text files (added first, then modified, then removed), at most `maxDiffs`. */
  diffs?: FileDiff[];
  /** Differing files that are binary: named, never diffed. */
  binary?: string[];
  /** Set when the tag's commit today is dated after the proxy's version time (evidence the tag was rewritten). */
  rewrittenAfterProxy?: boolean;
  /** Benign retag or attack, when the tag moved or the content differs (retag triage). */
  triage?: RetagTriage;
  /** Set with a `verify-failed` or `unverifiable` verdict: why the content was not compared. */
  cause?: VerifyCause;
  /** Human-readable explanations, in the order the checks ran. */
  reasons: string[];
}

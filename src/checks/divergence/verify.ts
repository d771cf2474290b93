/**
 * Proxy divergence: does the Go module proxy serve, for module@version, what the origin repository holds
 * at that version's tag today? Catches the boltdb-go attack (the proxy cached a backdoored version, then
 * the tag was moved back to clean code).
 *
 * This file only orchestrates: gather the facts (proxy-facts, checksum-facts, origin-facts, content),
 * then let the pure judge decide. A failed source becomes `verify-failed`, an origin not supported
 * `unverifiable`: never a crash, never a `consistent` without compared content.
 */
import { checkModuleVersion } from '../../gomod/module.js';
import type { ModuleVersion } from '../../gomod/types.js';
import type { ModuleSums } from '../consistency.js';
import { gatherChecksums, type SumDbSource } from './checksum-facts.js';
import { compareContent, suspectPaths } from './content.js';
import { oneLine } from './faults.js';
import { judge, type Judgement, type VerifyFacts } from './judge.js';
import { gatherGitBlobs, gatherOriginFacts, gatherRecordedFacts, type OriginReader, type OriginResolver } from './origin-facts.js';
import { gatherProxyFacts, type ProxySource } from './proxy-facts.js';
import type { RecordedSums, VerifyResult } from './types.js';

export * from './types.js';
export { divergenceFindings } from './findings.js';
export { judge, type Judgement, type VerifyFacts } from './judge.js';
export type { ProxySource } from './proxy-facts.js';
export type { OriginReader, OriginResolver, OriginLocation } from './origin-facts.js';
export { githubOnlyResolver } from './origin-facts.js';
export { triageRetag, type RetagTriage, type RecordedFacts } from './triage.js';
export type { SumDbSource } from './checksum-facts.js';

/** Inputs of verifyModule besides the module version. */
export interface VerifyDeps {
  proxy: ProxySource;
  /**
   * Where origins are read: a resolver for any host (git smart HTTP, GitLab, GitHub), or a single
   * reader for GitHub only; null: origin checks are off (the result is then at best unverifiable).
   */
  origin: OriginReader | OriginResolver | null;
  sumdb?: SumDbSource | null;
  /** The PR's go.sum hashes for this version, when it has them. */
  goSum?: ModuleSums | null;
  /** Largest file (bytes) shown as a diff. Default 64 KiB. */
  maxDiffFileBytes?: number;
  /** Most files diffed. Default 10. */
  maxDiffs?: number;
  /** The module path looks like another module's (the typosquat check said so): a moved tag is then suspicious. */
  lookalike?: boolean;
  /** Cancels the origin requests (the caller's deadline). */
  signal?: AbortSignal;
}

const DEFAULT_MAX_DIFF_FILE = 64 << 10;
const DEFAULT_MAX_DIFFS = 10;
const MAX_DIFF_LINES = 120;
/** Most bytes of file contents held per side for diffs (a wholly different tree must not fill memory). */
const MAX_KEPT_BYTES = 8 << 20;

/**
 * Verifies one module version: proxy content vs the origin repository today, go.sum and the checksum
 * database. Always resolves.
 */
export async function verifyModule(mv: ModuleVersion, deps: VerifyDeps): Promise<VerifyResult> {
  const facts = await gatherFacts(mv, deps);
  return resultOf(facts, judge(facts));
}

/** Gathers what the sources say, cheapest first; a step that cannot go on leaves the later facts out. */
export async function gatherFacts(mv: ModuleVersion, deps: VerifyDeps): Promise<VerifyFacts> {
  const facts: VerifyFacts = { module: mv.path, version: mv.version };
  if (deps.lookalike) facts.lookalike = true;
  const call = deps.signal ? { signal: deps.signal } : {};
  try {
    checkModuleVersion(mv.path, mv.version);
  } catch (e) {
    facts.invalid = oneLine((e as Error).message);
    return facts;
  }
  const keep = { maxFileBytes: deps.maxDiffFileBytes ?? DEFAULT_MAX_DIFF_FILE, maxKeptBytes: MAX_KEPT_BYTES };
  try {
    facts.proxy = await gatherProxyFacts(mv, deps.proxy, keep);
    if (facts.proxy.status !== 'read') return facts;
    const served = facts.proxy.facts;
    const [checksums, origin] = await Promise.all([
      gatherChecksums(mv, deps.sumdb ?? null, deps.goSum ?? null),
      gatherOriginFacts(mv, served, deps.origin, keep, call),
    ]);
    facts.checksums = checksums;
    facts.origin = origin;
    const tree = origin.status === 'read' && !origin.facts.failure ? origin.facts.tree : undefined;
    if (origin.status === 'read' && tree) {
      const limits = { maxDiffs: deps.maxDiffs ?? DEFAULT_MAX_DIFFS, maxDiffLines: MAX_DIFF_LINES };
      let content = compareContent(mv, served, tree, undefined, limits);
      // GitHub's tarballs apply .gitattributes (export-ignore, export-subst, LFS), the go command's git
      // archive does not: before calling a file different, check the proxy's bytes against the commit's
      // git blob ids. One extra request, only when something differs.
      if (!content.same && suspectPaths(served, tree).length > 0) {
        origin.facts.gitBlobs = await gatherGitBlobs(origin.facts, call);
        content = compareContent(mv, served, tree, origin.facts.gitBlobs, limits);
      }
      facts.content = content;
      // Retag triage: the tag names another commit than the proxy recorded; look at the recorded one.
      const recorded = await gatherRecordedFacts(mv, served, origin.facts, call);
      if (recorded) origin.facts.recordedFacts = recorded;
    }
  } catch (e) {
    // Anything unexpected still gives an answer, never a crash or a false "consistent".
    facts.internalError = oneLine((e as Error)?.message ?? String(e));
  }
  return facts;
}

/** The result callers read: the facts worth keeping, and the judgement. */
function resultOf(f: VerifyFacts, j: Judgement): VerifyResult {
  const served = f.proxy?.status === 'read' ? f.proxy.facts : null;
  const o = f.origin?.status === 'read' ? f.origin.facts : null;
  const r: VerifyResult = {
    module: f.module,
    version: f.version,
    verdict: j.verdict,
    verdicts: j.verdicts,
    proxy: { h1: served?.h1 ?? null, goModH1: served?.goModH1 ?? null, origin: served?.origin ?? null, time: served?.time ?? null },
    origin: { repo: o?.repo ?? null, commit: o?.commit ?? null, h1: f.content?.h1 ?? null, goModH1: f.content?.goModH1 ?? null, tag: o?.tag ?? null },
    files: f.content?.files ?? { added: [], removed: [], modified: [] },
    reasons: j.reasons,
  };
  if (f.proxy?.status === 'blocked') r.proxy.blocked = f.proxy.reason;
  if (o) {
    r.origin.label = o.label;
    r.origin.url = o.location.url;
    r.origin.via = o.location.via;
    r.origin.protocol = o.location.protocol;
  }
  if (j.triage) r.triage = j.triage;
  if (o?.tagged) {
    r.origin.annotated = o.tagged.annotated;
    if (o.tagged.taggerDate) r.origin.tagDate = o.tagged.taggerDate;
  }
  if (o?.commitDate) r.origin.commitDate = o.commitDate;
  if (o?.movedFrom) r.origin.movedFrom = o.movedFrom;
  const missing = o?.repoGone ? 'repository' : o?.tagged === null ? 'tag' : o?.revCommit === null ? 'commit' : undefined;
  if (missing) r.origin.missing = missing;
  const sums = f.checksums;
  if (sums) {
    const recorded = (s: ModuleSums | null | undefined): RecordedSums | null => (s && (s.h1 || s.goModH1) ? { h1: s.h1 ?? null, goModH1: s.goModH1 ?? null } : null);
    const sumdb = sums.sumdb.status === 'found' ? recorded(sums.sumdb.sums) : null;
    const checksums: NonNullable<VerifyResult['checksums']> = { goSum: recorded(sums.goSum), sumdb };
    if (sums.sumdb.status === 'invalid') checksums.sumdbInvalid = sums.sumdb.detail;
    if (checksums.goSum || checksums.sumdb || checksums.sumdbInvalid) r.checksums = checksums;
  }
  if (f.content?.diffs.length) r.diffs = f.content.diffs;
  if (f.content?.binary.length) r.binary = f.content.binary;
  if (j.rewrittenAfterProxy) r.rewrittenAfterProxy = true;
  if (j.cause) r.cause = j.cause;
  return r;
}

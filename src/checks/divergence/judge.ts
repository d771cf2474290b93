/**
 * The divergence verdicts from the facts gathered about one module version. Pure: no I/O, no clients,
 * no clock. What could not be gathered decides as much as what was: a version is `consistent` only when
 * its content was compared, a failed source is `verify-failed`, an origin not supported `unverifiable`.
 */
import { compareSums, describeMismatch, type ModuleSums } from '../consistency.js';
import { pseudoVersionRev, pseudoVersionTime } from '../../gomod/module.js';
import type { ChecksumFacts } from './checksum-facts.js';
import type { ContentComparison } from './content.js';
import type { OriginFacts, OriginOutcome } from './origin-facts.js';
import { recordedCommit, type ProxyFacts, type ProxyOutcome } from './proxy-facts.js';
import { triageRetag, type RetagTriage } from './triage.js';
import { isFailure, VERDICT_PRECEDENCE, type Verdict, type VerifyCause } from './types.js';

/** Everything gathered about one module version; a missing part was not gathered (an earlier step stopped). */
export interface VerifyFacts {
  module: string;
  version: string;
  /** Why `module@version` is not a valid module version (then nothing was fetched). */
  invalid?: string;
  proxy?: ProxyOutcome;
  checksums?: ChecksumFacts;
  origin?: OriginOutcome;
  content?: ContentComparison;
  /** An unexpected error that stopped the check. */
  internalError?: string;
  /** The module path looks like another module's. */
  lookalike?: boolean;
}

/** What the facts mean. */
export interface Judgement {
  /** The headline: the first of `verdicts`. */
  verdict: Verdict;
  /** Every verdict that applies, most urgent first. */
  verdicts: Verdict[];
  /** One sentence per finding or note, in the order the checks ran. */
  reasons: string[];
  /** Why the content was not compared (with `verify-failed` or `unverifiable`). */
  cause?: VerifyCause;
  /** The tag's commit (or a moved annotated tag) is dated after the proxy cached the version. */
  rewrittenAfterProxy: boolean;
  /** Benign retag, suspicious, or undetermined: set when the tag moved or the content differs. */
  triage?: RetagTriage;
}

/** Slack for comparing a commit date with `.info` Time (Go truncates to seconds). */
const DATE_SLACK_MS = 1000;

/** Judges one module version from its facts. */
export function judge(facts: VerifyFacts): Judgement {
  const at = `${facts.module}@${facts.version}`;
  const found = new Set<Verdict>();
  const reasons: string[] = [];
  let cause: VerifyCause | undefined;
  let rewrittenAfterProxy = false;
  const add = (v: Verdict | null, reason: string) => {
    if (v) found.add(v);
    reasons.push(reason);
  };
  const notCompared = (c: VerifyCause, reason: string) => {
    cause ??= c;
    add(isFailure(c.kind) ? 'verify-failed' : 'unverifiable', reason);
  };

  if (facts.invalid !== undefined) {
    notCompared({ kind: 'invalid-input', source: 'input', detail: facts.invalid }, `${at} is not a valid module version: ${facts.invalid}`);
  }
  const proxy = facts.proxy;
  if (proxy?.status === 'blocked') add('proxy-blocked', `the module proxy refuses to serve ${at}: ${proxy.reason}`);
  if (proxy?.status === 'not-read') {
    notCompared(
      proxy.cause,
      proxy.cause.kind === 'private'
        ? `${at} is a private module (${proxy.cause.detail}); it is not sent to a public proxy, so it was not checked`
        : `could not read the .${proxy.resource} of ${at} from the module proxy: ${proxy.cause.detail}`,
    );
  }
  const served = proxy?.status === 'read' ? proxy.facts : null;
  if (served && served.zipGoModH1 !== null && served.zipGoModH1 !== served.goModH1) {
    add(null, `the proxy's .mod for ${at} (${served.goModH1}) differs from the go.mod inside its zip (${served.zipGoModH1})`);
  }
  if (served && facts.checksums) judgeChecksums(at, served, facts.checksums, add);

  const origin = facts.origin;
  if (origin?.status === 'unsupported') {
    notCompared(origin.cause, origin.cause.kind === 'no-origin-client' ? `origin checks are turned off, so ${at} was not compared with its repository` : origin.cause.detail);
  }
  if (served && origin?.status === 'read') {
    rewrittenAfterProxy = judgeOrigin(at, facts.version, served, origin.facts, add);
    if (origin.facts.failure) notCompared(origin.facts.failure, `could not read ${origin.facts.label} for ${at}: ${origin.facts.failure.detail}`);
    if (facts.content) judgeContent(facts.module, facts.version, origin.facts, facts.content, served, add);
  }
  let triage: RetagTriage | undefined;
  if (served && origin?.status === 'read' && facts.content && (found.has('tag-moved') || found.has('content-diverged'))) {
    const o = origin.facts;
    const recorded = recordedCommit(served.origin);
    triage =
      triageRetag({
        moved: found.has('tag-moved'),
        diverged: !facts.content.same,
        files: facts.content.files,
        proxyContent: new Map(served.files.flatMap((f) => (f.content ? [[f.path, f.content] as const] : []))),
        originContent: o.tree?.content ?? new Map(),
        ...(o.recordedFacts ? { recorded: o.recordedFacts } : {}),
        recordedIsCompared: recorded !== null && recorded === o.commit,
        ...(facts.lookalike ? { lookalike: true } : {}),
      }) ?? undefined;
    if (triage) {
      const label = triage.kind === 'benign' ? 'benign retag' : triage.kind === 'suspicious' ? 'suspicious' : 'retag triage undetermined';
      add(null, `${label}: ${triage.why.join('; ')}`);
    }
  }

  if (facts.internalError !== undefined) {
    notCompared({ kind: 'internal', source: 'internal', detail: facts.internalError }, `internal error while verifying ${at}: ${facts.internalError}`);
  }
  // "consistent" needs positive proof: the origin's content was hashed and matched.
  if (!facts.content && found.size === 0) {
    notCompared(
      { kind: 'internal', source: 'internal', detail: 'the content at the origin was not compared' },
      'the content at the origin was not compared, so consistency is not established',
    );
  }
  const verdicts = [...found].sort((a, b) => VERDICT_PRECEDENCE.indexOf(a) - VERDICT_PRECEDENCE.indexOf(b));
  if (verdicts.length === 0) verdicts.push('consistent');
  const judgement: Judgement = { verdict: verdicts[0]!, verdicts, reasons, rewrittenAfterProxy };
  if (triage) judgement.triage = triage;
  if (cause && (verdicts.includes('verify-failed') || verdicts.includes('unverifiable'))) judgement.cause = cause;
  return judgement;
}

type Add = (v: Verdict | null, reason: string) => void;

/** go.sum and checksum-database hashes against the proxy's content. */
function judgeChecksums(at: string, served: ProxyFacts, sums: ChecksumFacts, add: Add): void {
  const proxySums: ModuleSums = { h1: served.h1, goModH1: served.goModH1 };
  if (sums.goSum) for (const m of compareSums('go.sum', sums.goSum, proxySums)) add('gosum-mismatch', describeMismatch(m, at));
  const db = sums.sumdb;
  switch (db.status) {
    case 'found': {
      if (!db.sums.h1 && !db.sums.goModH1) {
        add(null, `the checksum database has no hashes for ${at}`);
        break;
      }
      const mismatches = compareSums('sumdb', db.sums, proxySums);
      for (const m of mismatches) add('sumdb-mismatch', describeMismatch(m, at));
      if (mismatches.length === 0) add(null, `the checksum database agrees with the proxy's hashes for ${at}`);
      break;
    }
    case 'invalid':
      add('sumdb-invalid', `the checksum database's answer for ${at} failed verification (${db.detail}); treat this as a security problem, not an outage`);
      break;
    case 'not-found':
      add(null, `the checksum database has no record of ${at}; the go command refuses such a version unless GONOSUMDB or GOPRIVATE covers it`);
      break;
    case 'unavailable':
      add(null, `the checksum database was not consulted for ${at}: ${db.detail}`);
      break;
    case 'off':
      break;
  }
}

/** The repository, the tag or commit, and dates. Returns whether the tag was rewritten after the proxy cached the version. */
function judgeOrigin(at: string, version: string, served: ProxyFacts, o: OriginFacts, add: Add): boolean {
  const repo = o.label;
  const recorded = recordedCommit(served.origin);
  if (o.proxyNamedOther) {
    add(null, `the proxy recorded its origin as ${o.proxyNamedOther}, but the module path names ${o.location.label}; comparing with the latter (what the go command would fetch)`);
  }
  if (o.movedFrom) add(null, `GitHub redirects ${o.movedFrom} to ${o.repo} (renamed or transferred); comparing with ${o.repo}`);
  if (o.repoGone) {
    add('tag-missing', `the origin repository ${o.location.label} no longer exists (or is private), but the proxy still serves ${at}`);
    return false;
  }
  if (o.tag === null) {
    const rev = pseudoVersionRev(version);
    if (recorded && !recorded.startsWith(rev)) add(null, `the proxy recorded commit ${short(recorded)} for ${at}, which is not the pseudo-version's revision ${rev}`);
    if (o.revCommit === null) add('tag-missing', `commit ${rev} named by pseudo-version ${version} is no longer in ${repo}, but the proxy still serves ${at}`);
    if (o.revCommit) {
      const want = pseudoVersionTime(version).getTime();
      if (Math.floor(Date.parse(o.revCommit.committerDate) / 1000) * 1000 !== want) {
        add(null, `commit ${short(o.revCommit.sha)} is dated ${o.revCommit.committerDate}, but pseudo-version ${version} says ${new Date(want).toISOString()}`);
      }
    }
    return false;
  }
  if (o.tagged === undefined) return false;
  if (served.origin?.Ref && served.origin.Ref !== `refs/tags/${o.tag}`) add(null, `the proxy recorded ref ${served.origin.Ref} for ${at}; Go reads tag ${o.tag}`);
  if (o.tagged === null) {
    add('tag-missing', `tag ${o.tag} no longer exists in ${repo}, but the proxy still serves ${at}`);
    if (recorded && o.recorded === null) add(null, `the commit the proxy recorded for ${at} (${recorded}) is not in the repository either`);
    if (recorded && o.recorded) add(null, `the commit the proxy recorded for ${at} (${short(recorded)}) still exists; comparing the proxy's content with it`);
    return false;
  }
  const moved = recorded !== null && recorded !== o.tagged.commit;
  if (moved) {
    add('tag-moved', `tag ${o.tag} of ${repo} points at commit ${short(o.tagged.commit)} today, but the proxy recorded commit ${short(recorded)} when it cached ${at}`);
  } else if (recorded === null) {
    add(null, `the proxy recorded no origin commit for ${at} (older proxies did not), so only the content can show a moved tag`);
  }
  // `.info` Time is the commit time of the version when the proxy resolved it. A tag naming a commit dated
  // later (or a moved annotated tag created later) was rewritten after the proxy cached the version.
  if (!served.time || !o.commitDate) return false;
  const cached = Date.parse(served.time);
  const later = (d: string | undefined) => d !== undefined && Date.parse(d) > cached + DATE_SLACK_MS;
  if (later(o.commitDate)) {
    const evidence = `tag ${o.tag} names a commit dated ${o.commitDate}, later than the proxy's time for ${at} (${served.time})`;
    if (recorded !== null) add(null, `tag rewritten after the proxy cached the version: ${evidence}`);
    // Without a recorded commit: .info Time of a tagged version is its commit's time, so a later commit is another commit.
    else add('tag-moved', `tag rewritten after the proxy cached the version: ${evidence}, so the tag no longer names the commit the proxy cached (inferred from dates: the proxy recorded no origin commit)`);
    return true;
  }
  if (moved && later(o.tagged.taggerDate)) {
    add(null, `tag rewritten after the proxy cached the version: annotated tag ${o.tag} was created ${o.tagged.taggerDate}, later than the proxy's time for ${at} (${served.time})`);
    return true;
  }
  return false;
}

/** The origin's module files against the proxy's. */
function judgeContent(module: string, version: string, o: OriginFacts, c: ContentComparison, served: ProxyFacts, add: Add): void {
  const at = `${module}@${version}`;
  const commit = short(o.commit ?? '');
  const tree = o.tree;
  if (tree?.rootUnclear) {
    const { codeDir, pathMajor } = o.location;
    const dirs = [join(codeDir, 'go.mod'), join(join(codeDir, pathMajor), 'go.mod')];
    add(null, `neither ${dirs[0]} nor ${dirs[1]} at the origin declares module ${module}`);
  }
  if (tree && tree.problems.length > 0) add(null, `the origin tree at ${commit} would not make a valid module zip for ${at} (${tree.problems.join('; ')})`);
  if (o.gitBlobs?.error) add(null, `could not read the git tree of ${commit} to check files affected by .gitattributes: ${o.gitBlobs.error}`);
  if (c.confirmedByGit.length > 0) {
    add(null, `${c.confirmedByGit.length} file(s) that GitHub's tarball leaves out or rewrites (.gitattributes export rules, LFS) match the commit's git blobs: ${c.confirmedByGit.join(', ')}`);
  }
  if (c.same) {
    add(null, `the origin tree at commit ${commit} hashes to ${c.h1}, exactly the proxy's h1`);
    return;
  }
  const where = o.tagged ? `tag ${o.tag} (commit ${commit})` : `commit ${commit}`;
  const lists = [list('only in the proxy', c.files.added), list('changed', c.files.modified), list('only at the origin', c.files.removed)].filter(Boolean).join('; ');
  add('content-diverged', `the proxy's zip for ${at} (${served.h1}) differs from ${o.label} at ${where} (${c.h1}): ${lists}`);
}

function short(sha: string): string {
  return sha.slice(0, 12);
}

function join(dir: string, name: string): string {
  return dir === '' ? name : `${dir}/${name}`;
}

function list(label: string, paths: string[]): string {
  if (paths.length === 0) return '';
  const shown = paths.slice(0, 8).join(', ');
  return `${label}: ${shown}${paths.length > 8 ? ` and ${paths.length - 8} more` : ''}`;
}

/**
 * Findings from a verify result: one per problem verdict, each with a one-line title and a short message
 * that says only what its rule adds. The module's evidence (hashes, commits, dates, files, diffs) is one
 * structured object shared by all its findings, so a renderer shows it once; diffs are never put in a
 * message. Every value that did not come from us is wrapped in a code span.
 */
import { codeSpan as cs, defaultSeverity, type Finding, type RuleId, type Severity } from '../../findings.js';
import type { RequirementChange } from '../../gomod/types.js';
import { compareSums, type SumMismatch } from '../consistency.js';
import { isFailure, type CauseKind, type Verdict, type VerifyCause, type VerifyResult } from './types.js';

/**
 * Findings for one requirement change, anchored on its go.mod line. `verify-failed` is left out only when a
 * verdict about the content itself (blocked, diverged) already fails the module; `unverifiable` only
 * appears when nothing else was found.
 */
export function divergenceFindings(change: RequirementChange, result: VerifyResult): Finding[] {
  const at = `${result.module}@${result.version}`;
  const evidence = moduleEvidence(result);
  const base = { module: result.module, version: result.version, goModPath: change.goModPath, line: change.line };
  const problems = result.verdicts.filter((v) => v !== 'consistent');
  const findings: Finding[] = [];
  for (const v of problems) {
    if (v === 'verify-failed' && (problems.includes('proxy-blocked') || problems.includes('content-diverged'))) continue;
    if (v === 'unverifiable' && problems.some((x) => x !== 'unverifiable')) continue;
    const text = TEXTS[v](at, result);
    findings.push({ ...base, rule: v as RuleId, severity: severityOf(v, result), title: text.title, message: withTriage(v, text.message, result), evidence });
  }
  return findings;
}

/**
 * Deliberate settings (GOPRIVATE, origin checks off) are worth a note, not a warning. A moved tag or
 * diverged content triaged as a benign retag is medium (it does not fail at the default failOn: high);
 * triaged as suspicious it is critical; undetermined keeps the rule's default.
 */
function severityOf(v: Exclude<Verdict, 'consistent'>, r: VerifyResult): Severity {
  const cause = r.cause;
  if (v === 'unverifiable' && (cause?.kind === 'private' || cause?.kind === 'no-origin-client')) return 'info';
  if ((v === 'tag-moved' || v === 'content-diverged') && r.triage) {
    if (r.triage.kind === 'benign') return 'medium';
    if (r.triage.kind === 'suspicious') return 'critical';
  }
  return defaultSeverity(v);
}

/** A moved tag or diverged content says which case the triage found and why (our words; quoted values in code spans). */
function withTriage(v: Exclude<Verdict, 'consistent'>, message: string, r: VerifyResult): string {
  if ((v !== 'tag-moved' && v !== 'content-diverged') || !r.triage) return message;
  const t = r.triage;
  const head = t.kind === 'benign' ? 'Triage: benign retag' : t.kind === 'suspicious' ? 'Triage: suspicious' : 'Triage: undetermined';
  // The reasons go on the first of the two findings only (a renderer shows both; sentences are never repeated).
  const first = r.verdicts.includes('content-diverged') ? 'content-diverged' : 'tag-moved';
  return v === first ? `${message} ${head}: ${t.why.map((w) => cs(w)).join('; ')}.` : `${message} ${head}.`;
}

/** The evidence of a module, the same object for each of its findings. */
function moduleEvidence(r: VerifyResult): Record<string, unknown> {
  const ev: Record<string, unknown> = {
    verdicts: r.verdicts,
    proxy: r.proxy,
    origin: r.origin,
    files: r.files,
  };
  if (r.checksums) ev.checksums = r.checksums;
  if (r.diffs) ev.diffs = r.diffs;
  if (r.binary) ev.binary = r.binary;
  if (r.rewrittenAfterProxy) ev.rewrittenAfterProxy = true;
  if (r.triage) ev.triage = r.triage;
  if (r.cause) ev.cause = r.cause;
  return ev;
}

type Text = { title: string; message: string };

const TEXTS: Record<Exclude<Verdict, 'consistent'>, (at: string, r: VerifyResult) => Text> = {
  'content-diverged': (at, r) => {
    const f = r.files;
    const lines = [
      f.added.length ? `Only in the proxy: ${codeList(f.added)}.` : '',
      f.modified.length ? `Changed: ${codeList(f.modified)}.` : '',
      f.removed.length ? `Only in the repository: ${codeList(f.removed)}.` : '',
      r.binary?.length ? `Binary, so not diffed: ${codeList(r.binary)}.` : '',
      "Builds download the proxy's copy, which the repository does not show: read the differing files before merging, or pick a version whose content matches its repository.",
    ];
    return { title: `The proxy serves different code for ${cs(at)} than ${cs(repoUrl(r))} holds at ${originRef(r)}`, message: lines.filter(Boolean).join(' ') };
  },
  'tag-moved': (at, r) => {
    const recorded = r.proxy.origin?.Hash;
    const now = cs(short(r.origin.commit));
    const dated = r.origin.commitDate ? `, dated ${cs(r.origin.commitDate)}` : '';
    const first =
      recorded && recorded !== r.origin.commit
        ? `The proxy cached commit ${cs(short(recorded))}; the tag now names commit ${now}${dated}${r.rewrittenAfterProxy ? ', after the proxy cached it' : ''}.`
        : `The proxy recorded no commit, but the tag now names commit ${now}${dated}, later than the version's time ${cs(r.proxy.time ?? '?')}: not the commit the proxy cached.`;
    const same = r.origin.h1 !== null && r.origin.h1 === r.proxy.h1;
    const last = same ? 'The content still matches, so the move may be harmless; ask the maintainers why it moved.' : 'Ask the maintainers why it moved before depending on this version.';
    return { title: `Tag ${cs(r.origin.tag ?? r.version)} of ${cs(repoUrl(r))} moved after the proxy cached ${cs(at)}`, message: `${first} ${last}` };
  },
  'tag-missing': (at, r) => {
    const repo = cs(repoUrl(r));
    const title =
      r.origin.missing === 'repository'
        ? `${repo} no longer exists, but the proxy still serves ${cs(at)}`
        : r.origin.missing === 'commit'
          ? `The commit of ${cs(at)} is gone from ${repo}, but the proxy still serves it`
          : `Tag ${cs(r.origin.tag ?? r.version)} is gone from ${repo}, but the proxy still serves ${cs(at)}`;
    const compared = r.origin.h1 !== null ? ` The commit the proxy recorded still exists and was compared with its copy.` : '';
    return { title, message: `There is no source left to review this version against.${compared} Pin a version whose source exists, or review the proxy's copy by hand.` };
  },
  'gosum-mismatch': (at, r) => ({
    title: `go.sum pins a different hash for ${cs(at)} than the proxy serves`,
    message:
      `${mismatches('go.sum', r).map((m) => `go.sum has ${cs(m.recorded)} for ${whatOf(m)}; the proxy's copy hashes to ${cs(m.served)}.`).join(' ')} ` +
      `The go command refuses this go.sum (SECURITY ERROR): regenerate it with ${cs('go mod tidy')} and find out why it differed, since a hand-edited go.sum can hide a swapped dependency.`,
  }),
  'sumdb-mismatch': (at, r) => ({
    title: `The checksum database disagrees with the proxy about ${cs(at)}`,
    message:
      `${mismatches('sumdb', r).map((m) => `The database records ${cs(m.recorded)} for ${whatOf(m)}; the proxy's copy hashes to ${cs(m.served)}.`).join(' ')} ` +
      'Every Go user verifies against that record, so this proxy is compromised or targeting you. Do not merge; report it.',
  }),
  'sumdb-invalid': (at, r) => ({
    title: `The checksum database's answer for ${cs(at)} failed verification`,
    message: `${cs(r.checksums?.sumdbInvalid ?? 'verification failed')}. Someone may be serving forged checksums: do not merge until it verifies; check GOSUMDB and the network path to it.`,
  }),
  'proxy-blocked': (at, r) => ({
    title: `The module proxy refuses to serve ${cs(at)}`,
    message: `It says: ${cs(r.proxy.blocked ?? 'blocked')}. Public proxies block modules taken down as malicious: remove this dependency.`,
  }),
  'verify-failed': (at, r) => {
    const c = r.cause ?? { kind: 'internal' as const, source: 'internal' as const, detail: 'the content was not compared' };
    const hint = c.kind === 'rate-limited' && c.source === 'origin' ? ' A GitHub token raises the limit.' : '';
    return {
      title: `Could not verify ${cs(at)}: ${failureLabel(c, r)} — /rescan to retry`,
      message: `${cs(c.detail)}. The content was never compared, so this change is not reviewed.${hint}`,
    };
  },
  unverifiable: (at, r) => {
    const c = r.cause;
    const title = c?.kind === 'private' ? `${cs(at)} is a private module: not checked` : `Cannot compare ${cs(at)} with its origin`;
    const why = c && !isFailure(c.kind) ? `${cs(c.detail)}. ` : '';
    return { title, message: `${why}This is not evidence of an attack; review the dependency by hand or allow-list it.` };
  },
};

/** Names the failed source and what went wrong in a few words (our words: safe in a title). */
function failureLabel(c: VerifyCause, r: VerifyResult): string {
  const who = c.source === 'origin' ? (r.origin.label && !r.origin.label.startsWith('github.com/') ? 'the origin host' : 'GitHub') : c.source === 'proxy' ? 'the module proxy' : 'ModWarden';
  const labels: Partial<Record<CauseKind, string>> = {
    'not-found': `${who} does not have it`,
    forbidden: `${who} refused access`,
    'rate-limited': `${who} rate-limited the check`,
    'server-error': `${who} failed`,
    network: `the connection to ${who} failed`,
    timeout: `${who} did not answer in time`,
    'too-large': `${who} sent more than the size cap allows`,
    'bad-response': `${who} sent an invalid answer`,
    'corrupt-zip': "the module proxy's zip is corrupt",
    'origin-error': `${who} failed`,
  };
  return labels[c.kind] ?? 'an internal error stopped the check';
}

function mismatches(source: SumMismatch['source'], r: VerifyResult): SumMismatch[] {
  const recorded = source === 'go.sum' ? r.checksums?.goSum : r.checksums?.sumdb;
  return recorded ? compareSums(source, recorded, { h1: r.proxy.h1, goModH1: r.proxy.goModH1 }) : [];
}

function whatOf(m: SumMismatch): string {
  return m.kind === 'zip' ? 'the module content' : 'its go.mod';
}

function repoUrl(r: VerifyResult): string {
  return r.origin.label ?? (r.origin.repo ? `github.com/${r.origin.repo}` : r.module);
}

/** `tag <tag>`, or `commit <sha>` when the compared commit is not the tag's (pseudo-versions, a vanished tag). */
function originRef(r: VerifyResult): string {
  return r.origin.tag && r.origin.missing !== 'tag' ? `tag ${cs(r.origin.tag)}` : `commit ${cs(short(r.origin.commit))}`;
}

function short(sha: string | null | undefined): string {
  return (sha ?? '?').slice(0, 12);
}

function codeList(paths: string[]): string {
  const shown = paths.slice(0, 10).map((p) => cs(p));
  return shown.join(', ') + (paths.length > 10 ? ` and ${paths.length - 10} more` : '');
}

/**
 * A retag triaged benign on a module the typosquat check finds a look-alike (high or above) is not benign: a
 * look-alike that re-tags is the boltdb-go shape. The two checks run side by side, so the engine applies this
 * afterwards; each such finding becomes critical and says why. Pure.
 */
export function escalateLookalikeRetags(findings: readonly Finding[]): Finding[] {
  const lookalikes = new Set(findings.filter((f) => f.rule === 'typosquat' && (f.severity === 'critical' || f.severity === 'high')).map((f) => f.module));
  return findings.map((f) => {
    const triage = (f.evidence as { triage?: { kind?: string } } | undefined)?.triage;
    if ((f.rule !== 'tag-moved' && f.rule !== 'content-diverged') || triage?.kind !== 'benign' || !lookalikes.has(f.module)) return f;
    return {
      ...f,
      severity: 'critical',
      message: `${f.message} Not benign after all: the module path looks like another module's (see the typosquat finding), and a look-alike that re-tags is how the boltdb-go backdoor was hidden.`,
      evidence: { ...f.evidence, triage: { ...triage, kind: 'suspicious', escalatedBy: 'typosquat' } },
    };
  });
}

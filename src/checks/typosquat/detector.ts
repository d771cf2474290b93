/**
 * Typosquat detection for Go module paths: is a module a PR adds (or points a `replace` at) a look-alike
 * of a module the ecosystem trusts or the repo already uses? Pure and synchronous: the corpus is passed in.
 * This is the name evidence; assess.ts gathers the rest (proxy, GitHub, content) and verdict.ts decides severity.
 *
 * Paths are compared per segment (host / owner / repo), not as whole strings: most real Go attacks keep the
 * repo name and change the owner (`boltdb` -> `boltdb-go`), or copy a niche repo name under a new owner.
 */
import type { Finding, Severity } from '../../findings.js';
import type { RequirementChange } from '../../gomod/types.js';
import { buildTargets, isCandidatePair, loadCorpus, rootKey, TargetIndex, type Corpus, type Target } from './corpus.js';
import { CODE_HOSTS, codeHostLookAlike, parsePath, registrableDomain, type PathParts } from './path-parts.js';
import {
  describeNonAscii,
  dice,
  hasNonAscii,
  isLookAlike,
  nameKey,
  relate,
  stripDelimiters,
  stripGoAffix,
  type SegmentRelation,
} from './names.js';
import type { CloneComparison } from './clone.js';
import { decideVerdict, type EvidenceEntry } from './verdict.js';

/** Score at or above which a module is reported as suspicious. */
export const SUSPICIOUS_THRESHOLD = 0.5;

/** Repository facts of one side (from sources/github/meta.ts, gathered by assess.ts). */
export interface RepoFacts {
  fullName: string;
  createdAt: string | null;
  stars: number;
  fork: boolean;
  parent: string | null;
  ownerCreatedAt: string | null;
}

/** The verdict on one module path. */
export interface TyposquatResult {
  module: string;
  suspicious: boolean;
  /** The module it imitates, or null. */
  target: string | null;
  /** 0..1; `suspicious` when >= SUSPICIOUS_THRESHOLD. */
  score: number;
  /** Human explanations, most important first. */
  reasons: string[];
  /** Machine-readable signal ids (`owner-affix`, `same-repo-new-owner`, ...). */
  signals: string[];
  /** The GitHub repository behind the target (`github.com/golang/crypto` for `golang.org/x/crypto`), when known. */
  targetRepo?: string | null;
  /** Where the target came from: the popular corpus, the repo's existing requirements, config, or GitHub's same-name search. */
  targetSource?: 'corpus' | 'existing' | 'extra' | 'search' | null;
  /** Things the check could not do (rate limit, repo missing): the verdict stands on the name alone. */
  notes?: string[];
  /**
   * Severity the scan reports, decided by the evidence (verdict.ts); null = not reported. Absent on a bare
   * name check (see typosquatSeverity).
   */
  severity?: Severity | null;
  /** Repository facts of both sides and every piece of evidence with its source (`corpus`, `proxy`, `github`, `content`). */
  evidence?: { suspect?: RepoFacts | null; target?: RepoFacts | null; declaredFork?: boolean; entries?: EvidenceEntry[] };
  /** Content comparison with the target (see clone.ts). */
  clone?: CloneComparison;
}

/** Context of one check: the modules the repo already requires (targets in their own right). */
export interface CheckContext {
  existing?: string[];
  /**
   * Judge the module as if the corpus did not list it (its own root is skipped as a target). Used to
   * measure how often legitimate corpus modules would be flagged against each other.
   */
  assumeUnknown?: boolean;
}

/** Options of the detector. */
export interface TyposquatOptions {
  /** The trusted corpus (default: loadCorpus() from the package's data/). */
  corpus?: Corpus;
  /** More trusted module paths (operator or repo config); they are targets and never flagged. */
  extraPopular?: string[];
  /** Module paths or patterns (`github.com/myorg/*`) that are never flagged. */
  allow?: string[];
  /** How candidates are found: the index (default) or a naive scan of every target (benchmarks, tests). */
  scan?: 'index' | 'naive';
}

/** The detector: one `check` per module path, pure and synchronous. */
export interface TyposquatDetector {
  check(modulePath: string, ctx?: CheckContext): TyposquatResult;
  /** The corpus index (exposed for benchmarks and tests). */
  readonly index: TargetIndex;
  /** How many sampled projects depend on a corpus module (undefined: not in the corpus). */
  dependentsOf(modulePath: string): number | undefined;
}

/** Repo names too common to mean anything on their own. */
export const GENERIC_NAMES = new Set([
  'uuid', 'errors', 'cli', 'yaml', 'log', 'logs', 'logger', 'json', 'config', 'utils', 'util', 'common', 'core',
  'test', 'testing', 'mock', 'mocks', 'http', 'client', 'server', 'api', 'sdk', 'lib', 'go', 'types', 'models',
  'tools', 'text', 'time', 'sync', 'net', 'sys', 'term', 'image', 'exp', 'mod', 'protobuf', 'proto', 'grpc',
  'cache', 'retry', 'backoff', 'jwt', 'toml', 'ini', 'env', 'cmd', 'app', 'web', 'db', 'sql', 'redis', 'kafka',
  'metrics', 'trace', 'tracing', 'auth', 'crypto-utils', 'helpers', 'helper', 'pkg', 'internal', 'version',
  'errgroup', 'assert', 'require', 'check', 'color', 'colors', 'table', 'cron', 'queue', 'pool', 'set', 'list',
  'tree', 'graph', 'math', 'decimal', 'money', 'ssh', 'tls', 'dns', 'proxy', 'router', 'mux', 'websocket',
  'plugin', 'plugins', 'kit', 'framework', 'service', 'storage', 'store', 'files', 'fs', 'io', 'os', 'path',
  'semver', 'diff', 'markdown', 'template', 'templates', 'validator', 'validate', 'validation', 'errorx', 'pretty',
]);

/** Hosts whose sub-domains belong to different people (so a shared registrable domain means nothing). */
const SHARED_PARENT_DOMAINS = new Set(['github.io', 'gitlab.io', 'appspot.com', 'herokuapp.com', 'netlify.app', 'pages.dev', 'vercel.app', 'blogspot.com']);

/** What the corpus says about legitimate relations between paths. */
interface Knowledge {
  /** Folded base/root path -> alias group id. */
  aliasGroup: Map<string, number>;
  /** Vanity namespace/host -> GitHub organisations known to serve it (lower-case). */
  vanityOrgs: Map<string, Set<string>>;
  /** Folded bases and roots of trusted modules (corpus + extra). */
  known: Set<string>;
  /** stripped lower repo name -> distinct namespaces using it (how contested a name is). */
  repoOwners: Map<string, Set<string>>;
  /** Trusted bases and roots exactly as spelled. */
  exact: Set<string>;
  /** Folded base -> the spelling the corpus uses. */
  spelling: Map<string, string>;
  /** Alias group -> a github.com repository in it (for metadata lookups). */
  githubOfGroup: Map<number, string>;
}

function fold(p: PathParts, s: string): string {
  return p.hosted || p.host === 'gopkg.in' ? s.toLowerCase() : s;
}

function buildKnowledge(corpus: Corpus, extra: string[]): Knowledge {
  const aliasGroup = new Map<string, number>();
  const parent: number[] = [];
  const find = (i: number): number => (parent[i] === i ? i : (parent[i] = find(parent[i]!)));
  const idOf = (key: string): number => {
    let id = aliasGroup.get(key);
    if (id === undefined) {
      id = parent.length;
      parent.push(id);
      aliasGroup.set(key, id);
    }
    return id;
  };
  const keysOf = (path: string): string[] => {
    const p = parsePath(path);
    const keys = [fold(p, p.base), rootKey(p)];
    if (p.githubRepo) keys.push(p.githubRepo);
    return keys;
  };
  const vanityOrgs = new Map<string, Set<string>>();
  for (const row of corpus.aliases) {
    const ka = keysOf(row.a);
    const kb = keysOf(row.b);
    const ids = [...ka, ...kb].map(idOf);
    for (const id of ids.slice(1)) parent[find(id)] = find(ids[0]!);
    if (row.relation === 'vanity' || row.relation === 'mirror' || row.relation === 'rename') {
      for (const [v, g] of [[row.a, row.b], [row.b, row.a]] as const) {
        const pv = parsePath(v);
        const pg = parsePath(g);
        if (!pv.hosted && pg.host === 'github.com' && pg.owner) {
          for (const ns of [pv.namespace, pv.host, registrableDomain(pv.host)]) {
            const set = vanityOrgs.get(ns) ?? new Set<string>();
            set.add(pg.owner.toLowerCase());
            vanityOrgs.set(ns, set);
          }
        }
      }
    }
  }
  // Resolve union-find roots into stable group ids.
  for (const [k, id] of aliasGroup) aliasGroup.set(k, find(id));
  const githubOfGroup = new Map<number, string>();
  for (const row of corpus.aliases) {
    for (const path of [row.a, row.b]) {
      const p = parsePath(path);
      if (p.host !== 'github.com' || !p.owner || !p.repo) continue;
      const g = aliasGroup.get(rootKey(p));
      if (g !== undefined && !githubOfGroup.has(g)) githubOfGroup.set(g, `github.com/${p.owner}/${p.repo}`);
    }
  }

  const known = new Set<string>();
  const repoOwners = new Map<string, Set<string>>();
  const exact = new Set<string>();
  const spelling = new Map<string, string>();
  const aliasPaths = corpus.aliases.flatMap((r) => [r.a, r.b]);
  for (const path of [...aliasPaths, ...corpus.entries.map((e) => e.module), ...extra]) {
    const p = parsePath(path);
    exact.add(p.base);
    exact.add(p.root);
    if (!spelling.has(fold(p, p.base))) spelling.set(fold(p, p.base), p.base);
  }
  for (const path of aliasPaths) {
    const p = parsePath(path);
    known.add(fold(p, p.base));
    known.add(rootKey(p));
  }
  for (const path of [...corpus.entries.map((e) => e.module), ...extra]) {
    const p = parsePath(path);
    known.add(fold(p, p.base));
    known.add(rootKey(p));
    const name = stripDelimiters(p.repo.toLowerCase());
    if (!name) continue;
    const set = repoOwners.get(name) ?? new Set<string>();
    set.add(p.namespace.toLowerCase());
    repoOwners.set(name, set);
  }
  return { aliasGroup, vanityOrgs, known, repoOwners, exact, spelling, githubOfGroup };
}

/** One suspect/target comparison that found a resemblance. */
interface Match {
  target: Target;
  score: number;
  signals: string[];
  detail: string;
}

/** How much a target's popularity backs a weak signal. */
function popularity(t: Target): number {
  if (t.source !== 'corpus') return 1;
  if (t.dependents >= 3) return 1;
  if (t.dependents >= 1) return 0.95;
  // Listed (awesome-go, proxy list) but not seen in the sampled go.mod files: such an entry never outranks a
  // used original of the same name on the name alone (docker/go-events vs deatil/go-events); weak matches
  // against it stay below the reporting threshold unless evidence (content, publisher) raises them.
  return 0.85;
}

/** How distinctive a repo name is: generic and very short names prove little. */
function distinctiveness(name: string): number {
  const lower = name.toLowerCase();
  const core = stripDelimiters(stripGoAffix(lower));
  if (GENERIC_NAMES.has(lower) || GENERIC_NAMES.has(core) || GENERIC_NAMES.has(stripGoAffix(lower))) return 0.4;
  // Length counts the whole name: `go-mcp` is as specific as `gomcp`, though its core is three letters.
  const full = stripDelimiters(lower).length;
  if (full <= 3) return 0.4;
  if (full === 4) return 0.75;
  return 1;
}

/** How contested a repo name is: many legitimate owners of one name make a new one unremarkable. */
function contestedness(name: string, k: Knowledge, extraOwners: Set<string> | undefined, self: string): number {
  const key = stripDelimiters(name.toLowerCase());
  const owners = new Set([...(k.repoOwners.get(key) ?? []), ...(extraOwners ?? [])]);
  owners.delete(self.toLowerCase());
  const n = owners.size;
  if (n <= 1) return 1;
  if (n === 2) return 0.85;
  if (n === 3) return 0.7;
  return 0.5;
}

function sameOrCase(r: SegmentRelation): boolean {
  return r.kind === 'same' || r.kind === 'case';
}

function explain(r: SegmentRelation, what: string, suspect: string, target: string): string {
  switch (r.kind) {
    case 'same':
      return `same ${what} name`;
    case 'case':
      return `${what} \`${suspect}\` differs from \`${target}\` only in letter case`;
    case 'delimiter':
      return `${what} \`${suspect}\` = \`${target}\` with different delimiters`;
    case 'confusable':
      return `${what} \`${suspect}\` imitates \`${target}\` with look-alike characters (${r.detail})`;
    case 'affix':
      return `${what} \`${suspect}\` = ${r.detail}`;
    case 'reorder':
      return `${what} \`${suspect}\` = \`${target}\` with its words reordered`;
    case 'version-suffix':
      return `${what} \`${suspect}\` = \`${target}\` with a version suffix in the name (${r.detail})`;
    case 'typo':
      return `${what} \`${suspect}\` is one edit from \`${target}\` (${r.detail})`;
    case 'near':
      return `${what} \`${suspect}\` is close to \`${target}\` (${r.detail})`;
    default:
      return `${what} \`${suspect}\` is unrelated to \`${target}\``;
  }
}

function signalOf(r: SegmentRelation, what: string): string {
  return `${what}-${r.kind}`;
}

/** Host relation: same, look-alike (typo, homoglyph, TLD swap) or a different site. */
function relateHosts(s: string, t: string): SegmentRelation {
  if (s === t) return { kind: 'same' };
  const r = relate(s, t);
  if (isLookAlike(r) && r.kind !== 'reorder') return r;
  const cs = s.slice(0, s.lastIndexOf('.'));
  const ct = t.slice(0, t.lastIndexOf('.'));
  if (cs && cs === ct) return { kind: 'typo', detail: `top-level domain \`${s.slice(cs.length)}\` instead of \`${t.slice(ct.length)}\`` };
  return { kind: 'none' };
}

/** Builds the detector. Loads the shipped corpus unless one is given. */
export function createTyposquatDetector(opts: TyposquatOptions = {}): TyposquatDetector {
  const corpus = opts.corpus ?? loadCorpus();
  const extra = opts.extraPopular ?? [];
  const knowledge = buildKnowledge(corpus, extra);
  const targets = buildTargets([
    ...corpus.entries.map((e) => ({ module: e.module, dependents: e.dependents, source: 'corpus' as const })),
    ...extra.map((m) => ({ module: m, dependents: 0, source: 'extra' as const })),
  ]);
  const index = new TargetIndex(targets);
  const allow = (opts.allow ?? []).map(allowMatcher);

  function check(modulePath: string, ctx: CheckContext = {}): TyposquatResult {
    const s = parsePath(modulePath);
    const result: TyposquatResult = { module: modulePath, suspicious: false, target: null, score: 0, reasons: [], signals: [], targetSource: null };
    const nonAscii = hasNonAscii(modulePath) ? describeNonAscii(modulePath) : null;
    if (allow.some((m) => m(modulePath))) {
      result.reasons.push(`\`${modulePath}\` is allow-listed by configuration`);
      result.signals.push('allow-listed');
      return result;
    }
    const existing = (ctx.existing ?? []).filter((m) => m !== modulePath);
    if (ctx.existing?.includes(modulePath)) {
      result.reasons.push(`\`${modulePath}\` is already required by this repository`);
      result.signals.push('already-required');
      return result;
    }
    if (!nonAscii && !ctx.assumeUnknown && (knowledge.known.has(fold(s, s.base)) || knowledge.known.has(rootKey(s)))) {
      const spelled = knowledge.spelling.get(fold(s, s.base));
      if (spelled && spelled !== s.base && !knowledge.exact.has(s.base) && !knowledge.exact.has(s.root)) {
        // Same repository for GitHub, a different module for Go: worth a note, not an alarm.
        result.target = spelled + (s.major ? (s.majorStyle === '.' ? `.${s.major}` : `/${s.major}`) : '');
        result.score = 0.3;
        result.signals.push('case-only');
        result.reasons.push(`\`${modulePath}\` differs from \`${result.target}\` only in letter case; ${s.host === 'github.com' ? 'GitHub serves both spellings from one repository, but Go treats them as two different modules' : 'the host may serve a different repository'}`);
        return result;
      }
      result.reasons.push(`\`${modulePath}\` is itself a known popular module`);
      result.signals.push('known-module');
      return result;
    }
    const existingTargets = buildTargets(existing.map((m) => ({ module: m, dependents: 0, source: 'existing' as const })));
    const extraOwners = new Map<string, Set<string>>();
    for (const t of existingTargets) {
      const key = stripDelimiters(t.parts.repo.toLowerCase());
      const set = extraOwners.get(key) ?? new Set<string>();
      set.add(t.parts.namespace.toLowerCase());
      extraOwners.set(key, set);
    }
    const fromCorpus = opts.scan === 'naive' ? index.naiveCandidates(s) : index.candidates(s);
    const candidates = [...fromCorpus, ...existingTargets.filter((t) => isCandidatePair(s, t.parts))];
    let best: Match | null = null;
    const ownRoot = rootKey(s);
    for (const t of candidates) {
      if (ctx.assumeUnknown && rootKey(t.parts) === ownRoot) continue;
      const m = compare(s, t, knowledge, extraOwners);
      if (!m) continue;
      // Prefer the higher score; on a tie, the repo's own requirement, then the more used target.
      if (!best || better(m, best)) best = m;
    }
    if (best) {
      const t = best.target;
      const named = pickModule(t, s);
      result.target = named;
      result.targetSource = t.source;
      result.targetRepo = githubRepoOf(t.parts, knowledge);
      result.score = round(best.score);
      result.signals.push(...best.signals, `dice=${dice(s.root, t.parts.root).toFixed(2)}`);
      const where = t.source === 'existing' ? ' (already required by this repository)' : '';
      result.reasons.push(`\`${modulePath}\` looks like \`${named}\`${where} (${best.detail})`);
    }
    if (nonAscii) {
      result.signals.push('non-ascii');
      result.reasons.push(`\`${modulePath}\` contains ${nonAscii}; Go module paths must be ASCII, so this path is invalid and can only be meant to deceive`);
      result.score = round(Math.max(result.score, best ? 0.9 : 0.4));
    }
    result.suspicious = result.score >= SUSPICIOUS_THRESHOLD;
    return result;
  }

  const dependents = new Map(corpus.entries.map((e) => [e.module, e.dependents]));
  return { check, index, dependentsOf: (m) => dependents.get(m) };
}

/** Higher score wins; on a tie the repo's own requirement, then the more used, then the first by name (deterministic). */
function better(a: Match, b: Match): boolean {
  if (Math.abs(a.score - b.score) > 1e-9) return a.score > b.score;
  const ra = rank(a.target);
  const rb = rank(b.target);
  if (ra !== rb) return ra > rb;
  return a.target.module < b.target.module;
}

function rank(t: Target): number {
  return (t.source === 'existing' ? 1e6 : 0) + t.dependents;
}

function round(x: number): number {
  return Math.round(Math.min(1, Math.max(0, x)) * 1000) / 1000;
}

/** The module under the target root to name: the one with the suspect's sub-path and major, else the most used. */
function pickModule(t: Target, s: PathParts): string {
  const want = [s.sub, s.major].filter(Boolean).join('/');
  for (const m of t.modules) {
    const p = parsePath(m);
    if ([p.sub, p.major].filter(Boolean).join('/') === want) return m;
  }
  return t.module;
}

/** True when the corpus shows `s` and `t` are controlled by the same people (siblings, mirrors, aliases). */
function sameController(s: PathParts, t: PathParts, k: Knowledge): boolean {
  const ghOwners = (p: PathParts): string[] => {
    if (!p.githubRepo) return [];
    const o = p.githubRepo.split('/')[1]!;
    // gopkg.in/<name>.vN is served from github.com/go-<name>/<name> by rule, but many such projects
    // now live under github.com/<name>/<name>: both are the project's own accounts.
    return p.host === 'gopkg.in' && !p.owner ? [o, o.replace(/^go-/, '')] : [o];
  };
  const go = ghOwners(t);
  if (ghOwners(s).some((o) => go.includes(o))) return true;
  if (s.host === t.host) {
    if (s.hosted && (s.owner ?? '').toLowerCase() === (t.owner ?? '').toLowerCase()) return true;
    if (!s.hosted && s.host !== 'gopkg.in' && !codeHostLookAlike(s.host)) return true;
  }
  if (!s.hosted && !t.hosted && s.host !== 'gopkg.in' && t.host !== 'gopkg.in') {
    const rs = registrableDomain(s.host);
    if (rs === registrableDomain(t.host) && !SHARED_PARENT_DOMAINS.has(rs)) return true;
  }
  // github.com/<org>/<name> behind a vanity path the corpus ties to that org (golang.org/x <-> golang).
  const orgsFor = (v: PathParts): Set<string> => {
    const out = new Set<string>();
    for (const ns of [v.namespace, v.host, registrableDomain(v.host)]) for (const o of k.vanityOrgs.get(ns) ?? []) out.add(o);
    return out;
  };
  if (s.host === 'github.com' && !t.hosted && s.owner && orgsFor(t).has(s.owner.toLowerCase())) return true;
  if (t.host === 'github.com' && !s.hosted && t.owner && orgsFor(s).has(t.owner.toLowerCase())) return true;
  // Alias rows (forks, successors, renames, vanity, mirror).
  const groups = (p: PathParts): number[] =>
    [fold(p, p.base), rootKey(p), p.githubRepo ?? ''].map((key) => k.aliasGroup.get(key)).filter((g): g is number => g !== undefined);
  const gs = groups(s);
  if (gs.length) {
    const gt = new Set(groups(t));
    if (gs.some((g) => gt.has(g))) return true;
  }
  return false;
}

/** Compares a suspect with one target. Returns null when they are unrelated or legitimately related. */
function compare(s: PathParts, t: Target, k: Knowledge, extraOwners: Map<string, Set<string>>): Match | null {
  // Callers pass only candidate pairs (index or naive scan), so the candidate relation is not re-checked here.
  // A path with non-ASCII characters is invalid in Go: it cannot be the owner's sibling, only a disguise.
  const disguised = hasNonAscii(s.path);
  if (!disguised && sameController(s, t.parts, k)) {
    // Same GitHub account spelled with different case: one repository for GitHub, two modules for Go.
    const tp = t.parts;
    if (s.hosted && s.host === tp.host && s.owner !== tp.owner && s.repo.toLowerCase() === tp.repo.toLowerCase() && s.root !== tp.root) {
      const caseOnly = s.root.toLowerCase() === tp.root.toLowerCase();
      if (caseOnly && !inSameAliasGroup(s, tp, k)) {
        return {
          target: t,
          score: s.host === 'github.com' ? 0.3 : 0.55,
          signals: ['case-only'],
          detail: `differs only in letter case; ${s.host === 'github.com' ? 'GitHub serves both spellings from one repository, but Go treats them as two different modules' : 'the host may serve a different repository'}`,
        };
      }
    }
    return null;
  }
  // gopkg.in/<name>.vN is a namespace anyone can claim (by creating github.com/go-<name>): compare names directly.
  if (s.host === 'gopkg.in' && t.parts.host === 'gopkg.in' && !s.owner && !t.parts.owner) {
    const rel = relate(s.repo, t.parts.repo);
    if (!isLookAlike(rel)) return null;
    return {
      target: t,
      score: 0.85 * (distinctiveness(s.repo) >= 0.75 ? 1 : 0.6),
      signals: ['gopkg-name-' + rel.kind],
      detail: `${explain(rel, 'name', s.repo, t.parts.repo)}; gopkg.in serves it from \`github.com/go-${s.repo}/${s.repo}\`, an account anyone can create`,
    };
  }
  // gopkg.in paths are GitHub repositories by rule: compare with the repository behind them.
  const sp = !s.hosted && s.githubRepo ? withPath(parsePath(s.githubRepo), s) : s;
  const tp = !t.parts.hosted && t.parts.githubRepo ? parsePath(t.parts.githubRepo) : t.parts;
  if ((sp !== s || tp !== t.parts) && !disguised) {
    if (sameController(sp, tp, k)) return null;
  }
  const name = tp.repo || tp.host;
  const contested = contestedness(name, k, extraOwners.get(stripDelimiters(name.toLowerCase())), sp.namespace);
  const base = t.source === 'existing' ? 0.65 : 0.55;
  const weak = (w: number): number => w * distinctiveness(sp.repo || name) * contested * popularity(t);

  if (sp.hosted && tp.hosted) {
    const hostRel = relateHosts(sp.host, tp.host);
    const ownerRel = relate(sp.owner ?? '', tp.owner ?? '', true);
    const repoRel = relate(sp.repo, tp.repo);
    const ownerText = explain(ownerRel, 'owner', sp.owner ?? '', tp.owner ?? '');
    const repoText = explain(repoRel, 'repo', sp.repo, tp.repo);
    if (sp.host !== tp.host) {
      const hostText = `host \`${sp.host}\` instead of \`${tp.host}\``;
      if (hostRel.kind !== 'none') {
        const hostDetail = `${explain(hostRel, 'host', sp.host, tp.host)}`;
        if (sameOrCase(ownerRel) && sameOrCase(repoRel)) return { target: t, score: 0.85, signals: ['host-typo'], detail: `${hostDetail}; same owner and repo` };
        if (isLookAlike(ownerRel) || isLookAlike(repoRel) || sameOrCase(repoRel)) {
          return { target: t, score: 0.75, signals: ['host-typo', signalOf(ownerRel, 'owner'), signalOf(repoRel, 'repo')], detail: `${hostDetail}; ${ownerText}; ${repoText}` };
        }
        return null;
      }
      if (sameOrCase(ownerRel) && sameOrCase(repoRel)) {
        return { target: t, score: 0.55 * popularity(t), signals: ['host-swap'], detail: `${hostText}; same owner and repo on another hosting site` };
      }
      if (isLookAlike(ownerRel) && (sameOrCase(repoRel) || isLookAlike(repoRel))) {
        return { target: t, score: 0.7, signals: ['host-swap', signalOf(ownerRel, 'owner'), signalOf(repoRel, 'repo')], detail: `${hostText}; ${ownerText}; ${repoText}` };
      }
      if (sameOrCase(repoRel) || repoRel.kind === 'version-suffix') {
        return { target: t, score: weak(base - 0.05), signals: ['host-swap', 'same-repo-new-owner'], detail: `${hostText}; same repo name under an unrelated owner \`${sp.owner}\`` };
      }
      return null;
    }
    if (sameOrCase(ownerRel)) {
      // Same account: a look-alike repo there is the owner's own sibling, unless it is spelled with
      // characters Go rejects (a disguise that cannot have come from the owner).
      if (disguised && isLookAlike(repoRel)) return { target: t, score: 0.9, signals: [signalOf(repoRel, 'repo'), 'same-owner-disguised'], detail: `same owner; ${repoText}` };
      return null;
    }
    // An owner named after its repo (`go-stack/stack`, `slack-go/slack`) resembles the target once, not twice.
    const derived = ownerMirrorsRepo(sp) && ownerMirrorsRepo(tp) && !sameOrCase(repoRel);
    if (isLookAlike(ownerRel) && !derived) {
      if (sameOrCase(repoRel)) return { target: t, score: 0.9, signals: [signalOf(ownerRel, 'owner'), 'same-repo'], detail: `${ownerText}; same repo name` };
      if (isLookAlike(repoRel)) {
        return { target: t, score: 0.8 * Math.max(0.6, distinctiveness(sp.repo)), signals: [signalOf(ownerRel, 'owner'), signalOf(repoRel, 'repo')], detail: `${ownerText}; ${repoText}` };
      }
      return null;
    }
    // Owner unrelated: a new account holding the same (or a look-alike) repo name.
    if (sameOrCase(repoRel) || repoRel.kind === 'version-suffix') {
      const extraText = repoRel.kind === 'version-suffix' ? `; ${repoText}` : '';
      return {
        target: t,
        score: weak(base),
        signals: ['same-repo-new-owner', ...(repoRel.kind === 'version-suffix' ? ['version-suffix'] : [])],
        detail: `same repo name \`${tp.repo}\` under an unrelated owner \`${sp.owner}\`${extraText}`,
      };
    }
    if (repoRel.kind === 'confusable' && disguised) {
      return { target: t, score: 0.75, signals: ['repo-confusable'], detail: `${repoText}; owner \`${sp.owner}\` instead of \`${tp.owner}\`` };
    }
    if (isLookAlike(repoRel)) {
      // A near-namesake of something this repository already uses deserves a look; of a corpus entry, less so.
      return { target: t, score: weak(t.source === 'existing' ? 0.55 : 0.45), signals: [signalOf(repoRel, 'repo'), 'new-owner'], detail: `${repoText}; owner \`${sp.owner}\` instead of \`${tp.owner}\`` };
    }
    return null;
  }

  if (sp.hosted && !tp.hosted) {
    // A vanity module's name under some account on a hosting site (golang.org/x/crypto -> github.com/x/crypto).
    const repoRel = relate(sp.repo, name);
    const orgs = vanityOrgsOf(tp, k);
    for (const org of orgs) {
      const ownerRel = relate(sp.owner ?? '', org, true);
      const derivedOrg = ownerMirrorsRepo(sp) && nameKey(org) === nameKey(name) && !sameOrCase(repoRel);
      if (isLookAlike(ownerRel) && !derivedOrg && (sameOrCase(repoRel) || isLookAlike(repoRel))) {
        return {
          target: t,
          score: 0.85,
          signals: ['vanity-owner-lookalike', signalOf(ownerRel, 'owner')],
          detail: `\`${tp.namespace}\` is served from GitHub organisation \`${org}\`; ${explain(ownerRel, 'owner', sp.owner ?? '', org)}; ${explain(repoRel, 'repo', sp.repo, name)}`,
        };
      }
    }
    if (sameOrCase(repoRel) || repoRel.kind === 'version-suffix') {
      const w = t.dependents >= 20 ? 0.65 : 0.48;
      return {
        target: t,
        score: weak(w),
        signals: ['vanity-imitation'],
        detail: `the vanity module's name \`${name}\` under \`${sp.host}/${sp.owner}\`, which is not the organisation behind \`${tp.namespace}\``,
      };
    }
    if (repoRel.kind === 'confusable' && disguised) return { target: t, score: 0.75, signals: ['vanity-imitation', 'repo-confusable'], detail: `${explain(repoRel, 'repo', sp.repo, name)}` };
    if (isLookAlike(repoRel)) {
      return { target: t, score: weak(0.4), signals: ['vanity-imitation', signalOf(repoRel, 'repo')], detail: `${explain(repoRel, 'repo', sp.repo, name)}, under \`${sp.host}/${sp.owner}\`` };
    }
    return null;
  }

  // The suspect is on a vanity domain: only a look-alike of the target's domain is an imitation.
  const hostRel = relateHosts(sp.host, tp.host);
  if (hostRel.kind === 'none' || CODE_HOSTS.has(sp.host)) return null;
  const restT = tp.root.slice(tp.host.length + 1);
  const restS = [sp.root, sp.base].map((x) => x.slice(sp.host.length + 1)).find((x) => x.toLowerCase() === restT.toLowerCase()) ?? sp.root.slice(sp.host.length + 1);
  const restRel = relate(restS, restT);
  const hostText = explain(hostRel, 'host', sp.host, tp.host);
  if (sameOrCase(restRel)) return { target: t, score: 0.85, signals: ['host-typo'], detail: `${hostText}; same path after the host` };
  if (isLookAlike(restRel)) {
    return { target: t, score: weak(0.45), signals: ['host-typo', signalOf(restRel, 'path')], detail: `${hostText}; ${explain(restRel, 'path', restS, restT)}` };
  }
  return null;
}

/** The GitHub repository that serves a path: itself, gopkg.in's rule, an alias row, or the vanity domain's organisation. */
function githubRepoOf(p: PathParts, k: Knowledge): string | null {
  if (p.host === 'github.com' && p.owner && p.repo) return `github.com/${p.owner}/${p.repo}`;
  if (p.githubRepo) return p.githubRepo;
  for (const key of [fold(p, p.base), rootKey(p)]) {
    const g = k.aliasGroup.get(key);
    const gh = g !== undefined ? k.githubOfGroup.get(g) : undefined;
    if (gh) return gh;
  }
  const orgs = [...vanityOrgsOf(p, k)];
  return orgs.length === 1 && p.repo ? `github.com/${orgs[0]}/${p.repo}` : null;
}

/** True when the owner is the repo name with a go affix or delimiters (`go-gorm/gorm`, `slack-go/slack`). */
function ownerMirrorsRepo(p: PathParts): boolean {
  return !!p.owner && !!p.repo && nameKey(p.owner) === nameKey(p.repo);
}

function inSameAliasGroup(s: PathParts, t: PathParts, k: Knowledge): boolean {
  const gs = k.aliasGroup.get(fold(s, s.base)) ?? k.aliasGroup.get(rootKey(s));
  const gt = k.aliasGroup.get(fold(t, t.base)) ?? k.aliasGroup.get(rootKey(t));
  return gs !== undefined && gs === gt;
}

function vanityOrgsOf(v: PathParts, k: Knowledge): Set<string> {
  const out = new Set<string>();
  for (const ns of [v.namespace, v.host, registrableDomain(v.host)]) for (const o of k.vanityOrgs.get(ns) ?? []) out.add(o);
  return out;
}

/** Keeps the sub-path and major of `orig` on the GitHub parts of a gopkg.in path (for naming only). */
function withPath(gh: PathParts, orig: PathParts): PathParts {
  return { ...gh, sub: orig.sub, major: orig.major, majorStyle: orig.majorStyle };
}

function allowMatcher(pattern: string): (path: string) => boolean {
  if (pattern.endsWith('/*') || pattern.endsWith('/...')) {
    const prefix = pattern.replace(/\/(\*|\.\.\.)$/, '');
    return (p) => p === prefix || p.startsWith(prefix + '/');
  }
  if (pattern.includes('*')) {
    const re = new RegExp('^' + pattern.split('*').map((x) => x.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('[^/]*') + '$');
    return (p) => re.test(p);
  }
  return (p) => p === pattern;
}

// ---------------------------------------------------------------------------------------------------------
// Findings

/** The module path a change makes the build fetch that needs a typosquat check, or null (upgrades, local replaces). */
export function suspectPathOf(change: RequirementChange): string | null {
  if (change.kind === 'removed' || !change.fetch) return null;
  if (change.replacement && !change.replacement.local && change.replacement.path !== change.module) return change.fetch.path;
  if (change.kind === 'added') return change.fetch.path;
  return null;
}

/**
 * The severity of a suspicious result: the one the evidence decided (assess.ts), else the name alone decides
 * (a strong imitation is high, a weak one medium).
 */
export function typosquatSeverity(result: TyposquatResult): Severity {
  if (result.severity) return result.severity;
  const v = decideVerdict({ module: result.module, target: result.target, targetSource: result.targetSource ?? null, score: result.score, signals: result.signals }, { ...(result.clone ? { clone: result.clone } : {}) });
  return v.severity ?? 'medium';
}

/** Turns a suspicious result into findings for one requirement change (none when not suspicious). */
export function typosquatFindings(change: RequirementChange, result: TyposquatResult): Finding[] {
  if (!result.suspicious) return [];
  const severity = typosquatSeverity(result);
  const line = change.replacement && !change.replacement.local && change.replacement.path !== change.module ? change.replacement.line : change.line;
  const via = change.replacement && change.replacement.path !== change.module ? ` (via \`replace ${change.module} => ${change.replacement.path}\`)` : '';
  const target = result.target;
  const copy = result.clone?.nearCopy ? 'is a modified copy of' : result.clone?.identicalCopy ? 'is a copy of' : 'looks like';
  const title = target ? `\`${result.module}\` ${copy} \`${target}\`` : `\`${result.module}\` looks like a typosquat`;
  const why = result.reasons.map((r) => `- ${r}`).join('\n');
  const notes = result.notes?.length ? `\n\nNotes:\n${result.notes.map((n) => `- ${n}`).join('\n')}` : '';
  const message =
    `This change makes the build download \`${result.module}\`${via}${target ? `, a name that imitates \`${target}\`` : ''}.\n\n` +
    `${why}\n\n` +
    'Typosquatted Go modules run their code in every build and test that imports them (for example from `init()`), and the module proxy keeps serving a cached copy even after the repository changes. ' +
    `Check that \`${result.module}\` is the module you meant${target ? ` and not \`${target}\`` : ''}: compare the owner and the repository, and look at who publishes it. ` +
    `If it is legitimate, allow-list it in \`.github/modwarden.yml\`; otherwise use \`${target ?? 'the intended module'}\` instead.${notes}`;
  return [
    {
      rule: 'typosquat',
      severity,
      module: result.module,
      version: change.fetch?.version ?? change.to,
      goModPath: change.goModPath,
      line,
      title,
      message,
      evidence: {
        target,
        score: result.score,
        signals: result.signals,
        reasons: result.reasons,
        ...(result.targetSource ? { targetSource: result.targetSource } : {}),
        ...(result.evidence ? { repository: result.evidence } : {}),
        ...(result.clone ? { clone: result.clone } : {}),
      },
    },
  ];
}


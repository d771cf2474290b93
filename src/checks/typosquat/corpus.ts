/**
 * The corpus of trusted module paths (data/popular-modules.tsv, data/aliases.tsv) and the index that finds
 * look-alike candidates in it without comparing a path against every entry.
 *
 * Index keys (per repository name): its normalised key (skeleton, no go-affix, no delimiters), its sorted
 * tokens, its single-character deletions (a symmetric deletion neighbourhood: two names one edit apart
 * share a key), and the path after the host (for host swaps/typos). `candidateKeys` defines the candidate
 * relation; the naive scan in `naiveCandidates` evaluates the same relation pair by pair, and the tests
 * check both return the same targets.
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parsePath, type PathParts } from './path-parts.js';
import { nameKey, tokenKey } from './names.js';

/** One row of popular-modules.tsv. */
export interface CorpusEntry {
  module: string;
  base: string;
  major: string;
  dependents: number;
  awesome: boolean;
  partial: boolean;
}

/** One row of aliases.tsv: two paths that are legitimately the same project. */
export interface AliasRow {
  a: string;
  b: string;
  relation: string;
  source: string;
}

/** The trusted corpus: popular modules and known legitimate look-alike pairs. */
export interface Corpus {
  entries: CorpusEntry[];
  aliases: AliasRow[];
}

/** A corpus file that cannot be read; the message names the file and line. */
export class CorpusError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CorpusError';
  }
}

const POPULAR_HEADER = ['module', 'base_path', 'major', 'dependents_in_sample', 'in_awesome_go', 'in_go_partial'];
const ALIAS_HEADER = ['module_a', 'module_b', 'relation', 'source'];
const RELATIONS = new Set(['vanity', 'mirror', 'fork', 'rename', 'successor']);

/** Parses popular-modules.tsv text; throws CorpusError naming `file:line` on a bad row. */
export function parsePopularTsv(text: string, file = 'popular-modules.tsv'): CorpusEntry[] {
  const lines = text.split('\n');
  const header = (lines[0] ?? '').replace(/\r$/, '').split('\t');
  if (POPULAR_HEADER.some((h, i) => header[i] !== h)) {
    throw new CorpusError(`${file}:1: header must be ${POPULAR_HEADER.join(', ')}`);
  }
  const out: CorpusEntry[] = [];
  for (let i = 1; i < lines.length; i++) {
    const line = lines[i]!.replace(/\r$/, '');
    if (line === '' || line.startsWith('#')) continue;
    const f = line.split('\t');
    if (f.length < 6) throw new CorpusError(`${file}:${i + 1}: expected 6 tab-separated columns, got ${f.length}`);
    const dependents = Number(f[3]);
    if (!f[0] || !Number.isInteger(dependents) || dependents < 0) {
      throw new CorpusError(`${file}:${i + 1}: bad module or dependents_in_sample ${JSON.stringify(f[3])}`);
    }
    out.push({ module: f[0], base: f[1] || f[0], major: f[2] ?? '', dependents, awesome: f[4] === '1', partial: f[5] === '1' });
  }
  return out;
}

/** Parses aliases.tsv text; throws CorpusError naming `file:line` on a bad row. */
export function parseAliasesTsv(text: string, file = 'aliases.tsv'): AliasRow[] {
  const lines = text.split('\n');
  const header = (lines[0] ?? '').replace(/\r$/, '').split('\t');
  if (ALIAS_HEADER.some((h, i) => header[i] !== h)) {
    throw new CorpusError(`${file}:1: header must be ${ALIAS_HEADER.join(', ')}`);
  }
  const out: AliasRow[] = [];
  for (let i = 1; i < lines.length; i++) {
    const line = lines[i]!.replace(/\r$/, '');
    if (line === '' || line.startsWith('#')) continue;
    const f = line.split('\t');
    if (f.length < 3 || !f[0] || !f[1]) throw new CorpusError(`${file}:${i + 1}: expected module_a, module_b, relation, source`);
    if (!RELATIONS.has(f[2]!)) throw new CorpusError(`${file}:${i + 1}: unknown relation ${JSON.stringify(f[2])}`);
    out.push({ a: f[0], b: f[1], relation: f[2]!, source: f[3] ?? '' });
  }
  return out;
}

/** The directory of the installed `modwarden` package (walks up from this file to its package.json). */
export function packageRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    try {
      const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { name?: string };
      if (pkg.name === 'modwarden') return dir;
    } catch {
      /* keep walking */
    }
    const up = dirname(dir);
    if (up === dir) throw new CorpusError('cannot find the modwarden package root (package.json named "modwarden")');
    dir = up;
  }
}

/** Loads the corpus from `dataDir` (default: the package's data/ directory). Throws CorpusError. */
export function loadCorpus(dataDir?: string): Corpus {
  const dir = dataDir ?? join(packageRoot(), 'data');
  const read = (name: string): string => {
    try {
      return readFileSync(join(dir, name), 'utf8');
    } catch (e) {
      throw new CorpusError(`cannot read ${join(dir, name)}: ${(e as Error).message}`);
    }
  };
  return {
    entries: parsePopularTsv(read('popular-modules.tsv'), join(dir, 'popular-modules.tsv')),
    aliases: parseAliasesTsv(read('aliases.tsv'), join(dir, 'aliases.tsv')),
  };
}

/** Where a comparison target comes from. */
export type TargetSource = 'corpus' | 'existing' | 'extra';

/** One repository (or vanity module family) a suspect may imitate, with the modules known under it. */
export interface Target {
  /** The most used module under this root (what a finding names). */
  module: string;
  parts: PathParts;
  /** Every known module path under this root. */
  modules: string[];
  /** Most dependents of any module under this root (0 for list-only entries). */
  dependents: number;
  source: TargetSource;
  /** The lookup keys of this target (see candidateKeys). */
  keys: Set<string>;
}

/** The name an index key is built from: the repo, or the domain's first label for bare-domain modules. */
export function indexedName(p: PathParts): string {
  return p.repo || p.host.split('.')[0] || p.host;
}

/** Single-character deletions of `s` (plus `s`); only for names of 4+ characters, so short names match exactly. */
export function deletions(s: string): string[] {
  const out = [s];
  if (s.length >= 4) for (let i = 0; i < s.length; i++) out.push(s.slice(0, i) + s.slice(i + 1));
  return out;
}

/**
 * The path after the host, lower-cased and without major suffix, cut at the root and in full: catches host
 * swaps and host typos (`githb.com/sirupsen/logrus`, `golang.com/x/crypto`).
 */
export function restKeys(p: PathParts): string[] {
  const out = new Set<string>();
  for (const full of [p.root, p.base]) {
    const rest = full.slice(p.host.length + 1).toLowerCase();
    if (rest) out.add(rest);
  }
  return [...out];
}

/** The keys under which a path is indexed and looked up. Two paths are candidates iff their keys meet. */
export function candidateKeys(p: PathParts): Set<string> {
  const name = indexedName(p);
  const k = nameKey(name);
  const keys = new Set<string>();
  for (const d of deletions(k)) keys.add(`d:${d}`);
  keys.add(`t:${tokenKey(name)}`);
  for (const rest of restKeys(p)) keys.add(`r:${rest}`);
  return keys;
}

/**
 * The candidate relation evaluated directly on one pair (what a naive scan does): same name key, one
 * deletion apart, same sorted tokens, or same path after the host.
 */
export function isCandidatePair(s: PathParts, t: PathParts): boolean {
  const ns = indexedName(s);
  const nt = indexedName(t);
  const ks = nameKey(ns);
  const kt = nameKey(nt);
  if (ks === kt) return true;
  if (tokenKey(ns) === tokenKey(nt)) return true;
  const rt = restKeys(t);
  if (restKeys(s).some((r) => rt.includes(r))) return true;
  const ds = deletions(ks);
  const dt = new Set(deletions(kt));
  return ds.some((d) => dt.has(d));
}

/** Folds a root so that one repository has one key (GitHub and other code hosts ignore case). */
export function rootKey(p: PathParts): string {
  return p.hosted ? p.root.toLowerCase() : p.root;
}

/** Groups module paths by root into targets. Later modules of an existing root are merged in. */
export function buildTargets(items: Array<{ module: string; dependents: number; source: TargetSource }>): Target[] {
  const byRoot = new Map<string, Target>();
  for (const it of items) {
    const parts = parsePath(it.module);
    const key = rootKey(parts);
    const have = byRoot.get(key);
    if (!have) {
      byRoot.set(key, { module: it.module, parts, modules: [it.module], dependents: it.dependents, source: it.source, keys: candidateKeys(parts) });
      continue;
    }
    have.modules.push(it.module);
    if (it.dependents > have.dependents) {
      have.dependents = it.dependents;
      have.module = it.module;
      have.parts = parsePath(it.module);
    }
  }
  return [...byRoot.values()];
}

/** An inverted index from candidate keys to targets. */
export class TargetIndex {
  private readonly byKey = new Map<string, Target[]>();

  constructor(readonly targets: Target[]) {
    for (const t of targets) {
      for (const k of t.keys) {
        const list = this.byKey.get(k);
        if (list) list.push(t);
        else this.byKey.set(k, [t]);
      }
    }
  }

  /** Targets whose keys meet the keys of `p` (each target once). */
  candidates(p: PathParts): Target[] {
    const seen = new Set<Target>();
    for (const k of candidateKeys(p)) for (const t of this.byKey.get(k) ?? []) seen.add(t);
    return [...seen];
  }

  /** The same answer as `candidates`, by testing every target (the baseline the index must equal). */
  naiveCandidates(p: PathParts): Target[] {
    return this.targets.filter((t) => isCandidatePair(p, t.parts));
  }
}

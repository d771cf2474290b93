/**
 * Rebuilds data/popular-modules.tsv and data/aliases.tsv from the shared corpus
 * (default ../shared/data next to the package, or the directory given as the first argument), plus the
 * product's own alias rows in scripts/corpus/aliases-extra.tsv (renames and successors, each with its source).
 * Output is deterministic: rows validated, de-duplicated and sorted (dependents descending, then module).
 *   node dist/scripts/build-corpus.js [source-dir] [out-dir]
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { CorpusError, packageRoot, parseAliasesTsv, parsePopularTsv, type AliasRow, type CorpusEntry } from '../src/checks/typosquat/corpus.js';

const POPULAR_IN = 'popular-go-modules.tsv';
const ALIASES_IN = 'go-module-aliases.tsv';


/** Renders corpus entries as popular-modules.tsv text. */
export function renderPopular(entries: CorpusEntry[]): string {
  const seen = new Set<string>();
  const rows = entries.filter((e) => !seen.has(e.module) && seen.add(e.module));
  rows.sort((a, b) => b.dependents - a.dependents || (a.module < b.module ? -1 : a.module > b.module ? 1 : 0));
  const lines = ['module\tbase_path\tmajor\tdependents_in_sample\tin_awesome_go\tin_go_partial'];
  for (const e of rows) lines.push([e.module, e.base, e.major, e.dependents, e.awesome ? 1 : 0, e.partial ? 1 : 0].join('\t'));
  return lines.join('\n') + '\n';
}

/** Renders alias rows as aliases.tsv text (order kept: it groups rows by relation as the source does). */
export function renderAliases(rows: AliasRow[]): string {
  const seen = new Set<string>();
  const lines = ['module_a\tmodule_b\trelation\tsource'];
  for (const r of rows) {
    const key = `${r.a}\t${r.b}\t${r.relation}`;
    if (seen.has(key)) continue;
    seen.add(key);
    lines.push([r.a, r.b, r.relation, r.source.replace(/[\t\r\n]+/g, ' ')].join('\t'));
  }
  return lines.join('\n') + '\n';
}

/** The product's own alias rows (scripts/corpus/aliases-extra.tsv, next to this script in the source tree). */
function readExtraAliases(): AliasRow[] {
  const file = join(packageRoot(), 'scripts', 'corpus', 'aliases-extra.tsv');
  if (!existsSync(file)) throw new CorpusError(`cannot find ${file}`);
  return parseAliasesTsv(readFileSync(file, 'utf8'), file);
}

/** Reads the shared corpus from `src` and writes the product's copy into `out`. Returns row counts. */
export function buildCorpus(src: string, out: string): { modules: number; aliases: number } {
  const read = (name: string) => {
    try {
      return readFileSync(join(src, name), 'utf8');
    } catch (e) {
      throw new CorpusError(`cannot read ${join(src, name)}: ${(e as Error).message}`);
    }
  };
  const entries = parsePopularTsv(read(POPULAR_IN), join(src, POPULAR_IN));
  const aliases = [...parseAliasesTsv(read(ALIASES_IN), join(src, ALIASES_IN)), ...readExtraAliases()];
  mkdirSync(out, { recursive: true });
  const popular = renderPopular(entries);
  const alias = renderAliases(aliases);
  writeFileSync(join(out, 'popular-modules.tsv'), popular);
  writeFileSync(join(out, 'aliases.tsv'), alias);
  return { modules: popular.split('\n').length - 2, aliases: alias.split('\n').length - 2 };
}

const invoked = process.argv[1] && resolve(process.argv[1]).replace(/\.ts$/, '.js').endsWith(join('scripts', 'build-corpus.js'));
if (invoked) {
  try {
    const root = packageRoot();
    const src = resolve(process.argv[2] ?? join(root, '..', 'shared', 'data'));
    const out = resolve(process.argv[3] ?? join(root, 'data'));
    const n = buildCorpus(src, out);
    process.stdout.write(`wrote ${n.modules} modules and ${n.aliases} aliases from ${src} to ${out}\n`);
  } catch (e) {
    process.stderr.write(`build-corpus: ${e instanceof Error ? e.message : String(e)}\n`);
    process.exitCode = 2;
  }
}

/**
 * The requirement graph of Debian's Go library packages, summarised (pure: go.mod texts in, TSV text out).
 * scripts/collect-debian-graph.ts feeds it the go.mod files found under /usr/share/gocode/src.
 */
import { ModFileError, parseModFileLax, splitPathVersion } from '../src/gomod/index.js';
import { REQUIREMENT_COLUMNS } from '../src/checks/typosquat/eval-data.js';

/** One go.mod file as installed: which Debian package owns it, where it is, its text. */
export interface InstalledGoMod {
  debianPackage: string;
  /** Path relative to the source root, e.g. github.com/spf13/cobra/go.mod. */
  file: string;
  text: string;
}

export interface GoModSummary {
  debianPackage: string;
  file: string;
  /** The module the go.mod declares ('' when it has no module line). */
  module: string;
  requires: number;
  /** Parse error (the go.mod is then left out of the counts). */
  error: string | null;
}

interface Tally {
  files: Set<string>;
  direct: Set<string>;
  packages: Set<string>;
  versions: Set<string>;
}

export interface Graph {
  gomods: GoModSummary[];
  requirements: Map<string, Tally>;
}

const byText = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/** Parses every go.mod (lax, as Go reads a dependency's go.mod) and tallies its `require` entries. */
export function buildGraph(files: readonly InstalledGoMod[]): Graph {
  const gomods: GoModSummary[] = [];
  const requirements = new Map<string, Tally>();
  for (const f of [...files].sort((a, b) => byText(a.file, b.file) || byText(a.debianPackage, b.debianPackage))) {
    const key = `${f.debianPackage}\t${f.file}`;
    let parsed;
    try {
      parsed = parseModFileLax(f.file, f.text);
    } catch (e) {
      if (!(e instanceof ModFileError)) throw e;
      gomods.push({ debianPackage: f.debianPackage, file: f.file, module: '', requires: 0, error: e.message.split('\n')[0]!.replace(/\s+/g, ' ') });
      continue;
    }
    gomods.push({ debianPackage: f.debianPackage, file: f.file, module: parsed.module?.path ?? '', requires: parsed.require.length, error: null });
    for (const r of parsed.require) {
      let t = requirements.get(r.path);
      if (!t) requirements.set(r.path, (t = { files: new Set(), direct: new Set(), packages: new Set(), versions: new Set() }));
      t.files.add(key);
      if (!r.indirect) t.direct.add(key);
      t.packages.add(f.debianPackage);
      t.versions.add(r.version);
    }
  }
  return { gomods, requirements };
}

/** `v2` for a /v2 (or .v2) path; else the majors of the versions required (`v0,v1`, `v3+incompatible`). */
export function majorOf(path: string, versions: Iterable<string>): string {
  const split = splitPathVersion(path);
  const suffix = split?.pathMajor.replace(/^[./]/, '').replace(/-unstable$/, '') ?? '';
  if (suffix) return suffix;
  const majors = new Set<string>();
  for (const v of versions) {
    const m = /^(v\d+)\./.exec(v);
    if (m) majors.add(m[1]! + (v.endsWith('+incompatible') ? '+incompatible' : ''));
  }
  return [...majors].sort(byText).join(',') || '-';
}

/** debian-requirements.tsv: one row per required module path, most-required first, then by path. */
export function renderRequirements(graph: Graph, header: string): string {
  const rows = [...graph.requirements.entries()].map(([module, t]) => ({
    module,
    files: t.files.size,
    direct: t.direct.size,
    packages: [...t.packages].sort(byText),
    major: majorOf(module, t.versions),
  }));
  rows.sort((a, b) => b.files - a.files || byText(a.module, b.module));
  const lines = [REQUIREMENT_COLUMNS.join('\t')];
  for (const r of rows) {
    lines.push([r.module, r.major, r.files, r.direct, r.files - r.direct, r.packages.length, r.packages.slice(0, 3).join(',')].join('\t'));
  }
  return header + lines.join('\n') + '\n';
}

/** debian-gomods.tsv: every go.mod read, with the package that installs it. */
export function renderGoMods(graph: Graph, header: string): string {
  const lines = ['debian_package\tgomod\tmodule\trequires\terror'];
  for (const g of graph.gomods) lines.push([g.debianPackage, g.file, g.module || '-', g.requires, g.error ?? '-'].join('\t'));
  return header + lines.join('\n') + '\n';
}

/**
 * The layering of ../shared/docs/design.md, enforced: imports run down the stack and never back up.
 * gomod/, modzip/ and sumdb/ are pure; sources/ fetches facts and knows no findings or scoring; checks/ know no
 * front door; the engine knows no front door and no renderer; report/ knows nothing of GitHub; the CLI reaches
 * the network only through the engine's wiring.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, normalize, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const src = join(root, 'src');

type Layer = 'vocabulary' | 'gomod' | 'modzip' | 'sumdb' | 'config' | 'sources' | 'checks' | 'engine' | 'report' | 'review' | 'app' | 'cli';

/** What each layer may import (itself included). */
const MAY_IMPORT: Record<Layer, Layer[]> = {
  vocabulary: ['vocabulary'],
  gomod: ['gomod'],
  modzip: ['modzip', 'gomod'],
  sumdb: ['sumdb'],
  config: ['config', 'vocabulary', 'gomod'],
  sources: ['sources', 'sumdb', 'modzip', 'gomod'],
  checks: ['checks', 'sources', 'sumdb', 'modzip', 'gomod', 'vocabulary', 'config'],
  engine: ['engine', 'checks', 'sources', 'sumdb', 'modzip', 'gomod', 'vocabulary', 'config'],
  report: ['report', 'engine', 'vocabulary', 'config', 'gomod'],
  review: ['review', 'report', 'engine', 'vocabulary', 'config', 'gomod'],
  app: ['app', 'review', 'report', 'engine', 'checks', 'vocabulary', 'config', 'gomod', 'sources'],
  cli: ['cli', 'report', 'engine', 'checks', 'modzip', 'gomod', 'vocabulary', 'config'],
};

function layerOf(file: string): Layer {
  const rel = relative(src, file).replace(/\\/g, '/');
  if (rel === 'findings.ts') return 'vocabulary';
  const top = rel.split('/')[0]!;
  if (top in MAY_IMPORT) return top as Layer;
  throw new Error(`src/${rel} belongs to no layer of the design`);
}

function tsFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((n) => {
    const p = join(dir, n);
    return statSync(p).isDirectory() ? tsFiles(p) : p.endsWith('.ts') ? [p] : [];
  });
}

const IMPORT = /^\s*(?:import|export)\b[^'"]*?from\s*['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/gm;

function wrongWayImports(): string[] {
  const out: string[] = [];
  for (const file of tsFiles(src)) {
    const from = layerOf(file);
    for (const m of readFileSync(file, 'utf8').matchAll(IMPORT)) {
      const spec = m[1] ?? m[2]!;
      if (!spec.startsWith('.')) continue;
      const target = normalize(join(dirname(file), spec)).replace(/\.js$/, '.ts');
      const to = layerOf(target);
      if (!MAY_IMPORT[from].includes(to)) out.push(`${relative(root, file)} (${from}) -> ${relative(root, target)} (${to})`);
    }
  }
  return out;
}

describe('layering', () => {
  it('has no import that runs up the stack', () => {
    expect(wrongWayImports()).toEqual([]);
  });

  it('knows every folder under src/', () => {
    expect(() => tsFiles(src).forEach(layerOf)).not.toThrow();
  });

  it('keeps bench/, demo/ and scripts/ free of test code (the image build has no test/)', () => {
    const offenders = ['bench', 'demo', 'scripts'].flatMap((d) =>
      tsFiles(join(root, d)).filter((f) => [...readFileSync(f, 'utf8').matchAll(IMPORT)].some((m) => /(^|\/)test\//.test(m[1] ?? m[2]!))),
    );
    expect(offenders.map((f) => relative(root, f))).toEqual([]);
  });
});

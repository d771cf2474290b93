import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import {
  buildTargets,
  CorpusError,
  loadCorpus,
  packageRoot,
  parseAliasesTsv,
  parsePopularTsv,
  TargetIndex,
} from '../../../src/checks/typosquat/corpus.js';
import { parsePath } from '../../../src/checks/typosquat/path-parts.js';
import { buildCorpus } from '../../../scripts/build-corpus.js';

const corpus = loadCorpus();
const extraAliases = parseAliasesTsv(readFileSync(join(packageRoot(), 'scripts', 'corpus', 'aliases-extra.tsv'), 'utf8'));
const targets = buildTargets(corpus.entries.map((e) => ({ module: e.module, dependents: e.dependents, source: 'corpus' as const })));
const index = new TargetIndex(targets);

/** Deterministic random candidate paths: corpus paths with typos, new owners, host swaps, plus random names. */
function mutate(path: string, op: number, a: number, b: number): string {
  const p = parsePath(path);
  const letters = 'abcdefghijklmnopqrstuvwxyz0-._';
  const ch = letters[b % letters.length]!;
  const edit = (s: string): string => {
    if (!s) return ch;
    const i = a % (s.length + 1);
    switch (b % 4) {
      case 0: return s.slice(0, i) + ch + s.slice(i);
      case 1: return s.slice(0, i) + s.slice(i + 1);
      case 2: return s.slice(0, i) + ch + s.slice(i + 1);
      default: return i + 1 < s.length ? s.slice(0, i) + s[i + 1] + s[i] + s.slice(i + 2) : s + s;
    }
  };
  const owner = p.owner ?? 'someone';
  const repo = p.repo || 'x';
  switch (op % 6) {
    case 0: return `github.com/${edit(owner)}/${repo}`;
    case 1: return `github.com/${owner}/${edit(repo)}`;
    case 2: return `github.com/newowner${a % 97}/${repo}`;
    case 3: return `gitlab.com/${owner}/${repo}`;
    case 4: return `${edit(p.host)}/${p.path.split('/').slice(1).join('/')}`;
    default: return `github.com/${edit(owner)}/${edit(repo)}-go`;
  }
}

describe('corpus files', () => {
  it('loads the shipped data from the package root', () => {
    // Wherever the repo is cloned: the root is the folder holding the package.json named modwarden.
    expect(JSON.parse(readFileSync(join(packageRoot(), 'package.json'), 'utf8')).name).toBe('modwarden');
    expect(existsSync(join(packageRoot(), 'data', 'popular-modules.tsv'))).toBe(true);
    expect(corpus.entries.length).toBeGreaterThan(6000);
    expect(corpus.aliases.length).toBeGreaterThan(80);
    expect(corpus.entries[0]).toEqual({ module: 'golang.org/x/sys', base: 'golang.org/x/sys', major: '', dependents: 79, awesome: false, partial: true });
  });

  it('names the file and line of a bad row', () => {
    const header = 'module\tbase_path\tmajor\tdependents_in_sample\tin_awesome_go\tin_go_partial\n';
    expect(() => parsePopularTsv(header + 'github.com/a/b\tgithub.com/a/b\t\tmany\t0\t0\n', 'p.tsv')).toThrow('p.tsv:2: bad module or dependents_in_sample "many"');
    expect(() => parsePopularTsv('module\tbase\n', 'p.tsv')).toThrow(CorpusError);
    expect(() => parseAliasesTsv('module_a\tmodule_b\trelation\tsource\na\tb\tcousin\tx\n', 'a.tsv')).toThrow('a.tsv:2: unknown relation "cousin"');
  });

  it('reports a missing data directory clearly', () => {
    expect(() => loadCorpus('/nonexistent-dir')).toThrow(/cannot read \/nonexistent-dir\/popular-modules.tsv/);
  });

  it('build-corpus reproduces data/ byte for byte (from the shared corpus when it sits beside the clone)', () => {
    const out = mkdtempSync(join(tmpdir(), 'corpus-'));
    const copy = mkdtempSync(join(tmpdir(), 'corpus-in-'));
    try {
      // A clone elsewhere has no ../shared: then the shipped copy, fed back in, must come out unchanged.
      let src = join(packageRoot(), '..', 'shared', 'data');
      if (!existsSync(join(src, 'popular-go-modules.tsv'))) {
        src = copy;
        writeFileSync(join(src, 'popular-go-modules.tsv'), readFileSync(join(packageRoot(), 'data', 'popular-modules.tsv')));
        writeFileSync(join(src, 'go-module-aliases.tsv'), readFileSync(join(packageRoot(), 'data', 'aliases.tsv')));
      }
      const n = buildCorpus(src, out);
      expect(n).toEqual({ modules: corpus.entries.length, aliases: corpus.aliases.length });
      for (const f of ['popular-modules.tsv', 'aliases.tsv']) {
        expect(readFileSync(join(out, f), 'utf8')).toBe(readFileSync(join(packageRoot(), 'data', f), 'utf8'));
      }
    } finally {
      rmSync(out, { recursive: true, force: true });
      rmSync(copy, { recursive: true, force: true });
    }
  });

  it('build-corpus sorts and de-duplicates its input', () => {
    const src = mkdtempSync(join(tmpdir(), 'corpus-src-'));
    const out = mkdtempSync(join(tmpdir(), 'corpus-out-'));
    try {
      const h = 'module\tbase_path\tmajor\tdependents_in_sample\tin_awesome_go\tin_go_partial\n';
      writeFileSync(join(src, 'popular-go-modules.tsv'), h + 'b.io/x\tb.io/x\t\t1\t0\t0\na.io/x\ta.io/x\t\t5\t1\t0\nb.io/x\tb.io/x\t\t1\t0\t0\n');
      writeFileSync(join(src, 'go-module-aliases.tsv'), 'module_a\tmodule_b\trelation\tsource\na.io/x\tgithub.com/a/x\tvanity\tgo.mod\n');
      // The shared row, then the product's own rows (scripts/corpus/aliases-extra.tsv).
      expect(buildCorpus(src, out)).toEqual({ modules: 2, aliases: 1 + extraAliases.length });
      expect(readFileSync(join(out, 'popular-modules.tsv'), 'utf8')).toBe(h + 'a.io/x\ta.io/x\t\t5\t1\t0\nb.io/x\tb.io/x\t\t1\t0\t0\n');
    } finally {
      rmSync(src, { recursive: true, force: true });
      rmSync(out, { recursive: true, force: true });
    }
  });
});

describe('the product\'s own alias rows (scripts/corpus/aliases-extra.tsv)', () => {
  it('each names the file and commit it was read from, and all of them are in data/aliases.tsv', () => {
    expect(extraAliases.length).toBeGreaterThanOrEqual(6);
    for (const r of extraAliases) expect(r.source).toMatch(/@[0-9a-f]{12}/);
    const shipped = new Set(corpus.aliases.map((r) => `${r.a}\t${r.b}\t${r.relation}`));
    expect(extraAliases.filter((r) => !shipped.has(`${r.a}\t${r.b}\t${r.relation}`))).toEqual([]);
  });
});

describe('look-alike index', () => {
  const roots = (ts: { module: string }[]) => ts.map((t) => t.module).sort();

  it('finds boltdb/bolt for boltdb-go/bolt and golang.org/x/crypto for github.com/someone/crypto', () => {
    expect(roots(index.candidates(parsePath('github.com/boltdb-go/bolt')))).toContain('github.com/boltdb/bolt');
    expect(roots(index.candidates(parsePath('github.com/someone/crypto')))).toContain('golang.org/x/crypto');
    expect(roots(index.candidates(parsePath('githb.com/sirupsen/logrus')))).toContain('github.com/sirupsen/logrus');
  });

  it('returns exactly the targets a naive full scan returns, on random look-alike candidates', () => {
    fc.assert(
      fc.property(fc.nat(corpus.entries.length - 1), fc.nat(5), fc.nat(1000), fc.nat(1000), (i, op, a, b) => {
        const cand = parsePath(mutate(corpus.entries[i]!.module, op, a, b));
        expect(roots(index.candidates(cand))).toEqual(roots(index.naiveCandidates(cand)));
      }),
      { numRuns: 120, seed: 42 },
    );
  });

  it('returns exactly the naive scan targets on random strings', () => {
    fc.assert(
      fc.property(fc.stringMatching(/^[a-z][a-z0-9-]{0,12}$/), fc.stringMatching(/^[a-z][a-z0-9._-]{0,14}$/), (owner, repo) => {
        const cand = parsePath(`github.com/${owner}/${repo}`);
        expect(roots(index.candidates(cand))).toEqual(roots(index.naiveCandidates(cand)));
      }),
      { numRuns: 80, seed: 7 },
    );
  });

  it('groups a repository\'s modules into one target named after its most used module', () => {
    const aws = targets.find((t) => t.parts.root === 'github.com/aws/aws-sdk-go-v2');
    expect(aws).toBeDefined();
    expect(aws!.modules.length).toBeGreaterThan(50);
    expect(aws!.module).toBe('github.com/aws/aws-sdk-go-v2');
  });
});

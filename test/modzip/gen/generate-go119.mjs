// Generates random and hand-made source trees, asks the real golang.org/x/mod/zip (as vendored in go1.19,
// built into /tmp/gozip/gozip, see README) what module zip it builds from each, and records the answers as
// golden fixtures in test/fixtures/modzip/go119/. Run by hand: node test/modzip/gen/generate-go119.mjs
//
// Building the tool (go1.19 from apt, offline):
//   mkdir -p /tmp/gozip/tool /tmp/gozip/x/golang.org/x/mod/sumdb && cd /tmp/gozip
//   V=/usr/lib/go-1.19/src/cmd/vendor/golang.org/x/mod
//   cp -r $V/{module,semver,zip,internal,LICENSE} x/golang.org/x/mod/ && cp -r $V/sumdb/dirhash x/golang.org/x/mod/sumdb/
//   printf 'module golang.org/x/mod\n\ngo 1.17\n' > x/golang.org/x/mod/go.mod
//   printf 'module gozip\n\ngo 1.19\n\nrequire golang.org/x/mod v0.0.0\nreplace golang.org/x/mod => ./x/golang.org/x/mod\n' > go.mod
//   cp <repo>/test/fixtures/modzip/go119/gozip-tool.go.txt tool/main.go
//   GOFLAGS=-mod=mod GOPROXY=off GOSUMDB=off go build -o gozip ./tool
import { execFileSync } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync, symlinkSync, copyFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

const TOOL = process.env.GOZIP ?? '/tmp/gozip/gozip';
const WORK = '/tmp/gozip/cases';
const OUT = new URL('../../fixtures/modzip/go119/', import.meta.url).pathname;

function rng(seed) {
  return () => {
    seed |= 0;
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const DIRS = ['a', 'b', 'A', 'vendor', 'vendor', 'pkg', 'sub', 'go.mod', '.git', '.hg', '.svn', '.bzr', 'x', 'é', 'internal', 'testdata'];
const FILES = ['a.go', 'b.go', 'c.go', 'go.mod', 'go.mod', 'LICENSE', 'modules.txt', '.hg_archival.txt', 'README.md', 'vendor.go', 'ok.go', 'é.go', 'k.go', '.gitignore', 'sp ace.go', '-dash.go', 'x_test.go', 'doc.go'];
// Names that make Go refuse the zip (or collide with a name above): drawn rarely so most trees hash.
const BAD_FILES = ['A.go', 'GO.MOD', 'Go.Mod', 'x:y.go', 'con.txt', "q'.go", 'É.go', '\u212a.go', 'tab\t.go', 'a.go.'];

function randomTree(r) {
  const pick = (arr) => arr[Math.floor(r() * arr.length)];
  const entries = new Map();
  entries.set('go.mod', { type: 'file', content: r() < 0.15 ? '' : 'module example.com/m\n\ngo 1.18\n' });
  if (r() < 0.2) entries.delete('go.mod');
  const n = 4 + Math.floor(r() * 14);
  for (let i = 0; i < n; i++) {
    const depth = Math.floor(r() * 3);
    const parts = [];
    for (let d = 0; d < depth; d++) parts.push(pick(DIRS));
    parts.push(r() < 0.05 ? pick(BAD_FILES) : pick(FILES));
    const path = parts.join('/');
    // Keep a path from being both a file and a directory prefix of another (a real fs can't hold both).
    if ([...entries.keys()].some((p) => p.startsWith(path + '/') || path.startsWith(p + '/'))) continue;
    const kind = r();
    if (kind < 0.08) entries.set(path, { type: 'symlink', target: r() < 0.5 ? 'a.go' : '..' });
    else if (kind < 0.12) entries.set(path, { type: 'dir' });
    else entries.set(path, { type: 'file', content: path.endsWith('go.mod') ? `module example.com/m/${i}\n` : `// ${path}\npackage p${i}\n`.repeat(1 + Math.floor(r() * 3)) });
  }
  return [...entries].map(([path, e]) => ({ path, ...e }));
}

const handMade = [
  {
    name: 'vendor-rules-go118',
    tree: [
      { path: 'go.mod', type: 'file', content: 'module example.com/m\n\ngo 1.18\n' },
      { path: 'vendor/modules.txt', type: 'file', content: '# x\n' },
      { path: 'vendor/a/b.go', type: 'file', content: 'package b\n' },
      { path: 'vendor/a.go', type: 'file', content: 'package vendor\n' },
      { path: 'pkg/vendor/vendor.go', type: 'file', content: 'package vendor\n' },
      { path: 'pkg/vendor/foo/foo.go', type: 'file', content: 'package foo\n' },
      { path: 'abcdefg/vendor/x.go', type: 'file', content: 'package x\n' },
      { path: 'sub/vendor/sub.txt', type: 'file', content: 'x\n' },
    ],
  },
  {
    name: 'nested-modules',
    tree: [
      { path: 'go.mod', type: 'file', content: 'module example.com/m\n' },
      { path: 'a.go', type: 'file', content: 'package m\n' },
      { path: 'sub/go.mod', type: 'file', content: 'module example.com/m/sub\n' },
      { path: 'sub/s.go', type: 'file', content: 'package sub\n' },
      { path: 'sub/deep/bad:name.go', type: 'file', content: 'never checked\n' },
      { path: 'caps/GO.MOD', type: 'file', content: 'module example.com/m/caps\n' },
      { path: 'caps/c.go', type: 'file', content: 'package caps\n' },
      { path: 'link/go.mod', type: 'symlink', target: '../go.mod' },
      { path: 'link/l.go', type: 'file', content: 'package link\n' },
      { path: 'go.mod.d/go.mod', type: 'dir' },
      { path: 'go.mod.d/x.go', type: 'file', content: 'package x\n' },
    ],
  },
  {
    name: 'vcs-dirs-and-specials',
    tree: [
      { path: 'go.mod', type: 'file', content: 'module example.com/m\n' },
      { path: '.git/config', type: 'file', content: '[core]\n' },
      { path: 'a/.hg/store', type: 'file', content: 'x\n' },
      { path: '.svn/entries', type: 'file', content: 'x\n' },
      { path: 'b/.bzr/branch', type: 'file', content: 'x\n' },
      { path: '.hg_archival.txt', type: 'file', content: 'repo: x\n' },
      { path: 'a/.hg_archival.txt', type: 'file', content: 'kept\n' },
      { path: '.gitignore', type: 'file', content: '*.o\n' },
      { path: 'empty', type: 'dir' },
      { path: 'link.go', type: 'symlink', target: 'a/.hg_archival.txt' },
      { path: 'LICENSE', type: 'file', content: 'MIT\n' },
    ],
  },
  {
    name: 'sub-directory-module-license',
    module: 'example.com/m/sub',
    subdir: 'sub',
    tree: [
      { path: 'go.mod', type: 'file', content: 'module example.com/m\n' },
      { path: 'LICENSE', type: 'file', content: 'root licence\n' },
      { path: 'sub/go.mod', type: 'file', content: 'module example.com/m/sub\n' },
      { path: 'sub/s.go', type: 'file', content: 'package sub\n' },
    ],
  },
  {
    name: 'major-version-subdir',
    module: 'example.com/m/v2',
    version: 'v2.1.0',
    subdir: 'v2',
    tree: [
      { path: 'go.mod', type: 'file', content: 'module example.com/m\n' },
      { path: 'LICENSE', type: 'file', content: 'root licence\n' },
      { path: 'v2/go.mod', type: 'file', content: 'module example.com/m/v2\n' },
      { path: 'v2/LICENSE', type: 'file', content: 'v2 licence\n' },
      { path: 'v2/m.go', type: 'file', content: 'package m\n' },
    ],
  },
  {
    name: 'incompatible-without-go-mod',
    version: 'v3.0.0+incompatible',
    tree: [{ path: 'm.go', type: 'file', content: 'package m\n' }],
  },
  {
    name: 'case-collision',
    tree: [
      { path: 'go.mod', type: 'file', content: 'module example.com/m\n' },
      { path: 'a.go', type: 'file', content: 'package m\n' },
      { path: 'A.go', type: 'file', content: 'package m\n' },
    ],
  },
  {
    name: 'root-go-mod-caps',
    tree: [{ path: 'GO.MOD', type: 'file', content: 'module example.com/m\n' }],
  },
  {
    name: 'unicode-names',
    tree: [
      { path: 'go.mod', type: 'file', content: 'module example.com/m\n' },
      { path: 'é/ü.go', type: 'file', content: 'package u\n' },
      { path: 'ﬀ.go', type: 'file', content: 'package u\n' },
      { path: '\u{1d400}.txt', type: 'file', content: 'math bold A\n' },
      { path: '日本.go', type: 'file', content: 'package u\n' },
    ],
  },
];

function writeTree(dir, tree, { skipGit }) {
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  for (const e of tree) {
    if (skipGit && e.path.split('/').includes('.git')) continue;
    const p = join(dir, e.path);
    mkdirSync(dirname(p), { recursive: true });
    if (e.type === 'file') writeFileSync(p, e.content);
    else if (e.type === 'dir') mkdirSync(p, { recursive: true });
    else symlinkSync(e.target, p);
  }
}

function git(dir, ...args) {
  return execFileSync('git', args, { cwd: dir, env: { ...process.env, GIT_AUTHOR_NAME: 'g', GIT_AUTHOR_EMAIL: 'g@x', GIT_COMMITTER_NAME: 'g', GIT_COMMITTER_EMAIL: 'g@x', HOME: '/tmp/gozip/home' }, stdio: ['ignore', 'pipe', 'pipe'] }).toString();
}

function runTool(mode, dir, c, zipOut) {
  const out = execFileSync(TOOL, [mode, dir, c.module, c.version, c.subdir ?? '', zipOut]).toString();
  return JSON.parse(out);
}

const r = rng(20261125);
const cases = handMade.map((c) => ({ module: 'example.com/m', version: 'v1.0.0', ...c }));
for (let i = 0; i < 120; i++) cases.push({ name: `random-${String(i).padStart(3, '0')}`, module: 'example.com/m', version: 'v1.0.0', tree: randomTree(r) });

rmSync(OUT, { recursive: true, force: true });
mkdirSync(join(OUT, 'zips'), { recursive: true });
const goVersion = execFileSync('go', ['version']).toString().trim();
const results = [];
for (const c of cases) {
  const base = join(WORK, c.name);
  // CreateFromDir: the tree as is (only for root modules; a subdir case points Go at the subdir).
  const dirTree = join(base, 'dir');
  writeTree(dirTree, c.tree, { skipGit: false });
  const dirRes = runTool('dir', c.subdir ? join(dirTree, c.subdir) : dirTree, c, join(base, 'dir.zip'));
  // CreateFromVCS: the same tree committed to git (git cannot hold .git paths; it does keep symlinks).
  const vcsTree = join(base, 'vcs');
  writeTree(vcsTree, c.tree, { skipGit: true });
  git(vcsTree, 'init', '-q');
  git(vcsTree, 'add', '-A');
  git(vcsTree, 'commit', '-q', '-m', 'x', '--allow-empty');
  const committed = git(vcsTree, 'ls-files', '-z').split('\0').filter(Boolean);
  const vcsRes = runTool('vcs', vcsTree, c, join(base, 'vcs.zip'));
  for (const [kind, res] of [['dir', dirRes], ['vcs', vcsRes]]) {
    if (res.zip) {
      copyFileSync(res.zip, join(OUT, 'zips', `${c.name}.${kind}.zip`));
      res.zip = `zips/${c.name}.${kind}.zip`;
    }
  }
  results.push({ ...c, committed, go: { dir: dirRes, vcs: vcsRes } });
}
writeFileSync(join(OUT, 'cases.json'), JSON.stringify({ generatedBy: 'test/modzip/gen/generate-go119.mjs', go: goVersion, cases: results }, null, 1) + '\n');
console.log(`${results.length} cases; dir errors: ${results.filter((x) => x.go.dir.error).length}; vcs errors: ${results.filter((x) => x.go.vcs.error).length}`);

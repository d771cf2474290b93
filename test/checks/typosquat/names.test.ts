import { describeOneEdit, editDistance, keyboardAdjacent, nameKey, relate, skeleton, tokenKey, describeNonAscii, diceExact } from '../../../src/checks/typosquat/names.js';
import { codeHostLookAlike, parsePath, registrableDomain } from '../../../src/checks/typosquat/path-parts.js';

describe('segment relations', () => {
  it.each([
    ['boltdb-go', 'boltdb', 'affix', '`boltdb` + `-go`'],
    ['go-boltdb', 'boltdb', 'affix', '`go-` + `boltdb`'],
    ['golang-boltdb', 'boltdb', 'affix', '`golang-` + `boltdb`'],
    ['shopsprint', 'shopspring', 'typo', '`g` -> `t` (adjacent keys)'],
    ['shopsprinq', 'shopspring', 'typo', '`g` -> `q`'],
    ['siruspen', 'sirupsen', 'typo', '`ps` swapped'],
    ['qiniiu', 'qiniu', 'typo', '`i` doubled'],
    ['qinniu', 'qiniu', 'typo', '`n` doubled'],
    ['qinu', 'qiniu', 'typo', '`i` omitted'],
    ['stretchrr', 'stretchr', 'typo', '`r` doubled'],
    ['go_yaml', 'go-yaml', 'delimiter', ''],
    ['goyaml', 'go-yaml', 'delimiter', ''],
    ['mcp-go', 'go-mcp', 'affix', ''],
    ['yaml.v3', 'yaml', 'version-suffix', '`.v3` appended'],
  ])('%s vs %s is %s', (s, t, kind, detail) => {
    const r = relate(s, t);
    expect(r.kind).toBe(kind);
    if (detail) expect('detail' in r ? r.detail : '').toBe(detail);
  });

  it('separates case-only, homoglyph and ASCII confusable differences', () => {
    expect(relate('Sirupsen', 'sirupsen').kind).toBe('case');
    const cyr = relate('lоgrus', 'logrus');
    expect(cyr).toEqual({ kind: 'confusable', detail: "Cyrillic 'о' (U+043E), which looks like 'o'" });
    expect(relate('g0ogle', 'google')).toEqual({ kind: 'confusable', detail: '`0` looks like `o`' });
    expect(relate('rnitchellh', 'mitchellh')).toEqual({ kind: 'confusable', detail: '`rn` looks like `m`' });
    expect(relate('spf1З', 'spf13').kind).toBe('confusable');
    expect(relate('kubernetes', 'prometheus').kind).toBe('none');
  });

  it('only calls long owner names two edits apart "near"', () => {
    expect(relate('hashicorq-x', 'hashicorp', true).kind).toBe('near');
    expect(relate('abcd', 'abxy', true).kind).toBe('none');
  });

  it('computes edit distance with transpositions and a cap', () => {
    expect(editDistance('siruspen', 'sirupsen')).toBe(1);
    expect(editDistance('kitten', 'sitting')).toBe(3);
    expect(editDistance('a', 'abcdefgh', 2)).toBe(3);
  });

  it('knows QWERTY neighbours and names edits', () => {
    expect(keyboardAdjacent('g', 't')).toBe(true);
    expect(keyboardAdjacent('q', 'p')).toBe(false);
    expect(keyboardAdjacent('a', 'z')).toBe(true);
    expect(describeOneEdit('abc', 'abc')).toBeNull();
    expect(describeOneEdit('axyz', 'abcd')).toBeNull();
  });

  it('builds keys that fold look-alikes together', () => {
    expect(skeleton('G0lang-Ioader')).toBe('golang-loader');
    expect(nameKey('go-Bolt_DB')).toBe('boltdb');
    expect(tokenKey('mcp-go')).toBe(tokenKey('go_mcp'));
    expect(describeNonAscii('plain')).toBeNull();
    expect(describeNonAscii('ｇithub')).toContain("which looks like 'g'");
  });
});

describe('path parts', () => {
  it('splits hosted paths into owner, repo, sub-path and major', () => {
    expect(parsePath('github.com/aws/aws-sdk-go-v2/service/sqs/v2')).toMatchObject({
      host: 'github.com', hosted: true, owner: 'aws', repo: 'aws-sdk-go-v2', sub: 'service/sqs', major: 'v2', majorStyle: '/',
      base: 'github.com/aws/aws-sdk-go-v2/service/sqs', root: 'github.com/aws/aws-sdk-go-v2', githubRepo: 'github.com/aws/aws-sdk-go-v2',
    });
  });

  it('reads vanity shapes: golang.org/x, gopkg.in, bare domains', () => {
    expect(parsePath('golang.org/x/crypto')).toMatchObject({ hosted: false, owner: null, namespace: 'golang.org/x', repo: 'crypto', root: 'golang.org/x/crypto' });
    expect(parsePath('gopkg.in/yaml.v3')).toMatchObject({ repo: 'yaml', major: 'v3', majorStyle: '.', base: 'gopkg.in/yaml', githubRepo: 'github.com/go-yaml/yaml' });
    expect(parsePath('gopkg.in/alecthomas/kingpin.v2')).toMatchObject({ owner: 'alecthomas', repo: 'kingpin', githubRepo: 'github.com/alecthomas/kingpin' });
    expect(parsePath('go.uber.org/zap')).toMatchObject({ namespace: 'go.uber.org', repo: 'zap' });
    expect(parsePath('tailscale.com')).toMatchObject({ repo: '', root: 'tailscale.com' });
    expect(parsePath('cloud.google.com/go/storage')).toMatchObject({ repo: 'go', sub: 'storage' });
  });

  it('reads a domain imitating a code host with the code host\'s shape', () => {
    expect(codeHostLookAlike('githb.com')).toBe('github.com');
    expect(codeHostLookAlike('github.io')).toBe('github.com');
    expect(codeHostLookAlike('example.com')).toBeNull();
    expect(parsePath('githb.com/sirupsen/logrus')).toMatchObject({ hosted: false, owner: 'sirupsen', repo: 'logrus' });
  });

  it('finds the registrable domain', () => {
    expect(registrableDomain('sigs.k8s.io')).toBe('k8s.io');
    expect(registrableDomain('go.etcd.io')).toBe('etcd.io');
    expect(registrableDomain('foo.example.co.uk')).toBe('example.co.uk');
  });
});

describe('diceExact', () => {
  it('matches the string-similarity package it replaces (bigrams with multiplicity, whitespace ignored)', () => {
    // Values string-similarity@4.0.4 compareTwoStrings returned for these pairs.
    expect(diceExact('healed', 'sealed')).toBeCloseTo(0.8, 10);
    expect(diceExact('Olive-green table for sale', 'olive green table')).toBeCloseTo(0.6666666666666666, 10);
    expect(diceExact('aaaa', 'aa')).toBeCloseTo(0.5, 10);
    expect(diceExact('a', 'a')).toBe(1);
    expect(diceExact('a', 'b')).toBe(0);
    expect(diceExact('', '')).toBe(1);
    expect(diceExact('github.com/boltdb/bolt', 'github.com/boltdb-go/bolt')).toBeCloseTo(0.8888888888888888, 10);
  });
});

import { createHash } from 'node:crypto';
import { EMPTY_GO_MOD_H1, HashError, compareUtf8, hash1, hashGoMod, sha256Hex, syntheticGoMod } from '../../src/modzip/hash.js';

// Vectors from the reference digest §10 (checked there against go1.19.8 and golang/mod testdata).
const SIMPLE_GO_MOD = 'module example.com/m\n\ngo 1.13\n';

describe('hash1 (dirhash.Hash1)', () => {
  it('hashes an empty file list like an empty module zip', () => {
    expect(hash1([])).toBe('h1:47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=');
  });

  it('matches dirhash TestHash1 (xyz, abc)', () => {
    const files = ['xyz', 'abc'].map((n) => ({ name: n, sha256: sha256Hex(`data for ${n}`) }));
    expect(hash1(files)).toBe('h1:EP6WfDoQTSk9klnxcjriWJOGztueJUywHNmWeq+efB8=');
  });

  it('matches the summary construction by hand and ignores input order', () => {
    const files = [
      { name: 'b', sha256: sha256Hex('2') },
      { name: 'a', sha256: sha256Hex('1') },
    ];
    const summary = `${sha256Hex('1')}  a\n${sha256Hex('2')}  b\n`;
    const want = 'h1:' + createHash('sha256').update(summary).digest('base64');
    expect(hash1(files)).toBe(want);
    expect(hash1([...files].reverse())).toBe(want);
  });

  it('sorts by UTF-8 bytes, not UTF-16 units', () => {
    // U+FF21 (UTF-16 0xFF21) sorts after U+1F600 (surrogates 0xD83D..) in UTF-16 but before it in UTF-8.
    expect(compareUtf8('\uff21', '\u{1f600}')).toBeLessThan(0);
    expect('\uff21' < '\u{1f600}').toBe(false);
  });

  it('refuses a name with a newline, naming it', () => {
    expect(() => hash1([{ name: 'a\nb', sha256: sha256Hex('') }])).toThrow(HashError);
    expect(() => hash1([{ name: 'a\nb', sha256: sha256Hex('') }])).toThrow(/"a\\nb"/);
  });

  it('refuses a digest that is not 64 lowercase hex characters', () => {
    expect(() => hash1([{ name: 'a', sha256: 'ABC' }])).toThrow(/sha256/);
  });
});

describe('hashGoMod (the /go.mod line of go.sum)', () => {
  it('hashes the empty go.mod to the value Go ignores', () => {
    expect(hashGoMod(new Uint8Array())).toBe(EMPTY_GO_MOD_H1);
    expect(EMPTY_GO_MOD_H1).toBe('h1:G7mAYYxgmS0lVkHyy2hEOLQCFB0DlQFTMLWggykrydY=');
  });

  it('hashes the simple module go.mod like go1.19.8 GoModSum', () => {
    expect(hashGoMod(Buffer.from(SIMPLE_GO_MOD))).toBe('h1:UWkIka9t4wTRf5TZ+sRdwnADRAp+U7R9A2lAeNEx1cA=');
    expect(hashGoMod(SIMPLE_GO_MOD)).toBe('h1:UWkIka9t4wTRf5TZ+sRdwnADRAp+U7R9A2lAeNEx1cA=');
  });

  it('is Hash1 over the single name go.mod', () => {
    expect(hashGoMod('x')).toBe(hash1([{ name: 'go.mod', sha256: sha256Hex('x') }]));
  });
});

describe('syntheticGoMod', () => {
  it('is "module <path>\\n"', () => {
    expect(syntheticGoMod('github.com/pmezard/go-difflib')).toBe('module github.com/pmezard/go-difflib\n');
  });

  it('hashes like go.sum lines of real modules without go.mod', () => {
    // go.sum lines published by countless projects (e.g. stretchr/testify's go.sum).
    expect(hashGoMod(syntheticGoMod('github.com/pmezard/go-difflib'))).toBe('h1:iKH77koFhYxTK1pcRnkKkqfTogsbg7gZNVY4sRDYZ/4=');
    expect(hashGoMod(syntheticGoMod('github.com/davecgh/go-spew'))).toBe('h1:J7Y8YcW2NihsgmVo/mv3lAwl/skON4iLHjSsI+c5H38=');
    // golang.org/x/text v0.0.0-20170915032832-14c0d48ead0c/go.mod, from Go's module tutorial go.sum.
    expect(hashGoMod(syntheticGoMod('golang.org/x/text'))).toBe('h1:NqM8EUOU14njkJ3fqMW+pc6Ldnwhi/IjpwHt7yyuwOQ=');
  });

  it('hashes real go.mod files to their published go.sum lines', () => {
    // rsc.io/sampler v1.3.0/go.mod (rsc/sampler's go.mod plus its require line) and rsc.io/quote v1.5.2/go.mod.
    expect(hashGoMod('module "rsc.io/sampler"\n\nrequire "golang.org/x/text" v0.0.0-20170915032832-14c0d48ead0c\n')).toBe('h1:T1hPZKmBbMNahiBKFy5HrXp6adAjACjK9JXDnKaTXpA=');
    expect(hashGoMod('module "rsc.io/quote"\n\nrequire "rsc.io/sampler" v1.3.0\n')).toBe('h1:LzX7hefJvL54yjefDEDHNONDjII0t9xZLPXsUe+TKr0=');
  });
});

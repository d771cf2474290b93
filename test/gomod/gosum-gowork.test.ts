import { EMPTY_GO_MOD_HASH, goSumEntry, goSumHash, goSumHashes, parseGoSum, readGoSum, versionSums } from '../../src/gomod/gosum.js';
import { parseWorkFile } from '../../src/gomod/gowork.js';
import { ModFileError } from '../../src/gomod/modfile.js';

const H1 = 'h1:tpqYOOmuilagXzyqoJ3roUjp8gneQeTv5YVpL6BG7/k=';
const H2 = 'h1:UWkIka9t4wTRf5TZ+sRdwnADRAp+U7R9A2lAeNEx1cA=';

function errorsOf(f: () => unknown): string {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(ModFileError);
    return (e as Error).message;
  }
  throw new Error('expected an error');
}

describe('go.sum', () => {
  const text = [
    `golang.org/x/text v0.3.2 ${H1}`,
    `golang.org/x/text v0.3.2/go.mod ${H2}`,
    '',
    `example.com/m v1.0.0/go.mod ${EMPTY_GO_MOD_HASH}`,
    `  github.com/Azure/azure-sdk-for-go   v44.0.0+incompatible\t${H2}\r`,
    '',
  ].join('\n');

  it('parses lines, skips blanks and the old empty-go.mod hash, tolerates CRLF and extra spaces', () => {
    const sum = parseGoSum('go.sum', text);
    expect(sum.entries).toEqual([
      { path: 'golang.org/x/text', version: 'v0.3.2', goMod: false, hash: H1, line: 1 },
      { path: 'golang.org/x/text', version: 'v0.3.2', goMod: true, hash: H2, line: 2 },
      { path: 'github.com/Azure/azure-sdk-for-go', version: 'v44.0.0+incompatible', goMod: false, hash: H2, line: 5 },
    ]);
  });

  it('looks hashes up by module, version and kind', () => {
    const sum = parseGoSum('go.sum', text);
    expect(goSumHash(sum, 'golang.org/x/text', 'v0.3.2')).toBe(H1);
    expect(goSumHash(sum, 'golang.org/x/text', 'v0.3.2', true)).toBe(H2);
    expect(goSumHash(sum, 'golang.org/x/text', 'v0.3.3')).toBeNull();
    expect(goSumHash(sum, 'example.com/m', 'v1.0.0', true)).toBeNull();
    expect(goSumEntry(sum, 'golang.org/x/text', 'v0.3.2', true)?.line).toBe(2);
    const twice = parseGoSum('go.sum', `a.com/x v1.0.0 ${H1}\na.com/x v1.0.0 ${H2}\n`);
    expect(goSumHashes(twice, 'a.com/x', 'v1.0.0')).toEqual([H1, H2]);
  });

  it('rejects malformed lines, naming each line', () => {
    const bad = [
      `a.com/x v1.0.0 ${H1}`,
      'a.com/x v1.0.0',
      `a.com/x v1.0.0 ${H1} extra`,
      `a.com/x 1.0.0 ${H1}`,
      'a.com/x v1.0.0 h1:short=',
      'a.com/x v1.0.0 sha256:abcd',
    ].join('\n');
    expect(errorsOf(() => parseGoSum('sub/go.sum', bad)).split('\n')).toEqual([
      'sub/go.sum:2: wrong number of fields 2',
      'sub/go.sum:3: wrong number of fields 4',
      'sub/go.sum:4: malformed version "1.0.0" for a.com/x',
      'sub/go.sum:5: malformed hash "h1:short=" for a.com/x v1.0.0 (want h1: and 44 base64 characters)',
      'sub/go.sum:6: malformed hash "sha256:abcd" for a.com/x v1.0.0 (want h1: and 44 base64 characters)',
    ]);
    expect(parseGoSum('go.sum', '').entries).toEqual([]);
    expect(parseGoSum('go.sum', Buffer.from(`a.com/x v1.0.0 ${H1}`)).entries).toHaveLength(1);
  });
});

describe('go.work', () => {
  it('parses go, toolchain, godebug, use and replace in both forms, with lines', () => {
    const w = parseWorkFile(
      'go.work',
      'go 1.22.1\n\ntoolchain go1.22.2\n\ngodebug default=go1.21\n\nuse (\n\t.\n\t./tools\n\t"./with space"\n)\nuse ../other\n\nreplace example.com/a v1.0.0 => example.com/b v1.1.0\nreplace (\n\texample.com/c => ./c\n)\n',
    );
    expect(w.go).toMatchObject({ version: '1.22.1', line: 1 });
    expect(w.toolchain).toMatchObject({ name: 'go1.22.2', line: 3 });
    expect(w.godebug).toMatchObject([{ key: 'default', value: 'go1.21', line: 5 }]);
    expect(w.use.map((u) => [u.path, u.line, u.col])).toEqual([
      ['.', 8, 2],
      ['./tools', 9, 2],
      ['./with space', 10, 2],
      ['../other', 12, 1],
    ]);
    expect(w.replace.map((r) => [r.old.path, r.old.version, r.new.path, r.new.version, r.local, r.line])).toEqual([
      ['example.com/a', 'v1.0.0', 'example.com/b', 'v1.1.0', false, 14],
      ['example.com/c', null, './c', null, true, 16],
    ]);
  });

  it('rejects what go.work does not allow, worded like Go', () => {
    expect(errorsOf(() => parseWorkFile('go.work', 'go 1.21\nrequire example.com/a v1.0.0\n'))).toBe('go.work:2: unknown directive: require');
    expect(errorsOf(() => parseWorkFile('go.work', 'module x\n'))).toBe('go.work:1: unknown directive: module');
    expect(errorsOf(() => parseWorkFile('go.work', 'require (\n)\n'))).toBe('go.work:1: unknown block type: require');
    expect(errorsOf(() => parseWorkFile('go.work', 'use a b\n'))).toBe('go.work:1: usage: use local/dir');
    expect(errorsOf(() => parseWorkFile('go.work', 'go 1.21\ngo 1.22\n'))).toBe('go.work:2: repeated go statement');
    expect(errorsOf(() => parseWorkFile('go.work', 'go v1.21\n'))).toBe("go.work:1: invalid go version 'v1.21': must match format 1.23.0");
    expect(errorsOf(() => parseWorkFile('go.work', 'replace a => b\n'))).toBe(
      'go.work:1: replacement module without version must be directory path (rooted or starting with . or ..)',
    );
    expect(errorsOf(() => parseWorkFile('go.work', 'use (\n'))).toBe('go.work:2: syntax error (unterminated block started at go.work:1:1)');
    expect(errorsOf(() => parseWorkFile('go.work', '\ufeffgo 1.21\n'))).toBe("go.work:1: unexpected input character '\\ufeff'");
    expect(parseWorkFile('go.work', '\ufeffgo 1.21\n', { bom: 'strip' }).go?.version).toBe('1.21');
  });
});

describe('readGoSum and versionSums: one reader for the checks', () => {
  it('keeps the well-formed lines of a broken go.sum and names the others', () => {
    const { sum, errors } = readGoSum('go.sum', `a.com/x v1.0.0 ${H1}\ngarbage\na.com/x v1.0.0/go.mod ${H2}\n`);
    expect(errors).toEqual([{ file: 'go.sum', line: 2, col: 1, message: 'wrong number of fields 1' }]);
    expect(versionSums(sum, 'a.com/x', 'v1.0.0')).toEqual({ h1: H1, goModH1: H2 });
    expect(versionSums(sum, 'a.com/y', 'v1.0.0')).toEqual({ h1: null, goModH1: null });
    expect(() => parseGoSum('go.sum', 'not a line\n')).toThrow(ModFileError);
  });

  it('keeps a line whose hash can never verify, as Go does, so comparing it shows the mismatch', () => {
    const { sum, errors } = readGoSum('go.sum', 'a.com/x v1.0.0/go.mod h1:not-the-right-hash=\n');
    expect(errors.map((e) => e.message)).toEqual(['malformed hash "h1:not-the-right-hash=" for a.com/x v1.0.0/go.mod (want h1: and 44 base64 characters)']);
    expect(versionSums(sum, 'a.com/x', 'v1.0.0')).toEqual({ h1: null, goModH1: 'h1:not-the-right-hash=' });
  });
});

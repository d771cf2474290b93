import { ModFileError, parseModFile, parseModFileLax, tryParseModFile, type ModFile } from '../../src/gomod/modfile.js';

function parse(text: string, lax = false): ModFile {
  return parseModFile('go.mod', text, { lax });
}

/** The Go-formatted error text for `text`, or fails the test if it parses. */
function errorText(text: string, lax = false): string {
  const r = tryParseModFile('go.mod', text, { lax });
  if (r.ok) throw new Error(`expected a parse error for ${JSON.stringify(text)}`);
  expect(r.error).toBeInstanceOf(ModFileError);
  return r.error.message;
}

const M = 'module example.com/m\n';

describe('go.mod directives (strict, as modfile.Parse with no fixer)', () => {
  it('module, go, toolchain, godebug', () => {
    const f = parse('module example.com/m\n\ngo 1.22.3\ntoolchain go1.23.1\ngodebug default=go1.21\ngodebug (\n\tpanicnil=1\n\tasynctimerchan=0\n)\n');
    expect(f.module).toEqual({ file: 'go.mod', line: 1, col: 1, path: 'example.com/m', deprecated: null });
    expect(f.go).toEqual({ file: 'go.mod', line: 3, col: 1, version: '1.22.3' });
    expect(f.toolchain).toMatchObject({ line: 4, name: 'go1.23.1' });
    expect(f.godebug.map((g) => [g.key, g.value, g.line, g.col])).toEqual([
      ['default', 'go1.21', 5, 1],
      ['panicnil', '1', 7, 2],
      ['asynctimerchan', '0', 8, 2],
    ]);
  });

  it('go version formats', () => {
    for (const ok of ['1.22', '1.22.333', '1.2rc1', '1.21.0', '1.0']) expect(parse(M + `go ${ok}\n`).go?.version).toBe(ok);
    expect(errorText(M + 'go 1\n')).toBe("go.mod:2: invalid go version '1': must match format 1.23.0");
    expect(errorText(M + 'go v1.2\n')).toBe("go.mod:2: invalid go version 'v1.2': must match format 1.23.0");
    expect(errorText(M + 'go 1.2.beta1\n')).toBe("go.mod:2: invalid go version '1.2.beta1': must match format 1.23.0");
    expect(errorText(M + 'go 1.19\ngo 1.20\n')).toBe('go.mod:3: repeated go statement');
    expect(errorText(M + 'go 1.19 1.20\n')).toBe('go.mod:2: go directive expects exactly one argument');
    expect(errorText(M + 'toolchain 1.21\n')).toBe("go.mod:2: invalid toolchain version '1.21': must match format go1.23.0 or default");
    expect(parse(M + 'toolchain default\n').toolchain?.name).toBe('default');
    expect(parse(M + 'toolchain go1.2rc1-gccgo\n').toolchain?.name).toBe('go1.2rc1-gccgo');
    expect(errorText(M + 'toolchain go1.21.0\ntoolchain go1.22.0\n')).toBe('go.mod:3: repeated toolchain statement');
  });

  it('godebug argument rules', () => {
    expect(errorText(M + 'godebug foo\n')).toBe('go.mod:2: usage: godebug key=value');
    expect(errorText(M + "godebug a='b'\n")).toBe('go.mod:2: usage: godebug key=value');
    expect(errorText(M + 'godebug a=b,c=d\n')).toBe('go.mod:2: usage: godebug key=value');
    expect(parse(M + 'godebug a=\n').godebug[0]).toMatchObject({ key: 'a', value: '' });
  });

  it('require in both forms, with // indirect rules', () => {
    const f = parse(
      M +
        'require example.com/single v1.0.0\n' +
        'require (\n' +
        '\texample.com/a v1.0.0 // indirect\n' +
        '\texample.com/b v1.0.0 //indirect\n' +
        '\texample.com/c v1.0.0 // indirect; keep\n' +
        '\texample.com/d v1.0.0 // indirect note\n' +
        '\texample.com/e v1.0.0 // Indirect\n' +
        '\texample.com/f/v2 v2.3.4\n' +
        ')\n',
    );
    expect(f.require.map((r) => [r.path, r.version, r.indirect, r.line, r.col])).toEqual([
      ['example.com/single', 'v1.0.0', false, 2, 1],
      ['example.com/a', 'v1.0.0', true, 4, 2],
      ['example.com/b', 'v1.0.0', true, 5, 2],
      ['example.com/c', 'v1.0.0', true, 6, 2],
      ['example.com/d', 'v1.0.0', false, 7, 2],
      ['example.com/e', 'v1.0.0', false, 8, 2],
      ['example.com/f/v2', 'v2.3.4', false, 9, 2],
    ]);
  });

  it('versions are canonicalised and checked against the major suffix', () => {
    expect(parse(M + 'require example.com/y v1.2\n').require[0]!.version).toBe('v1.2.0');
    expect(parse(M + 'require example.com/y v1.2.3+meta\n').require[0]!.version).toBe('v1.2.3');
    expect(parse(M + 'require example.com/x v2.0.0+incompatible\n').require[0]!.version).toBe('v2.0.0+incompatible');
    expect(parse(M + 'require gopkg.in/check.v1 v0.0.0-20161208181325-20d25e280405\n').require).toHaveLength(1);
    expect(errorText(M + 'require example.com/x v2.0.0\n')).toBe(
      'go.mod:2: require example.com/x: version "v2.0.0" invalid: should be v0 or v1, not v2',
    );
    expect(errorText(M + 'require example.com/x/v2 v1.0.0\n')).toBe(
      'go.mod:2: require example.com/x/v2: version "v1.0.0" invalid: should be v2, not v1',
    );
    expect(errorText(M + 'require gopkg.in/yaml.v3 v2.0.0\n')).toBe(
      'go.mod:2: require gopkg.in/yaml.v3: version "v2.0.0" invalid: should be v3, not v2',
    );
    expect(errorText(M + 'require example.com/x bad\n')).toBe(
      'go.mod:2: require example.com/x: version "bad" invalid: must be of the form v1.2.3',
    );
    expect(errorText(M + 'require example.com/x/v1 v1.0.0\n')).toBe('go.mod:2: invalid module path');
    expect(errorText(M + 'require example.com/x v1.0.0 extra\n')).toBe('go.mod:2: usage: require module/path v1.2.3');
    expect(errorText(M + 'exclude example.com/x\n')).toBe('go.mod:2: usage: exclude module/path v1.2.3');
  });

  it('exclude in both forms', () => {
    const f = parse(M + 'exclude example.com/a v1.0.0\nexclude (\n\texample.com/b v1.0.1\n)\n');
    expect(f.exclude.map((e) => [e.path, e.version, e.line])).toEqual([
      ['example.com/a', 'v1.0.0', 2],
      ['example.com/b', 'v1.0.1', 4],
    ]);
  });

  it('replace: module targets, directories, wildcard and version-specific, quoted', () => {
    const f = parse(
      M +
        'replace example.com/a v1.0.0 => example.com/b v1.2.0\n' +
        'replace example.com/c => ../c\n' +
        'replace example.com/d => /abs/d\n' +
        'replace xyz "v1.4.5" => "/tmp/my dir"\n' +
        'replace (\n\texample.com/e => example.com/f v1\n\texample.com/g v1.0.0 => ./g\n\texample.com/h => C:/h\n)\n',
    );
    expect(f.replace.map((r) => [r.old.path, r.old.version, r.new.path, r.new.version, r.local, r.line])).toEqual([
      ['example.com/a', 'v1.0.0', 'example.com/b', 'v1.2.0', false, 2],
      ['example.com/c', null, '../c', null, true, 3],
      ['example.com/d', null, '/abs/d', null, true, 4],
      ['xyz', 'v1.4.5', '/tmp/my dir', null, true, 5],
      ['example.com/e', null, 'example.com/f', 'v1.0.0', false, 7],
      ['example.com/g', 'v1.0.0', './g', null, true, 8],
      ['example.com/h', null, 'C:/h', null, true, 9],
    ]);
  });

  it('replace errors are worded like Go', () => {
    const usage =
      'usage: replace module/path [v1.2.3] => other/module v1.4\n\t or replace module/path [v1.2.3] => ../local/directory';
    expect(errorText(M + 'replace a=>b v1.0.0\n')).toBe(`go.mod:2: ${usage}`);
    expect(errorText(M + 'replace example.com/a =>\n')).toBe(`go.mod:2: ${usage}`);
    expect(errorText(M + 'replace example.com/a v1.0.0 example.com/b v1.0.0\n')).toBe(`go.mod:2: ${usage}`);
    expect(errorText(M + 'replace example.com/a => fork/a\n')).toBe(
      'go.mod:2: replacement module without version must be directory path (rooted or starting with . or ..)',
    );
    expect(errorText(M + 'replace example.com/a => example.com/b@v1.0.0\n')).toBe(
      "go.mod:2: replacement module must match format 'path version', not 'path@version'",
    );
    expect(errorText(M + 'replace example.com/a => ./x v1.0.0\n')).toBe(
      'go.mod:2: replacement module directory path "./x" cannot have version',
    );
    expect(errorText(M + 'replace example.com/a => .\\x\n')).toBe(
      'go.mod:2: replacement directory appears to be Windows path (on a non-windows system)',
    );
    expect(errorText(M + 'replace example.com/a v2.0.0 => ./x\n')).toBe(
      'go.mod:2: replace example.com/a: version "v2.0.0" invalid: should be v0 or v1, not v2',
    );
    expect(errorText(M + 'replace example.com/a/v1 => ./a\n')).toBe('go.mod:2: replace example.com/a/v1: invalid module path');
    expect(errorText(M + 'replace example.com/a => C:\\x\n')).toBe(
      'go.mod:2: replacement directory appears to be Windows path (on a non-windows system)',
    );
    expect(errorText(M + 'replace example.com/a => example.com/b bad\n')).toBe(
      'go.mod:2: replace example.com/b: version "bad" invalid: must be of the form v1.2.3',
    );
  });

  it('retract: single, interval, rationale from comments (block comments when the line has none)', () => {
    const f = parse(
      M +
        '\n// retract the bad ones\nretract (\n\t// broken\n\tv1.0.0 // really\n\t[v1.1.0, v1.2.0]\n\t[v1.3.0,v1.4.0]\n)\n' +
        'retract v0.9.0 // oops\n',
    );
    expect(f.retract.map((r) => [r.low, r.high, r.rationale, r.line])).toEqual([
      ['v1.0.0', 'v1.0.0', 'broken\nreally', 6],
      ['v1.1.0', 'v1.2.0', 'retract the bad ones', 7],
      ['v1.3.0', 'v1.4.0', 'retract the bad ones', 8],
      ['v0.9.0', 'v0.9.0', 'oops', 10],
    ]);
  });

  it('retract errors in strict mode, ignored in lax mode', () => {
    expect(errorText(M + 'retract v1.0.0 extra\n')).toBe('go.mod:2: unexpected token after version: "extra"');
    expect(errorText(M + 'retract (v1.2.3, v1.2.4]\n')).toBe("go.mod:2: expected '[' or version");
    expect(errorText(M + 'retract [v1.0.0 v1.1.0]\n')).toBe("go.mod:2: expected ',' after version");
    expect(errorText(M + 'retract [\n')).toBe("go.mod:2: expected version after '['");
    expect(errorText(M + 'retract [v1.0.0,\n')).toBe("go.mod:2: expected version after ','");
    expect(errorText(M + 'retract [v1.0.0, v1.1.0\n')).toBe("go.mod:2: expected ']' after version");
    expect(errorText(M + 'retract\n')).toBe("go.mod:2: expected '[' or version");
    // Lax: a bad interval is skipped and trailing tokens are tolerated (future syntax).
    expect(parse(M + 'retract (v1.2.3, v1.2.4]\nretract v1.0.0 extra\n', true).retract.map((r) => [r.low, r.line])).toEqual([
      ['v1.0.0', 3],
    ]);
  });

  it('tool and ignore', () => {
    const f = parse(M + 'tool golang.org/x/tools/cmd/stringer\ntool (\n\texample.com/gen\n)\nignore ./node_modules\nignore (\n\tstatic\n\t"with space"\n)\n');
    expect(f.tool.map((t) => [t.path, t.line])).toEqual([
      ['golang.org/x/tools/cmd/stringer', 2],
      ['example.com/gen', 4],
    ]);
    expect(f.ignore.map((t) => [t.path, t.line])).toEqual([
      ['./node_modules', 6],
      ['static', 8],
      ['with space', 9],
    ]);
    expect(errorText(M + 'tool a b\n')).toBe('go.mod:2: tool directive expects exactly one argument');
    expect(errorText(M + 'ignore ./a ./b\n')).toBe('go.mod:2: ignore directive expects exactly one argument');
    expect(errorText(M + 'ignore(\n\t./a ./b\n)\n')).toBe('go.mod:3:2: ignore directive expects exactly one argument');
  });

  it('module directive forms and errors', () => {
    expect(parse('module "example.com/q"\n').module?.path).toBe('example.com/q');
    expect(parse('module (\n\texample.com/m\n)\n').module).toMatchObject({ path: 'example.com/m', line: 2, col: 2 });
    expect(errorText('module example.com/m\nmodule example.com/n\n')).toBe('go.mod:2: repeated module statement');
    expect(errorText('module\n')).toBe('go.mod:1: usage: module module/path');
    expect(errorText('module a b\n')).toBe('go.mod:1: usage: module module/path');
    expect(parse('require example.com/x v1.0.0\n').module).toBeNull();
  });

  it('reports every directive error, not just the first', () => {
    const e = tryParseModFile('sub/go.mod', M + 'foo bar\nrequire x.com/a bad\ngo 1\n');
    expect(e.ok).toBe(false);
    if (e.ok) return;
    expect(e.error.errors.map((x) => [x.file, x.line, x.col])).toEqual([
      ['sub/go.mod', 2, 1],
      ['sub/go.mod', 3, 1],
      ['sub/go.mod', 4, 1],
    ]);
    expect(e.error.message.split('\n')).toEqual([
      'sub/go.mod:2: unknown directive: foo',
      'sub/go.mod:3: require x.com/a: version "bad" invalid: must be of the form v1.2.3',
      "sub/go.mod:4: invalid go version '1': must match format 1.23.0",
    ]);
  });
});

describe('Deprecated: on the module line (rule_test.go cases)', () => {
  it.each([
    ['// Deprecated: blah\nmodule m\n', 'blah'],
    ['//Deprecated:blah\nmodule m\n', 'blah'],
    ['// deprecated: blah\nmodule m\n', null],
    ['// other\n// Deprecated: blah\nmodule m\n', null],
    ['// other\n//\n// Deprecated: blah\nmodule m\n', 'blah'],
    ['module m // Deprecated: blah\n', 'blah'],
    ['// Deprecated: a\n// Deprecated: b\nmodule m\n', 'a\nDeprecated: b'],
    ['// Deprecated: a\n//\n// Deprecated: b\nmodule m\n', 'a'],
    ['// Deprecated: use example.com/n\n// instead\n//\n// more\nmodule m\n', 'use example.com/n\ninstead'],
    ['// Deprecated:\nmodule m\n', ''],
    ['module (\n\t// Deprecated: in block\n\tm\n)\n', 'in block'],
    ['// Deprecated: block comment\nmodule (\n\tm\n)\n', 'block comment'],
    ['// Deprecated: detached\n\nmodule m\n', null],
  ])('%j → %j', (text, want) => {
    expect(parse(text).module?.deprecated).toBe(want);
  });
});

describe('lexing and tricky lines (reference §7.5)', () => {
  it('/* */ comments are errors, with the column', () => {
    expect(errorText('module example.com/m /* c */\n')).toBe(
      'go.mod:1:22: mod files must use // comments (not /* */ comments)',
    );
    expect(errorText('module example.com/m/*c*/\n')).toBe('go.mod:1:21: mod files must use // comments (not /* */ comments)');
  });

  it('quoted strings follow strconv.Unquote; raw strings are rejected as arguments', () => {
    expect(parse(M + 'require "example.com/\\x79" "v1.0.0"\n').require[0]!.path).toBe('example.com/y');
    expect(parse(M + 'require "example.com/\\u0079" v1.0.0\n').require[0]!.path).toBe('example.com/y');
    expect(parse(M + 'require "example.com/\\171" v1.0.0\n').require[0]!.path).toBe('example.com/y');
    expect(parse(M + 'require "example.com/x\\n" v1.0.0\n').require[0]!.path).toBe('example.com/x\n');
    expect(errorText(M + 'require example.com/x `v1.0.0`\n')).toBe(
      'go.mod:2: require example.com/x: version "`v1.0.0`" invalid: unquoted string cannot contain quote',
    );
    expect(errorText(M + "require 'example.com/x' v1.0.0\n")).toBe('go.mod:2: invalid quoted string: unquoted string cannot contain quote');
    expect(errorText(M + 'require `example.com/x` v1.0.0\n')).toBe('go.mod:2: invalid quoted string: unquoted string cannot contain quote');
    expect(errorText(M + 'require "example.com/x\\q" v1.0.0\n')).toBe('go.mod:2: invalid quoted string: invalid syntax');
    expect(errorText(M + 'require "example.com/x\\\'" v1.0.0\n')).toBe('go.mod:2: invalid quoted string: invalid syntax');
    expect(errorText(M + 'require example.com/x "v1.0\\q"\n')).toBe(
      'go.mod:2: require example.com/x: version "\\"v1.0\\\\q\\"" invalid: invalid syntax',
    );
  });

  it('unterminated strings and blocks', () => {
    expect(errorText(M + 'require example.com/x "v1.0.0\n')).toBe('go.mod:2:30: unexpected newline in string');
    expect(errorText(M + 'require example.com/x "v1.0.0')).toBe('go.mod:2:23: unexpected EOF in string');
    expect(errorText(M + 'require (\n\texample.com/x v1.0.0\n')).toBe(
      'go.mod:4: syntax error (unterminated block started at go.mod:2:1)',
    );
    // ')' at the end of an entry is just a token: the block never closes.
    expect(errorText(M + 'require (\n\texample.com/x v1.0.0 )\n')).toBe(
      'go.mod:4: syntax error (unterminated block started at go.mod:2:1)',
    );
    expect(errorText(M + 'require (\n\texample.com/x v1.0.0\n) x\n')).toBe(
      'go.mod:4:4: syntax error (expected newline after closing paren)',
    );
  });

  it('"(" mid-line is a token, "verb ( )" is an empty block, punctuation splits tokens', () => {
    expect(errorText(M + 'require (example.com/x v1.0.0\n)\n')).toBe(
      'go.mod:2: usage: require module/path v1.2.3\ngo.mod:3: unknown directive: )',
    );
    expect(parse(M + 'require ( )\n').require).toEqual([]);
    expect(errorText(M + 'block1()\n')).toBe('go.mod:2: unknown block type: block1');
    expect(parse(M + 'block1()\n', true).require).toEqual([]);
    expect(errorText(M + 'go (\n)\n')).toBe('go.mod:2: unknown block type: go');
    expect(errorText(M + 'toolchain (\n)\n')).toBe('go.mod:2: unknown block type: toolchain');
    expect(errorText(M + 'x ( ) "y"\n')).toBe('go.mod:2: unknown directive: x');
    expect(errorText(M + 'require a[b]c{d}e, v1\n')).toBe('go.mod:2: usage: require module/path v1.2.3');
    // '( )' then end of line makes an (empty) block whatever came before.
    expect(errorText(M + 'require example.com/x v1.0.0 ( )\n')).toBe('go.mod:2: unknown block type: require example.com/x v1.0.0');
  });

  it('"//" ends an identifier and starts a comment', () => {
    const f = parse(M + 'require example.com/x v1.0.0//indirect\n');
    expect(f.require[0]).toMatchObject({ version: 'v1.0.0', indirect: true });
    expect(errorText(M + 'require example.com/x//y v1.0.0\n')).toBe('go.mod:2: usage: require module/path v1.2.3');
  });

  it('non-printable and Unicode-space characters are rejected with their position', () => {
    expect(errorText(M + '\u0001\n')).toBe("go.mod:2: unexpected input character '\\x01'");
    expect(errorText(M + 'require example.com/x\u00a0v1.0.0\n')).toBe("go.mod:2:22: unexpected input character '\\u00a0'");
  });

  it('CRLF line endings read like LF, including // indirect', () => {
    const f = parse('module example.com/m\r\n\r\ngo 1.19\r\nrequire (\r\n\texample.com/x v1.0.0 // indirect\r\n)\r\n');
    expect(f.go?.line).toBe(3);
    expect(f.require[0]).toMatchObject({ path: 'example.com/x', indirect: true, line: 5 });
  });

  it('a BOM is rejected like Go does, or stripped on request', () => {
    const text = '\ufeffmodule example.com/m\ngo 1.21\n';
    expect(errorText(text)).toBe("go.mod:1: unexpected input character '\\ufeff'");
    const f = parseModFile('go.mod', text, { bom: 'strip' });
    expect(f.module).toMatchObject({ path: 'example.com/m', line: 1, col: 1 });
    const bytes = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('module example.com/m\n')]);
    expect(parseModFile('go.mod', bytes, { bom: 'strip' }).module?.path).toBe('example.com/m');
    expect(() => parseModFile('go.mod', bytes)).toThrow(ModFileError);
  });

  it('accepts bytes, an empty file, and comments only', () => {
    expect(parseModFile('go.mod', Buffer.from(M)).module?.path).toBe('example.com/m');
    expect(parse('').module).toBeNull();
    expect(parse('// just a comment\n\n// another').require).toEqual([]);
    expect(parse(M + 'require example.com/x v1.0.0').require).toHaveLength(1); // no final newline
  });

  it('columns count runes, not UTF-16 units', () => {
    expect(errorText('// 😀\nmodule example.com/m\nrequire "😀😀" x\n')).toBe(
      'go.mod:3: require 😀😀: version "x" invalid: must be of the form v1.2.3',
    );
    expect(errorText('module "😀😀" /*\n')).toBe('go.mod:1:13: mod files must use // comments (not /* */ comments)');
  });
});

describe('lax mode (dependencies: modfile.ParseLax)', () => {
  it('ignores unknown and main-module-only directives', () => {
    const f = parseModFileLax(
      'dep/go.mod',
      'module example.com/dep\ngo 1.21\nfuture directive\nfuture (\n\tx y\n)\nreplace a => b\nexclude x.com/y v1.0.0\ntoolchain whatever\ngodebug nonsense\ntool a b c\nrequire example.com/x v1.0.0\nignore ./vendor\n',
    );
    expect(f.module?.path).toBe('example.com/dep');
    expect(f.require).toHaveLength(1);
    expect(f.replace).toEqual([]);
    expect(f.exclude).toEqual([]);
    expect(f.toolchain).toBeNull();
    expect(f.tool).toEqual([]);
    expect(f.ignore.map((i) => i.path)).toEqual(['./vendor']);
  });

  it('accepts loose go versions, keeping major.minor', () => {
    expect(parse('module m\ngo v1.2.3\n', true).go?.version).toBe('1.2');
    expect(parse('module m\ngo 1.21rc1-beta\n', true).go?.version).toBe('1.21');
    expect(parse('module m\ngo 1.2.beta1\n', true).go?.version).toBe('1.2');
    expect(() => parse('module m\ngo 1\n', true)).toThrow(ModFileError);
  });

  it('still fails on lexical errors and bad requirements', () => {
    expect(errorText('module m /* x */\n', true)).toBe('go.mod:1:10: mod files must use // comments (not /* */ comments)');
    expect(errorText('module m\nfoo (\n', true)).toBe('go.mod:3: syntax error (unterminated block started at go.mod:2:1)');
    expect(errorText('module m\nrequire x.com/y v2.0.0\n', true)).toBe(
      'go.mod:2: require x.com/y: version "v2.0.0" invalid: should be v0 or v1, not v2',
    );
  });
});

import semver from 'semver';
import fc from 'fast-check';
import {
  ModuleError,
  canonicalVersion,
  checkFilePath,
  checkImportPath,
  checkModuleVersion,
  checkPath,
  checkPathMajor,
  compareVersions,
  escapePath,
  escapeVersion,
  isIncompatible,
  isPseudoVersion,
  isValidPath,
  isValidVersion,
  isZeroPseudoVersion,
  matchPrefixPatterns,
  pathMatch,
  pseudoVersion,
  pseudoVersionBase,
  pseudoVersionRev,
  pseudoVersionTime,
  semverMajor,
  semverPrerelease,
  sortVersions,
  splitPathVersion,
  unescapePath,
  unescapeVersion,
  zeroPseudoVersion,
} from '../../src/gomod/module.js';

function errorOf(f: () => unknown): string {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(ModuleError);
    return (e as Error).message;
  }
  return '';
}

describe('checkPath (module paths)', () => {
  it.each([
    'x.y/z',
    'x.y',
    'github.com/boltdb/bolt',
    'github.com/Azure/azure-sdk-for-go',
    'golang.org/x/mod',
    'k8s.io/client-go/v12',
    'gopkg.in/yaml.v2',
    'gopkg.in/yaml.v0',
    'gopkg.in/check.v1-unstable',
    'gopkg.in/src-d/go-git.v4',
    'x.y/z/v2',
    'x.y/z/v20',
    'x.y/z/_x',
    'x.y/z/~x',
    'x.y/z.v1',
    'x.y/z/v2.x',
    'x.y/a-b_c~d.e',
  ])('accepts %s', (p) => {
    expect(isValidPath(p)).toBe(true);
    expect(() => checkPath(p)).not.toThrow();
  });

  it.each([
    ['', 'malformed module path "": empty string'],
    ['-x.y/z', 'malformed module path "-x.y/z": leading dash'],
    ['x.y//z', 'malformed module path "x.y//z": double slash'],
    ['x.y/z/', 'malformed module path "x.y/z/": trailing slash'],
    ['/x.y/z', 'malformed module path "/x.y/z": empty path element'],
    ['x.y/../z', 'malformed module path "x.y/../z": invalid path element ".."'],
    ['x.y/.z', 'malformed module path "x.y/.z": leading dot in path element'],
    ['x.y/z.', 'malformed module path "x.y/z.": trailing dot in path element'],
    ['x.y/z+w', `malformed module path "x.y/z+w": invalid char '+'`],
    ['x.y/z w', `malformed module path "x.y/z w": invalid char ' '`],
    ['x.y/é', `malformed module path "x.y/é": invalid char 'é'`],
    ['xy/z', 'malformed module path "xy/z": missing dot in first path element'],
    ['X.y/z', `malformed module path "X.y/z": invalid char 'X' in first path element`],
    ['x_y.z/w', `malformed module path "x_y.z/w": invalid char '_' in first path element`],
    ['x.y/con', 'malformed module path "x.y/con": "con" disallowed as path element component on Windows'],
    ['x.y/LPT9.txt', 'malformed module path "x.y/LPT9.txt": "LPT9" disallowed as path element component on Windows'],
    ['x.y/EXAMPL~1', 'malformed module path "x.y/EXAMPL~1": trailing tilde and digits in path element'],
    ['x.y/z/v1', 'malformed module path "x.y/z/v1": invalid version'],
    ['x.y/z/v0', 'malformed module path "x.y/z/v0": invalid version'],
    ['x.y/z/v02', 'malformed module path "x.y/z/v02": invalid version'],
    ['x.y/z/v2.1', 'malformed module path "x.y/z/v2.1": invalid version'],
    ['gopkg.in/yaml', 'malformed module path "gopkg.in/yaml": invalid version'],
    ['gopkg.in/yaml.v02', 'malformed module path "gopkg.in/yaml.v02": invalid version'],
    ['x.y/\ud800', 'malformed module path "x.y/\\ufffd": invalid UTF-8'],
  ])('rejects %j with Go\'s message', (p, msg) => {
    expect(isValidPath(p)).toBe(false);
    expect(errorOf(() => checkPath(p))).toBe(msg);
  });
});

describe('checkImportPath and checkFilePath', () => {
  it('import paths allow + and skip the domain rules', () => {
    expect(() => checkImportPath('x/y+z')).not.toThrow();
    expect(() => checkImportPath('fmt')).not.toThrow();
    expect(() => checkImportPath('x/.y')).not.toThrow();
    expect(errorOf(() => checkImportPath('x/EXAMPL~1'))).toBe(
      'malformed import path "x/EXAMPL~1": trailing tilde and digits in path element',
    );
    expect(errorOf(() => checkImportPath('x y'))).toBe(`malformed import path "x y": invalid char ' '`);
  });

  it('file paths allow spaces, leading dots and dashes, letters, some punctuation', () => {
    for (const ok of ['.gitignore', '-x/a b.go', 'dir/é.txt', 'a/!#$%&()+,-.=@[]^_{}~ b', 'x/EXAMPL~1', 'Ω/π.go']) {
      expect(() => checkFilePath(ok)).not.toThrow();
    }
    expect(errorOf(() => checkFilePath('a/b:c'))).toBe(`malformed file path "a/b:c": invalid char ':'`);
    expect(errorOf(() => checkFilePath('a/b*'))).toBe(`malformed file path "a/b*": invalid char '*'`);
    expect(errorOf(() => checkFilePath('a/\u0301'))).toBe(`malformed file path "a/\u0301": invalid char '\u0301'`);
    expect(errorOf(() => checkFilePath('a/aux.c'))).toBe(
      'malformed file path "a/aux.c": "aux" disallowed as path element component on Windows',
    );
    expect(errorOf(() => checkFilePath('a/..'))).toBe('malformed file path "a/..": invalid path element ".."');
    expect(errorOf(() => checkFilePath('a\\b'))).toBe(`malformed file path "a\\\\b": invalid char '\\\\'`);
  });
});

describe('splitPathVersion / checkPathMajor', () => {
  it.each([
    ['x.y/z', 'x.y/z', ''],
    ['x.y/z/v2', 'x.y/z', '/v2'],
    ['x.y/z/v10', 'x.y/z', '/v10'],
    ['x.y/v2', 'x.y', '/v2'],
    ['gopkg.in/yaml.v2', 'gopkg.in/yaml', '.v2'],
    ['gopkg.in/yaml.v0', 'gopkg.in/yaml', '.v0'],
    ['gopkg.in/check.v1-unstable', 'gopkg.in/check', '.v1-unstable'],
    ['x.y/z/v2x', 'x.y/z/v2x', ''],
  ])('%s → %s + %s', (p, prefix, pathMajor) => {
    expect(splitPathVersion(p)).toEqual({ prefix, pathMajor });
  });

  it('returns null where Go says !ok', () => {
    for (const p of ['x.y/z/v1', 'x.y/z/v0', 'x.y/z/v1.2', 'x.y/z/v05', 'gopkg.in/yaml', 'gopkg.in/yaml.v01']) {
      expect(splitPathVersion(p)).toBeNull();
    }
  });

  it.each([
    ['v1.2.3', '', true],
    ['v0.1.0', '', true],
    ['v2.0.0', '', false],
    ['v2.0.0+incompatible', '', true],
    ['v2.0.0', '/v2', true],
    ['v1.0.0', '/v2', false],
    ['v3.0.0', '/v2', false],
    ['v2.5.1', '.v2', true],
    ['v1.0.0', '.v1-unstable', true],
    ['v0.0.0-20161208181325-20d25e280405', '.v1', true],
    ['v0.1.0', '.v1', false],
    ['v0.3.0', '.v0', true],
  ])('checkPathMajor(%s, %j) = %s', (v, pm, ok) => {
    expect(checkPathMajor(v, pm)).toBe(ok);
  });

  it('checkModuleVersion combines path, semver and major checks like module.Check', () => {
    expect(() => checkModuleVersion('x.y/z/v2', 'v2.0.1')).not.toThrow();
    expect(errorOf(() => checkModuleVersion('x.y/z/v2', 'v1.0.0'))).toBe(
      'mismatched module path x.y/z/v2 and version v1.0.0 (want v2)',
    );
    expect(errorOf(() => checkModuleVersion('x.y/z', 'v2.0.0'))).toBe(
      'mismatched module path x.y/z and version v2.0.0 (want v0 or v1)',
    );
    expect(errorOf(() => checkModuleVersion('x.y/z', '1.0.0'))).toBe('malformed semantic version 1.0.0');
  });
});

describe('case escaping', () => {
  it.each([
    ['github.com/Azure/azure-sdk-for-go', 'github.com/!azure/azure-sdk-for-go'],
    ['github.com/GoogleCloudPlatform/cloudsql-proxy', 'github.com/!google!cloud!platform/cloudsql-proxy'],
    ['github.com/Sirupsen/logrus', 'github.com/!sirupsen/logrus'],
    ['golang.org/x/mod', 'golang.org/x/mod'],
  ])('escapes %s both ways', (p, esc) => {
    expect(escapePath(p)).toBe(esc);
    expect(unescapePath(esc)).toBe(p);
  });

  it('escapes versions, including branch names', () => {
    expect(escapeVersion('v1.0.0-RC1')).toBe('v1.0.0-!r!c1');
    expect(unescapeVersion('v1.0.0-!r!c1')).toBe('v1.0.0-RC1');
    expect(escapeVersion('Master')).toBe('!master');
    expect(errorOf(() => escapeVersion('v1!'))).toBe('version "v1!" invalid: disallowed version string');
    expect(errorOf(() => escapeVersion('a/b'))).toBe('version "a/b" invalid: disallowed version string');
  });

  it('rejects malformed escapes', () => {
    expect(errorOf(() => unescapePath('github.com/Azure/x'))).toBe('invalid escaped module path "github.com/Azure/x"');
    expect(errorOf(() => unescapePath('github.com/!1/x'))).toBe('invalid escaped module path "github.com/!1/x"');
    expect(errorOf(() => unescapePath('github.com/x!'))).toBe('invalid escaped module path "github.com/x!"');
    expect(errorOf(() => unescapePath('github.com/é'))).toBe('invalid escaped module path "github.com/é"');
    expect(errorOf(() => unescapePath('github.com/x/v1'))).toBe(
      'invalid escaped module path "github.com/x/v1": malformed module path "github.com/x/v1": invalid version',
    );
    expect(errorOf(() => escapePath('github.com/x y'))).toBe(`malformed module path "github.com/x y": invalid char ' '`);
    expect(errorOf(() => unescapeVersion('v1:0'))).toBe(`invalid escaped version "v1:0": invalid char ':'`);
  });

  it('round-trips any valid path (property)', () => {
    const elem = fc.stringMatching(/^[A-Za-z0-9_~-][A-Za-z0-9._~-]{0,8}[A-Za-z0-9_~-]$/);
    const path = fc.tuple(fc.stringMatching(/^[a-z0-9]{1,6}\.[a-z]{2,4}$/), fc.array(elem, { maxLength: 4 }))
      .map(([d, rest]) => [d, ...rest].join('/'))
      .filter(isValidPath);
    fc.assert(
      fc.property(path, (p) => {
        const e = escapePath(p);
        expect(e).not.toMatch(/[A-Z]/);
        expect(unescapePath(e)).toBe(p);
      }),
    );
  });
});

describe('Go semver', () => {
  it('validity follows Go, not npm', () => {
    for (const v of ['v1', 'v1.2', 'v1.2.3', 'v1.2.3-pre', 'v1.2.3-pre.1+build.5', 'v1.2.3+incompatible', 'v0.0.0-20191109021931-daa7c04131f5', 'v1.2.3+0build']) {
      expect(isValidVersion(v)).toBe(true);
    }
    for (const v of ['1.2.3', 'v1.2-pre', 'v1.2+b', 'v01.2.3', 'v1.02.3', 'v1.2.3-01', 'v1.2.3-', 'v1.2.3+', 'v1.2.3-a..b', 'v1.2.3.4', 'V1.2.3', '', 'v', 'v1.2.3-é']) {
      expect(isValidVersion(v)).toBe(false);
    }
    // Go has no size limit where npm caps at MAX_SAFE_INTEGER.
    expect(isValidVersion('v99999999999999999999.0.0')).toBe(true);
    expect(semver.valid('99999999999999999999.0.0')).toBeNull();
  });

  it('canonicalVersion expands shorthands, drops build metadata but keeps +incompatible', () => {
    expect(canonicalVersion('v1')).toBe('v1.0.0');
    expect(canonicalVersion('v1.2')).toBe('v1.2.0');
    expect(canonicalVersion('v1.2.3+meta')).toBe('v1.2.3');
    expect(canonicalVersion('v2.0.0+incompatible')).toBe('v2.0.0+incompatible');
    expect(canonicalVersion('v1.2.3-rc.1')).toBe('v1.2.3-rc.1');
    expect(canonicalVersion('bad')).toBe('');
  });

  it('orders like Go (prereleases, numeric ids, invalid lowest, build ignored)', () => {
    const ordered = [
      'v0.0.0-20190101000000-aaaaaaaaaaaa',
      'v0.0.0-20200101000000-aaaaaaaaaaaa',
      'v0.1.0',
      'v1.0.0-alpha',
      'v1.0.0-alpha.1',
      'v1.0.0-alpha.beta',
      'v1.0.0-beta',
      'v1.0.0-beta.2',
      'v1.0.0-beta.11',
      'v1.0.0-rc.1',
      'v1.0.0',
      'v1.0.1-0.20200101000000-aaaaaaaaaaaa',
      'v1.0.1-rc1',
      'v1.0.1',
      'v1.2.0',
      'v1.10.0',
      'v2.0.0+incompatible',
      'v10.0.0',
      'v99999999999999999999.0.0',
    ];
    for (let i = 0; i < ordered.length; i++) {
      for (let j = 0; j < ordered.length; j++) {
        expect([ordered[i], ordered[j], compareVersions(ordered[i]!, ordered[j]!)]).toEqual([
          ordered[i],
          ordered[j],
          Math.sign(i - j),
        ]);
      }
    }
    expect(compareVersions('v1.2', 'v1.2.0')).toBe(0);
    expect(compareVersions('v1.2.3+a', 'v1.2.3+b')).toBe(0);
    expect(compareVersions('bad', 'v0.0.0')).toBe(-1);
    expect(compareVersions('bad', 'worse')).toBe(0);
    expect(sortVersions(['v1.0.0+b', 'v1.0.0+a', 'v0.9.0'])).toEqual(['v0.9.0', 'v1.0.0+a', 'v1.0.0+b']);
  });

  it('agrees with npm semver.compare wherever npm accepts the version (property)', () => {
    const num = fc.oneof(fc.constantFrom('0', '1', '2', '10'), fc.integer({ min: 0, max: 999 }).map(String));
    const ident = fc.oneof(num, fc.stringMatching(/^[0-9A-Za-z-]{1,5}$/).filter((s) => !/^0[0-9]+$/.test(s)));
    const ver = fc
      .tuple(num, num, num, fc.option(fc.array(ident, { minLength: 1, maxLength: 3 })), fc.option(fc.array(ident, { minLength: 1, maxLength: 2 })))
      .map(([a, b, c, pre, build]) => `v${a}.${b}.${c}${pre ? '-' + pre.join('.') : ''}${build ? '+' + build.join('.') : ''}`);
    fc.assert(
      fc.property(ver, ver, (a, b) => {
        expect(isValidVersion(a)).toBe(true);
        expect(compareVersions(a, b)).toBe(semver.compare(a.slice(1), b.slice(1)));
      }),
      { numRuns: 2000 },
    );
  });

  it('major and prerelease accessors', () => {
    expect(semverMajor('v2.3.4')).toBe('v2');
    expect(semverMajor('v2')).toBe('v2');
    expect(semverMajor('x')).toBe('');
    expect(semverPrerelease('v1.2.3-rc.1+b')).toBe('-rc.1');
    expect(isIncompatible('v2.0.0+incompatible')).toBe(true);
    expect(isIncompatible('v2.0.0')).toBe(false);
  });
});

describe('pseudo-versions', () => {
  const t = new Date(Date.UTC(2019, 10, 9, 2, 19, 31));

  it('recognises all three forms (+incompatible too)', () => {
    for (const v of [
      'v0.0.0-20191109021931-daa7c04131f5',
      'v2.0.0-20191109021931-daa7c04131f5',
      'v1.2.4-0.20191109021931-daa7c04131f5',
      'v1.2.3-pre.0.20191109021931-daa7c04131f5',
      'v2.0.1-0.20200722182040-012345abcdef+incompatible',
      'v1.2.3-rc.1.0.20191109021931-daa7c04131f5',
    ]) {
      expect([v, isPseudoVersion(v)]).toEqual([v, true]);
    }
    for (const v of ['v1.2.3', 'v1.2.3-pre', 'v0.0.0-2019110902193-daa7c04131f5', 'v1.2.4-1.20191109021931-daa7c04131f5', 'v0.0.0-20191109021931', 'not']) {
      expect([v, isPseudoVersion(v)]).toEqual([v, false]);
    }
  });

  it('extracts revision, time and base', () => {
    expect(pseudoVersionRev('v0.0.0-20191109021931-daa7c04131f5')).toBe('daa7c04131f5');
    expect(pseudoVersionTime('v1.2.4-0.20191109021931-daa7c04131f5').toISOString()).toBe('2019-11-09T02:19:31.000Z');
    expect(pseudoVersionBase('v0.0.0-20191109021931-daa7c04131f5')).toBe('');
    expect(pseudoVersionBase('v1.2.4-0.20191109021931-daa7c04131f5')).toBe('v1.2.3');
    expect(pseudoVersionBase('v1.2.10-0.20191109021931-daa7c04131f5')).toBe('v1.2.9');
    expect(pseudoVersionBase('v1.2.3-pre.0.20191109021931-daa7c04131f5')).toBe('v1.2.3-pre');
    expect(pseudoVersionBase('v2.0.1-0.20200722182040-012345abcdef+incompatible')).toBe('v2.0.0+incompatible');
    expect(pseudoVersionBase('v1.2.3-pre.0.20191109021931-daa7c04131f5+incompatible')).toBe('v1.2.3-pre+incompatible');
  });

  it('rejects impossible pseudo-versions with Go\'s messages', () => {
    expect(errorOf(() => pseudoVersionBase('v1.2.0-0.20191109021931-daa7c04131f5'))).toBe(
      'pseudo-version "v1.2.0-0.20191109021931-daa7c04131f5" invalid: cannot decrement 0',
    );
    expect(errorOf(() => pseudoVersionBase('v2.0.0-20191109021931-daa7c04131f5+incompatible'))).toBe(
      'pseudo-version "v2.0.0-20191109021931-daa7c04131f5+incompatible" invalid: lacks base version, but has build metadata "+incompatible"',
    );
    expect(errorOf(() => pseudoVersionRev('v1.2.3'))).toBe('pseudo-version "v1.2.3" invalid: syntax error');
    expect(errorOf(() => pseudoVersionTime('v0.0.0-20191309021931-daa7c04131f5'))).toBe(
      'pseudo-version "v0.0.0-20191309021931-daa7c04131f5" invalid: malformed time "20191309021931"',
    );
    expect(errorOf(() => pseudoVersionTime('v0.0.0-20190230021931-daa7c04131f5'))).toMatch(/malformed time/);
  });

  it('builds pseudo-versions like module.PseudoVersion and round-trips them', () => {
    expect(pseudoVersion('', '', t, 'daa7c04131f5')).toBe('v0.0.0-20191109021931-daa7c04131f5');
    expect(pseudoVersion('v2', '', t, 'daa7c04131f5')).toBe('v2.0.0-20191109021931-daa7c04131f5');
    expect(pseudoVersion('', 'v1.2.3', t, 'daa7c04131f5')).toBe('v1.2.4-0.20191109021931-daa7c04131f5');
    expect(pseudoVersion('', 'v1.2.9', t, 'daa7c04131f5')).toBe('v1.2.10-0.20191109021931-daa7c04131f5');
    expect(pseudoVersion('', 'v1.2.3-pre', t, 'daa7c04131f5')).toBe('v1.2.3-pre.0.20191109021931-daa7c04131f5');
    expect(pseudoVersion('', 'v2.0.0+incompatible', t, '012345abcdef')).toBe('v2.0.1-0.20191109021931-012345abcdef+incompatible');
    fc.assert(
      fc.property(
        fc.constantFrom('', 'v1.2.3', 'v0.9.99', 'v1.0.0-rc.1', 'v3.1.0+incompatible'),
        fc.date({ min: new Date('1971-01-01'), max: new Date('2099-12-31'), noInvalidDate: true }),
        fc.stringMatching(/^[0-9a-f]{12}$/),
        (older, d, rev) => {
          const v = pseudoVersion('', older, d, rev);
          expect(isPseudoVersion(v)).toBe(true);
          expect(pseudoVersionRev(v)).toBe(rev);
          expect(pseudoVersionTime(v).getTime()).toBe(Math.floor(d.getTime() / 1000) * 1000);
          expect(pseudoVersionBase(v)).toBe(older);
          expect(compareVersions(v, older || 'v0.0.0-0')).toBe(1);
        },
      ),
    );
  });

  it('zero pseudo-version', () => {
    expect(zeroPseudoVersion('v2')).toBe('v2.0.0-00010101000000-000000000000');
    expect(isZeroPseudoVersion('v0.0.0-00010101000000-000000000000')).toBe(true);
    expect(pseudoVersionTime('v0.0.0-00010101000000-000000000000').toISOString()).toBe('0001-01-01T00:00:00.000Z');
  });
});

describe('matchPrefixPatterns (GOPRIVATE)', () => {
  it.each([
    ['*.corp.example.com', 'git.corp.example.com/xyzzy', true],
    ['*.corp.example.com', 'corp.example.com/xyzzy', false],
    ['rsc.io/private', 'rsc.io/private/quux', true],
    ['rsc.io/private', 'rsc.io/private', true],
    ['rsc.io/private', 'rsc.io/privateer', false],
    ['rsc.io/private/', 'rsc.io/private/quux', true],
    ['rsc.io/private/quux', 'rsc.io/private', false],
    ['github.com/acme/*', 'github.com/acme/tool/v2', true],
    ['github.com/acme/*', 'github.com/acmex/tool', false],
    ['github.com/a?me', 'github.com/acme/x', true],
    ['github.com/[ab]cme', 'github.com/bcme', true],
    ['github.com/[^ab]cme', 'github.com/bcme', false],
    ['github.com/[a-c]cme', 'github.com/ccme', true],
    ['foo.com,bar.com', 'bar.com/x', true],
    [',,foo.com,', 'foo.com', true],
    ['', 'foo.com', false],
    ['github.com/[', 'github.com/[', false],
    ['github.com/\\*', 'github.com/*', true],
    ['*', 'anything.com/at/all', true],
    ['*/*', 'a.com', false],
  ])('%j matches %j: %s', (globs, path, want) => {
    expect(matchPrefixPatterns(globs, path)).toBe(want);
  });

  it('path.Match semantics for * and ?', () => {
    expect(pathMatch('a*b', 'axxb')).toBe(true);
    expect(pathMatch('a*b', 'ax/b')).toBe(false);
    expect(pathMatch('a*', 'a/b')).toBe(false);
    expect(pathMatch('a?c', 'a/c')).toBe(false);
    expect(pathMatch('a*b*c', 'aXbYbZc')).toBe(true);
    expect(pathMatch('[\\]a]', ']')).toBe(true);
    expect(pathMatch('[x-]', 'x')).toBe(false); // bad pattern
    expect(pathMatch('a\\', 'a')).toBe(false); // bad pattern
  });
});

describe('golang/mod checkPathTests table (module_test.go), current rules', () => {
  // [path, module ok, import ok, file ok]. The stored table predates Go's pathKind split; rows are updated to the
  // current code (module.go checkElem/importPathOK): import paths may start an element with `.` and contain `+`,
  // file paths may start with `-`. `x.y/\xFFz` (invalid UTF-8) cannot be written as a JS string.
  const table: [string, boolean, boolean, boolean][] = [
    ['x.y/z', true, true, true], ['x.y', true, true, true], ['', false, false, false], ['/x.y/z', false, false, false],
    ['x./z', false, false, false], ['.x/z', false, true, true], ['-x/z', false, false, true], ['x..y/z', true, true, true],
    ['x.y/z/../../w', false, false, false], ['x.y//z', false, false, false], ['x.y/z//w', false, false, false],
    ['x.y/z/', false, false, false], ['x.y/z/v0', false, true, true], ['x.y/z/v1', false, true, true],
    ['x.y/z/v2', true, true, true], ['x.y/z/v2.0', false, true, true], ['X.y/z', false, true, true],
    ['!x.y/z', false, false, true], ['_x.y/z', false, true, true], ['x.y!/z', false, false, true],
    ['x.y"/z', false, false, false], ['x.y#/z', false, false, true], ['x.y$/z', false, false, true],
    ['x.y%/z', false, false, true], ['x.y&/z', false, false, true], ["x.y'/z", false, false, false],
    ['x.y(/z', false, false, true], ['x.y)/z', false, false, true], ['x.y*/z', false, false, false],
    ['x.y+/z', false, true, true], ['x.y,/z', false, false, true], ['x.y-/z', true, true, true],
    ['x.y./zt', false, false, false], ['x.y:/z', false, false, false], ['x.y;/z', false, false, false],
    ['x.y</z', false, false, false], ['x.y=/z', false, false, true], ['x.y>/z', false, false, false],
    ['x.y?/z', false, false, false], ['x.y@/z', false, false, true], ['x.y[/z', false, false, true],
    ['x.y\\/z', false, false, false], ['x.y]/z', false, false, true], ['x.y^/z', false, false, true],
    ['x.y_/z', false, true, true], ['x.y`/z', false, false, false], ['x.y{/z', false, false, true],
    ['x.y}/z', false, false, true], ['x.y~/z', false, true, true], ['x.y/z!', false, false, true],
    ['x.y/z"', false, false, false], ['x.y/z#', false, false, true], ['x.y/z$', false, false, true],
    ['x.y/z%', false, false, true], ['x.y/z&', false, false, true], ["x.y/z'", false, false, false],
    ['x.y/z(', false, false, true], ['x.y/z)', false, false, true], ['x.y/z*', false, false, false],
    ['x.y/z+', false, true, true], ['x.y/z,', false, false, true], ['x.y/z-', true, true, true],
    ['x.y/z.t', true, true, true], ['x.y/z/t', true, true, true], ['x.y/z:', false, false, false],
    ['x.y/z;', false, false, false], ['x.y/z<', false, false, false], ['x.y/z=', false, false, true],
    ['x.y/z>', false, false, false], ['x.y/z?', false, false, false], ['x.y/z@', false, false, true],
    ['x.y/z[', false, false, true], ['x.y/z\\', false, false, false], ['x.y/z]', false, false, true],
    ['x.y/z^', false, false, true], ['x.y/z_', true, true, true], ['x.y/z`', false, false, false],
    ['x.y/z{', false, false, true], ['x.y/z}', false, false, true], ['x.y/z~', true, true, true],
    ['x.y/x.foo', true, true, true], ['x.y/aux.foo', false, false, false], ['x.y/prn', false, false, false],
    ['x.y/prn2', true, true, true], ['x.y/com', true, true, true], ['x.y/com1', false, false, false],
    ['x.y/com1.txt', false, false, false], ['x.y/calm1', true, true, true], ['x.y/z~0', false, false, true],
    ['x.y/z~09', false, false, true], ['x.y/z09', true, true, true], ['x.y/z09~', true, true, true],
    ['x.y/z09~09z', true, true, true], ['x.y/z09~09z~09', false, false, true], ['github.com/!123/logrus', false, false, true],
    ['github.com/user/unicode/испытание', false, false, true], ['../x', false, false, false], ['./y', false, false, false],
    ['x:y', false, false, false], ['\\temp\\foo', false, false, false], ['.gitignore', false, true, true],
    ['.github/ISSUE_TEMPLATE', false, true, true], ['x☺y', false, false, false],
  ];
  const ok = (f: () => void) => {
    try {
      f();
      return true;
    } catch (e) {
      expect(e).toBeInstanceOf(ModuleError);
      return false;
    }
  };
  it.each(table)('%j module=%s import=%s file=%s', (p, mod, imp, file) => {
    expect([ok(() => checkPath(p)), ok(() => checkImportPath(p)), ok(() => checkFilePath(p))]).toEqual([mod, imp, file]);
    const split = splitPathVersion(p);
    if (split) expect(split.prefix + split.pathMajor).toBe(p);
  });

  it.each([
    ['*/quote', 'rsc.io/quote', true], ['*/quo', 'rsc.io/quote', false], ['*/quo??', 'rsc.io/quote', true],
    ['*/quo*', 'rsc.io/quote', true], ['*quo*', 'rsc.io/quote', false], ['rsc.io', 'rsc.io/quote', true],
    ['*.io', 'rsc.io/quote', true], ['rsc.io/', 'rsc.io/quote', true], ['rsc', 'rsc.io/quote', false],
    ['rsc*', 'rsc.io/quote', true], ['rsc.io', 'rsc.io/quote/v3', true], ['*/quote', 'rsc.io/quote/v3', true],
    ['*/quote/*', 'rsc.io/quote/v3', true], ['*/v3', 'rsc.io/quote/v3', false], ['*/*/v3', 'rsc.io/quote/v3', true],
    ['*/*/*', 'rsc.io/quote/v3', true], ['*/*/*', 'rsc.io/quote', false], ['*/*/*,,', 'rsc.io/quote', false],
    ['*/*/*,,*/quote', 'rsc.io/quote', true], [',,*/quote', 'rsc.io/quote', true],
  ])('TestMatchPrefixPatterns %j %j → %s', (globs, target, want) => {
    expect(matchPrefixPatterns(globs, target)).toBe(want);
  });

  it.each([
    ['rsc.io/quote', '0.1.0', false], ['rsc io/quote', 'v1.0.0', false], ['github.com/go-yaml/yaml', 'v0.8.0', true],
    ['github.com/go-yaml/yaml', 'v1.0.0', true], ['github.com/go-yaml/yaml', 'v2.0.0', false],
    ['github.com/go-yaml/yaml/v2', 'v1.0.0', false], ['github.com/go-yaml/yaml/v2', 'v2.1.5', true],
    ['github.com/go-yaml/yaml/v2', 'v3.0.0', false], ['gopkg.in/yaml.v0', 'v0.8.0', true], ['gopkg.in/yaml.v0', 'v1.0.0', false],
    ['gopkg.in/yaml.v1', 'v0.8.0', false], ['gopkg.in/yaml.v1', 'v1.0.0', true], ['gopkg.in/check.v1', 'v0.0.0', false],
    ['gopkg.in/check.v1', 'v0.0.0-20160102150405-abcdef123456', true], ['gopkg.in/yaml.v2', 'v1.0.0', false],
    ['gopkg.in/yaml.v2', 'v2.1.5', true], ['rsc.io/quote', 'v17.0.0', false], ['rsc.io/quote', 'v17.0.0+incompatible', true],
  ])('TestCheck %s@%s → %s', (p, v, want) => {
    expect(ok(() => checkModuleVersion(p, v))).toBe(want);
  });

  it('TestUnescapePath bad inputs', () => {
    for (const bad of [
      'github.com/GoogleCloudPlatform/omega',
      'github.com/!google!cloud!platform!/omega',
      'github.com/!0google!cloud!platform/omega',
      'github.com/!_google!cloud!platform/omega',
      'github.com/!!google!cloud!platform/omega',
      '',
    ]) {
      expect(ok(() => unescapePath(bad))).toBe(false);
    }
    expect(escapePath('ascii.com/abcdefghijklmnopqrstuvwxyz.-/~_0123456789')).toBe('ascii.com/abcdefghijklmnopqrstuvwxyz.-/~_0123456789');
  });
});

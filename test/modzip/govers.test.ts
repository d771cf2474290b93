import { atLeastGo124, goLangVersion } from '../../src/modzip/govers.js';

describe('goLangVersion / atLeastGo124 (x/mod/zip reads the root go.mod with ParseLax)', () => {
  it.each([
    ['module m\n\ngo 1.24\n', true],
    ['module m\ngo 1.24.0\n', true],
    ['module m\ngo 1.24rc1\n', true],
    ['module m\ngo 1.25\n', true],
    ['module m\ngo 2.0\n', true],
    ['module m\ngo 1.23\n', false],
    ['module m\ngo 1.23.4\n', false],
    ['module m\n', false],
    ['', false],
    // ParseLax accepts "v1.24.1"-like values, keeping major.minor.
    ['module m\ngo v1.24.1\n', true],
    // Any parse error makes Go read the version as "" (older rules).
    ['module m\ngo 1.24\n/* comment */\n', false],
    ['module m\ngo 1.24\ngo 1.25\n', false],
    // Unknown directives are ignored in lax mode.
    ['module m\n\ngo 1.24\nmodules.txt is excluded in 1.24+. See golang.org/issue/63395\n', true],
    // go/version rejects a prerelease of a patch release.
    ['module m\ngo 1.24.1rc1\n', false],
  ])('%j → %s', (goMod, want) => {
    expect(atLeastGo124(goMod)).toBe(want);
  });

  it('returns null without a go.mod', () => {
    expect(goLangVersion(null)).toBeNull();
    expect(goLangVersion(Buffer.from('module m\ngo 1.21\n'))).toEqual({ major: 1n, minor: 21n });
  });
});

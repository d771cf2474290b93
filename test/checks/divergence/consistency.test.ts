import { compareSums, describeMismatch, sumsFromLines } from '../../../src/checks/consistency.js';
import { EMPTY_GO_MOD_H1 } from '../../../src/modzip/hash.js';

const A = 'h1:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=';
const B = 'h1:BBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBB=';

describe('compareSums', () => {
  it('reports each differing hash with who recorded it', () => {
    expect(compareSums('go.sum', { h1: A, goModH1: A }, { h1: B, goModH1: A })).toEqual([{ source: 'go.sum', kind: 'zip', recorded: A, served: B }]);
    expect(compareSums('sumdb', { h1: A, goModH1: B }, { h1: A, goModH1: A })).toEqual([{ source: 'sumdb', kind: 'go.mod', recorded: B, served: A }]);
  });

  it('treats a missing hash on either side as no evidence', () => {
    expect(compareSums('go.sum', {}, { h1: A, goModH1: A })).toEqual([]);
    expect(compareSums('go.sum', { h1: A }, { h1: null, goModH1: B })).toEqual([]);
  });

  it("ignores the empty go.mod hash in go.sum, as the go command does, but not in the checksum database", () => {
    expect(compareSums('go.sum', { goModH1: EMPTY_GO_MOD_H1 }, { goModH1: A })).toEqual([]);
    expect(compareSums('sumdb', { goModH1: EMPTY_GO_MOD_H1 }, { goModH1: A })).toHaveLength(1);
  });
});

describe('sumsFromLines', () => {
  it('reads the zip and go.mod hashes of one version from go.sum text', () => {
    const text = [
      `github.com/o/r v1.0.0 ${A}`,
      `github.com/o/r v1.0.0/go.mod ${B}`,
      `github.com/o/r v1.0.1 ${B}`,
      `github.com/o/rr v1.0.0 ${B}`,
      '',
      'garbage line',
    ].join('\n');
    // Read by the one go.sum reader: the malformed line is skipped, not fatal.
    expect(sumsFromLines(text, 'github.com/o/r', 'v1.0.0')).toEqual({ h1: A, goModH1: B });
    expect(sumsFromLines(text, 'github.com/o/x', 'v1.0.0')).toEqual({ h1: null, goModH1: null });
  });
});

describe('describeMismatch', () => {
  it('says who recorded what and what the proxy serves', () => {
    expect(describeMismatch({ source: 'go.sum', kind: 'zip', recorded: A, served: B }, 'm@v1.0.0')).toBe(
      `the pull request's go.sum records ${A} for the module content of m@v1.0.0, but the proxy serves content hashing to ${B}`,
    );
  });
});

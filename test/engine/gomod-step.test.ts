import { diffGoMod } from '../../src/gomod/diff.js';
import { ModFileError } from '../../src/gomod/modfile.js';
import { parseErrorFindings } from '../../src/engine/gomod-step.js';

const side = (content: string, path = 'go.mod') => ({ path, content });
const HEAD = 'module example.com/app\n\ngo 1.22\n\n';

describe('parseErrorFindings', () => {
  it('turns each error line into a high-severity parse-error finding anchored at its line', () => {
    let err: ModFileError | null = null;
    try {
      diffGoMod(null, side(HEAD + 'require example.com/a bad\nfoo\n', 'sub/go.mod'));
    } catch (e) {
      err = e as ModFileError;
    }
    const findings = parseErrorFindings(err!, 'sub/go.mod');
    expect(findings).toHaveLength(2);
    expect(findings[0]).toMatchObject({
      rule: 'parse-error',
      severity: 'high',
      goModPath: 'sub/go.mod',
      line: 5,
      version: null,
      title: 'sub/go.mod does not parse: require example.com/a: version "bad" invalid: must be of the form v1.2.3',
      evidence: { file: 'sub/go.mod', line: 5, col: 1, error: 'require example.com/a: version "bad" invalid: must be of the form v1.2.3' },
    });
    expect(findings[0]!.message).toContain('`sub/go.mod:5: require example.com/a');
    expect(findings[1]).toMatchObject({ line: 6, title: 'sub/go.mod does not parse: unknown directive: foo' });
  });
});

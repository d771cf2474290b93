import { readFileSync } from 'node:fs';
import { RULES } from '../src/findings.js';
import { RULES_BEGIN, RULES_END, renderRuleTable, withRuleTable } from '../src/report/rule-docs.js';
import { buildSarif } from '../src/report/sarif.js';

const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');

describe('rule docs come from the one rule table', () => {
  it('README.md lists every rule as generated (run `npm run build && npm run docs` after changing RULES)', () => {
    expect(withRuleTable(readme)).toBe(readme);
  });

  it('the generated list has every rule id and default severity, in table order', () => {
    const block = readme.slice(readme.indexOf(RULES_BEGIN), readme.indexOf(RULES_END));
    const ids = [...block.matchAll(/^\| `([a-z-]+)` \| (\w+) \|/gm)].map((m) => [m[1], m[2]]);
    expect(ids).toEqual(RULES.map((r) => [r.id, r.defaultSeverity]));
  });

  it('SARIF declares the same rules with the same texts', () => {
    const rules = (buildSarif({ changes: [], findings: [], modules: [], errors: [], scannedFiles: [], skippedFiles: [] }, { failOn: 'high' }) as any).runs[0].tool.driver.rules;
    expect(rules.map((r: any) => [r.id, r.shortDescription.text, r.help.text])).toEqual(RULES.map((r) => [r.id, r.short, r.help]));
  });

  it('a README without the markers is an error, not a silent no-op', () => {
    expect(() => withRuleTable('# no markers\n')).toThrow(/rules:begin/);
    expect(renderRuleTable([{ id: 'x', defaultSeverity: 'low', producer: 'gomod', name: 'X', short: 'a | b', help: 'c' }])).toContain('| `x` | low | a \\| b | c |');
  });
});

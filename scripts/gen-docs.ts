/**
 * Regenerates the rule list in README.md from RULES in src/findings.ts (SARIF's rules come from the same
 * table at run time). `npm run docs`; test/docs.test.ts fails when README.md is out of date.
 *   node dist/scripts/gen-docs.js [README.md]
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { withRuleTable } from '../src/report/rule-docs.js';

const file = resolve(process.argv[2] ?? 'README.md');
const before = readFileSync(file, 'utf8');
const after = withRuleTable(before);
if (after !== before) writeFileSync(file, after);
process.stdout.write(`${file}: rule list ${after === before ? 'already up to date' : 'updated'}\n`);

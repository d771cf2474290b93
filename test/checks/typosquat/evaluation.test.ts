/**
 * The labelled evaluation of issue 11 (bench/typosquat-eval.ts): precision and recall per mode on the
 * reported malicious Go modules, false alarms at failing severity on the long-tail legitimate set and on
 * corpus leave-one-out. Prints the figures; asserts the targets the issue sets.
 */
import { evaluateMode, formatFigures, loadEvalData, MODES, type ModeFigures } from '../../../bench/typosquat-eval.js';

const data = loadEvalData();
const figures = new Map<string, ModeFigures>();

beforeAll(async () => {
  for (const mode of MODES) figures.set(mode, await evaluateMode(data, mode));
  process.stdout.write([...figures.values()].flatMap(formatFigures).join('\n') + '\n');
}, 240_000);

describe('typosquat evaluation (labelled attacks, long-tail legitimate modules, leave-one-out)', () => {
  it('prints', () => {
    expect(figures.size).toBe(3);
  });
});

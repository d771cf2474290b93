/**
 * Golden files of the boltdb-go report: the scan result the real checks produce for the demo's pull request
 * (captured in test/fixtures/report/boltdb-result.json), rendered as the check-run summary, the inline review
 * comment, the review body, the terminal text and SARIF. A deliberate change of the report updates them with
 * `UPDATE_GOLDEN=1 npm test -- test/report/boltdb-golden.test.ts`; review the diff like code.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import type { ScanResult } from '../../src/engine/result.js';
import { buildCheckRunOutput } from '../../src/review/checkrun.js';
import { planReview } from '../../src/review/comments.js';
import { renderMarkdown } from '../../src/report/markdown.js';
import { renderText } from '../../src/report/text.js';
import { buildSarif } from '../../src/report/sarif.js';
import { liveMarkup } from './live-markup.js';

const dir = new URL('../fixtures/report/boltdb/', import.meta.url);
const result = JSON.parse(readFileSync(new URL('../fixtures/report/boltdb-result.json', import.meta.url), 'utf8')) as ScanResult;
const config = { failOn: 'high' as const };
const CHECK_RUN = 'https://github.com/acme/service/runs/4242';
const PATCH = '@@ -3,5 +3,6 @@ module github.com/acme/service\n go 1.21\n \n require (\n-\tgithub.com/pkg/errors v0.9.0\n+\tgithub.com/boltdb-go/bolt v1.3.1\n+\tgithub.com/pkg/errors v0.9.1\n )';

function golden(name: string, actual: string): void {
  const file = new URL(name, dir);
  if (process.env.UPDATE_GOLDEN === '1') {
    mkdirSync(dir, { recursive: true });
    writeFileSync(file, actual);
  }
  expect(actual).toBe(readFileSync(file, 'utf8'));
}

/** What a reader sees without opening anything folded. */
function unfolded(md: string): string {
  return md.replace(/<details>[\s\S]*?<\/details>/g, '<details>…</details>');
}

const output = buildCheckRunOutput(result, config);
const review = planReview({ findings: result.findings, files: [{ filename: 'go.mod', patch: PATCH }], headSha: 'e84cc64499f50d72071c1a2ce65752ff3838f03f', posted: new Set(), checkRunUrl: CHECK_RUN })!;

describe('the boltdb-go report', () => {
  it('check-run summary', () => {
    expect(output.conclusion).toBe('failure');
    golden('summary.md', output.summary + '\n');
  });

  it('one section for the one bad module: headline verdict, decisive evidence and the diff once, the rest folded', () => {
    expect(output.summary.match(/^#### /gm)).toHaveLength(1);
    expect(output.summary.match(/```diff/g)).toHaveLength(1);
    // One screen: what is not folded fits in about 60 lines (the diff is most of it).
    expect(unfolded(output.summary).split('\n').length).toBeLessThanOrEqual(60);
    expect(liveMarkup(output.summary)).toEqual([]);
  });

  it('inline review comment: short, no diff, links to the check run', () => {
    expect(review.comments).toHaveLength(1);
    const body = review.comments[0]!.body;
    golden('comment.md', body + '\n');
    expect(body).not.toContain('```');
    expect(body.length).toBeLessThan(1200);
    expect(body).toContain(`](${CHECK_RUN})`);
    expect(liveMarkup(body, { allowedLinks: [CHECK_RUN], allowedComments: [body.match(/<!-- modwarden:fp=[0-9a-f,]+ -->/)![0]] })).toEqual([]);
  });

  it('review body', () => {
    golden('review.md', review.body + '\n');
  });

  it('CLI markdown, text and SARIF say the same words', () => {
    expect(renderMarkdown(result, config).trim()).toBe(output.summary.trim());
    golden('report.txt', renderText(result, config));
    const sarif = buildSarif(result, config, '0.1.0') as any;
    golden('sarif-messages.txt', sarif.runs[0].results.map((r: any) => `${r.ruleId}: ${r.message.text}`).join('\n\n---\n\n') + '\n');
  });
});

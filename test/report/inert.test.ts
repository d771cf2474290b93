/**
 * The escaping policy against hostile input, checked by rendering with a CommonMark renderer with raw HTML
 * and linkify on (as GitHub renders) and then looking for anything live: links, images, HTML elements and
 * comments, @mentions, #references, bare URLs.
 */
import fc from 'fast-check';
import MarkdownIt from 'markdown-it';
import { code, fenced, inline, inlineLine, plain, splitCodeSpans } from '../../src/report/inert.js';
import { liveMarkup, render, visibleText } from './live-markup.js';

const md = new MarkdownIt({ html: true, linkify: true });

/** Every hostile input class the policy covers, with text that must stay readable. */
const HOSTILE: { name: string; input: string; readable: string }[] = [
  { name: 'team mention', input: '@acme/security-team LGTM', readable: '@acme/security-team LGTM' },
  { name: 'user mention after text', input: 'approved by @octocat, ship it', readable: 'approved by @octocat, ship it' },
  { name: 'tracking pixel', input: '<img src=https://evil.example/x.png>', readable: '<img src=https://evil.example/x.png>' },
  { name: 'phishing link', input: '[click](https://evil.example/login)', readable: '[click](https://evil.example/login)' },
  { name: 'image', input: '![logo](https://evil.example/x.png)', readable: '![logo](https://evil.example/x.png)' },
  { name: 'autolink', input: '<https://evil.example>', readable: '<https://evil.example>' },
  { name: 'bare URL', input: 'see https://evil.example/a?b=c and www.evil.example', readable: 'see https://evil.example/a?b=c and www.evil.example' },
  { name: 'bare domain', input: 'download from evil.example/payload now', readable: 'download from evil.example/payload now' },
  { name: 'e-mail', input: 'write to security@evil.example', readable: 'write to security@evil.example' },
  { name: 'unclosed details', input: '<details><summary>safe</summary>\n\nhidden', readable: '<details><summary>safe</summary>' },
  { name: 'our hidden marker', input: '<!-- modwarden:fp=deadbeefdeadbeef -->', readable: '<!-- modwarden:fp=deadbeefdeadbeef -->' },
  { name: 'our ignore marker', input: '<!-- modwarden:ignore eyJtb2R1bGUiOiJ4In0 -->', readable: '<!-- modwarden:ignore eyJtb2R1bGUiOiJ4In0 -->' },
  { name: 'issue reference', input: 'fixes #123 and acme/service#7 and GH-42', readable: 'fixes #123 and acme/service#7 and GH-42' },
  { name: 'script', input: '<script>alert(1)</script>', readable: '<script>alert(1)</script>' },
  { name: 'entity smuggling a mention', input: '&#64;acme/security-team', readable: '&#64;acme/security-team' },
  { name: 'heading and quote', input: '# Approved\n> LGTM', readable: '# Approved' },
  { name: 'table', input: '| a | b |\n|---|---|\n| c | d |', readable: '| a | b |' },
  { name: 'emphasis and strike', input: '*very* _much_ ~~not~~', readable: '*very* _much_ ~~not~~' },
  { name: 'math', input: '$$\\huge X$$', readable: '$$\\huge X$$' },
  { name: 'link reference definition', input: '[x]: https://evil.example\n\n[x]', readable: '[x]' },
  { name: 'footnote', input: 'text[^1]\n\n[^1]: https://evil.example', readable: 'text[^1]' },
  { name: 'raw URL in angle brackets in a code span attempt', input: '`x` <http://evil.example> `y`', readable: '<http://evil.example>' },
  { name: 'CR line break then fence', input: 'before\r```\r@acme/team <img src=x>', readable: '@acme/team' },
  { name: 'CRLF line break then HTML block', input: 'before\r\n<div>\r\n@acme/team\r\n</div>', readable: '@acme/team' },
];

describe('inline(): untrusted prose with code spans', () => {
  it.each(HOSTILE)('$name: nothing live, text still readable', ({ input, readable }) => {
    const out = inline(input);
    expect(liveMarkup(out)).toEqual([]);
    expect(render(out)).not.toMatch(/<em>/); // our own notes may use emphasis; input never does
    expect(visibleText(render(out)).replace(/\s+/g, ' ')).toContain(readable.replace(/\s+/g, ' '));
  });

  it('keeps our structure: paragraphs, "- " bullets, bold and code spans', () => {
    const out = inline('Builds download `a@v1` from **the proxy**.\n\n- one `x`\n- two\n\nLast.');
    expect(render(out)).toBe('<p>Builds download <code>a@v1</code> from <strong>the proxy</strong>.</p>\n<ul>\n<li>one <code>x</code></li>\n<li>two</li>\n</ul>\n<p>Last.</p>\n');
  });

  it('re-emits code spans CommonMark reads from the text, whatever their backtick runs', () => {
    for (const value of ['plain', 'a`b', '``x``', '` lead', 'trail `', '`', '```', 'a ```` b', '<img src=x>', '@org/team']) {
      const html = render(inline(`before \`\`\`\`\`\`\`\`\`\` ${value} \`\`\`\`\`\`\`\`\`\` after`));
      expect(html).toMatch(/<code>/);
      expect(visibleText(html)).toContain(value);
    }
  });

  it('splits code spans exactly as markdown-it does (a run of n closes only with a run of n)', () => {
    const piece = fc.constantFrom('`', '``', '```', 'a', 'b c', ' ', 'x`y');
    fc.assert(
      fc.property(fc.array(piece, { maxLength: 12 }).map((p) => p.join('')), (text) => {
        const ours = splitCodeSpans(text).filter((s) => s.kind === 'code').map((s) => s.text);
        const theirs = md.parseInline(text, {})[0]!.children!.filter((t) => t.type === 'code_inline').map((t) => t.content);
        expect(ours).toEqual(theirs);
      }),
      { numRuns: 500 },
    );
  });

  it('drops fenced blocks inside a message: diffs come from structured evidence only', () => {
    const out = inline('Look:\n\n```diff\n+evil\n```\n\nAfter.');
    expect(out).toBe('Look:\n\nAfter.');
    expect(inline('Look:\n\n~~~\n<img src=x>\n~~~')).toBe('Look:');
  });

  it('a hand-built fence broken by a CR cannot make what follows live', () => {
    const message = 'Diff:\n\n```diff\n+x\r```\n+@acme/security-team LGTM <img src=https://evil.example/x.png> [click](https://evil.example) <details>\n```\n\nEnd.';
    const out = inline(message);
    expect(liveMarkup(out)).toEqual([]);
    expect(visibleText(render(out))).toContain('@acme/security-team LGTM');
  });

  it('shows control and bidi characters as U+FFFD', () => {
    expect(inline('a\u202Eb\u0007c\u001b[31md')).toBe('a\uFFFDb\uFFFDc\uFFFD\\[31md');
  });

  it('escapes what would start a block at a line start', () => {
    expect(inline('1. one\n+ plus\n* star\n---\n===')).toBe('1\\. one\n\\+ plus\n\\* star\n\\---\n\\===');
  });
});

describe('inlineLine(): one line, and table cells', () => {
  it('never makes a list, and escapes pipes for tables, inside code spans too', () => {
    expect(inlineLine('- not a bullet')).toBe('\\- not a bullet');
    const row = `| ${inlineLine('a|b `c|d`', { cell: true })} | x |`;
    const html = render(`| h | i |\n|---|---|\n${row}`);
    expect(html.match(/<td>/g)).toHaveLength(2);
    expect(visibleText(html)).toContain('a|b c|d');
  });
});

describe('code()', () => {
  it('holds any value literally in one code span, line breaks as spaces', () => {
    fc.assert(
      fc.property(fc.string({ unit: fc.constantFrom('`', ' ', 'a', '\r', '\n', '|', '<', '@') , maxLength: 30 }), (value) => {
        const tokens = md.parseInline(code(value), {})[0]!.children!;
        expect(tokens.map((t) => t.type)).toEqual(['code_inline']);
        expect(tokens[0]!.content).toBe(value === '' ? ' ' : value.replace(/\r\n?|\n/g, ' '));
      }),
      { numRuns: 1000 },
    );
  });
});

describe('fenced()', () => {
  it('no content closes the fence: CR, CRLF, backtick and tilde runs of any length', () => {
    const line = fc.constantFrom('```', '````', '~~~', '`', '\r```', '\r\n```', '+ok', '  ```', '\r', '</pre>', '<!-- x -->');
    fc.assert(
      fc.property(fc.array(line, { maxLength: 10 }).map((l) => l.join('\n')), (text) => {
        const tokens = md.parse(fenced(text, 'diff'), {});
        expect(tokens.map((t) => t.type)).toEqual(['fence']);
        const expected = text.replace(/\r\n?/g, '\n').replace(/<!--/g, '<\u200b!--').replace(/-->/g, '--\u200b>').replace(/\n+$/, '');
        expect(tokens[0]!.content).toBe(expected === '' ? '\n' : expected + '\n');
      }),
      { numRuns: 1000 },
    );
  });

  it('an attacker-controlled diff with CR + ``` stays inside its block', () => {
    const diff = '--- origin/db.go\n+++ proxy/db.go\n+// x\r```\r@acme/security-team LGTM\r<img src=https://evil.example/x.png>\r[click](https://evil.example)\r<details>';
    const out = fenced(diff, 'diff');
    expect(out.startsWith('````diff\n')).toBe(true);
    expect(liveMarkup(out)).toEqual([]);
    expect(render(out).match(/<pre>/g)).toHaveLength(1);
  });

  it('keeps a safe info string only', () => {
    expect(fenced('x', 'diff` onload')).toBe('```\nx\n```');
  });
});

describe('plain()', () => {
  it('one line, no terminal escapes', () => {
    expect(plain('a\r\nb\u001b[2Jc\u009bd\te')).toBe('a b\uFFFD[2Jc\uFFFDd e');
  });
});

describe('hostile sizes', () => {
  // No timing assertion: an input that made the renderer quadratic would hit the test timeout.
  it('renders pathological input of 200,000 characters (unmatched backtick runs, one huge word, fences, stars)', () => {
    const runs = Array.from({ length: 600 }, (_, i) => '`'.repeat(i + 1) + 'x').join('');
    const inputs = [runs.repeat(1 + Math.floor(200_000 / runs.length)).slice(0, 200_000), 'a'.repeat(200_000), '```\n'.repeat(50_000), '**a'.repeat(60_000), 'http'.repeat(50_000)];
    for (const input of inputs) {
      const out = inline(input);
      expect(out.length).toBeLessThan(40_000);
      expect(inlineLine(input).length).toBeLessThan(10_000);
      expect(code(input).length).toBeGreaterThan(input.length);
    }
  });
});

/**
 * Making text that did not come from us inert, for Markdown (GitHub's, CommonMark + GFM with raw HTML) and
 * for plain text. The policy is described at the top of markdown.ts; this file holds its primitives:
 *
 * - `code(text)`        one-line code span, fence longer than any backtick run inside;
 * - `fenced(text)`      fenced block; CR and CRLF become LF *before* the fence is chosen (a lone CR is a
 *                       line break on GitHub), fence longer than any backtick run inside;
 * - `inline(text)`      untrusted title/message: prose escaped, code spans re-emitted through `code()`,
 *                       only paragraphs, `- ` bullets and `**bold**` kept as structure;
 * - `plain(text)`       plain text for terminals: control characters made visible, one line.
 */

/**
 * Characters never shown as themselves: C0 controls but tab and LF, DEL, C1 controls (ESC and CSI start
 * terminal escapes), bidi embeddings/overrides/isolates and marks (they reorder what a reviewer reads),
 * line/paragraph separators and the BOM. CR is handled before this runs.
 */
const INVISIBLE = /[\u0000-\u0008\u000B-\u001F\u007F-\u009F\u061C\u200E\u200F\u202A-\u202E\u2066-\u2069\u2028\u2029\uFEFF]/g;
const REPLACEMENT = '\uFFFD';

/** CRLF and lone CR to LF. */
export function normaliseNewlines(text: string): string {
  return text.replace(/\r\n?/g, '\n');
}

/** Tabs, LF and printable text stay; every other control or reordering character becomes U+FFFD. */
function visible(text: string): string {
  return text.replace(INVISIBLE, REPLACEMENT);
}

/**
 * Breaks `<!--` and `-->` with a zero-width space, so text from the network cannot plant (or close) one of
 * our hidden markers in the raw body we post, wherever it sits (prose, code span or fenced block).
 */
export function neutraliseMarkers(text: string): string {
  return text.replace(/<!--/g, '<\u200b!--').replace(/-->/g, '--\u200b>');
}

function longestRun(text: string, ch: string): number {
  let longest = 0;
  let run = 0;
  for (const c of text) {
    run = c === ch ? run + 1 : 0;
    if (run > longest) longest = run;
  }
  return longest;
}

/**
 * An inline code span holding `text` literally: line breaks (CR, CRLF, LF) become spaces, control characters
 * become U+FFFD, and the backtick fence is longer than any run inside, so nothing can close it early. GitHub
 * does not look for mentions, issue references or links inside code. In a table cell pass `{ cell: true }`:
 * GFM splits cells on `|` even inside code spans unless it is escaped.
 */
export function code(text: string, options: { cell?: boolean } = {}): string {
  let clean = neutraliseMarkers(visible(text.replace(/\r\n?|\n/g, ' ').replace(/\t/g, ' ')));
  if (options.cell) clean = clean.replace(/\|/g, '\\|');
  if (clean === '') return '` `';
  const fence = '`'.repeat(longestRun(clean, '`') + 1);
  // CommonMark strips one space from each end when both are spaces; pad so the value survives as written.
  const pad = clean.startsWith('`') || clean.endsWith('`') || (clean.startsWith(' ') && clean.endsWith(' ') && clean.trim() !== '') ? ' ' : '';
  return `${fence}${pad}${clean}${pad}${fence}`;
}

/**
 * A fenced code block holding `text` literally. CR and CRLF are normalised to LF first and only then is the
 * fence chosen: backticks, at least three and more than the longest backtick run inside (a tilde run cannot
 * close a backtick fence). `lang` is reduced to an info-string-safe word.
 */
export function fenced(text: string, lang = ''): string {
  const body = neutraliseMarkers(visible(normaliseNewlines(text))).replace(/\n+$/, '');
  const fence = '`'.repeat(Math.max(3, longestRun(body, '`') + 1));
  const info = /^[A-Za-z0-9_+-]{0,20}$/.test(lang) ? lang : '';
  return `${fence}${info}\n${body}\n${fence}`;
}

/** Plain text for terminals and logs: one line, control characters (ESC included) shown as U+FFFD. */
export function plain(text: string): string {
  return visible(text.replace(/\r\n?|\n/g, ' ').replace(/\t/g, ' '));
}

// ---------------------------------------------------------------------------------------------------
// Untrusted prose with code spans

/** A piece of a paragraph: prose to escape, or the content of a code span. */
export type Segment = { kind: 'text'; text: string } | { kind: 'code'; text: string };

/**
 * Splits text into prose and code spans as CommonMark does: a backtick run of length n opens a span that
 * only a run of exactly n closes; an unmatched run is literal backticks; a backslash before a backtick makes
 * it literal. Span content: line breaks become spaces, and one space is stripped from each end when both
 * ends have one (and it is not all spaces).
 */
export function splitCodeSpans(text: string): Segment[] {
  const out: Segment[] = [];
  const unclosed = new Set<number>();
  let prose = '';
  let i = 0;
  const runAt = (at: number) => {
    let j = at;
    while (text[j] === '`') j++;
    return j - at;
  };
  while (i < text.length) {
    const c = text[i]!;
    if (c === '\\' && text[i + 1] === '`') {
      prose += '`';
      i += 2;
      continue;
    }
    if (c !== '`') {
      prose += c;
      i++;
      continue;
    }
    const n = runAt(i);
    let j = i + n;
    let close = -1;
    // No closer of this length after an earlier opener means none after this one either: each length is
    // searched to the end at most once, so hostile text full of unmatched runs stays linear-ish.
    if (unclosed.has(n)) j = text.length;
    while (j < text.length) {
      if (text[j] === '`') {
        const m = runAt(j);
        if (m === n) {
          close = j;
          break;
        }
        j += m;
      } else j++;
    }
    if (close < 0) {
      unclosed.add(n);
      prose += '`'.repeat(n);
      i += n;
      continue;
    }
    let content = text.slice(i + n, close).replace(/\n/g, ' ');
    if (content.length >= 2 && content.startsWith(' ') && content.endsWith(' ') && content.trim() !== '') content = content.slice(1, -1);
    if (prose) out.push({ kind: 'text', text: prose });
    prose = '';
    out.push({ kind: 'code', text: content });
    i = close + n;
  }
  if (prose) out.push({ kind: 'text', text: prose });
  return out;
}

/**
 * Words GitHub (or a linkifying renderer) would turn into something live: URLs with a scheme, `www.` hosts,
 * anything shaped like a domain name (`evil.com`, `github.com/a/b`), e-mail addresses, `@mentions` and
 * `@org/team`, issue references (`#123`, `GH-123`). Such words are shown as code instead.
 */
const LIVE_WORD = [
  /[A-Za-z][A-Za-z0-9+.-]*:\/\//, // scheme://
  /(^|[^A-Za-z0-9])www\./i,
  /[\p{L}\p{N}-]\.\p{L}[\p{L}\p{N}-]/u, // a dot then a TLD-like label: domains (also go.mod, db.go)
  /@[A-Za-z0-9_]/, // mentions, e-mail, module@version
  /#\d/,
  /(^|[^A-Za-z0-9])GH-\d/i,
];

const MAX_WORD = 200;

/** Markdown punctuation escaped wherever it appears in prose (`@` and `#` words are handled as code). */
const ALWAYS_ESCAPED = /[\\`*_[\]<>#|~&$]/g;

function escapeWordText(text: string): string {
  return text.replace(ALWAYS_ESCAPED, (c) => `\\${c}`);
}

/** Splits a prose word into leading punctuation, core and trailing sentence punctuation (linear). */
function wordParts(word: string): [string, string, string] {
  let a = 0;
  while (a < word.length && '("\'['.includes(word[a]!)) a++;
  let b = word.length;
  while (b > a && '.,;:!?)"\']'.includes(word[b - 1]!)) b--;
  let core = word.slice(a, b);
  let trail = word.slice(b);
  // Keep brackets that belong to the word: `f(x)` keeps its `)`.
  while (trail.startsWith(')') && core.includes('(') && !core.endsWith(')')) {
    core += ')';
    trail = trail.slice(1);
  }
  if (core === '') return ['', word, ''];
  return [word.slice(0, a), core, trail];
}

/** Escapes one line of prose (no line breaks inside). */
function escapeProseLine(text: string): string {
  return text
    .split(/( +)/)
    .map((word) => {
      if (word === '' || word.startsWith(' ')) return word;
      const [lead, core, trail] = wordParts(word);
      // A very long word is no prose anyway: shown as code without looking into it.
      if (core.length > MAX_WORD || LIVE_WORD.some((re) => re.test(core))) return escapeWordText(lead) + code(core) + escapeWordText(trail);
      return escapeWordText(word);
    })
    .join('');
}

/** Escapes what would start a block at the beginning of a line: headings, quotes, lists, setext rules. */
function escapeLineStart(line: string): string {
  if (/^[-+=]/.test(line)) return `\\${line}`;
  const ordered = /^(\d{1,9})([.)])/.exec(line);
  if (ordered) return `${ordered[1]}\\${ordered[2]}${line.slice(ordered[0].length)}`;
  return line;
}

/** Collapses runs of spaces and tabs (layout: indented code, hard breaks) to one space. */
function squeeze(text: string): string {
  return text.replace(/[ \t]+/g, ' ');
}

/**
 * Renders one paragraph of untrusted text: code spans through `code()`, prose escaped word by word. `**x**`
 * pairs on one line stay bold (harmless, and our own messages use them). At a line start, `- ` stays a
 * bullet (two spaces of indent or more nest once); anything else that would start a block is escaped.
 */
function renderParagraph(text: string, options: { cell?: boolean; bullets?: boolean } = {}): string {
  const lines: { indent: string; bullet: boolean; segments: Segment[] }[] = [];
  // Structure is decided per line on the raw text, then code spans are parsed over the whole paragraph.
  const raw = text.split('\n');
  const heads = raw.map((l) => {
    const m = options.bullets === false ? null : /^([ \t]*)-[ \t]+(?=\S)/.exec(l);
    if (m) return { indent: m[1]!.replace(/\t/g, '  ').length >= 2 ? '  ' : '', bullet: true, rest: l.slice(m[0].length) };
    return { indent: '', bullet: false, rest: l.replace(/^[ \t]+/, '') };
  });
  const joined = heads.map((h) => h.rest).join('\n');
  // Segments may cross line breaks (code spans can); cut them back into lines.
  let current: Segment[] = [];
  const pushLine = () => {
    const h = heads[lines.length]!;
    lines.push({ indent: h.indent, bullet: h.bullet, segments: current });
    current = [];
  };
  for (const seg of splitCodeSpans(joined)) {
    if (seg.kind === 'code') {
      current.push(seg);
      continue;
    }
    const parts = seg.text.split('\n');
    parts.forEach((p, i) => {
      if (i > 0) pushLine();
      if (p) current.push({ kind: 'text', text: p });
    });
  }
  // A code span that crossed line breaks swallowed them: the lines it spanned are one line now.
  pushLine();
  return lines
    .map((l) => {
      const out = l.segments.map((s) => (s.kind === 'code' ? code(s.text, options) : escapeBold(squeeze(s.text)))).join('').trim();
      if (l.bullet) return `${l.indent}- ${escapeLineStart(out)}`;
      return escapeLineStart(out);
    })
    .filter((l) => l !== '')
    .join('\n');
}

/** Escapes prose but keeps `**bold**` pairs that open and close inside the same text run. */
function escapeBold(text: string): string {
  const parts = text.split(/\*\*([^*\n]+?)\*\*/);
  return parts.map((p, i) => (i % 2 === 1 && p.trim() === p && p !== '' ? `**${escapeProseLine(p)}**` : escapeProseLine(p))).join('');
}

/** Most characters of untrusted text rendered: a message, and one line (title, reason, cell). */
const MAX_INLINE = 8000;
const MAX_INLINE_LINE = 1000;

/** Cuts text to `max` characters (not splitting a surrogate pair), ending with `…`. */
function capped(text: string, max: number): string {
  if (text.length <= max) return text;
  let end = max;
  if (/[\uD800-\uDBFF]/.test(text[end - 1]!)) end--;
  return text.slice(0, end) + '…';
}

/** A fenced block inside a message (a line of three or more backticks or tildes opens it). */
const FENCE_OPEN = /^ {0,3}(`{3,}|~{3,})/;

/**
 * Renders untrusted text (a finding's title or message, an `/ignore` reason, a config value, an error
 * string) as inert Markdown: paragraphs, `- ` bullets, `**bold**` and code spans survive; everything else
 * shows as the characters it is. Closed fenced blocks inside the text are dropped: diffs and file contents
 * are rendered only from structured evidence, through `fenced()`. Line breaks are normalised first, so a lone CR
 * cannot start a line the renderer did not see.
 */
export function inline(text: string): string {
  const lines = neutraliseMarkers(visible(normaliseNewlines(capped(text, MAX_INLINE)))).split('\n');
  const paragraphs: string[] = [];
  let para: string[] = [];
  const flush = () => {
    if (para.length) paragraphs.push(renderParagraph(para.join('\n')));
    para = [];
  };
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    const open = FENCE_OPEN.exec(line);
    if (open) {
      const ch = open[1]![0]!;
      const close = new RegExp(`^ {0,3}\\${ch}{${open[1]!.length},}[ \\t]*$`);
      const end = lines.findIndex((l, j) => j > i && close.test(l));
      // A block that never closes is not dropped: its lines stay (inert) prose, so a stray fence in a
      // quoted value cannot hide the rest of the message.
      if (end > i) {
        flush();
        i = end;
        continue;
      }
    }
    if (line.trim() === '') flush();
    else para.push(line);
  }
  flush();
  return paragraphs.filter(Boolean).join('\n\n');
}

/** Untrusted text on one line (headings, table cells, list items): `inline` with line breaks as spaces. */
export function inlineLine(text: string, options: { cell?: boolean } = {}): string {
  const one = normaliseNewlines(capped(text, MAX_INLINE_LINE)).replace(/\n+/g, ' ');
  // Block structure means nothing on one line: a leading `- ` is escaped, not made a bullet.
  return renderParagraph(neutraliseMarkers(visible(one)), { cell: options.cell, bullets: false });
}

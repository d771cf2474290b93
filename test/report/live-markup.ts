/**
 * Checks that Markdown we post has nothing live in it that came from the input, by rendering it the way
 * GitHub does (CommonMark + raw HTML + autolinked URLs: markdown-it with `html: true, linkify: true`) and
 * then applying what GitHub adds on top of the HTML: @mentions, `#123` references and bare URLs are linked
 * in text, never inside `<code>` or `<pre>`.
 */
import MarkdownIt from 'markdown-it';

const md = new MarkdownIt({ html: true, linkify: true });

/** Renders Markdown as GitHub would (minus its own sanitiser, so anything raw shows up here). */
export function render(markdown: string): string {
  return md.render(markdown);
}

function decode(text: string): string {
  return text
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&#(\d+);/g, (_, n) => String.fromCodePoint(Number(n)))
    .replace(/&#x([0-9a-f]+);/gi, (_, n) => String.fromCodePoint(parseInt(n, 16)))
    .replace(/&amp;/g, '&');
}

/** The text a reader sees (tags removed, entities decoded, our zero-width marker breakers removed). */
export function visibleText(html: string): string {
  return decode(html.replace(/<[^>]*>/g, '')).replace(/\u200b/g, '');
}

/** Text outside `<code>` and `<pre>`: where GitHub looks for mentions, references and URLs. */
export function textOutsideCode(html: string): string {
  return visibleText(html.replace(/<pre[\s\S]*?<\/pre>/g, ' ').replace(/<code>[\s\S]*?<\/code>/g, ' '));
}

/** Elements our renderer writes (`em` for its own `_notes_`; input emphasis is escaped); anything else came from the input. */
const OURS = new Set(['p', 'code', 'pre', 'ul', 'li', 'strong', 'em', 'h3', 'h4', 'hr', 'table', 'thead', 'tbody', 'tr', 'th', 'td', 'details', 'summary', 'sub', 'br']);

export interface LiveOptions {
  /** Links we add ourselves (the check-run URL). */
  allowedLinks?: string[];
  /** Hidden markers we add ourselves (exact comment text). */
  allowedComments?: string[];
  /** Mentions we add ourselves (e.g. `@octocat` in an /ignore reply). */
  allowedMentions?: string[];
}

/** Everything live in rendered Markdown that we did not put there; [] when all input stayed inert. */
export function liveMarkup(markdown: string, options: LiveOptions = {}): string[] {
  const html = render(markdown);
  const problems: string[] = [];
  for (const m of html.matchAll(/<a\s[^>]*href="([^"]*)"/g)) if (!(options.allowedLinks ?? []).includes(decode(m[1]!))) problems.push(`link ${m[1]}`);
  for (const m of html.matchAll(/<([a-z][a-z0-9-]*)\b/gi)) if (!OURS.has(m[1]!.toLowerCase()) && m[1] !== 'a') problems.push(`element <${m[1]}>`);
  for (const m of html.matchAll(/<!--[\s\S]*?-->/g)) if (!(options.allowedComments ?? []).includes(m[0])) problems.push(`comment ${m[0]}`);
  // Our own <details> are always written `<details><summary>`; any other one came from the input.
  const details = (html.match(/<details/g) ?? []).length;
  const ours = (markdown.match(/<details><summary>/g) ?? []).length;
  if (details !== ours) problems.push(`${details - ours} <details> from the input`);
  const text = textOutsideCode(html);
  for (const m of text.matchAll(/(?:^|[^A-Za-z0-9_`])(@[A-Za-z0-9][A-Za-z0-9-]*(?:\/[A-Za-z0-9_.-]+)?)/g)) {
    if (!(options.allowedMentions ?? []).includes(m[1]!)) problems.push(`mention ${m[1]}`);
  }
  for (const m of text.matchAll(/(?:^|[^A-Za-z0-9_&])((?:[\w.-]+\/[\w.-]+)?#\d+|GH-\d+)/gi)) problems.push(`reference ${m[1]}`);
  for (const m of text.matchAll(/\b(?:https?|ftp):\/\/\S+|\bwww\.\S+|[\w.+-]+@[\w-]+\.[\w.-]+/gi)) problems.push(`autolink ${m[0]}`);
  return problems;
}

/**
 * Text from the network made inert enough for an error message: one line, no control or invisible
 * formatting characters, bounded length. This is not Markdown escaping (the one renderer does that); it
 * guarantees that no error a source raises carries a raw body, a line break or a bidi override.
 */

/** Longest excerpt of a response body kept in an error message. */
export const BODY_EXCERPT_CHARS = 200;
/** Longest error message a source produces (a safety net: messages are built from short parts). */
export const MESSAGE_CHARS = 1000;

/**
 * C0 and C1 controls, DEL, and invisible formatting that can reorder or hide text: soft hyphen, Arabic
 * letter mark, zero-width characters, bidi embeddings/overrides/isolates, word joiners, BOM, and the
 * interlinear annotation characters.
 */
const INVISIBLE = /[\u0000-\u001f\u007f-\u009f\u00ad\u061c\u180e\u200b-\u200f\u202a-\u202e\u2060-\u2069\ufeff\ufff9-\ufffb]/gu;
/** Every kind of line or paragraph break and other whitespace, collapsed to one space. */
const SPACE = /[\s\u2028\u2029]+/gu;

/** One line of plain text: breaks and tabs become spaces, controls and invisible characters go, at most `max` characters. */
export function oneLine(text: string, max = BODY_EXCERPT_CHARS): string {
  const flat = text.replace(SPACE, ' ').replace(INVISIBLE, '').replace(/ {2,}/g, ' ').trim();
  const chars = Array.from(flat);
  return chars.length > max ? `${chars.slice(0, Math.max(0, max - 1)).join('').trimEnd()}…` : flat;
}

/**
 * A short plain excerpt of an error body: the `message` of a JSON body when it has one (GitHub, many
 * proxies), else the text itself; '' for an empty body.
 */
export function bodyExcerpt(body: string | Buffer, max = BODY_EXCERPT_CHARS): string {
  const text = typeof body === 'string' ? body : body.toString('utf8');
  const trimmed = text.trim();
  if (trimmed.startsWith('{')) {
    try {
      const message = (JSON.parse(trimmed) as { message?: unknown }).message;
      if (typeof message === 'string') return oneLine(message, max);
    } catch {
      // Not JSON after all: fall through to the text.
    }
  }
  return oneLine(trimmed, max);
}

/**
 * Go string quoting as `strconv.Quote` / `strconv.QuoteRune` / `strconv.Unquote` do it, so that error messages
 * read exactly like the Go toolchain's (`malformed module path "x": invalid char ' '`) and quoted go.mod
 * arguments get the same value Go's parser gives them.
 */

/** True when Go's `unicode.IsPrint` would call this code point printable (approximation via Unicode classes). */
export function isGoPrint(cp: number): boolean {
  if (cp === 0x20) return true;
  if (cp < 0x20 || cp === 0x7f) return false;
  if (cp < 0x7f) return true;
  if (cp >= 0xd800 && cp <= 0xdfff) return false;
  // Go: letters, marks, numbers, punctuation, symbols and the ASCII space. Other spaces (Z*) and C* are not.
  return PRINTABLE.test(String.fromCodePoint(cp));
}
const PRINTABLE = /^[\p{L}\p{M}\p{N}\p{P}\p{S}]$/u;

/** Go's `unicode.IsSpace`. */
export function isGoSpace(cp: number): boolean {
  switch (cp) {
    case 0x09:
    case 0x0a:
    case 0x0b:
    case 0x0c:
    case 0x0d:
    case 0x20:
    case 0x85:
    case 0xa0:
      return true;
  }
  if (cp < 0x100) return false;
  return /^\p{White_Space}$/u.test(String.fromCodePoint(cp));
}

function escapeRune(cp: number, quote: string): string {
  const ch = String.fromCodePoint(cp);
  if (ch === quote || ch === '\\') return '\\' + ch;
  if (isGoPrint(cp)) return ch;
  switch (cp) {
    case 0x07:
      return '\\a';
    case 0x08:
      return '\\b';
    case 0x0c:
      return '\\f';
    case 0x0a:
      return '\\n';
    case 0x0d:
      return '\\r';
    case 0x09:
      return '\\t';
    case 0x0b:
      return '\\v';
  }
  if (cp < 0x20 || cp === 0x7f) return '\\x' + cp.toString(16).padStart(2, '0');
  // A lone surrogate is not valid UTF-8; Go would show the replacement character's escape.
  if (cp >= 0xd800 && cp <= 0xdfff) return '\\ufffd';
  if (cp < 0x10000) return '\\u' + cp.toString(16).padStart(4, '0');
  return '\\U' + cp.toString(16).padStart(8, '0');
}

/** `strconv.Quote(s)`: a double-quoted Go string literal (what `%q` prints for a string). */
export function goQuote(s: string): string {
  let out = '"';
  for (const ch of s) out += escapeRune(ch.codePointAt(0)!, '"');
  return out + '"';
}

/** `strconv.QuoteRune(r)`: a single-quoted Go rune literal (what `%q` prints for a rune). */
export function goQuoteRune(cp: number): string {
  return "'" + escapeRune(cp, "'") + "'";
}

/**
 * `strconv.Unquote` for a double-quoted literal (raw backquoted strings are not accepted here, because the
 * go.mod parser rejects them). Returns null on any syntax error, like Go's `ErrSyntax`.
 * \x and octal escapes produce bytes, so the result is assembled as UTF-8 bytes and decoded at the end.
 */
export function goUnquote(lit: string): string | null {
  if (lit.length < 2 || lit[0] !== '"' || lit[lit.length - 1] !== '"') return null;
  const body = lit.slice(1, -1);
  if (!body.includes('\\') && !body.includes('"') && !body.includes('\n')) {
    return hasLoneSurrogate(body) ? null : body;
  }
  const bytes: number[] = [];
  const pushRune = (cp: number) => {
    for (const b of Buffer.from(String.fromCodePoint(cp), 'utf8')) bytes.push(b);
  };
  let i = 0;
  while (i < body.length) {
    const cp = body.codePointAt(i)!;
    const ch = String.fromCodePoint(cp);
    if (ch === '\n' || ch === '"') return null;
    if (cp >= 0xd800 && cp <= 0xdfff) return null;
    if (ch !== '\\') {
      pushRune(cp);
      i += ch.length;
      continue;
    }
    i++;
    if (i >= body.length) return null;
    const c = body[i]!;
    i++;
    switch (c) {
      case 'a':
        bytes.push(0x07);
        break;
      case 'b':
        bytes.push(0x08);
        break;
      case 'f':
        bytes.push(0x0c);
        break;
      case 'n':
        bytes.push(0x0a);
        break;
      case 'r':
        bytes.push(0x0d);
        break;
      case 't':
        bytes.push(0x09);
        break;
      case 'v':
        bytes.push(0x0b);
        break;
      case '\\':
        bytes.push(0x5c);
        break;
      case '"':
        bytes.push(0x22);
        break;
      case 'x':
      case 'u':
      case 'U': {
        const n = c === 'x' ? 2 : c === 'u' ? 4 : 8;
        const hex = body.slice(i, i + n);
        if (hex.length !== n || !/^[0-9a-fA-F]+$/.test(hex)) return null;
        i += n;
        const v = parseInt(hex, 16);
        if (c === 'x') {
          bytes.push(v);
        } else {
          // utf8.ValidRune: no surrogates, at most U+10FFFF.
          if (v > 0x10ffff || (v >= 0xd800 && v <= 0xdfff)) return null;
          pushRune(v);
        }
        break;
      }
      case '0':
      case '1':
      case '2':
      case '3':
      case '4':
      case '5':
      case '6':
      case '7': {
        const oct = c + body.slice(i, i + 2);
        if (!/^[0-7]{3}$/.test(oct)) return null;
        i += 2;
        const v = parseInt(oct, 8);
        if (v > 255) return null;
        bytes.push(v);
        break;
      }
      default:
        // Includes \' (only valid inside rune literals) and any unknown escape.
        return null;
    }
  }
  return Buffer.from(bytes).toString('utf8');
}

/** True when a JS string holds an unpaired UTF-16 surrogate (it would not be valid UTF-8). */
export function hasLoneSurrogate(s: string): boolean {
  return /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/.test(s);
}

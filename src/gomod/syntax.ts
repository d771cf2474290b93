/**
 * The go.mod / go.work lexer and line parser, a port of golang.org/x/mod/modfile/read.go: it turns text into
 * statements (lines and `verb ( … )` blocks) with positions and attached comments, and nothing more.
 * Directive meaning lives in modfile.ts / gowork.ts.
 */
import { goQuoteRune, isGoPrint, isGoSpace } from './quote.js';

/** A position in the input: 1-based line, 1-based rune column, and offset in the JS string. */
export interface Position {
  line: number;
  col: number;
  offset: number;
}

/** One `//` comment; `token` is the text including `//`, without the newline. Empty token = blank-line marker. */
export interface Comment {
  start: Position;
  token: string;
  suffix: boolean;
}

/** Comments attached to a syntax node (whole-line comments before it, end-of-line comments after it). */
export interface Comments {
  before: Comment[];
  suffix: Comment[];
}

/** A single statement line (top level: first token is the verb; in a block: the verb is left out). */
export interface SyntaxLine {
  kind: 'line';
  comments: Comments;
  start: Position;
  end: Position;
  tokens: string[];
  inBlock: boolean;
}

/** A `verb ( … )` block. */
export interface SyntaxBlock {
  kind: 'block';
  comments: Comments;
  start: Position;
  tokens: string[];
  lparen: { comments: Comments; pos: Position };
  lines: SyntaxLine[];
  rparen: { comments: Comments; pos: Position };
}

/** A run of whole-line comments not attached to any statement. */
export interface SyntaxCommentBlock {
  kind: 'comments';
  comments: Comments;
  start: Position;
}

/** A top-level statement. */
export type Stmt = SyntaxLine | SyntaxBlock | SyntaxCommentBlock;

/** The parsed statement list of one file. */
export interface FileSyntax {
  name: string;
  stmts: Stmt[];
}

/** One error as Go reports it: file, 1-based line and rune column, and the message after the position. */
export interface ModFileErrorEntry {
  file: string;
  line: number;
  col: number;
  message: string;
}

/** Formats an error entry the way Go's modfile.Error does (`go.mod:3:5: msg`; the column is omitted when 1). */
export function formatErrorEntry(e: ModFileErrorEntry): string {
  let pos = '';
  if (e.col > 1) pos = `${e.file}:${e.line}:${e.col}: `;
  else if (e.line > 0) pos = `${e.file}:${e.line}: `;
  else if (e.file !== '') pos = `${e.file}: `;
  return pos + e.message;
}

/** A go.mod / go.sum / go.work that does not parse: every problem found, each with file, line and column. */
export class ModFileError extends Error {
  constructor(readonly errors: ModFileErrorEntry[]) {
    super(errors.map(formatErrorEntry).join('\n'));
    this.name = 'ModFileError';
  }

  /** Path of the file the (first) error is in. */
  get file(): string {
    return this.errors[0]?.file ?? '';
  }
}

/** Thrown inside the lexer to abort parsing at the first lexical error, like Go's panic(&in.parseErrors). */
class LexAbort {
  constructor(readonly entry: ModFileErrorEntry) {}
}

const EOF = -1;
const EOLCOMMENT = -2;
const IDENT = -3;
const STRING = -4;
const COMMENT = -5;
const NL = 0x0a;

interface Token {
  kind: number; // one of the constants above, or the char code of a punctuation token
  pos: Position;
  endPos: Position;
  text: string;
}

function isEOL(kind: number): boolean {
  return kind === EOF || kind === EOLCOMMENT || kind === NL;
}

function isIdentRune(c: number): boolean {
  switch (c) {
    case 0x20:
    case 0x28: // (
    case 0x29: // )
    case 0x5b: // [
    case 0x5d: // ]
    case 0x7b: // {
    case 0x7d: // }
    case 0x2c: // ,
      return false;
  }
  return c >= 0 && !isGoSpace(c) && isGoPrint(c);
}

/** Printable ASCII identifier characters (everything but space and `()[]{},`). */
const ASCII_IDENT: boolean[] = Array.from({ length: 128 }, (_, c) => c > 0x20 && c < 0x7f && !'()[]{},'.includes(String.fromCharCode(c)));

class Input {
  // The current position, kept as plain numbers (a Position object per rune would dominate the run time).
  private line = 1;
  private col = 1;
  private off = 0;
  private tokenStart = 0;
  token: Token = { kind: EOF, pos: { line: 1, col: 1, offset: 0 }, endPos: { line: 1, col: 1, offset: 0 }, text: '' };
  /** Suffix comments, attached to syntax after parsing. */
  readonly comments: Comment[] = [];
  readonly stmts: Stmt[] = [];

  constructor(
    readonly filename: string,
    readonly text: string,
  ) {}

  error(message: string): never {
    throw new LexAbort({ file: this.filename, line: this.line, col: this.col, message });
  }

  private snap(): Position {
    return { line: this.line, col: this.col, offset: this.off };
  }

  private reset(p: Position): void {
    this.line = p.line;
    this.col = p.col;
    this.off = p.offset;
  }

  private eof(): boolean {
    return this.off >= this.text.length;
  }

  private peekRune(): number {
    if (this.eof()) return 0;
    return this.text.codePointAt(this.off)!;
  }

  private peekPrefix(p: string): boolean {
    return this.text.startsWith(p, this.off);
  }

  private readRune(): number {
    if (this.eof()) this.error('internal lexer error: readRune at EOF');
    const c = this.text.codePointAt(this.off)!;
    this.off += c > 0xffff ? 2 : 1;
    if (c === NL) {
      this.line++;
      this.col = 1;
    } else {
      this.col++;
    }
    return c;
  }

  private startToken(): void {
    this.tokenStart = this.off;
    const p = this.snap();
    this.token = { kind: EOF, pos: p, endPos: p, text: '' };
  }

  private endToken(kind: number): void {
    let text = this.text.slice(this.tokenStart, this.off);
    if (kind === COMMENT || kind === EOLCOMMENT) {
      if (text.endsWith('\r\n')) text = text.slice(0, -2);
      else if (text.endsWith('\n')) text = text.slice(0, -1);
    }
    this.token = { kind, pos: this.token.pos, endPos: this.snap(), text };
  }

  peek(): number {
    return this.token.kind;
  }

  lex(): Token {
    const tok = this.token;
    this.readToken();
    return tok;
  }

  readToken(): void {
    while (!this.eof()) {
      const c = this.peekRune();
      if (c === 0x20 || c === 0x09 || c === 0x0d) {
        this.readRune();
        continue;
      }
      if (this.peekPrefix('//')) {
        this.startToken();
        // A comment is a suffix comment when something other than space precedes it on its line.
        const lineStart = this.text.lastIndexOf('\n', this.off - 1) + 1;
        const suffix = this.text.slice(lineStart, this.off).trim() !== '';
        this.readRune();
        this.readRune();
        while (!this.eof() && this.readRune() !== NL) {
          /* consume comment */
        }
        if (!suffix) {
          this.endToken(COMMENT);
          return;
        }
        this.endToken(EOLCOMMENT);
        this.comments.push({ start: this.token.pos, token: this.token.text, suffix: true });
        return;
      }
      if (this.peekPrefix('/*')) this.error('mod files must use // comments (not /* */ comments)');
      break;
    }

    this.startToken();
    if (this.eof()) {
      this.endToken(EOF);
      return;
    }

    const c = this.peekRune();
    switch (c) {
      case NL:
      case 0x28:
      case 0x29:
      case 0x5b:
      case 0x5d:
      case 0x7b:
      case 0x7d:
      case 0x2c:
        this.readRune();
        this.endToken(c);
        return;
      case 0x22: // "
      case 0x60: {
        // ` — the lexer accepts raw strings; parseString later rejects them as arguments.
        const quote = c;
        this.readRune();
        for (;;) {
          if (this.eof()) {
            this.reset(this.token.pos);
            this.error('unexpected EOF in string');
          }
          if (this.peekRune() === NL) this.error('unexpected newline in string');
          const r = this.readRune();
          if (r === quote) break;
          if (r === 0x5c && quote !== 0x60) {
            if (this.eof()) {
              this.reset(this.token.pos);
              this.error('unexpected EOF in string');
            }
            this.readRune();
          }
        }
        this.endToken(STRING);
        return;
      }
    }

    if (!isIdentRune(c)) this.error(`unexpected input character ${goQuoteRune(c)}`);
    const text = this.text;
    for (;;) {
      const u = text.charCodeAt(this.off);
      if (u > 0x20 && u < 0x7f) {
        // ASCII fast path: no line breaks possible, one code unit per rune.
        if (!ASCII_IDENT[u]) break;
        if (u === 0x2f) {
          const next = text.charCodeAt(this.off + 1);
          if (next === 0x2f) break;
          if (next === 0x2a) this.error('mod files must use // comments (not /* */ comments)');
        }
        this.off++;
        this.col++;
        continue;
      }
      if (this.eof() || !isIdentRune(this.peekRune())) break;
      this.readRune();
    }
    this.endToken(IDENT);
  }

  parseFile(): void {
    let cb: SyntaxCommentBlock | null = null;
    for (;;) {
      switch (this.peek()) {
        case NL:
          this.lex();
          if (cb) {
            this.stmts.push(cb);
            cb = null;
          }
          break;
        case COMMENT: {
          const tok = this.lex();
          if (!cb) cb = { kind: 'comments', comments: { before: [], suffix: [] }, start: tok.pos };
          cb.comments.before.push({ start: tok.pos, token: tok.text, suffix: false });
          break;
        }
        case EOF:
          if (cb) this.stmts.push(cb);
          return;
        default:
          this.parseStmt();
          if (cb) {
            this.stmts[this.stmts.length - 1]!.comments.before = cb.comments.before;
            cb = null;
          }
      }
    }
  }

  private parseStmt(): void {
    const tok = this.lex();
    const start = tok.pos;
    let end = tok.endPos;
    const tokens = [tok.text];
    for (;;) {
      const t = this.lex();
      if (isEOL(t.kind)) {
        this.stmts.push({ kind: 'line', comments: { before: [], suffix: [] }, start, end, tokens, inBlock: false });
        return;
      }
      if (t.kind === 0x28) {
        const next = this.peek();
        if (isEOL(next)) {
          // Start of a block: nothing else on this line.
          this.stmts.push(this.parseLineBlock(start, tokens, t));
          return;
        } else if (next === 0x29) {
          const rparen = this.lex();
          if (isEOL(this.peek())) {
            // An empty block: `verb ( )`.
            this.lex();
            this.stmts.push({
              kind: 'block',
              comments: { before: [], suffix: [] },
              start,
              tokens,
              lparen: { comments: { before: [], suffix: [] }, pos: t.pos },
              lines: [],
              rparen: { comments: { before: [], suffix: [] }, pos: rparen.pos },
            });
            return;
          }
          // '( )' in the middle of a line is not a block.
          tokens.push(t.text, rparen.text);
        } else {
          // '(' in the middle of a line is not a block.
          tokens.push(t.text);
        }
        continue;
      }
      tokens.push(t.text);
      end = t.endPos;
    }
  }

  private parseLineBlock(start: Position, tokens: string[], lparen: Token): SyntaxBlock {
    const x: SyntaxBlock = {
      kind: 'block',
      comments: { before: [], suffix: [] },
      start,
      tokens,
      lparen: { comments: { before: [], suffix: [] }, pos: lparen.pos },
      lines: [],
      rparen: { comments: { before: [], suffix: [] }, pos: lparen.pos },
    };
    let comments: Comment[] = [];
    for (;;) {
      switch (this.peek()) {
        case EOLCOMMENT:
          this.lex();
          break;
        case NL:
          // A blank line: keep an empty marker so paragraphs in comments survive.
          this.lex();
          if ((comments.length === 0 && x.lines.length > 0) || (comments.length > 0 && comments[comments.length - 1]!.token !== '')) {
            comments.push({ start: { line: 0, col: 0, offset: 0 }, token: '', suffix: false });
          }
          break;
        case COMMENT: {
          const tok = this.lex();
          comments.push({ start: tok.pos, token: tok.text, suffix: false });
          break;
        }
        case EOF:
          this.error(`syntax error (unterminated block started at ${this.filename}:${x.start.line}:${x.start.col})`);
        // falls through (never reached: error throws)
        case 0x29: {
          const rparen = this.lex();
          x.rparen.comments.before = comments;
          x.rparen.pos = rparen.pos;
          if (!isEOL(this.peek())) this.error('syntax error (expected newline after closing paren)');
          this.lex();
          return x;
        }
        default: {
          const l = this.parseLine();
          x.lines.push(l);
          l.comments.before = comments;
          comments = [];
        }
      }
    }
  }

  private parseLine(): SyntaxLine {
    const tok = this.lex();
    if (isEOL(tok.kind)) this.error('internal parse error: parseLine at end of line');
    const start = tok.pos;
    let end = tok.endPos;
    const tokens = [tok.text];
    for (;;) {
      const t = this.lex();
      if (isEOL(t.kind)) return { kind: 'line', comments: { before: [], suffix: [] }, start, end, tokens, inBlock: true };
      tokens.push(t.text);
      end = t.endPos;
    }
  }

  /** Attaches each suffix comment to the syntax that ends just before it on the same line (read.go assignComments). */
  assignComments(): Comment[] {
    // Postorder list of every node with its span.
    const post: { comments: Comments; start: Position; end: Position }[] = [];
    const plus1 = (p: Position): Position => ({ line: p.line, col: p.col + 1, offset: p.offset + 1 });
    for (const s of this.stmts) {
      if (s.kind === 'line') post.push({ comments: s.comments, start: s.start, end: s.end });
      else if (s.kind === 'comments') post.push({ comments: s.comments, start: s.start, end: s.start });
      else {
        post.push({ comments: s.lparen.comments, start: s.lparen.pos, end: plus1(s.lparen.pos) });
        for (const l of s.lines) post.push({ comments: l.comments, start: l.start, end: l.end });
        post.push({ comments: s.rparen.comments, start: s.rparen.pos, end: plus1(s.rparen.pos) });
        post.push({ comments: s.comments, start: s.start, end: plus1(s.rparen.pos) });
      }
    }
    const suffix = [...this.comments];
    for (let i = post.length - 1; i >= 0; i--) {
      const x = post[i]!;
      // Never attach to something spanning lines (e.g. a whole block).
      if (x.start.line !== x.end.line) continue;
      while (suffix.length > 0 && x.end.offset <= suffix[suffix.length - 1]!.start.offset) {
        x.comments.suffix.push(suffix.pop()!);
      }
    }
    for (const x of post) x.comments.suffix.reverse();
    return suffix; // leftovers belong to the file itself
  }
}

/**
 * Parses go.mod-style text into statements. Throws ModFileError at the first lexical or block-structure
 * error (as Go does); never throws anything else.
 */
export function parseSyntax(filename: string, text: string): FileSyntax {
  const input = new Input(filename, text);
  try {
    input.readToken();
    input.parseFile();
    input.assignComments();
  } catch (e) {
    if (e instanceof LexAbort) throw new ModFileError([e.entry]);
    // Go turns parser bugs into "internal error" entries rather than crashing; so do we.
    throw new ModFileError([{ file: filename, line: 0, col: 0, message: `internal error: ${String(e)}` }]);
  }
  return { name: filename, stmts: input.stmts };
}

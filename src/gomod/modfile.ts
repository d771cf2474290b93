/**
 * go.mod parsing with the meaning of every directive, a port of golang.org/x/mod/modfile/rule.go
 * (`Parse` with no version fixer = strict, for the main module; `ParseLax` = lax, for dependencies' go.mod).
 * Pure: text in, values out. Errors are values (ModFileError) worded like Go's; nothing else is ever thrown.
 */
import { canonicalVersion, pathMajorMismatch, splitPathVersion } from './module.js';
import { goQuote, goUnquote, isGoSpace } from './quote.js';
import {
  ModFileError,
  parseSyntax,
  type Comment,
  type FileSyntax,
  type ModFileErrorEntry,
  type SyntaxBlock,
  type SyntaxLine,
} from './syntax.js';

export { ModFileError, formatErrorEntry, type ModFileErrorEntry } from './syntax.js';

/** Where an element came from: the file path and its 1-based line and rune column. */
export interface SourcePos {
  file: string;
  line: number;
  col: number;
}

/** The `module` line: the module path and its `// Deprecated:` message. */
export interface ModuleDirective extends SourcePos {
  path: string;
  /** Text after `Deprecated:` in the module's comments, or null when not deprecated. */
  deprecated: string | null;
}

/** The `go` line (language version). */
export interface GoDirective extends SourcePos {
  version: string;
}

/** The `toolchain` line. */
export interface ToolchainDirective extends SourcePos {
  name: string;
}

/** One `godebug key=value` setting. */
export interface GodebugDirective extends SourcePos {
  key: string;
  value: string;
}

/** One `require` entry; `indirect` follows Go's `// indirect` rule. */
export interface Requirement extends SourcePos {
  path: string;
  version: string;
  indirect: boolean;
}

/** One `exclude` entry. */
export interface Exclusion extends SourcePos {
  path: string;
  version: string;
}

/** One `replace` entry. */
export interface Replacement extends SourcePos {
  /** Left side; `version` null = every version (wildcard). */
  old: { path: string; version: string | null };
  /** Right side; `version` null = a local directory (`path` is the directory). */
  new: { path: string; version: string | null };
  /** True when the right side is a directory (nothing is downloaded). */
  local: boolean;
}

/** One `retract` entry (a version or a closed interval) with its rationale. */
export interface Retraction extends SourcePos {
  /** Closed interval; low === high for a single version. */
  low: string;
  high: string;
  rationale: string;
}

/** One `tool` entry (a package path). */
export interface ToolDirective extends SourcePos {
  path: string;
}

/** One `ignore` entry (a directory, relative to the module root when it starts with `./`). */
export interface IgnoreDirective extends SourcePos {
  path: string;
}

/** A parsed go.mod. Every element keeps its source position. */
export interface ModFile {
  /** The file path used in positions and errors. */
  path: string;
  module: ModuleDirective | null;
  go: GoDirective | null;
  toolchain: ToolchainDirective | null;
  godebug: GodebugDirective[];
  require: Requirement[];
  exclude: Exclusion[];
  replace: Replacement[];
  retract: Retraction[];
  tool: ToolDirective[];
  ignore: IgnoreDirective[];
}

/** Options for parseModFile. */
export interface ParseOptions {
  /** Lax = a dependency's go.mod: unknown and main-module-only directives are ignored (Go's ParseLax). */
  lax?: boolean;
  /**
   * What to do with a leading UTF-8 byte order mark. Go rejects it (`unexpected input character '\ufeff'`),
   * so 'error' (the default) matches the toolchain; 'strip' reads on as if it were absent.
   */
  bom?: 'error' | 'strip';
}

/** The `go` line format (Go's GoVersionRE). */
export const GO_VERSION_RE = /^([1-9][0-9]*)\.(0|[1-9][0-9]*)(\.(0|[1-9][0-9]*))?([a-z]+[0-9]+)?$/;
const LAX_GO_VERSION_RE = /^v?(([1-9][0-9]*)\.(0|[1-9][0-9]*))([^0-9].*)$/s;
/** The `toolchain` line format (Go's ToolchainRE). */
export const TOOLCHAIN_RE = /^default$|^go1($|\.)/;
const DEPRECATED_RE = /(?:^|\n\n)Deprecated: *([\s\S]*?)(?:$|\n\n)/;

/** Decodes bytes as UTF-8 the lenient way Go's lexer sees them (bad bytes become U+FFFD). */
export function decodeText(content: string | Uint8Array): string {
  return typeof content === 'string' ? content : new TextDecoder('utf-8', { fatal: false, ignoreBOM: true }).decode(content);
}

/** Prepares text for the lexer: decodes bytes and applies the BOM policy. */
export function prepareText(content: string | Uint8Array, bom: 'error' | 'strip' | undefined): string {
  const text = decodeText(content);
  return bom === 'strip' && text.startsWith('\ufeff') ? text.slice(1) : text;
}

/** Result of parseString: the value, or the reason the token is not a valid argument. */
type Parsed = { ok: true; value: string } | { ok: false; err: string };

/** Go's parseString: `"…"` is unquoted with strconv.Unquote; any other token may not contain a quote. */
export function parseArg(token: string): Parsed {
  if (token.startsWith('"')) {
    const v = goUnquote(token);
    return v === null ? { ok: false, err: 'invalid syntax' } : { ok: true, value: v };
  }
  if (/["'`]/.test(token)) return { ok: false, err: 'unquoted string cannot contain quote' };
  return { ok: true, value: token };
}

/** Go's IsDirectoryPath: `.`/`..`-relative or rooted paths (Unix or Windows syntax) are directories. */
export function isDirectoryPath(ns: string): boolean {
  return (
    ns === '.' || ns.startsWith('./') || ns.startsWith('.\\') ||
    ns === '..' || ns.startsWith('../') || ns.startsWith('..\\') ||
    ns.startsWith('/') || ns.startsWith('\\') ||
    (ns.length >= 2 && /^[A-Za-z]$/.test(ns[0]!) && ns[1] === ':')
  );
}

/** Go's isIndirect: the first suffix comment is exactly `indirect` or starts with the field `indirect;`. */
function isIndirect(line: SyntaxLine): boolean {
  const first = line.comments.suffix[0];
  if (!first) return false;
  if (first.token === '// indirect') return true; // the form go writes, by far the most common
  const f = first.token.replace(/^\/\//, '').trim().split(/\s+/).filter((s) => s !== '');
  return (f.length === 1 && f[0] === 'indirect') || (f.length > 1 && f[0] === 'indirect;');
}

/** Go's parseDirectiveComment: the line's comments (or its block's, if it has none), `//` removed, joined. */
function directiveComment(block: SyntaxBlock | null, line: SyntaxLine): string {
  let comments = line.comments;
  if (block && comments.before.length === 0 && comments.suffix.length === 0) comments = block.comments;
  const lines: string[] = [];
  for (const c of [...comments.before, ...comments.suffix] as Comment[]) {
    if (!c.token.startsWith('//')) continue; // blank-line marker
    lines.push(c.token.slice(2).trim());
  }
  return lines.join('\n');
}

/** Version argument check (parseVersion with no fixer): must canonicalise; returns value or error message. */
function parseVersionArg(verb: string, path: string, token: string): Parsed {
  const dir = path !== '' ? `${verb} ${path}: ` : `${verb}: `;
  const s = parseArg(token);
  if (!s.ok) return { ok: false, err: `${dir}version ${goQuote(token)} invalid: ${s.err}` };
  const cv = canonicalVersion(s.value);
  if (cv === '') return { ok: false, err: `${dir}version ${goQuote(s.value)} invalid: must be of the form v1.2.3` };
  return { ok: true, value: cv };
}

/** Major-version check of a version against a path (CheckPathMajor), worded as Go wraps it. */
function majorError(verb: string, path: string, version: string, pathMajor: string): string | null {
  const why = pathMajorMismatch(version, pathMajor);
  return why === null ? null : `${verb} ${path}: version ${goQuote(version)} invalid: ${why}`;
}

/** Parsed replace directive or an error message (shared with go.work). */
export function parseReplaceArgs(
  verb: string,
  args: string[],
): { ok: true; value: Omit<Replacement, keyof SourcePos> } | { ok: false; err: string } {
  const fail = (err: string) => ({ ok: false as const, err });
  let arrow = 2;
  if (args.length >= 2 && args[1] === '=>') arrow = 1;
  if (args.length < arrow + 2 || args.length > arrow + 3 || args[arrow] !== '=>') {
    return fail(
      `usage: ${verb} module/path [v1.2.3] => other/module v1.4\n\t or ${verb} module/path [v1.2.3] => ../local/directory`,
    );
  }
  const s = parseArg(args[0]!);
  if (!s.ok) return fail(`invalid quoted string: ${s.err}`);
  const split = splitPathVersion(s.value);
  if (!split) return fail(`${verb} ${s.value}: invalid module path`);
  let v: string | null = null;
  if (arrow === 2) {
    const pv = parseVersionArg(verb, s.value, args[1]!);
    if (!pv.ok) return fail(pv.err);
    const me = majorError(verb, s.value, pv.value, split.pathMajor);
    if (me) return fail(me);
    v = pv.value;
  }
  const ns = parseArg(args[arrow + 1]!);
  if (!ns.ok) return fail(`invalid quoted string: ${ns.err}`);
  let nv: string | null = null;
  if (args.length === arrow + 2) {
    if (!isDirectoryPath(ns.value)) {
      if (ns.value.includes('@')) return fail(`replacement module must match format 'path version', not 'path@version'`);
      return fail('replacement module without version must be directory path (rooted or starting with . or ..)');
    }
    // Go on Unix rejects backslashes here; go.mod files are reviewed as Linux CI would read them.
    if (ns.value.includes('\\')) return fail('replacement directory appears to be Windows path (on a non-windows system)');
  }
  if (args.length === arrow + 3) {
    const pv = parseVersionArg(verb, ns.value, args[arrow + 2]!);
    if (!pv.ok) return fail(pv.err);
    if (isDirectoryPath(ns.value)) return fail(`replacement module directory path ${goQuote(ns.value)} cannot have version`);
    nv = pv.value;
  }
  return {
    ok: true,
    value: { old: { path: s.value, version: v }, new: { path: ns.value, version: nv }, local: nv === null },
  };
}

/** Go's parseVersionInterval for retract, with the `dontFixRetract` fixer (versions kept as written). */
function parseRetractInterval(args: string[]): { ok: true; low: string; high: string; rest: string[] } | { ok: false; err: string } {
  const ver = (t: string) => {
    const s = parseArg(t);
    return s.ok ? s : { ok: false as const, err: `retract: version ${goQuote(t)} invalid: ${s.err}` };
  };
  let toks = args;
  if (toks.length === 0 || toks[0] === '(') return { ok: false, err: "expected '[' or version" };
  if (toks[0] !== '[') {
    const v = ver(toks[0]!);
    if (!v.ok) return v;
    return { ok: true, low: v.value, high: v.value, rest: toks.slice(1) };
  }
  toks = toks.slice(1);
  if (toks.length === 0) return { ok: false, err: "expected version after '['" };
  const low = ver(toks[0]!);
  if (!low.ok) return low;
  toks = toks.slice(1);
  if (toks.length === 0 || toks[0] !== ',') return { ok: false, err: "expected ',' after version" };
  toks = toks.slice(1);
  if (toks.length === 0) return { ok: false, err: "expected version after ','" };
  const high = ver(toks[0]!);
  if (!high.ok) return high;
  toks = toks.slice(1);
  if (toks.length === 0 || toks[0] !== ']') return { ok: false, err: "expected ']' after version" };
  return { ok: true, low: low.value, high: high.value, rest: toks.slice(1) };
}

const BLOCK_VERBS = new Set(['module', 'godebug', 'require', 'exclude', 'replace', 'retract', 'tool', 'ignore']);
const LAX_VERBS = new Set(['go', 'module', 'retract', 'require', 'ignore']);

/** Interprets one statement line; appends to `f` or to `errs`. */
function addDirective(
  f: ModFile,
  errs: ModFileErrorEntry[],
  block: SyntaxBlock | null,
  line: SyntaxLine,
  verb: string,
  args: string[],
  strict: boolean,
): void {
  if (!strict && !LAX_VERBS.has(verb)) return;
  const at: SourcePos = { file: f.path, line: line.start.line, col: line.start.col };
  const errorf = (message: string) => void errs.push({ ...at, message });

  switch (verb) {
    default:
      errorf(`unknown directive: ${verb}`);
      return;

    case 'go': {
      if (f.go) return errorf('repeated go statement');
      const r = parseGoArgs(args, strict);
      if (typeof r === 'string') return errorf(r);
      f.go = { ...at, version: r.version };
      return;
    }

    case 'toolchain': {
      if (f.toolchain) return errorf('repeated toolchain statement');
      const r = parseToolchainArgs(args);
      if (typeof r === 'string') return errorf(r);
      f.toolchain = { ...at, name: r.name };
      return;
    }

    case 'module': {
      if (f.module) return errorf('repeated module statement');
      const m = DEPRECATED_RE.exec(directiveComment(block, line));
      f.module = { ...at, path: '', deprecated: m ? m[1]! : null };
      if (args.length !== 1) return errorf('usage: module module/path');
      const s = parseArg(args[0]!);
      if (!s.ok) return errorf(`invalid quoted string: ${s.err}`);
      f.module.path = s.value;
      return;
    }

    case 'godebug': {
      const r = parseGodebugArgs(args);
      if (typeof r === 'string') return errorf(r);
      f.godebug.push({ ...at, ...r });
      return;
    }

    case 'require':
    case 'exclude': {
      if (args.length !== 2) return errorf(`usage: ${verb} module/path v1.2.3`);
      const s = parseArg(args[0]!);
      if (!s.ok) return errorf(`invalid quoted string: ${s.err}`);
      const v = parseVersionArg(verb, s.value, args[1]!);
      if (!v.ok) return errorf(v.err);
      const split = splitPathVersion(s.value);
      if (!split) return errorf('invalid module path');
      const me = majorError(verb, s.value, v.value, split.pathMajor);
      if (me) return errorf(me);
      if (verb === 'require') f.require.push({ ...at, path: s.value, version: v.value, indirect: isIndirect(line) });
      else f.exclude.push({ ...at, path: s.value, version: v.value });
      return;
    }

    case 'replace': {
      const r = parseReplaceArgs(verb, args);
      if (!r.ok) return errorf(r.err);
      f.replace.push({ ...at, ...r.value });
      return;
    }

    case 'retract': {
      const rationale = directiveComment(block, line);
      const vi = parseRetractInterval(args);
      if (!vi.ok) {
        // Dependencies may use retract syntax from the future: only the main module reports it.
        if (strict) errorf(vi.err);
        return;
      }
      if (vi.rest.length > 0 && strict) return errorf(`unexpected token after version: ${goQuote(vi.rest[0]!)}`);
      f.retract.push({ ...at, low: vi.low, high: vi.high, rationale });
      return;
    }

    case 'tool':
    case 'ignore': {
      if (args.length !== 1) return errorf(`${verb} directive expects exactly one argument`);
      const s = parseArg(args[0]!);
      if (!s.ok) return errorf(`invalid quoted string: ${s.err}`);
      f[verb].push({ ...at, path: s.value });
      return;
    }
  }
}

/** Interprets parsed syntax as a go.mod; collects every directive error like Go does. */
export function interpretModSyntax(fs: FileSyntax, strict: boolean): ModFile {
  const f: ModFile = {
    path: fs.name,
    module: null,
    go: null,
    toolchain: null,
    godebug: [],
    require: [],
    exclude: [],
    replace: [],
    retract: [],
    tool: [],
    ignore: [],
  };
  const errs: ModFileErrorEntry[] = [];
  for (const x of fs.stmts) {
    if (x.kind === 'line') {
      addDirective(f, errs, null, x, x.tokens[0]!, x.tokens.slice(1), strict);
    } else if (x.kind === 'block') {
      if (x.tokens.length > 1 || !BLOCK_VERBS.has(x.tokens[0]!)) {
        if (strict) {
          errs.push({ file: fs.name, line: x.start.line, col: x.start.col, message: `unknown block type: ${x.tokens.join(' ')}` });
        }
        continue;
      }
      for (const l of x.lines) addDirective(f, errs, x, l, x.tokens[0]!, l.tokens, strict);
    }
  }
  if (errs.length > 0) throw new ModFileError(errs);
  return f;
}

/**
 * Parses a go.mod. Strict by default (the main module: unknown directives are errors); `{lax: true}` for a
 * dependency's go.mod. Throws ModFileError (never anything else) listing each problem as `file:line:col: msg`.
 */
export function parseModFile(path: string, content: string | Uint8Array, opts: ParseOptions = {}): ModFile {
  const text = prepareText(content, opts.bom);
  return interpretModSyntax(parseSyntax(path, text), !opts.lax);
}

/** Lax parse of a dependency's go.mod (Go's ParseLax). Throws ModFileError. */
export function parseModFileLax(path: string, content: string | Uint8Array, opts: Omit<ParseOptions, 'lax'> = {}): ModFile {
  return parseModFile(path, content, { ...opts, lax: true });
}

/**
 * The module path a go.mod declares, read the tolerant way golang.org/x/mod/modfile's ModulePath does (the
 * go command uses it to find a major-version module's directory): the first `module` line, comment cut,
 * quoted paths unquoted; '' when there is none or it is malformed. Unrelated syntax errors do not matter.
 */
export function modulePath(content: string | Uint8Array): string {
  for (let line of decodeText(content).split('\n')) {
    const comment = line.indexOf('//');
    if (comment >= 0) line = line.slice(0, comment);
    line = trimGoSpace(line);
    if (!line.startsWith('module')) continue;
    const rest = line.slice('module'.length);
    line = trimGoSpace(rest);
    // `modulex` is not a module line; `module` alone has no path.
    if (line.length === rest.length || line === '') continue;
    if (line.startsWith('`')) {
      const body = line.slice(1, -1);
      return line.length >= 2 && line.endsWith('`') && !body.includes('`') ? body.replace(/\r/g, '') : '';
    }
    if (line.startsWith('"')) return goUnquote(line) ?? '';
    return line;
  }
  return '';
}

/** Go's bytes.TrimSpace: strips unicode.IsSpace from both ends (not U+FEFF, unlike String.prototype.trim). */
function trimGoSpace(s: string): string {
  let start = 0;
  let end = s.length;
  while (start < end && isGoSpace(s.codePointAt(start)!)) start++;
  while (end > start && isGoSpace(s.charCodeAt(end - 1))) end--;
  return s.slice(start, end);
}

/** Like parseModFile but returns the error as a value instead of throwing. */
export function tryParseModFile(
  path: string,
  content: string | Uint8Array,
  opts: ParseOptions = {},
): { ok: true; file: ModFile } | { ok: false; error: ModFileError } {
  try {
    return { ok: true, file: parseModFile(path, content, opts) };
  } catch (e) {
    if (e instanceof ModFileError) return { ok: false, error: e };
    throw e;
  }
}

/** Arguments of a `go` line (go.work is always strict): the version, or Go's error message. Lax mode keeps the
 * leading `1.N` of a version Go's parser would otherwise refuse, as Go does for dependencies' go.mod. */
export function parseGoArgs(args: string[], strict: boolean): { version: string } | string {
  if (args.length !== 1) return 'go directive expects exactly one argument';
  const version = args[0]!;
  if (GO_VERSION_RE.test(version)) return { version };
  const m = strict ? null : LAX_GO_VERSION_RE.exec(version);
  return m ? { version: m[1]! } : `invalid go version '${version}': must match format 1.23.0`;
}

/** Arguments of a `toolchain` line (go.mod and go.work alike): the name, or Go's error message. */
export function parseToolchainArgs(args: string[]): { name: string } | string {
  if (args.length !== 1) return 'toolchain directive expects exactly one argument';
  if (!TOOLCHAIN_RE.test(args[0]!)) return `invalid toolchain version '${args[0]}': must match format go1.23.0 or default`;
  return { name: args[0]! };
}

/** Arguments of a `godebug` line (go.mod and go.work alike): key and value, or Go's error message. */
export function parseGodebugArgs(args: string[]): { key: string; value: string } | string {
  if (args.length !== 1 || /["`',]/.test(args[0]!)) return 'usage: godebug key=value';
  const eq = args[0]!.indexOf('=');
  if (eq < 0) return 'usage: godebug key=value';
  return { key: args[0]!.slice(0, eq), value: args[0]!.slice(eq + 1) };
}

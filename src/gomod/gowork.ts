/**
 * go.work parsing (golang.org/x/mod/modfile/work.go): `go`, `toolchain`, `godebug`, `use`, `replace`.
 * Same lexer and error values as go.mod; every element keeps its file and line.
 */
import {
  parseArg,
  parseGoArgs,
  parseGodebugArgs,
  parseReplaceArgs,
  parseToolchainArgs,
  prepareText,
  type GoDirective,
  type GodebugDirective,
  type Replacement,
  type SourcePos,
  type ToolchainDirective,
} from './modfile.js';
import { ModFileError, parseSyntax, type ModFileErrorEntry, type SyntaxLine } from './syntax.js';

/** A `use` directive: a module directory in the workspace. */
export interface UseDirective extends SourcePos {
  path: string;
}

/** A parsed go.work. */
export interface WorkFile {
  path: string;
  go: GoDirective | null;
  toolchain: ToolchainDirective | null;
  godebug: GodebugDirective[];
  use: UseDirective[];
  replace: Replacement[];
}

const WORK_BLOCKS = new Set(['godebug', 'use', 'replace']);

function addWork(f: WorkFile, errs: ModFileErrorEntry[], line: SyntaxLine, verb: string, args: string[]): void {
  const at: SourcePos = { file: f.path, line: line.start.line, col: line.start.col };
  const errorf = (message: string) => void errs.push({ ...at, message });
  switch (verb) {
    default:
      return errorf(`unknown directive: ${verb}`);
    case 'go': {
      if (f.go) return errorf('repeated go statement');
      const r = parseGoArgs(args, true);
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
    case 'godebug': {
      const r = parseGodebugArgs(args);
      if (typeof r === 'string') return errorf(r);
      f.godebug.push({ ...at, ...r });
      return;
    }
    case 'use': {
      if (args.length !== 1) return errorf(`usage: ${verb} local/dir`);
      const s = parseArg(args[0]!);
      if (!s.ok) return errorf(`invalid quoted string: ${s.err}`);
      f.use.push({ ...at, path: s.value });
      return;
    }
    case 'replace': {
      const r = parseReplaceArgs(verb, args);
      if (!r.ok) return errorf(r.err);
      f.replace.push({ ...at, ...r.value });
      return;
    }
  }
}

/** Parses a go.work file; throws ModFileError (never anything else) with Go-worded, positioned errors. */
export function parseWorkFile(path: string, content: string | Uint8Array, opts: { bom?: 'error' | 'strip' } = {}): WorkFile {
  const fs = parseSyntax(path, prepareText(content, opts.bom));
  const f: WorkFile = { path, go: null, toolchain: null, godebug: [], use: [], replace: [] };
  const errs: ModFileErrorEntry[] = [];
  for (const x of fs.stmts) {
    if (x.kind === 'line') addWork(f, errs, x, x.tokens[0]!, x.tokens.slice(1));
    else if (x.kind === 'block') {
      if (x.tokens.length > 1 || !WORK_BLOCKS.has(x.tokens[0]!)) {
        errs.push({ file: path, line: x.start.line, col: x.start.col, message: `unknown block type: ${x.tokens.join(' ')}` });
        continue;
      }
      for (const l of x.lines) addWork(f, errs, l, x.tokens[0]!, l.tokens);
    }
  }
  if (errs.length > 0) throw new ModFileError(errs);
  return f;
}

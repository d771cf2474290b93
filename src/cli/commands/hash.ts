import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { Command } from 'commander';
import { UsageError, type CliContext } from '../context.js';
import { hashDir, writeModuleZipFromDir, TreeRejectedError, type DirOptions } from '../../modzip/dir.js';
import { hashGoMod, syntheticGoMod } from '../../modzip/hash.js';
import { readModuleZip, zipModuleVersion, ZipRejectedError } from '../../modzip/reader.js';
import { MAX_GO_MOD } from '../../modzip/fileset.js';

interface ModuleOpts {
  module?: string;
  version?: string;
  json?: boolean;
}

/** The two go.sum lines of a module version. */
function goSumLines(mod: string, version: string, h1: string, goModH1: string): string {
  return `${mod} ${version} ${h1}\n${mod} ${version}/go.mod ${goModH1}\n`;
}

function rejected(file: string, e: unknown): never {
  if (e instanceof ZipRejectedError || e instanceof TreeRejectedError) throw new UsageError(`${file}: ${e.message}`);
  throw e;
}

async function zipCommand(ctx: CliContext, file: string, opts: ModuleOpts): Promise<void> {
  if ((opts.module === undefined) !== (opts.version === undefined)) throw new UsageError('give both --module and --version, or neither');
  const abs = path.resolve(ctx.cwd, file);
  const mv = opts.module ? { path: opts.module, version: opts.version! } : await zipModuleVersion(abs).catch((e) => rejected(file, e));
  const got = await readModuleZip(abs, mv).catch((e) => rejected(file, e));
  // A module without go.mod gets the synthetic one from the proxy's .mod endpoint, and go.sum hashes that.
  const goModH1 = got.goModH1 ?? hashGoMod(syntheticGoMod(mv.path));
  if (opts.json) {
    ctx.out(JSON.stringify({ module: mv.path, version: mv.version, h1: got.h1, goModH1, goModSynthetic: got.goModH1 === null, files: got.files }, null, 2) + '\n');
  } else {
    ctx.out(goSumLines(mv.path, mv.version, got.h1, goModH1));
  }
}

async function dirCommand(ctx: CliContext, dir: string, opts: ModuleOpts & { zip?: string; subdir?: string; vcs?: boolean; verbose?: boolean }): Promise<void> {
  if (!opts.module || !opts.version) throw new UsageError('hash dir needs --module <path> and --version <version>');
  const abs = path.resolve(ctx.cwd, dir);
  const dopts: DirOptions = { modulePath: opts.module, version: opts.version, subdir: opts.subdir, mode: opts.vcs ? 'vcs' : 'dir' };
  const got = await (opts.zip ? writeModuleZipFromDir(abs, dopts, path.resolve(ctx.cwd, opts.zip)) : hashDir(abs, dopts)).catch((e) => rejected(dir, e));
  const modRoot = opts.subdir ? path.join(abs, opts.subdir) : abs;
  const goMod = got.files.some((f) => f.path === 'go.mod') ? await readFile(path.join(modRoot, 'go.mod')) : null;
  const goModH1 = hashGoMod(goMod ?? syntheticGoMod(opts.module));
  if (opts.json) {
    ctx.out(JSON.stringify({ module: opts.module, version: opts.version, h1: got.h1, goModH1, goModSynthetic: goMod === null, files: got.files, omitted: got.omitted }, null, 2) + '\n');
    return;
  }
  ctx.out(goSumLines(opts.module, opts.version, got.h1, goModH1));
  if (opts.verbose) for (const o of got.omitted) ctx.err(`omitted ${o.path}: ${o.reason}\n`);
}

async function goModCommand(ctx: CliContext, file: string, opts: ModuleOpts): Promise<void> {
  let bytes: Buffer;
  try {
    bytes = await readFile(path.resolve(ctx.cwd, file));
  } catch (e) {
    throw new UsageError(`cannot read ${file}: ${(e as NodeJS.ErrnoException).code ?? String(e)}`);
  }
  if (bytes.length > MAX_GO_MOD) throw new UsageError(`${file}: go.mod file too large (max size is ${MAX_GO_MOD} bytes)`);
  const h1 = hashGoMod(bytes);
  if (opts.module && opts.version) ctx.out(`${opts.module} ${opts.version}/go.mod ${h1}\n`);
  else ctx.out(`${h1}\n`);
}

/** `modwarden hash zip|dir|gomod`: Go's h1 hashes of a module zip, a source tree, or a go.mod. */
export function register(program: Command, ctx: CliContext): void {
  const hash = program.command('hash').description("Compute Go's h1: hashes (as in go.sum) of a module zip, a source directory, or a go.mod.");
  hash
    .command('zip')
    .description(
      'Check a module zip as Go would (refusing unsafe or malformed zips) and print its go.sum lines. ' +
        'Without --module/--version, module@version is taken from the prefix all entries share.',
    )
    .argument('<file.zip>', 'the module zip')
    .option('--module <path>', 'module path the zip must be for')
    .option('--version <version>', 'version the zip must be for')
    .option('--json', 'print module, version, hashes and per-file SHA-256 as JSON')
    .action((file: string, opts: ModuleOpts) => zipCommand(ctx, file, opts));
  hash
    .command('dir')
    .description("Print the go.sum lines of the module zip Go would build from a directory (zip.CreateFromDir rules).")
    .argument('<dir>', 'the module source directory (or a repository root with --subdir)')
    .requiredOption('--module <path>', 'module path')
    .requiredOption('--version <version>', 'canonical version')
    .option('--subdir <dir>', "the module's directory inside <dir> (a sub-directory or vN/ module)")
    .option('--vcs', "apply the go command's rules for a repository commit instead (no VCS-dir skipping; root LICENSE copied into a --subdir module)")
    .option('--zip <out.zip>', 'also write that module zip')
    .option('--json', 'print hashes, files and omitted entries as JSON')
    .option('--verbose', 'list omitted files and directories on stderr')
    .action((dir: string, opts: ModuleOpts & { zip?: string; subdir?: string; vcs?: boolean; verbose?: boolean }) => dirCommand(ctx, dir, opts));
  hash
    .command('gomod')
    .description('Print the h1: hash of a go.mod file (the "/go.mod" line of go.sum).')
    .argument('<go.mod>', 'the go.mod file')
    .option('--module <path>', 'print a full go.sum line for this module path (with --version)')
    .option('--version <version>', 'version for the go.sum line')
    .action((file: string, opts: ModuleOpts) => goModCommand(ctx, file, opts));
}

import { Command, CommanderError } from 'commander';
import { EXIT, UsageError, type CliContext } from './context.js';
import { register as registerDiff } from './commands/diff.js';
import { register as registerHash } from './commands/hash.js';
import { register as registerTyposquat } from './commands/typosquat.js';
import { register as registerVerify } from './commands/verify.js';
import { register as registerScan } from './commands/scan.js';

export interface MainOptions {
  out?: (text: string) => void;
  err?: (text: string) => void;
  env?: NodeJS.ProcessEnv;
  cwd?: string;
}

/**
 * Runs the CLI with `argv` (without `node` and the script name) and resolves to the exit code.
 * Tests call this directly with their own writers; bin/modwarden.js calls it with the real process.
 */
export async function main(argv: string[], options: MainOptions = {}): Promise<number> {
  let code: number = EXIT.ok;
  const ctx: CliContext = {
    out: options.out ?? ((t) => void process.stdout.write(t)),
    err: options.err ?? ((t) => void process.stderr.write(t)),
    env: options.env ?? process.env,
    cwd: options.cwd ?? process.cwd(),
    exit: (c) => {
      code = Math.max(code, c);
    },
  };
  const program = new Command('modwarden')
    .description('Review Go dependency changes for typosquats and module-proxy divergence.')
    .version(await packageVersion())
    .showHelpAfterError()
    // Sub-commands own their options (`hash --version <v>`, `verify --json`): without positional options the
    // root's `--version` flag would swallow them wherever they appear.
    .enablePositionalOptions()
    .exitOverride()
    .configureOutput({ writeOut: ctx.out, writeErr: ctx.err });
  for (const register of [registerDiff, registerHash, registerTyposquat, registerVerify, registerScan]) {
    register(program, ctx);
  }
  // Sub-commands inherit exitOverride and output settings.
  for (const sub of program.commands) sub.exitOverride().configureOutput({ writeOut: ctx.out, writeErr: ctx.err });
  try {
    await program.parseAsync(argv, { from: 'user' });
  } catch (e) {
    if (e instanceof CommanderError) {
      // --help and --version are not errors.
      if (e.code === 'commander.helpDisplayed' || e.code === 'commander.version' || e.code === 'commander.help') {
        return EXIT.ok;
      }
      return EXIT.badInput;
    }
    if (e instanceof UsageError) {
      ctx.err(`modwarden: ${e.message}\n`);
      return Math.max(code, e.exitCode);
    }
    ctx.err(`modwarden: ${e instanceof Error ? e.message : String(e)}\n`);
    return EXIT.badInput;
  }
  return code;
}

async function packageVersion(): Promise<string> {
  const { readFile } = await import('node:fs/promises');
  // Walk up from this file: it runs from src/ under tests and from dist/src/ when built.
  for (let dir = new URL('./', import.meta.url); ; dir = new URL('../', dir)) {
    try {
      const pkg = JSON.parse(await readFile(new URL('package.json', dir), 'utf8')) as { name?: string; version: string };
      if (pkg.name === 'modwarden') return pkg.version;
    } catch {
      /* keep walking */
    }
    if (dir.pathname === '/') return '0.0.0';
  }
}

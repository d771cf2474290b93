import { Command, CommanderError } from 'commander';
import { EXIT, UsageError, type CliContext } from './context.js';

type Register = (program: Command, ctx: CliContext) => void;

// Commands load on demand: `modwarden hash` should not pay for the engine, Probot's HTTP stack and the rest.
const COMMANDS: Record<string, () => Promise<{ register: Register }>> = {
  diff: () => import('./commands/diff.js'),
  hash: () => import('./commands/hash.js'),
  typosquat: () => import('./commands/typosquat.js'),
  verify: () => import('./commands/verify.js'),
  scan: () => import('./commands/scan.js'),
  audit: () => import('./commands/audit.js'),
};

/** The modules to load: only the command named, else all (root help, unknown commands, suggestions). */
async function commandsFor(argv: string[]): Promise<Register[]> {
  const named = argv.find((a) => !a.startsWith('-'));
  const load = named !== undefined && Object.hasOwn(COMMANDS, named) ? [COMMANDS[named]!] : Object.values(COMMANDS);
  // One after the other: the modules share most of their graph, and Jest's ESM loader fails on parallel links.
  const out: Register[] = [];
  for (const l of load) out.push((await l()).register);
  return out;
}

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
  for (const register of await commandsFor(argv)) register(program, ctx);
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

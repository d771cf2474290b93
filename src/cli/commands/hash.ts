import type { Command } from 'commander';
import type { CliContext } from '../context.js';

/** Placeholder until the hash command lands: it says so instead of pretending to work. */
export function register(program: Command, ctx: CliContext): void {
  program
    .command('hash')
    .description('(not built yet)')
    .allowUnknownOption()
    .action(() => {
      ctx.err('modwarden hash: not implemented yet\n');
      ctx.exit(2);
    });
}

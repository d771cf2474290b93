import type { Command } from 'commander';
import type { CliContext } from '../context.js';

/** Placeholder until the diff command lands: it says so instead of pretending to work. */
export function register(program: Command, ctx: CliContext): void {
  program
    .command('diff')
    .description('(not built yet)')
    .allowUnknownOption()
    .action(() => {
      ctx.err('modwarden diff: not implemented yet\n');
      ctx.exit(2);
    });
}

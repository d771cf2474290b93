import type { Command } from 'commander';
import type { CliContext } from '../context.js';

/** Placeholder until the typosquat command lands: it says so instead of pretending to work. */
export function register(program: Command, ctx: CliContext): void {
  program
    .command('typosquat')
    .description('(not built yet)')
    .allowUnknownOption()
    .action(() => {
      ctx.err('modwarden typosquat: not implemented yet\n');
      ctx.exit(2);
    });
}

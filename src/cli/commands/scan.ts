import type { Command } from 'commander';
import type { CliContext } from '../context.js';

/** Placeholder until the scan command lands: it says so instead of pretending to work. */
export function register(program: Command, ctx: CliContext): void {
  program
    .command('scan')
    .description('(not built yet)')
    .allowUnknownOption()
    .action(() => {
      ctx.err('modwarden scan: not implemented yet\n');
      ctx.exit(2);
    });
}

import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { Command } from 'commander';
import { EXIT, UsageError, type CliContext } from '../context.js';
import { diffGoMod, type GoModSide } from '../../gomod/diff.js';
import { ModFileError } from '../../gomod/modfile.js';
import type { RequirementChange } from '../../gomod/types.js';

/** `/dev/null` stands for "no file": a go.mod new in the change (as base) or deleted (as head), like git diff. */
const NO_FILE = '/dev/null';

async function readSide(file: string, cwd: string): Promise<GoModSide | null> {
  if (file === NO_FILE) return null;
  try {
    return { path: file, content: await readFile(path.resolve(cwd, file)) };
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'is a directory' : (code ?? String(e));
    throw new UsageError(`cannot read ${file}: ${why} (use ${NO_FILE} for a go.mod that is new or deleted)`);
  }
}

function versionText(c: RequirementChange): string {
  if (c.kind === 'added') return c.to ?? '';
  if (c.kind === 'removed') return c.from ?? '';
  if (c.from !== null && c.to !== null && c.from !== c.to) return `${c.from} -> ${c.to}`;
  return c.to ?? c.from ?? '(all versions)';
}

function replacementText(c: RequirementChange): string {
  if (c.kind === 'replaced' && !c.replacement) return '  (replacement removed)';
  if (!c.replacement) return '';
  const r = c.replacement;
  return `  => ${r.path}${r.version ? ' ' + r.version : ''}${r.local ? ' (local directory, not fetched)' : ''}`;
}

/** Human-readable listing: one change per line, aligned, with the head line to look at. */
export function formatChangesText(changes: readonly RequirementChange[]): string {
  if (changes.length === 0) return 'No requirement changes.\n';
  const kindW = Math.max(...changes.map((c) => c.kind.length));
  const modW = Math.max(...changes.map((c) => c.module.length));
  const lines = changes.map((c) => {
    const where = c.line !== null ? `  ${c.goModPath}:${c.line}` : '';
    const indirect = c.indirect ? '  // indirect' : '';
    return `${c.kind.padEnd(kindW)}  ${c.module.padEnd(modW)}  ${versionText(c)}${replacementText(c)}${indirect}${where}`.trimEnd();
  });
  const n = changes.length;
  return `${n} requirement change${n === 1 ? '' : 's'}:\n${lines.join('\n')}\n`;
}

/** `modwarden diff <base-go.mod> <head-go.mod> [--json]`: requirement changes between two go.mod files. */
export function register(program: Command, ctx: CliContext): void {
  program
    .command('diff')
    .description(
      'List requirement changes (added, removed, upgraded, downgraded, replaced) between two go.mod files. ' +
        `Use ${NO_FILE} as the base for a new go.mod, or as the head for a deleted one.`,
    )
    .argument('<base-go.mod>', `the go.mod before the change (${NO_FILE} if it is new)`)
    .argument('<head-go.mod>', `the go.mod after the change (${NO_FILE} if it was deleted)`)
    .option('--json', 'print a JSON array of changes instead of text')
    .action(async (baseFile: string, headFile: string, opts: { json?: boolean }) => {
      if (baseFile === NO_FILE && headFile === NO_FILE) throw new UsageError(`base and head cannot both be ${NO_FILE}`);
      const [base, head] = [await readSide(baseFile, ctx.cwd), await readSide(headFile, ctx.cwd)];
      let changes: RequirementChange[];
      try {
        changes = diffGoMod(base, head);
      } catch (e) {
        if (e instanceof ModFileError) throw new UsageError(`errors parsing go.mod:\n${e.message}`, EXIT.badInput);
        throw e;
      }
      ctx.out(opts.json ? JSON.stringify(changes, null, 2) + '\n' : formatChangesText(changes));
      ctx.exit(EXIT.ok);
    });
}

import type { Command } from 'commander';
import { EXIT, UsageError, type CliContext } from '../context.js';
import { modulePathError } from '../../gomod/module.js';
import { CorpusError, loadCorpus } from '../../checks/typosquat/corpus.js';
import { createTyposquatDetector, type TyposquatResult } from '../../checks/typosquat/detector.js';
import { describeNonAscii } from '../../checks/typosquat/names.js';
import { clientsFor, engineEnvFor } from '../engine-env.js';

interface Options {
  json?: boolean;
  offline?: boolean;
  existing?: string[];
  data?: string;
}

/**
 * `modwarden typosquat <module>... [--json] [--offline] [--existing <module>...]`: is each module path a
 * look-alike of a trusted module? Exit 1 when any is suspicious, 0 when none is, 2 on bad input.
 * Uses GitHub metadata when GITHUB_TOKEN or GITHUB_API_URL is set, unless --offline.
 */
export function register(program: Command, ctx: CliContext): void {
  program
    .command('typosquat')
    .description('check Go module paths for look-alikes of popular modules (exit 1 when any is suspicious)')
    .argument('<module...>', 'module paths to check')
    .option('--json', 'print a JSON array of results')
    .option('--offline', 'do not ask GitHub for repository metadata')
    .option('--existing <module...>', 'modules the repository already requires (they count as targets)')
    .option('--data <dir>', 'corpus directory (default: the package data/)')
    .action(async (modules: string[], opts: Options) => {
      const bad = modules.map((m) => ({ m, err: modulePathError(m) })).filter((x) => x.err);
      if (bad.length) {
        // Explain look-alike characters too: an invalid path that imitates a real one is worth saying so.
        const detector = safeDetector(opts);
        const lines = bad.map(({ m, err }) => {
          const r = detector?.check(m);
          const glyph = describeNonAscii(m);
          const hint = [glyph, r?.target ? `it imitates \`${r.target}\`` : null].filter(Boolean).join('; ');
          return `invalid module path: ${err}${hint ? ` (${hint})` : ''}`;
        });
        throw new UsageError(lines.join('\nmodwarden: '));
      }
      const detector = safeDetector(opts);
      if (!detector) throw new UsageError(`cannot load the typosquat corpus${opts.data ? ` from ${opts.data}` : ''}`);
      // GitHub metadata only when the user pointed us at an API or gave a token: unasked, a CLI stays local.
      const useGitHub = !opts.offline && Boolean(ctx.env.GITHUB_TOKEN || ctx.env.ORIGIN_GITHUB_TOKEN || ctx.env.GITHUB_API_URL);
      const clients = await clientsFor(engineEnvFor(ctx.env), { origin: false, meta: useGitHub });
      const { assessTyposquat } = await import('../../engine/wiring.js');
      const results: TyposquatResult[] = [];
      try {
        for (const m of modules) results.push(await assessTyposquat(clients, detector, { path: m, version: null }, opts.existing ?? []));
      } finally {
        await clients.proxy.close();
      }
      if (opts.json) {
        ctx.out(JSON.stringify(results, null, 2) + '\n');
      } else {
        for (const r of results) ctx.out(renderText(r));
      }
      ctx.exit(results.some((r) => r.suspicious) ? EXIT.findings : EXIT.ok);
    });
}

function safeDetector(opts: Options) {
  try {
    return createTyposquatDetector({ corpus: loadCorpus(opts.data) });
  } catch (e) {
    if (e instanceof CorpusError) throw new UsageError(e.message);
    throw e;
  }
}

function renderText(r: TyposquatResult): string {
  const head = r.suspicious
    ? `SUSPICIOUS ${r.module} (score ${r.score.toFixed(2)})${r.target ? ` imitates ${r.target}` : ''}`
    : `ok ${r.module} (score ${r.score.toFixed(2)})`;
  const body = [...r.reasons, ...(r.notes ?? []).map((n) => `note: ${n}`)].map((x) => `  - ${x.replace(/`/g, '')}`);
  return [head, ...body].join('\n') + '\n';
}

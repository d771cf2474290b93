import type { Command } from 'commander';
import { EXIT, UsageError, type CliContext } from '../context.js';
import { canonicalVersion, checkModuleVersion, modulePathError } from '../../gomod/module.js';
import { CorpusError, loadCorpus } from '../../checks/typosquat/corpus.js';
import { createTyposquatDetector, type TyposquatResult } from '../../checks/typosquat/detector.js';
import { describeNonAscii } from '../../checks/typosquat/names.js';
import { clientsFor, engineEnvFor } from '../engine-env.js';

interface Options {
  json?: boolean;
  offline?: boolean;
  existing?: string[];
  data?: string;
  goproxy?: string;
}

/**
 * `modwarden typosquat <module>[@version]... [--json] [--offline] [--existing <module>...]`: is each module a
 * look-alike of a trusted module, and what does the evidence say? The same assessment as the app's scan
 * (engine/wiring.ts assessTyposquat): the module proxy from GOPROXY (first publication, go.mod, content of the
 * version given, else the latest) and GitHub metadata when GITHUB_TOKEN or GITHUB_API_URL is set; neither with
 * --offline. Exit 1 when any is reported, 0 when none is, 2 on bad input.
 */
export function register(program: Command, ctx: CliContext): void {
  program
    .command('typosquat')
    .description('check Go module paths for look-alikes of popular modules (exit 1 when any is suspicious)')
    .argument('<module...>', 'module paths to check, each optionally @version (content is compared for that version, else the latest)')
    .option('--json', 'print a JSON array of results (with severity and evidence entries naming their source)')
    .option('--offline', 'name check only: ask neither the module proxy nor GitHub')
    .option('--goproxy <url>', 'module proxy to ask (default: $GOPROXY, else https://proxy.golang.org,direct)')
    .option('--existing <module...>', 'modules the repository already requires (they count as targets)')
    .option('--data <dir>', 'corpus directory (default: the package data/)')
    .addHelpText('after', '\nEnvironment: GOPROXY, GOPRIVATE, GONOPROXY, GITHUB_TOKEN, GITHUB_API_URL.\n')
    .action(async (args: string[], opts: Options) => {
      const wanted = args.map(splitVersion);
      const modules = wanted.map((w) => w.path);
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
      for (const w of wanted) if (w.version !== null) checkVersion(w.path, w.version);
      // GitHub metadata only when the user pointed us at an API or gave a token: unasked, a CLI stays off GitHub.
      const useGitHub = !opts.offline && Boolean(ctx.env.GITHUB_TOKEN || ctx.env.ORIGIN_GITHUB_TOKEN || ctx.env.GITHUB_API_URL);
      const clients = await clientsFor(engineEnvFor(ctx.env, { GOPROXY: opts.goproxy }), { origin: false, meta: useGitHub });
      const { assessTyposquat } = await import('../../engine/wiring.js');
      const results: TyposquatResult[] = [];
      try {
        const notes = {
          ...(opts.offline ? { proxyOff: 'offline (--offline)' } : {}),
          metaOff: opts.offline ? 'offline (--offline)' : 'GitHub not configured (set GITHUB_TOKEN or GITHUB_API_URL)',
        };
        const proxy = opts.offline ? null : clients.proxy;
        const meta = useGitHub ? clients.meta : null;
        for (const w of wanted) {
          results.push(await assessTyposquat({ proxy, meta }, detector, w, opts.existing ?? [], undefined, notes));
        }
      } finally {
        await clients.close?.();
      }
      if (opts.json) {
        ctx.out(JSON.stringify(results, null, 2) + '\n');
      } else {
        for (const r of results) ctx.out(renderText(r));
      }
      ctx.exit(results.some((r) => r.suspicious) ? EXIT.findings : EXIT.ok);
    });
}

/** `module@version` -> its parts; a bare path has no version. */
function splitVersion(arg: string): { path: string; version: string | null } {
  const at = arg.lastIndexOf('@');
  return at > 0 ? { path: arg.slice(0, at), version: arg.slice(at + 1) } : { path: arg, version: null };
}

/** A version Go would accept for this path, canonical; else a UsageError (exit 2). */
function checkVersion(path: string, version: string): void {
  try {
    checkModuleVersion(path, version);
  } catch (e) {
    throw new UsageError(`${path}@${version}: ${(e as Error).message}`);
  }
  const canon = canonicalVersion(version);
  if (canon !== version) throw new UsageError(`${path}@${version}: version must be canonical ("${canon}")`);
}

function safeDetector(opts: Options) {
  try {
    return createTyposquatDetector({ corpus: loadCorpus(opts.data) });
  } catch (e) {
    if (e instanceof CorpusError) throw new UsageError(e.message);
    throw e;
  }
}

/** Network text on one line without code-span marks (terminals render no Markdown). */
function oneLine(s: string): string {
  return s.replace(/`/g, '').replace(/[\u0000-\u001f\u007f-\u009f]+/g, ' ');
}

function renderText(r: TyposquatResult): string {
  const head = r.suspicious
    ? `SUSPICIOUS ${r.module} (${r.severity ?? 'medium'}, score ${r.score.toFixed(2)})${r.target ? ` imitates ${r.target}` : ''}`
    : `ok ${r.module} (score ${r.score.toFixed(2)})`;
  const evidence = (r.evidence?.entries ?? []).filter((e) => e.effect !== 'unavailable').map((e) => `${e.source} (${e.effect}): ${e.detail}`);
  const body = [...r.reasons, ...evidence.map((e) => `evidence: ${e}`), ...(r.notes ?? []).map((n) => `note: ${n}`)].map((x) => `  - ${oneLine(x)}`);
  return [head, ...body].join('\n') + '\n';
}

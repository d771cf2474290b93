import path from 'node:path';
import type { Command } from 'commander';
import { EXIT, type CliContext } from '../context.js';
import { clientsFor, engineEnvFor } from '../engine-env.js';
import { SEVERITIES } from '../../findings.js';
import { failingFindings, scan, type ScanResult } from '../../engine/scan.js';
import { listGoMods, readChange, showFile } from '../git.js';
import { CONFIG_PATH, FORMATS, checkReportOptions, readRepoConfig, renderReport } from '../report-options.js';

interface Options {
  repo: string;
  base: string;
  head: string;
  format: string;
  failOn?: string;
  config?: string;
}

/**
 * `modwarden scan`: the app's review of a change, on a local git checkout. Exit 1 on findings at or
 * above the threshold, 0 otherwise, 2 on bad input or a scan that could not finish.
 */
export function register(program: Command, ctx: CliContext): void {
  program
    .command('scan')
    .description('review the Go dependency changes between two commits of a local git checkout')
    .option('--repo <dir>', 'the git checkout', '.')
    .requiredOption('--base <ref>', 'the commit the change starts from (e.g. origin/main)')
    .option('--head <ref>', 'the commit with the change', 'HEAD')
    .option('--format <format>', `output: ${FORMATS.join('|')}`, 'text')
    .option('--fail-on <severity>', `failure threshold: ${SEVERITIES.join('|')} (default: failOn in ${CONFIG_PATH}, else high)`)
    .option('--config <file>', `repo config path inside the head commit (default ${CONFIG_PATH})`)
    .addHelpText(
      'after',
      '\nEnvironment: GOPROXY, GOSUMDB, GOPRIVATE, GONOPROXY, GONOSUMDB, GOINSECURE, GITHUB_API_URL, GITHUB_TOKEN (or\n' +
        'ORIGIN_GITHUB_TOKEN), MODWARDEN_ORIGIN_ALLOW, MODWARDEN_CONCURRENCY, MODWARDEN_CACHE_ENTRIES, MODWARDEN_TARBALL_MAX_BYTES,\n' +
        'MODWARDEN_DISK_CACHE_BYTES, MODWARDEN_HTTP_CONNECT_TIMEOUT_MS, MODWARDEN_HTTP_STALL_TIMEOUT_MS, MODWARDEN_HTTP_TIMEOUT_MS,\n' +
        'MODWARDEN_HTTP_MIN_BYTES_PER_SEC, MODWARDEN_GITHUB_RATE_LIMIT_WAIT_MS (see the README).\n' +
        'Exit status: 0 nothing at or above the threshold, 1 findings at or above it, 2 bad input or an incomplete scan.',
    )
    .action(async (opts: Options) => {
      const format = checkReportOptions(opts);
      const dir = path.resolve(ctx.cwd, opts.repo);
      const engine = engineEnvFor(ctx.env);
      const change = await readChange(dir, opts.base, opts.head);
      const config = await readRepoConfig(dir, change.headSha, opts.config ?? CONFIG_PATH, opts.failOn);

      const clients = await clientsFor(engine);
      const { createScanChecks } = await import('../../engine/wiring.js');
      const refs = { base: change.mergeBase, head: change.headSha };
      let result: ScanResult;
      try {
        result = await scan({
          files: change.files,
          readFile: (ref, p) => showFile(dir, refs[ref], p),
          listGoModFiles: (ref) => listGoMods(dir, refs[ref]),
          config,
          deps: { checks: createScanChecks(clients, { cacheEntries: engine.cacheEntries }), concurrency: engine.concurrency, goprivate: engine.goprivate },
        });
      } finally {
        await clients.close?.();
      }
      ctx.out(renderReport(result, config, format));
      if (result.errors.length) {
        if (format !== 'text') for (const e of result.errors) ctx.err(`modwarden scan: ${e}\n`);
        ctx.exit(EXIT.badInput);
      } else if (failingFindings(result.findings, config.failOn).length > 0) {
        ctx.exit(EXIT.findings);
      }
    });
}

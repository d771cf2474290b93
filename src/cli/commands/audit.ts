import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Command } from 'commander';
import { EXIT, UsageError, type CliContext } from '../context.js';
import { clientsFor, engineEnvFor } from '../engine-env.js';
import { SEVERITIES, atOrAbove, type Finding } from '../../findings.js';
import { failingFindings, type ScanResult } from '../../engine/scan.js';
import { audit } from '../../engine/audit.js';
import { compareFindings, findingsFromJson, isEmptyDelta, type FindingDelta } from '../../engine/audit-changes.js';
import { listGoModuleFiles, resolveCommit, showFile } from '../git.js';
import { renderJson } from '../../report/json.js';
import { code, inlineLine, moduleRef } from '../../report/markdown.js';
import { CONFIG_PATH, FORMATS, checkReportOptions, readRepoConfig, renderReport, type Format } from '../report-options.js';

interface Options {
  repo: string;
  ref: string;
  format: string;
  failOn?: string;
  config?: string;
  since?: string;
  save?: string;
}

/** Findings of an earlier run's JSON report (`--since`); a bad file is bad input, named. */
function readSince(file: string): Finding[] {
  let data: unknown;
  try {
    data = JSON.parse(readFileSync(file, 'utf8'));
  } catch (e) {
    throw new UsageError(`--since ${file}: ${e instanceof SyntaxError ? 'not JSON' : (e as Error).message}`);
  }
  try {
    const { findings, rejected } = findingsFromJson(data);
    if (rejected) throw new Error(`${rejected} finding${rejected === 1 ? ' is' : 's are'} not well-formed`);
    return findings;
  } catch (e) {
    throw new UsageError(`--since ${file}: ${(e as Error).message}`);
  }
}

const line = (f: Finding) => `${f.severity} ${f.rule} ${f.module ? `${f.module}${f.version ? `@${f.version}` : ''}` : f.goModPath}: ${f.title.replace(/\s+/g, ' ')}`;
const mdLine = (f: Finding) => `- **${f.severity}** \`${f.rule}\` ${f.module ? code(moduleRef(f)) : code(f.goModPath)}: ${inlineLine(f.title)}`;

/** What changed since the earlier run, in the requested format. */
function renderDelta(d: FindingDelta, format: Format): string {
  if (format === 'json') {
    const pick = (f: Finding) => ({ rule: f.rule, severity: f.severity, module: f.module, version: f.version, goModPath: f.goModPath, line: f.line, title: f.title, ignored: f.ignored ?? null });
    return JSON.stringify({ added: d.added.map(pick), changed: d.changed.map((c) => ({ before: pick(c.before), after: pick(c.after) })), resolved: d.resolved.map(pick) }, null, 2) + '\n';
  }
  if (isEmptyDelta(d)) return format === 'markdown' ? '_Nothing changed since the last run._\n' : 'Nothing changed since the last run.\n';
  const out: string[] = [];
  const section = (title: string, items: string[]) => items.length && out.push(format === 'markdown' ? `### ${title}\n\n${items.join('\n')}` : `${title}:\n${items.map((i) => `  ${i}`).join('\n')}`);
  const fmt = format === 'markdown' ? mdLine : line;
  section('New', d.added.map(fmt));
  section('Changed', d.changed.map((c) => fmt(c.after)));
  section('Resolved', d.resolved.map(fmt));
  return out.join('\n\n') + '\n';
}

/**
 * `modwarden audit`: every module@version a checkout pins (all go.mod / go.sum files at a ref), the same
 * checks and findings as `scan`. With `--since`, only what changed against an earlier run's JSON.
 */
export function register(program: Command, ctx: CliContext): void {
  program
    .command('audit')
    .description('check every module version a local git checkout pins (all go.mod and go.sum files at a ref)')
    .option('--repo <dir>', 'the git checkout', '.')
    .option('--ref <ref>', 'the commit to audit', 'HEAD')
    .option('--format <format>', `output: ${FORMATS.join('|')}`, 'text')
    .option('--fail-on <severity>', `failure threshold: ${SEVERITIES.join('|')} (default: failOn in ${CONFIG_PATH}, else high)`)
    .option('--config <file>', `repo config path inside the commit (default ${CONFIG_PATH})`)
    .option('--since <file>', 'an earlier run\'s `--format json` output: print only what changed since')
    .option('--save <file>', 'also write this run\'s JSON report there (the next run\'s --since)')
    .addHelpText(
      'after',
      '\nEnvironment: as `modwarden scan`.\n' +
        'Exit status: 0 nothing at or above the threshold (with --since: nothing new or changed at or above it),\n' +
        '1 findings at or above it, 2 bad input or an incomplete audit.',
    )
    .action(async (opts: Options) => {
      const format = checkReportOptions(opts);
      if (opts.since !== undefined && opts.format === 'sarif') throw new UsageError('--since prints what changed as text, markdown or json; SARIF describes a whole run (use --save for it)');
      const since = opts.since !== undefined ? readSince(path.resolve(ctx.cwd, opts.since)) : null;
      const dir = path.resolve(ctx.cwd, opts.repo);
      const engine = engineEnvFor(ctx.env);
      const sha = await resolveCommit(dir, opts.ref, '--ref');
      const config = await readRepoConfig(dir, sha, opts.config ?? CONFIG_PATH, opts.failOn);

      const clients = await clientsFor(engine);
      const { createScanChecks } = await import('../../engine/wiring.js');
      let result: ScanResult;
      try {
        result = await audit({
          paths: await listGoModuleFiles(dir, sha),
          readFile: (p) => showFile(dir, sha, p),
          config,
          deps: { checks: createScanChecks(clients, { cacheEntries: engine.cacheEntries }), concurrency: engine.concurrency, goprivate: engine.goprivate },
        });
      } finally {
        await clients.close?.();
      }
      if (opts.save) {
        const file = path.resolve(ctx.cwd, opts.save);
        writeFileSync(`${file}.tmp`, renderJson(result, config));
        renameSync(`${file}.tmp`, file);
      }
      let failing: Finding[];
      if (since) {
        const delta = compareFindings(since, result.findings);
        ctx.out(renderDelta(delta, format));
        failing = [...delta.added, ...delta.changed.map((c) => c.after)].filter((f) => !f.ignored && atOrAbove(f.severity, config.failOn));
      } else {
        ctx.out(renderReport(result, config, format));
        failing = failingFindings(result.findings, config.failOn);
      }
      if (result.errors.length) {
        if (format !== 'text' || since) for (const e of result.errors) ctx.err(`modwarden audit: ${e}\n`);
        ctx.exit(EXIT.badInput);
      } else if (failing.length > 0) {
        ctx.exit(EXIT.findings);
      }
    });
}

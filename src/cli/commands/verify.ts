import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { Command } from 'commander';
import { EXIT, UsageError, type CliContext } from '../context.js';
import { sumsFromLines, type ModuleSums } from '../../checks/consistency.js';
import type { VerifyResult } from '../../checks/divergence/verify.js';
import { canonicalVersion, checkModuleVersion } from '../../gomod/module.js';
import { verifyVersion } from '../../engine/verify-step.js';
import { clientsFor, engineEnvFor } from '../engine-env.js';

interface Options {
  goproxy?: string;
  githubApi?: string;
  goSum?: string;
  sumdb?: boolean;
  origin?: boolean;
  maxTarballBytes?: string;
  json?: boolean;
}

/**
 * `modwarden verify <module>@<version>`: does the module proxy serve what the origin repository holds?
 * Exit 0 consistent, 1 a divergence finding, 2 bad input, 3 unverifiable.
 */
export function register(program: Command, ctx: CliContext): void {
  program
    .command('verify')
    .description("compare what the Go module proxy serves for module@version with its origin repository's tag today (GitHub, GitLab, any git host)")
    .argument('<module@version>', 'e.g. github.com/boltdb-go/bolt@v1.3.1')
    .option('--goproxy <url>', 'module proxy to ask (default: $GOPROXY, else https://proxy.golang.org,direct)')
    .option('--github-api <url>', 'GitHub REST API root (default: $GITHUB_API_URL, else https://api.github.com); $GITHUB_TOKEN is sent to it')
    .option('--go-sum <file>', "also compare the proxy's hashes with this go.sum's lines for the version")
    .option('--no-sumdb', 'do not consult the checksum database ($GOSUMDB)')
    .option('--no-origin', 'do not contact the origin host (the result is then at best unverifiable)')
    .option('--max-tarball-bytes <n>', 'largest origin tarball to download (default: $MODWARDEN_TARBALL_MAX_BYTES, else 200 MiB)')
    .option('--json', 'print the result as JSON')
    .addHelpText(
      'after',
      '\nEnvironment: GOPROXY, GOSUMDB, GOPRIVATE, GONOPROXY, GONOSUMDB, GOINSECURE, GITHUB_TOKEN, GITHUB_API_URL, MODWARDEN_ORIGIN_ALLOW.\n' +
        'Exit status: 0 consistent, 1 divergence found, 2 bad input, 3 could not verify.',
    )
    .action(async (arg: string, opts: Options) => {
      const mv = parseModuleVersion(arg);
      const goSum = opts.goSum ? await readGoSum(ctx, opts.goSum, mv) : null;
      const maxTarballBytes = opts.maxTarballBytes === undefined ? undefined : Number(opts.maxTarballBytes);
      if (maxTarballBytes !== undefined && !(Number.isSafeInteger(maxTarballBytes) && maxTarballBytes >= 1024)) {
        throw new UsageError(`--max-tarball-bytes must be a positive whole number of bytes, at least 1024, not "${opts.maxTarballBytes}"`);
      }
      if (opts.githubApi !== undefined && !/^https?:\/\//i.test(opts.githubApi)) {
        throw new UsageError(`--github-api must be an http(s) URL, not "${opts.githubApi}"`);
      }
      const settings = engineEnvFor(ctx.env, {
        GOPROXY: opts.goproxy,
        GOSUMDB: opts.sumdb === false ? 'off' : undefined,
        GITHUB_API_URL: opts.githubApi,
        MODWARDEN_TARBALL_MAX_BYTES: maxTarballBytes === undefined ? undefined : String(maxTarballBytes),
      });
      const clients = await clientsFor(settings, { origin: opts.origin !== false, meta: false });
      let result: VerifyResult;
      try {
        result = await verifyVersion(clients, mv, goSum);
      } finally {
        await clients.close?.();
      }
      ctx.out(opts.json ? JSON.stringify(result, null, 2) + '\n' : renderText(result));
      // Not compared, because a source failed or the origin is not supported: "could not verify".
      const notCompared = result.verdict === 'unverifiable' || result.verdict === 'verify-failed';
      ctx.exit(result.verdict === 'consistent' ? EXIT.ok : notCompared ? EXIT.unverifiable : EXIT.findings);
    });
}

/** Splits `module@version` and checks both the way Go does; bad input is a UsageError (exit 2). */
function parseModuleVersion(arg: string): { path: string; version: string } {
  const at = arg.lastIndexOf('@');
  if (at <= 0 || at === arg.length - 1) throw new UsageError(`expected <module>@<version>, got "${arg}"`);
  const mv = { path: arg.slice(0, at), version: arg.slice(at + 1) };
  try {
    checkModuleVersion(mv.path, mv.version);
  } catch (e) {
    throw new UsageError(`${arg}: ${(e as Error).message}`);
  }
  const canon = canonicalVersion(mv.version);
  if (canon !== mv.version) throw new UsageError(`${arg}: version must be canonical ("${canon}")`);
  return mv;
}

async function readGoSum(ctx: CliContext, file: string, mv: { path: string; version: string }): Promise<ModuleSums> {
  let text: string;
  try {
    text = await readFile(path.resolve(ctx.cwd, file), 'utf8');
  } catch (e) {
    throw new UsageError(`cannot read ${file}: ${(e as NodeJS.ErrnoException).code ?? String(e)}`);
  }
  const sums = sumsFromLines(text, mv.path, mv.version);
  if (!sums.h1 && !sums.goModH1) throw new UsageError(`${file} has no lines for ${mv.path} ${mv.version}`);
  return sums;
}

const VIA: Record<NonNullable<VerifyResult['origin']['via']>, string> = {
  'module-path': 'the github.com module path',
  'proxy-origin': "the proxy's .info Origin",
  'gopkg.in': "gopkg.in's mapping to GitHub",
  'known-host': "the go command's known-hosts table",
  'go-get': '?go-get=1 discovery (go-import meta tag)',
};
const PROTOCOL: Record<NonNullable<VerifyResult['origin']['protocol']>, string> = {
  'github-api': "GitHub's REST API",
  'git-smart-http': 'git smart HTTP (protocol v2)',
  'gitlab-archive': "git smart HTTP plus GitLab's archive endpoint",
};

/** Human-readable result: headline, both sides' hashes, the origin used, triage, differing files, reasons and diffs. */
export function renderText(r: VerifyResult): string {
  const lines: string[] = [];
  const others = r.verdicts.filter((v) => v !== r.verdict);
  lines.push(`${r.module}@${r.version}: ${r.verdict}${others.length ? ` (also: ${others.join(', ')})` : ''}`);
  const o = r.proxy.origin;
  const recorded = o ? ` (proxy's Origin: ${[o.VCS, o.URL, o.Ref, o.Hash].filter(Boolean).join(' ')})` : ' (proxy recorded no Origin)';
  lines.push(`  proxy   ${r.proxy.h1 ?? '-'}${r.proxy.h1 ? recorded : ''}`);
  if (r.origin.repo) {
    const where = [r.origin.tag ? `tag ${r.origin.tag}` : null, r.origin.commit ? `commit ${r.origin.commit}` : null].filter(Boolean).join(' -> ');
    lines.push(`  origin  ${r.origin.h1 ?? '-'} (${r.origin.label ?? `github.com/${r.origin.repo}`}${where ? ` ${where}` : ''})`);
    if (r.origin.url) lines.push(`  origin used: ${r.origin.url}, found through ${VIA[r.origin.via ?? 'module-path']}, read with ${PROTOCOL[r.origin.protocol ?? 'github-api']}`);
  }
  if (r.cause && (r.verdict === 'unverifiable' || r.verdict === 'verify-failed')) lines.push(`  not compared (${r.cause.kind}): ${r.cause.detail}`);
  if (r.triage) {
    const t = r.triage;
    const head = t.kind === 'benign' ? 'benign retag (medium: does not fail at failOn high)' : t.kind === 'suspicious' ? 'SUSPICIOUS (critical)' : 'undetermined (default severities)';
    lines.push(`  triage: ${head}`);
    for (const why of t.why) lines.push(`    because ${why}`);
    if (t.recorded) {
      const rec = t.recorded;
      const exists = rec.exists === null ? 'unknown' : rec.exists ? 'yes' : 'no';
      lines.push(`    recorded commit ${rec.commit.slice(0, 12)}: still at the origin: ${exists}; proxy's files are that commit: ${rec.matchesProxy}; tag today is its ${rec.relation}`);
    }
    const classes = Object.entries(t.classes).map(([c, ps]) => `${c}: ${ps.join(', ')}`);
    if (classes.length) lines.push(`    differing files by kind: ${classes.join('; ')}`);
    for (const s of t.shapes.slice(0, 10)) lines.push(`    attacker shape in ${s.path}: ${s.detail}`);
  }
  const { added, modified, removed } = r.files;
  if (added.length) lines.push(`  only in the proxy's zip: ${added.join(', ')}`);
  if (modified.length) lines.push(`  different:              ${modified.join(', ')}`);
  if (removed.length) lines.push(`  only at the origin:     ${removed.join(', ')}`);
  for (const reason of r.reasons) lines.push(`  - ${reason}`);
  for (const d of r.diffs ?? []) lines.push('', d.diff.trimEnd());
  return lines.join('\n') + '\n';
}

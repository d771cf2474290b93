/**
 * What `modwarden scan` and `modwarden audit` share: their output formats and failure threshold, the repo
 * config read from a commit, and the report in the format asked for.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { UsageError } from './context.js';
import { ConfigError, parseRepoConfigText, type RepoConfig } from '../config/repo.js';
import { SEVERITIES, type Severity } from '../findings.js';
import type { ScanResult } from '../engine/scan.js';
import { renderText } from '../report/text.js';
import { renderJson } from '../report/json.js';
import { renderMarkdown } from '../report/markdown.js';
import { renderSarif } from '../report/sarif.js';
import { packageRoot } from '../checks/typosquat/corpus.js';
import { showFile } from './git.js';

export const FORMATS = ['text', 'json', 'sarif', 'markdown'] as const;
export type Format = (typeof FORMATS)[number];

export const CONFIG_PATH = '.github/modwarden.yml';

/** Checks `--format` and `--fail-on`; returns the format. */
export function checkReportOptions(opts: { format: string; failOn?: string }): Format {
  if (!(FORMATS as readonly string[]).includes(opts.format)) throw new UsageError(`--format: expected one of ${FORMATS.join('|')}, got "${opts.format}"`);
  if (opts.failOn !== undefined && !(SEVERITIES as readonly string[]).includes(opts.failOn)) {
    throw new UsageError(`--fail-on: expected one of ${SEVERITIES.join('|')}, got "${opts.failOn}"`);
  }
  return opts.format as Format;
}

/** The repo config at commit `sha` (bad config is bad input), with `--fail-on` over its failOn. */
export async function readRepoConfig(dir: string, sha: string, configPath: string, failOn: string | undefined): Promise<RepoConfig> {
  let config: RepoConfig;
  try {
    config = parseRepoConfigText(await showFile(dir, sha, configPath), configPath);
  } catch (e) {
    if (e instanceof ConfigError) throw new UsageError(e.message);
    throw e;
  }
  return failOn ? { ...config, failOn: failOn as Severity } : config;
}

/** The package version, for SARIF's tool.driver.version. */
function toolVersion(): string {
  try {
    return (JSON.parse(readFileSync(path.join(packageRoot(), 'package.json'), 'utf8')) as { version: string }).version;
  } catch {
    return '0.0.0';
  }
}

/** The whole report of a scan or audit in `format`. */
export function renderReport(result: ScanResult, config: RepoConfig, format: Format): string {
  switch (format) {
    case 'text':
      return renderText(result, config);
    case 'json':
      return renderJson(result, config);
    case 'sarif':
      return renderSarif(result, config, toolVersion());
    case 'markdown':
      return renderMarkdown(result, config);
  }
}

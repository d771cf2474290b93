/**
 * The repo's policy applied to what the checks found: skipped paths, disabled rules, severity overrides,
 * allow-list entries, ignores, and the module verdict under `failOn`. Pure: config and findings in, findings out.
 */
import picomatch from 'picomatch';
import { atOrAbove, type Finding } from '../findings.js';
import type { IgnoreEntry, RepoConfig } from '../config/repo.js';
import type { ModuleVerdict } from './result.js';

/**
 * Glob match for skipPaths (picomatch: `*` within a segment, `**` across segments, dot files included); a
 * plain directory also matches everything under it, so `tools` skips `tools/go.mod`.
 */
export function matchesSkipPath(pattern: string, path: string): boolean {
  const p = pattern.replace(/^\.?\//, '').replace(/\/$/, '');
  if (path === p || path.startsWith(p + '/')) return true;
  return picomatch.isMatch(path, p, { dot: true });
}

function ignoreFor(f: Finding, ignores: readonly IgnoreEntry[]): IgnoreEntry | undefined {
  return ignores.find((i) => i.module === f.module && (i.version === null || i.version === f.version) && (i.rules === null || i.rules.includes(f.rule)));
}

/** Allow-list entries that cover this module (and version). */
export function allowFor(config: RepoConfig, module: string, version: string | null) {
  return config.allow.filter((a) => a.module === module && (a.version === null || a.version === version));
}

/** Applies severity overrides, disabled rules, rule-limited allow entries and ignores to a check's findings. */
export function applyConfig(findings: Finding[], config: RepoConfig, ignores: readonly IgnoreEntry[]): Finding[] {
  const out: Finding[] = [];
  for (const f0 of findings) {
    if (config.disabledRules.includes(f0.rule)) continue;
    if (allowFor(config, f0.module, f0.version).some((a) => a.rules === null || a.rules.includes(f0.rule))) continue;
    const f: Finding = { ...f0 };
    const override = config.severityOverrides[f.rule];
    if (override) f.severity = override;
    const ig = ignoreFor(f, ignores);
    if (ig) f.ignored = { by: ig.by, reason: ig.reason };
    out.push(f);
  }
  return out;
}

/** A module's verdict from its findings under the repo's threshold. */
export function verdictOf(findings: Finding[], config: RepoConfig): ModuleVerdict {
  if (findings.length === 0) return 'ok';
  const active = findings.filter((f) => !f.ignored);
  if (active.length === 0) return 'ignored';
  if (active.some((f) => atOrAbove(f.severity, config.failOn))) return 'failing';
  if (active.every((f) => f.rule === 'unverifiable')) return 'unverifiable';
  return 'warning';
}

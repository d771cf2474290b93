/**
 * What changed between two audits of the same tree: findings that appeared, went away, or changed
 * (severity, headline, ignored or not). Pure. The watch issue and `modwarden audit --since` show this.
 */
import type { Finding } from '../findings.js';
import { sortFindings } from './result.js';

/** A finding's identity across runs: rule, module, version and file (not the line, which moves). */
export function findingKey(f: Pick<Finding, 'rule' | 'module' | 'version' | 'goModPath'>): string {
  return [f.rule, f.module, f.version ?? '', f.goModPath].join('\0');
}

/** The difference between two runs' findings. */
export interface FindingDelta {
  added: Finding[];
  resolved: Finding[];
  changed: { before: Finding; after: Finding }[];
  unchanged: Finding[];
}

function sameFace(a: Finding, b: Finding): boolean {
  return a.severity === b.severity && a.title === b.title && !!a.ignored === !!b.ignored;
}

/** Compares an earlier run's findings with this run's. */
export function compareFindings(before: readonly Finding[], after: readonly Finding[]): FindingDelta {
  const prev = new Map(before.map((f) => [findingKey(f), f]));
  const delta: FindingDelta = { added: [], resolved: [], changed: [], unchanged: [] };
  const seen = new Set<string>();
  for (const f of sortFindings(after)) {
    const k = findingKey(f);
    seen.add(k);
    const old = prev.get(k);
    if (!old) delta.added.push(f);
    else if (sameFace(old, f)) delta.unchanged.push(f);
    else delta.changed.push({ before: old, after: f });
  }
  for (const f of sortFindings(before)) if (!seen.has(findingKey(f))) delta.resolved.push(f);
  return delta;
}

/** True when nothing appeared, went away or changed. */
export function isEmptyDelta(d: FindingDelta): boolean {
  return d.added.length === 0 && d.resolved.length === 0 && d.changed.length === 0;
}

/**
 * Findings read back from an earlier run's JSON (`modwarden audit --format json`, or stored state):
 * only well-formed entries are kept, the rest counted, so a damaged file is reported, not trusted.
 */
export function findingsFromJson(data: unknown): { findings: Finding[]; rejected: number } {
  const list = typeof data === 'object' && data !== null && Array.isArray((data as { findings?: unknown }).findings) ? (data as { findings: unknown[] }).findings : null;
  if (!list) throw new Error('not a ModWarden JSON report (no "findings" list)');
  const findings: Finding[] = [];
  let rejected = 0;
  for (const entry of list) {
    const o = entry as Record<string, unknown>;
    const ok =
      typeof o === 'object' && o !== null && typeof o.rule === 'string' && typeof o.severity === 'string' && typeof o.module === 'string' &&
      (o.version === null || typeof o.version === 'string') && typeof o.goModPath === 'string' && typeof o.title === 'string';
    if (!ok) {
      rejected++;
      continue;
    }
    const { fingerprint: _fp, ...rest } = o as Record<string, unknown>;
    const f = rest as unknown as Finding;
    findings.push({ ...f, message: typeof f.message === 'string' ? f.message : '', evidence: f.evidence ?? {}, line: typeof f.line === 'number' ? f.line : null });
  }
  return { findings, rejected };
}

/** Stable identities of findings, shared by review de-dup and SARIF partialFingerprints. */
import { createHash } from 'node:crypto';
import type { Finding } from '../findings.js';

/**
 * Identity of a finding across commits: rule, module, version and file — not the line, which moves
 * when unrelated requirements are added above it. 16 hex digits are plenty for one PR.
 */
export function findingFingerprint(f: Pick<Finding, 'rule' | 'module' | 'version' | 'goModPath'>): string {
  return createHash('sha256').update([f.rule, f.module, f.version ?? '', f.goModPath].join('\0')).digest('hex').slice(0, 16);
}

/** Config errors, shared by the repo config and the operator's environment: one readable line per bad key. */
import type { z } from 'zod';

/** A config problem, with one line per bad key. */
export class ConfigError extends Error {
  constructor(
    readonly source: string,
    readonly problems: string[],
  ) {
    super(`${source}: ${problems.join('; ')}`);
    this.name = 'ConfigError';
  }
}

/** Turns zod issues into one readable line per bad key. */
export function formatIssues(issues: readonly z.core.$ZodIssue[]): string[] {
  return issues.map((issue) => {
    const at = issue.path.map(String).join('.');
    const prefix = at ? `${at}: ` : '';
    switch (issue.code) {
      case 'invalid_value':
        return `${prefix}expected one of ${issue.values.map(String).join('|')}`;
      case 'unrecognized_keys':
        return issue.keys.map((k) => `${at ? at + '.' : ''}${k}: unknown key`).join('; ');
      case 'invalid_key':
        return `${prefix}unknown key`;
      case 'invalid_type':
        // A schema-specific message ("required: ...") beats zod's generic one.
        return issue.message.startsWith('Invalid input') ? `${prefix}expected ${issue.expected}` : `${prefix}${issue.message}`;
      case 'invalid_union':
        return `${prefix}${unionHint(at)}`;
      default:
        return `${prefix}${issue.message}`;
    }
  });
}

function unionHint(at: string): string {
  if (/^rules\./.test(at)) return 'expected true, false, on, off or {enabled, severity}';
  if (/^allow\.\d+$/.test(at)) return 'expected "<module>[@<version>]" or {module, version, reason}';
  if (at === 'privateModules') return 'expected a comma-separated string or a list of patterns';
  return 'invalid value';
}

/** Slash commands in PR comments: `/rescan` and `/ignore <module>@<version> <reason>`. */
import { codeSpan } from '../findings.js';
import { isValidPath, isValidVersion } from '../gomod/module.js';

/** A parsed command, or a parse problem to explain to the user. */
export type Command =
  | { kind: 'rescan' }
  | { kind: 'ignore'; module: string; version: string; reason: string }
  | { kind: 'invalid'; command: string; problem: string };

/** Reads the command on the first non-empty line of a comment; null when the comment is not a command. */
export function parseCommand(body: string | null | undefined): Command | null {
  const line = (body ?? '').split(/\r?\n/).find((l) => l.trim() !== '')?.trim() ?? '';
  const m = /^\/(rescan|ignore)(?:\s+(.*))?$/.exec(line);
  if (!m) return null;
  if (m[1] === 'rescan') return { kind: 'rescan' };
  const rest = (m[2] ?? '').trim();
  const [ref = '', ...reasonWords] = rest.split(/\s+/);
  const at = ref.lastIndexOf('@');
  if (!ref || at <= 0 || at === ref.length - 1) {
    return { kind: 'invalid', command: 'ignore', problem: 'usage: `/ignore <module>@<version> <reason>`, e.g. `/ignore github.com/acme/lib@v1.2.3 vetted in SEC-42`' };
  }
  const module = ref.slice(0, at);
  const version = ref.slice(at + 1);
  if (!isValidPath(module)) return { kind: 'invalid', command: 'ignore', problem: `${codeSpan(module)} is not a valid module path` };
  if (!isValidVersion(version)) return { kind: 'invalid', command: 'ignore', problem: `${codeSpan(version)} is not a valid version (expected e.g. v1.2.3)` };
  const reason = reasonWords.join(' ').trim();
  if (!reason) return { kind: 'invalid', command: 'ignore', problem: 'a reason is required: `/ignore <module>@<version> <reason>`' };
  return { kind: 'ignore', module, version, reason: reason.slice(0, 500) };
}

/** The go.mod side of the engine: diff the changed files, and list a go.mod's requirements. */
import type { Finding } from './findings.js';
import type { RequirementChange } from './gomod/types.js';
import { diffRepo, parseErrorFindings } from './gomod/diff.js';
import { tryParseModFile } from './gomod/modfile.js';
import { parseWorkFile } from './gomod/gowork.js';
import { ModFileError } from './gomod/syntax.js';
import type { FilePair } from './scan.js';

/** Diffs go.mod pairs and turns unparsable files (go.mod and go.work) into parse-error findings. */
export function diffFiles(files: FilePair[]): { changes: RequirementChange[]; findings: Finding[] } {
  const mods = files.filter((f) => f.path === 'go.mod' || f.path.endsWith('/go.mod'));
  const { changes, errors } = diffRepo(mods);
  const findings = errors.flatMap((e) => parseErrorFindings(e, e.errors[0]?.file ?? e.message.split(':')[0] ?? 'go.mod'));
  for (const work of files.filter((f) => f.path === 'go.work' || f.path.endsWith('/go.work'))) {
    if (work.head === null) continue;
    try {
      parseWorkFile(work.path, work.head);
    } catch (e) {
      if (e instanceof ModFileError) findings.push(...parseErrorFindings(e, work.path));
      else throw e;
    }
  }
  return { changes, findings };
}

/** Module paths a go.mod requires; [] when it does not parse (its own parse error is reported elsewhere). */
export function requiredModules(path: string, content: string): string[] {
  const parsed = tryParseModFile(path, content, { lax: true });
  return parsed.ok ? parsed.file.require.map((r) => r.path) : [];
}


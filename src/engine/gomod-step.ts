/** The go.mod side of the engine: diff the changed files, and list a go.mod's requirements. */
import { defaultSeverity, type Finding } from '../findings.js';
import type { RequirementChange } from '../gomod/types.js';
import { diffRepo } from '../gomod/diff.js';
import { tryParseModFile } from '../gomod/modfile.js';
import { parseWorkFile } from '../gomod/gowork.js';
import { ModFileError } from '../gomod/syntax.js';
import { parseGoSum, type GoSum, type GoSumEntry } from '../gomod/gosum.js';
import type { FilePair } from './scan.js';

const named = (name: string) => (f: FilePair) => f.path === name || f.path.endsWith('/' + name);
const dirOf = (p: string) => (p.includes('/') ? p.slice(0, p.lastIndexOf('/')) : '');

/**
 * Diffs go.mod pairs, adds go.sum-only changes, and turns unparsable files (go.mod, go.sum, go.work) into
 * parse-error findings.
 */
export function diffFiles(files: FilePair[]): { changes: RequirementChange[]; findings: Finding[] } {
  const mods = files.filter(named('go.mod'));
  const { changes, errors } = diffRepo(mods);
  const findings = errors.flatMap((e) => parseErrorFindings(e, e.errors[0]?.file ?? e.message.split(':')[0] ?? 'go.mod'));
  const seen = new Set(changes.map((c) => `${c.goModPath}\0${c.module}`));
  for (const sum of files.filter(named('go.sum'))) {
    const goModPath = dirOf(sum.path) ? `${dirOf(sum.path)}/go.mod` : 'go.mod';
    const r = goSumChanges(sum, mods.find((m) => m.path === goModPath)?.head ?? null, goModPath);
    findings.push(...r.findings);
    for (const c of r.changes) if (!seen.has(`${c.goModPath}\0${c.module}`)) changes.push(c);
  }
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


function sumKey(e: Pick<GoSumEntry, 'path' | 'version' | 'goMod'>): string {
  return `${e.path} ${e.version}${e.goMod ? '/go.mod' : ''}`;
}

/**
 * go.sum lines added or changed for versions the go.mod already required: the requirement did not move,
 * but what the build will accept for it did (a hand-edited go.sum can hide a swapped dependency). Each is
 * returned as a change with `from === to`, so the verify check compares the new lines with the proxy.
 */
export function goSumChanges(sum: FilePair, goModHead: string | null, goModPath: string): { changes: RequirementChange[]; findings: Finding[] } {
  if (sum.head === null || goModHead === null) return { changes: [], findings: [] };
  let head: GoSum;
  try {
    head = parseGoSum(sum.path, sum.head);
  } catch (e) {
    if (e instanceof ModFileError) return { changes: [], findings: parseErrorFindings(e, sum.path) };
    throw e;
  }
  let baseHashes = new Map<string, string>();
  if (sum.base !== null) {
    try {
      baseHashes = new Map(parseGoSum(sum.path, sum.base).entries.map((e) => [sumKey(e), e.hash]));
    } catch {
      /* a broken base go.sum: every head line counts as new */
    }
  }
  const mod = tryParseModFile(goModPath, goModHead, { lax: true });
  if (!mod.ok) return { changes: [], findings: [] };
  const replaced = new Set(mod.file.replace.map((r) => r.old.path));
  const required = new Map(mod.file.require.map((r) => [`${r.path} ${r.version}`, r]));
  const out = new Map<string, RequirementChange>();
  for (const e of head.entries) {
    if (baseHashes.get(sumKey(e)) === e.hash) continue;
    const req = required.get(`${e.path} ${e.version}`);
    if (!req || replaced.has(e.path) || out.has(e.path)) continue;
    out.set(e.path, {
      goModPath,
      module: e.path,
      kind: 'upgraded',
      from: e.version,
      to: e.version,
      line: req.line,
      indirect: req.indirect,
      replacement: null,
      fetch: { path: e.path, version: e.version },
    });
  }
  return { changes: [...out.values()], findings: [] };
}

/** Turns a go.mod parse error into `parse-error` findings (severity high), one per error line. */
export function parseErrorFindings(err: ModFileError, goModPath: string): Finding[] {
  return err.errors.map((e) => {
    const where = e.line > 0 ? `${goModPath}:${e.line}${e.col > 1 ? `:${e.col}` : ''}` : goModPath;
    return {
      rule: 'parse-error' as const,
      severity: defaultSeverity('parse-error'),
      module: '',
      version: null,
      goModPath,
      line: e.line > 0 ? e.line : null,
      title: `${goModPath} does not parse: ${e.message.split('\n')[0]}`,
      message:
        `The Go toolchain rejects this file (\`${where}: ${e.message.replace(/\n\s*/g, ' ')}\`), so its ` +
        'dependencies cannot be reviewed. Fix the syntax; `go mod edit -fmt` shows the same error.',
      evidence: { file: e.file, line: e.line, col: e.col, error: e.message },
    };
  });
}

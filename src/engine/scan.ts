/**
 * The engine: "these files changed" in, requirement changes and findings out. The app and the CLI
 * are thin shells around `scan`. The checks themselves come in through `ScanChecks`, so this file
 * only orchestrates: which files to read, which checks to run on which module, bounded concurrency,
 * and the repo config (skipped paths, disabled rules, allow-list, ignores).
 */
import pLimit from 'p-limit';
import { RULES, codeSpan, defaultSeverity, type Finding, type RuleId } from '../findings.js';
import type { RequirementChange } from '../gomod/types.js';
import type { IgnoreEntry, RepoConfig } from '../config/repo.js';
import { matchPrefixPatterns } from '../gomod/module.js';
import { boundFindings, type ModuleRow, type ScanResult } from './result.js';
import { escalateLookalikeRetags } from '../checks/divergence/findings.js';
import { allowFor, applyConfig, matchesSkipPath, verdictOf } from './policy.js';
export * from './result.js';
export { matchesSkipPath } from './policy.js';

/** Which commit of the change a file is read from. */
export type Ref = 'base' | 'head';

/** A go.mod / go.work file at both ends of the change (null = absent at that end). */
export interface FilePair {
  path: string;
  base: string | null;
  head: string | null;
}

/** The checks the engine composes; `createScanChecks` (wiring.ts) wires the real ones. */
export interface ScanChecks {
  /** Requirement changes of the go.mod/go.work pairs, plus parse-error findings for files that do not parse. */
  diff(files: FilePair[]): { changes: RequirementChange[]; findings: Finding[] };
  /** Module paths a go.mod requires (for "looks like one you already use"); [] when it does not parse. */
  requiredModules(path: string, content: string): string[];
  /** Typosquat findings for a module path new to a go.mod (added, or a replace target). */
  typosquat(change: RequirementChange, ctx: { existing: string[]; config: RepoConfig; signal?: AbortSignal }): Promise<Finding[]>;
  /** Divergence and checksum findings for the version a change makes the build fetch; `signal` aborts at the module's deadline. */
  verify(change: RequirementChange, ctx: { goSum: { path: string; content: string } | null; config: RepoConfig; signal?: AbortSignal }): Promise<Finding[]>;
  /** The checks for one scan (per-scan budgets, e.g. GitHub searches); the engine calls it once per scan. */
  forScan?(): ScanChecks;
}

/** Everything the engine needs from the outside. */
export interface ScanDeps {
  checks: ScanChecks;
  /** Module checks in flight at once (network-bound). Default 16. */
  concurrency?: number;
  /** GOPRIVATE of the operator; joined with the repo's privateModules. */
  goprivate?: string;
}

/** Input of one scan. */
export interface ScanInput {
  /** Repo-relative paths the change touches. */
  files: string[];
  /** Reads a file at the base or head commit; null when it does not exist there. */
  readFile(ref: Ref, path: string): Promise<string | null>;
  /** Lists every go.mod at a commit (for the repo's existing requirements); optional. */
  listGoModFiles?(ref: Ref): Promise<string[]>;
  config: RepoConfig;
  /** Ignores from `/ignore` comments, on top of the config's permanent ones. */
  extraIgnores?: IgnoreEntry[];
  deps: ScanDeps;
  /** The scan's deadline: when it aborts, modules still being checked are reported as timed out. */
  signal?: AbortSignal;
  /** Longest time one module's checks may take; it is then `verify-failed` (cause timeout). None by default. */
  moduleDeadlineMs?: number;
}

/** Most unchanged go.mod files read for existing requirements (one request each in the app). */
const MAX_OTHER_GOMODS = 50;

/** Rules that come from the divergence check; when all are off, modules are not fetched at all. */
const VERIFY_RULES: RuleId[] = RULES.filter((r) => r.producer === 'divergence').map((r) => r.id);

/** True for the files whose change can change the module graph. */
export function isGoModuleFile(path: string): boolean {
  const base = path.slice(path.lastIndexOf('/') + 1);
  return base === 'go.mod' || base === 'go.sum' || base === 'go.work';
}

/** Directory part of a repo-relative path ('' at the root). */
function dirOf(path: string): string {
  const i = path.lastIndexOf('/');
  return i < 0 ? '' : path.slice(0, i);
}

function joinPath(dir: string, name: string): string {
  return dir ? `${dir}/${name}` : name;
}

function errorText(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

function seconds(ms: number): string {
  return ms % 1000 === 0 ? `${ms / 1000} s` : `${(ms / 1000).toFixed(1)} s`;
}

/** Why a module's checks were cut short: its own deadline or the whole scan's. */
type Cutoff = { by: 'module'; ms: number } | { by: 'scan' };

/**
 * A module whose checks ran out of time: not compared, so `verify-failed` (high, fails), never a pass.
 * The cause has the shape the divergence check gives its own failures (kind, source, detail).
 */
function timeoutFinding(change: RequirementChange, at: { path: string; version: string }, cut: Cutoff): Finding {
  const detail =
    cut.by === 'module'
      ? `the module proxy, the checksum database or the origin did not answer within ${seconds(cut.ms)} (the module deadline)`
      : 'the scan reached its deadline before this module was checked';
  const id = `${at.path}@${at.version}`;
  return {
    rule: 'verify-failed',
    severity: defaultSeverity('verify-failed'),
    module: at.path,
    version: at.version,
    goModPath: change.goModPath,
    line: change.line,
    title: `Could not verify ${codeSpan(id)}: the sources did not answer in time — /rescan to retry`,
    message: `${codeSpan(detail)}. The content was never compared, so this change is not reviewed.`,
    evidence: { cause: { kind: 'timeout', source: 'internal', detail } },
  };
}

/**
 * Runs `work` with a signal that aborts at `ms` or when the scan's signal does; resolves with the cutoff
 * instead of waiting for work that does not honour the signal.
 */
async function withDeadline<T>(work: (signal: AbortSignal) => Promise<T>, scanSignal: AbortSignal | undefined, ms: number | undefined): Promise<{ value: T } | { cut: Cutoff }> {
  if (!scanSignal && ms === undefined) return { value: await work(new AbortController().signal) };
  const own = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  const cut = new Promise<{ cut: Cutoff }>((resolve) => {
    const onScan = () => {
      own.abort(scanSignal!.reason);
      resolve({ cut: { by: 'scan' } });
    };
    if (scanSignal?.aborted) return onScan();
    scanSignal?.addEventListener('abort', onScan, { once: true });
    if (ms !== undefined) {
      timer = setTimeout(() => {
        own.abort(new Error(`module deadline of ${seconds(ms)}`));
        resolve({ cut: { by: 'module', ms } });
      }, ms);
    }
    own.signal.addEventListener('abort', () => scanSignal?.removeEventListener('abort', onScan), { once: true });
  });
  try {
    return await Promise.race([work(own.signal).then((value) => ({ value })), cut]);
  } finally {
    clearTimeout(timer);
    if (!own.signal.aborted) own.abort(new Error('done'));
  }
}

/** Runs every check on a change and returns its findings, module verdicts and errors. */
export async function scan(input: ScanInput): Promise<ScanResult> {
  const { config, deps } = input;
  const errors: string[] = [];
  const goFiles = [...new Set(input.files.filter(isGoModuleFile))].sort();
  const skippedFiles = goFiles.filter((p) => config.skipPaths.some((g) => matchesSkipPath(g, p)));
  const scanned = goFiles.filter((p) => !skippedFiles.includes(p));
  const modFiles = scanned.filter((p) => !p.endsWith('go.sum'));
  // A go.sum change matters through its go.mod: read the sibling go.mod too (unchanged ones diff to nothing).
  for (const sum of scanned.filter((p) => p.endsWith('/go.sum') || p === 'go.sum')) {
    const mod = joinPath(dirOf(sum), 'go.mod');
    if (!modFiles.includes(mod) && !skippedFiles.includes(mod)) modFiles.push(mod);
  }

  const read = async (ref: Ref, path: string): Promise<string | null> => {
    try {
      return await input.readFile(ref, path);
    } catch (e) {
      errors.push(`cannot read ${path} at the ${ref} commit: ${errorText(e)}`);
      return null;
    }
  };
  const sumFiles = scanned.filter((p) => p === 'go.sum' || p.endsWith('/go.sum'));
  const pairs: FilePair[] = await Promise.all(
    [...modFiles, ...sumFiles].map(async (path) => ({ path, base: await read('base', path), head: await read('head', path) })),
  );
  const checks = deps.checks.forScan?.() ?? deps.checks;
  const { changes, findings: parseFindings } = checks.diff(pairs.filter((p) => p.base !== null || p.head !== null));

  // The repo's existing requirements (base side) feed the "looks like one you already use" check.
  const existing = new Set<string>();
  const baseMods = new Map(pairs.filter((p) => p.path.endsWith('go.mod') && p.base !== null).map((p) => [p.path, p.base!]));
  if (input.listGoModFiles) {
    // Best effort: the other go.mods only widen the look-alike targets, so a failure here must not fail the scan.
    try {
      const others = (await input.listGoModFiles('base')).filter((p) => !baseMods.has(p) && !config.skipPaths.some((g) => matchesSkipPath(g, p)));
      const texts = await Promise.all(others.slice(0, MAX_OTHER_GOMODS).map((p) => input.readFile('base', p).catch(() => null)));
      others.slice(0, MAX_OTHER_GOMODS).forEach((p, i) => texts[i] !== null && baseMods.set(p, texts[i]!));
    } catch {
      /* listing failed: the changed go.mods' own requirements still serve */
    }
  }
  for (const [path, text] of baseMods) for (const m of checks.requiredModules(path, text)) existing.add(m);

  // go.sum files already read (changed ones) are reused; the others are read once, on demand.
  const goSums = new Map<string, { path: string; content: string } | null>(
    pairs.filter((p) => sumFiles.includes(p.path)).map((p) => [p.path, p.head === null ? null : { path: p.path, content: p.head }]),
  );
  const goSumFor = async (goModPath: string) => {
    const path = joinPath(dirOf(goModPath), 'go.sum');
    if (!goSums.has(path)) {
      const content = goModPath.endsWith('go.mod') ? await read('head', path) : null;
      goSums.set(path, content === null ? null : { path, content });
    }
    return goSums.get(path)!;
  };

  const ignores = [...config.ignore, ...(input.extraIgnores ?? [])];
  const privatePatterns = [deps.goprivate ?? '', config.privateModules].filter(Boolean).join(',');
  const typosquatOn = !config.disabledRules.includes('typosquat');
  const verifyOn = VERIFY_RULES.some((r) => !config.disabledRules.includes(r));
  const limit = pLimit(Math.max(1, deps.concurrency ?? 16));

  const perChange = await Promise.all(
    changes.map((change) =>
      limit(async (): Promise<{ row: ModuleRow; findings: Finding[] }> => {
        const fetch = change.fetch;
        const row: ModuleRow = {
          goModPath: change.goModPath,
          module: change.module,
          kind: change.kind,
          from: change.from,
          to: change.to,
          fetch: fetch ? `${fetch.path}@${fetch.version}` : null,
          line: change.line,
          verdict: 'ok',
          rules: [],
          note: null,
        };
        if (change.kind === 'removed') return { row: { ...row, verdict: 'removed' }, findings: [] };
        if (!fetch) return { row: { ...row, verdict: 'not-checked', note: 'local directory replacement' }, findings: [] };
        const allowAll = [...allowFor(config, change.module, change.to), ...allowFor(config, fetch.path, fetch.version)].find((a) => a.rules === null);
        if (allowAll) return { row: { ...row, verdict: 'not-checked', note: `allow-listed${allowAll.reason ? `: ${allowAll.reason}` : ''}` }, findings: [] };
        if (privatePatterns && matchPrefixPatterns(privatePatterns, fetch.path)) {
          return { row: { ...row, verdict: 'not-checked', note: 'private module (GOPRIVATE / privateModules)' }, findings: [] };
        }
        const raw: Finding[] = [];
        const isNewPath = change.kind === 'added' || change.kind === 'replaced' || (change.replacement !== null && !change.replacement.local);
        const checked = await withDeadline(
          async (signal) => {
            const found: Finding[] = [];
            const jobs: Promise<void>[] = [];
            if (typosquatOn && isNewPath) {
              jobs.push(
                checks.typosquat(change, { existing: [...existing].filter((m) => m !== fetch.path), config, signal }).then(
                  (f) => void found.push(...f),
                  (e) => void errors.push(`typosquat check of ${fetch.path} failed: ${errorText(e)}`),
                ),
              );
            }
            if (verifyOn) {
              jobs.push(
                goSumFor(change.goModPath)
                  .then((goSum) => checks.verify(change, { goSum, config, signal }))
                  .then(
                    (f) => void found.push(...f),
                    (e) => void errors.push(`${fetch.path}@${fetch.version}: ${errorText(e)}`),
                  ),
              );
            }
            await Promise.all(jobs);
            return found;
          },
          input.signal,
          input.moduleDeadlineMs,
        );
        if ('value' in checked) raw.push(...checked.value);
        else raw.push(timeoutFinding(change, fetch, checked.cut));
        // The checks run side by side; a retag that looked benign on a look-alike module is not (pure step).
        const findings = applyConfig(escalateLookalikeRetags(raw), config, ignores);
        return { row: { ...row, verdict: verdictOf(findings, config), rules: [...new Set(findings.map((f) => f.rule))].sort() }, findings };
      }),
    ),
  );

  // Bounded: a hostile go.mod (20,000 malformed lines) gives a readable report, not 20,000 findings.
  const findings = boundFindings([...applyConfig(parseFindings, config, ignores), ...perChange.flatMap((p) => p.findings)]);
  return {
    changes,
    findings,
    modules: perChange.map((p) => p.row),
    errors,
    scannedFiles: scanned,
    skippedFiles,
  };
}

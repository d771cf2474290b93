/**
 * The audit of a whole tree ("this is the default branch today"): every module@version that a go.mod or
 * go.sum of the tree pins, sub-modules included, through the same checks, policy and bounds as a PR scan.
 * Pure orchestration over `scan()`: the tree is scanned as a change from an empty tree, so every
 * requirement is new to it. A `ModuleCheckCache` shared by the audits of one run (many repos, many
 * installations) makes each module@version checked once per run.
 */
import { createHash } from 'node:crypto';
import type { Finding } from '../findings.js';
import type { IgnoreEntry, RepoConfig } from '../config/repo.js';
import type { ModuleVersion, RequirementChange } from '../gomod/types.js';
import { readGoSum, versionSums } from '../gomod/gosum.js';
import { isGoModuleFile, scan, type FilePair, type ScanChecks, type ScanDeps, type ScanResult } from './scan.js';

/** Input of one audit. */
export interface AuditInput {
  /** Repo-relative paths of the tree (any files: the go.mod / go.sum / go.work files are picked out). */
  paths: string[];
  /** Reads a file of the tree; null when it does not exist. */
  readFile(path: string): Promise<string | null>;
  config: RepoConfig;
  /** Ignores from `/ignore` comments, on top of the config's permanent ones. */
  extraIgnores?: IgnoreEntry[];
  deps: ScanDeps;
  /** Check results shared by every audit of a run; without it the audit has its own. */
  shared?: ModuleCheckCache;
}

/** The go.mod beside a go.sum (or go.work). */
function siblingGoMod(path: string): string {
  const i = path.lastIndexOf('/');
  return i < 0 ? 'go.mod' : `${path.slice(0, i)}/go.mod`;
}

/**
 * The module versions a go.sum pins content for (zip hash lines) that its go.mod does not require
 * directly: the rest of the build list. Each becomes an `added` change without a line, so it is
 * verified like a requirement.
 */
export function goSumOnlyChanges(pairs: readonly FilePair[], changes: readonly RequirementChange[]): RequirementChange[] {
  const out: RequirementChange[] = [];
  for (const sum of pairs.filter((p) => (p.path === 'go.sum' || p.path.endsWith('/go.sum')) && p.head !== null)) {
    const goModPath = siblingGoMod(sum.path);
    if (!pairs.some((p) => p.path === goModPath && p.head !== null)) continue;
    const known = new Set(changes.filter((c) => c.goModPath === goModPath && c.fetch).map((c) => `${c.fetch!.path}@${c.fetch!.version}`));
    const { sum: parsed } = readGoSum(sum.path, sum.head!);
    for (const e of parsed.entries) {
      const key = `${e.path}@${e.version}`;
      if (e.goMod || known.has(key)) continue;
      known.add(key);
      out.push({ goModPath, module: e.path, kind: 'added', from: null, to: e.version, line: null, indirect: true, replacement: null, fetch: { path: e.path, version: e.version } });
    }
  }
  return out;
}

/**
 * Directories the go command never builds from (`./...` skips them): testdata, vendor, and names starting
 * with `.` or `_`. Their go.mod files are fixtures or copies, not modules of the repository.
 */
export function isIgnoredByGo(path: string): boolean {
  return path
    .split('/')
    .slice(0, -1)
    .some((d) => d === 'testdata' || d === 'vendor' || d.startsWith('.') || d.startsWith('_'));
}

/** Audits a whole tree: every pinned module@version, with the repo's policy applied. */
export async function audit(input: AuditInput): Promise<ScanResult> {
  const base = input.deps.checks.forScan?.() ?? input.deps.checks;
  const shared = input.shared ?? new ModuleCheckCache();
  const own = shared.wrap(base);
  const checks: ScanChecks = {
    ...own,
    diff(files) {
      const r = own.diff(files);
      return { changes: [...r.changes, ...goSumOnlyChanges(files, r.changes)], findings: r.findings };
    },
  };
  delete checks.forScan;
  return scan({
    files: input.paths.filter((p) => isGoModuleFile(p) && !isIgnoredByGo(p)),
    // An empty tree on one side: everything the tree pins is new to it.
    readFile: (ref, path) => (ref === 'base' ? Promise.resolve(null) : input.readFile(path)),
    config: input.config,
    ...(input.extraIgnores ? { extraIgnores: input.extraIgnores } : {}),
    deps: { ...input.deps, checks },
  });
}

/** What a verification is about: the module version, and the go.sum hashes it is compared with. */
export interface VerifyKey {
  /** Which check: the divergence verification, or the look-alike check of a module path. */
  kind: 'verify' | 'typosquat';
  /** Stable id (module, fetched module@version, go.sum hashes or typosquat context): equal keys give equal findings. */
  id: string;
  mv: ModuleVersion;
}

/**
 * Decides whether a module version must be verified again or a stored answer still holds (the watch's
 * cheap change detection); `run` does the full verification. Without one, every key is verified once.
 */
export type VerdictResolver = (key: VerifyKey, run: () => Promise<Finding[]>) => Promise<Finding[]>;

/** Counters of one run, for logs and the bench. */
export interface CheckCacheStats {
  /** Full verifications asked of the resolver (one per distinct key). */
  verifyKeys: number;
  /** verify() calls answered from this run's memory. */
  verifyShared: number;
  typosquatRuns: number;
  typosquatShared: number;
}

/**
 * Check results of one run by module@version (and what else they depend on), re-anchored on each
 * go.mod that asks: the first audit that needs a module version checks it, the others share the answer.
 */
export class ModuleCheckCache {
  readonly stats: CheckCacheStats = { verifyKeys: 0, verifyShared: 0, typosquatRuns: 0, typosquatShared: 0 };
  private readonly verified = new Map<string, Promise<Finding[]>>();
  private readonly typosquats = new Map<string, Promise<Finding[]>>();

  constructor(private readonly resolver: VerdictResolver = (_k, run) => run()) {}

  /** The checks with shared answers (diff and requiredModules are pure and pass through). */
  wrap(checks: ScanChecks): ScanChecks {
    const anchor = (found: Finding[], change: RequirementChange) => found.map((f) => ({ ...f, goModPath: change.goModPath, line: change.line }));
    return {
      diff: (files) => checks.diff(files),
      requiredModules: (path, content) => checks.requiredModules(path, content),
      typosquat: async (change, ctx) => {
        const c = ctx.config;
        const allow = c.allow.map((a) => [a.module, a.version, a.rules]);
        const id = createHash('sha256')
          .update(JSON.stringify([change.module, change.fetch?.path ?? null, change.fetch?.version ?? null, change.kind, [...ctx.existing].sort(), c.popularModules, allow]))
          .digest('hex')
          .slice(0, 32);
        let p = this.typosquats.get(id);
        if (p) this.stats.typosquatShared++;
        else {
          this.stats.typosquatRuns++;
          const mv = change.fetch ?? { path: change.module, version: change.to ?? '' };
          p = this.resolver({ kind: 'typosquat', id, mv }, () => checks.typosquat(change, ctx));
          p.catch(() => this.typosquats.delete(id));
          this.typosquats.set(id, p);
        }
        return anchor(await p, change);
      },
      verify: async (change, ctx) => {
        const mv = change.fetch;
        if (!mv) return checks.verify(change, ctx);
        const sums = ctx.goSum ? versionSums(readGoSum(ctx.goSum.path, ctx.goSum.content).sum, mv.path, mv.version) : null;
        const id = createHash('sha256')
          .update(JSON.stringify([change.module, mv.path, mv.version, change.replacement?.path ?? null, sums?.h1 ?? null, sums?.goModH1 ?? null, ctx.goSum === null]))
          .digest('hex')
          .slice(0, 32);
        let p = this.verified.get(id);
        if (p) this.stats.verifyShared++;
        else {
          this.stats.verifyKeys++;
          p = this.resolver({ kind: 'verify', id, mv }, () => checks.verify(change, ctx));
          p.catch(() => this.verified.delete(id));
          this.verified.set(id, p);
        }
        return anchor(await p, change);
      },
    };
  }
}

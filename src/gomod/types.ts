/** Types shared between the go.mod engine and its users (checks, scan, review). */

/** A `module@version` the Go command would download. */
export interface ModuleVersion {
  path: string;
  version: string;
}

export type ChangeKind = 'added' | 'removed' | 'upgraded' | 'downgraded' | 'replaced';

/**
 * One change of the effective dependency graph between the base and head of one go.mod.
 * A `replace` that points a module at another module path is reported on the *effective* edge:
 * `fetch` names what the build will really download.
 */
export interface RequirementChange {
  /** Repo-relative path of the go.mod this change is in. */
  goModPath: string;
  /** The module path as required (left-hand side of a replace). */
  module: string;
  kind: ChangeKind;
  /** Version before the change, null when added. */
  from: string | null;
  /** Version after the change, null when removed. */
  to: string | null;
  /** 1-based line in the head file (the require or replace line), null when removed. */
  line: number | null;
  indirect: boolean;
  /** Set when a replace directive applies in the head file. `local` = a directory replacement. */
  replacement: { path: string; version: string | null; local: boolean; line: number } | null;
  /** What the build downloads after the change, or null (removed, or replaced by a local directory). */
  fetch: ModuleVersion | null;
}

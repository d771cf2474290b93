/**
 * What the watch remembers, in the shared Store (Redis when REDIS_URL is set, else a JSON file under the
 * data directory). Keys and shapes are versioned (`watch:v1:`):
 *   watch:v1:repo:<owner>/<repo>   RepoState: default branch, head, its Go module files, last findings, issue
 *   watch:v1:verdict:<id>          StoredVerdict (engine/watch-probe.ts): one module@version's findings + probe
 *   watch:v1:mv:<module>@<version> the last probe of a module version (what the origin tag and proxy said)
 *   watch:v1:schedule              ScheduleState: when the last scheduled run started and finished
 */
import type { Finding } from '../../findings.js';
import { getJson, setJson, type Store } from '../../sources/store/store.js';

/** Most bytes of Go module files kept per repository (larger trees are re-read each run). */
export const MAX_KEPT_FILE_BYTES = 2 << 20;

/** The last run of one repository. */
export interface RepoState {
  installationId: number;
  owner: string;
  repo: string;
  defaultBranch: string | null;
  headSha: string | null;
  /** The Go module files at headSha (null when too large to keep): an unchanged head is not re-read. */
  files: Record<string, string> | null;
  /** Findings of the last run (policy applied), what the next run compares with. */
  findings: Finding[];
  conclusion: 'success' | 'neutral' | 'failure' | null;
  issue: { number: number; open: boolean; author: string | null } | null;
  /** The repo config said `watch: false`. */
  optedOut: boolean;
  checkedAt: string;
}

/** The schedule's memory: a run missed while the app was down runs once on start-up. */
export interface ScheduleState {
  lastStartedAt: string | null;
  lastFinishedAt: string | null;
}

export const REPO_PREFIX = 'watch:v1:repo:';
export const SCHEDULE_KEY = 'watch:v1:schedule';
export const SCHEDULE_LOCK = 'watch:v1:schedule:lock';

export const repoKey = (owner: string, repo: string) => `${REPO_PREFIX}${owner}/${repo}`.toLowerCase();

export function readRepoState(store: Store, owner: string, repo: string): Promise<RepoState | null> {
  return getJson<RepoState>(store, repoKey(owner, repo));
}

export function writeRepoState(store: Store, state: RepoState): Promise<void> {
  return setJson(store, repoKey(state.owner, state.repo), state);
}

/** Every repository the watch knows (what a scheduled run re-checks). */
export async function allRepoStates(store: Store): Promise<RepoState[]> {
  const out: RepoState[] = [];
  for (const key of await store.keys(REPO_PREFIX)) {
    const s = await getJson<RepoState>(store, key);
    if (s) out.push(s);
  }
  return out;
}

/** Size of files in bytes (UTF-8). */
export function filesBytes(files: Record<string, string>): number {
  return Object.values(files).reduce((n, t) => n + Buffer.byteLength(t), 0);
}

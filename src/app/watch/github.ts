/**
 * The installation API calls of the watch: a repository's default branch and its head, the Go module files
 * of the tree, the config, the check run on the default branch head, and the one watch issue.
 */
import type { Octokit } from '../github.js';
import { readFileAt } from '../github.js';
import { checkRunUpdates, type CheckRunOutput } from '../../review/checkrun.js';
import { WATCH_MARKER } from '../../review/watch-issue.js';

/** The name of the watch's check run (separate from the PR check, so it is never a required status). */
export const WATCH_CHECK_NAME = 'ModWarden dependency watch';
/** The title of the one watch issue per repository. */
export const WATCH_ISSUE_TITLE = 'ModWarden: dependency watch';

function status(e: unknown): number | undefined {
  return typeof e === 'object' && e !== null && 'status' in e ? Number((e as { status: unknown }).status) : undefined;
}

/** The repository's default branch, or null when the repository is gone (or no longer installed). */
export async function defaultBranch(octokit: Octokit, owner: string, repo: string): Promise<{ branch: string; archived: boolean } | null> {
  try {
    const { data } = await octokit.rest.repos.get({ owner, repo });
    return { branch: data.default_branch, archived: data.archived === true };
  } catch (e) {
    if (status(e) === 404) return null;
    throw e;
  }
}

/** The commit a branch points at, or null (no such branch: renamed default branch, empty repository). */
export async function branchHead(octokit: Octokit, owner: string, repo: string, branch: string): Promise<string | null> {
  try {
    const { data } = await octokit.rest.git.getRef({ owner, repo, ref: `heads/${branch}` });
    return data.object.sha;
  } catch (e) {
    if (status(e) === 404 || status(e) === 409) return null;
    throw e;
  }
}

/** Every go.mod, go.sum and go.work path at a commit (one recursive tree request). */
export async function goModuleFiles(octokit: Octokit, owner: string, repo: string, sha: string): Promise<{ paths: string[]; truncated: boolean }> {
  const { data } = await octokit.rest.git.getTree({ owner, repo, tree_sha: sha, recursive: 'true' });
  const paths = data.tree.filter((e) => e.type === 'blob' && typeof e.path === 'string' && /(^|\/)go\.(mod|sum|work)$/.test(e.path)).map((e) => e.path!);
  return { paths, truncated: data.truncated === true };
}

/** A file at a commit (raw), or null. */
export function fileAt(octokit: Octokit, owner: string, repo: string, path: string, sha: string): Promise<string | null> {
  return readFileAt(octokit, { owner, repo }, path, sha);
}

/** Posts a completed check run on the default branch head (annotation batches beyond the first go in updates). */
export async function postCheckRun(octokit: Octokit, owner: string, repo: string, headSha: string, output: CheckRunOutput): Promise<number> {
  const { data } = await octokit.rest.checks.create({
    owner,
    repo,
    name: WATCH_CHECK_NAME,
    head_sha: headSha,
    status: 'in_progress',
    external_id: 'watch',
    output: { title: output.title, summary: output.summary },
  });
  for (const body of checkRunUpdates(output)) {
    await octokit.request('PATCH /repos/{owner}/{repo}/check-runs/{check_run_id}', { owner, repo, check_run_id: data.id, ...body });
  }
  return data.id;
}

/** An issue as we read it. */
export interface IssueRef {
  number: number;
  state: 'open' | 'closed';
  /** Login of the account that opened it (our bot). */
  author: string | null;
}

/** Finds the watch issue by its hidden marker among issues opened by a bot (when the state does not know it). */
export async function findWatchIssue(octokit: Octokit, owner: string, repo: string): Promise<IssueRef | null> {
  const { data } = await octokit.rest.issues.listForRepo({ owner, repo, state: 'all', per_page: 100, sort: 'created', direction: 'asc' });
  const hit = data.find((i) => !i.pull_request && i.user?.type === 'Bot' && (i.body ?? '').includes(WATCH_MARKER));
  return hit ? { number: hit.number, state: hit.state === 'closed' ? 'closed' : 'open', author: hit.user?.login ?? null } : null;
}

/** Opens the watch issue. */
export async function createWatchIssue(octokit: Octokit, owner: string, repo: string, body: string): Promise<IssueRef> {
  const { data } = await octokit.rest.issues.create({ owner, repo, title: WATCH_ISSUE_TITLE, body });
  return { number: data.number, state: 'open', author: data.user?.login ?? null };
}

/** Updates the watch issue in place (reopened when `open`, closed as completed otherwise). */
export async function updateWatchIssue(octokit: Octokit, owner: string, repo: string, number: number, body: string, open: boolean): Promise<void> {
  await octokit.rest.issues.update({ owner, repo, issue_number: number, body, state: open ? 'open' : 'closed', ...(open ? {} : { state_reason: 'completed' as const }) });
}

/** Comments of the watch issue (for the `/ignore` markers our bot wrote). */
export async function issueComments(octokit: Octokit, owner: string, repo: string, number: number) {
  return octokit.paginate(octokit.rest.issues.listComments, { owner, repo, issue_number: number, per_page: 100 });
}

/**
 * Reading a pull request through the base repository's API (so fork PRs work: the head commit is
 * reachable there) and writing check runs, reviews, comments and reactions.
 */
import type { ProbotOctokit } from 'probot';
import type { PullFile } from '../review/comments.js';

/** The installation-authenticated client Probot gives each event. */
export type Octokit = ProbotOctokit;

/** Which pull request (and which commits of it) a scan is about. */
export interface PullTarget {
  owner: string;
  repo: string;
  number: number;
  headSha: string;
  baseSha: string;
  author: string | null;
}

/** The name of the check run, as it appears in branch protection settings. */
export const CHECK_NAME = 'ModWarden';

function status(e: unknown): number | undefined {
  return typeof e === 'object' && e !== null && 'status' in e ? Number((e as { status: unknown }).status) : undefined;
}

/** Files the PR touches, with their patches (for mapping findings to diff lines). */
export async function listPullFiles(octokit: Octokit, t: PullTarget): Promise<PullFile[]> {
  const files = await octokit.paginate(octokit.rest.pulls.listFiles, { owner: t.owner, repo: t.repo, pull_number: t.number, per_page: 100 });
  return files.map((f) => ({ filename: f.filename, status: f.status, patch: f.patch, previous_filename: f.previous_filename }));
}

/** The merge base of the PR (what GitHub's own diff compares against); falls back to the base tip. */
export async function mergeBase(octokit: Octokit, t: PullTarget): Promise<string> {
  try {
    const { data } = await octokit.rest.repos.compareCommitsWithBasehead({ owner: t.owner, repo: t.repo, basehead: `${t.baseSha}...${t.headSha}`, per_page: 1 });
    return data.merge_base_commit?.sha ?? t.baseSha;
  } catch {
    return t.baseSha;
  }
}

/** A file's text at a commit, or null when it does not exist there. */
export async function readFileAt(octokit: Octokit, t: Pick<PullTarget, 'owner' | 'repo'>, path: string, ref: string): Promise<string | null> {
  try {
    const res = await octokit.rest.repos.getContent({ owner: t.owner, repo: t.repo, path, ref, mediaType: { format: 'raw' } });
    const data = res.data as unknown;
    if (typeof data === 'string') return data;
    if (data instanceof ArrayBuffer) return Buffer.from(data).toString('utf8');
    if (typeof data === 'object' && data !== null && 'content' in data && typeof (data as { content: unknown }).content === 'string') {
      return Buffer.from((data as { content: string }).content, 'base64').toString('utf8');
    }
    throw new Error(`${path} at ${ref.slice(0, 7)} is not a file`);
  } catch (e) {
    if (status(e) === 404) return null;
    throw e;
  }
}

/** A pull request's numbers and commits, for events that only carry its number. */
export async function getPullTarget(octokit: Octokit, owner: string, repo: string, number: number): Promise<PullTarget & { state: string }> {
  const { data } = await octokit.rest.pulls.get({ owner, repo, pull_number: number });
  return { owner, repo, number, headSha: data.head.sha, baseSha: data.base.sha, author: data.user?.login ?? null, state: data.state };
}

/** True when `user` may re-run scans and ignore findings: write, maintain or admin on the repo. */
export async function hasWriteAccess(octokit: Octokit, owner: string, repo: string, user: string): Promise<boolean> {
  try {
    const { data } = await octokit.rest.repos.getCollaboratorPermissionLevel({ owner, repo, username: user });
    const role = (data as { role_name?: string }).role_name ?? data.permission;
    return ['admin', 'maintain', 'write'].includes(role) || ['admin', 'write'].includes(data.permission);
  } catch (e) {
    if (status(e) === 404) return false;
    throw e;
  }
}

/** Every go.mod path at a commit (git trees API, recursive; a truncated tree gives what it holds). */
export async function listGoModPaths(octokit: Octokit, t: Pick<PullTarget, 'owner' | 'repo'>, sha: string): Promise<string[]> {
  const { data } = await octokit.rest.git.getTree({ owner: t.owner, repo: t.repo, tree_sha: sha, recursive: 'true' });
  return data.tree.filter((e) => e.type === 'blob' && typeof e.path === 'string' && (e.path === 'go.mod' || e.path.endsWith('/go.mod'))).map((e) => e.path!);
}

/** The repo config file ModWarden reads, relative to `.github/` as Probot's loader names it. */
export const CONFIG_FILE = 'modwarden.yml';

/**
 * `.github/modwarden.yml` through Probot's config loader (default branch, `_extends`, the organisation's
 * `.github` repository as fallback), exactly as `context.config` reads it; null when no file exists.
 * The worker reads it itself, so a job needs no webhook context.
 */
export async function loadRepoConfigFile(octokit: Octokit, t: Pick<PullTarget, 'owner' | 'repo'>): Promise<unknown> {
  const { config, files } = await octokit.config.get({ owner: t.owner, repo: t.repo, path: `.github/${CONFIG_FILE}` });
  return files.some((f) => f.config !== null) ? config : null;
}

/** Reading a local git checkout for `modwarden scan`: changed files between two refs and file blobs. */
import { execFile } from 'node:child_process';
import { UsageError } from './context.js';

const MAX_BUFFER = 64 * 1024 * 1024;

function git(dir: string, args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    execFile('git', ['-C', dir, ...args], { maxBuffer: MAX_BUFFER, encoding: 'utf8' }, (err, stdout, stderr) => {
      if (err && typeof (err as NodeJS.ErrnoException).code === 'string') {
        reject(new UsageError(`cannot run git: ${err.message}`));
        return;
      }
      resolve({ code: err ? Number((err as { code?: number }).code ?? 1) : 0, stdout, stderr });
    });
  });
}

/** A local repository at two commits, as the scan engine reads it. */
export interface GitChange {
  baseSha: string;
  headSha: string;
  /** Where the PR diff starts (merge base of base and head, like GitHub's three-dot diff). */
  mergeBase: string;
  files: string[];
}

/** Resolves a ref to a commit sha, or throws a UsageError naming the ref. */
export async function resolveCommit(dir: string, ref: string, flag: string): Promise<string> {
  const r = await git(dir, ['rev-parse', '--verify', '--quiet', `${ref}^{commit}`]);
  if (r.code !== 0) {
    const inside = await git(dir, ['rev-parse', '--git-dir']);
    if (inside.code !== 0) throw new UsageError(`--repo ${dir} is not a git repository`);
    throw new UsageError(`${flag} ${ref}: no such commit in ${dir}`);
  }
  return r.stdout.trim();
}

/** Files changed between the merge base of base and head, and head. */
export async function readChange(dir: string, base: string, head: string): Promise<GitChange> {
  const baseSha = await resolveCommit(dir, base, '--base');
  const headSha = await resolveCommit(dir, head, '--head');
  const mb = await git(dir, ['merge-base', baseSha, headSha]);
  const mergeBase = mb.code === 0 ? mb.stdout.trim() : baseSha;
  const diff = await git(dir, ['diff', '--name-only', '--no-renames', '-z', mergeBase, headSha]);
  if (diff.code !== 0) throw new UsageError(`git diff failed: ${diff.stderr.trim()}`);
  return { baseSha, headSha, mergeBase, files: diff.stdout.split('\0').filter(Boolean) };
}

/** A file's text at a commit, or null when the path does not exist there. */
export async function showFile(dir: string, sha: string, path: string): Promise<string | null> {
  const r = await git(dir, ['cat-file', 'blob', `${sha}:${path}`]);
  if (r.code !== 0) return null;
  return r.stdout;
}

/** Every go.mod path at a commit. */
export async function listGoMods(dir: string, sha: string): Promise<string[]> {
  const r = await git(dir, ['ls-tree', '-r', '-z', '--name-only', sha]);
  if (r.code !== 0) throw new Error(`git ls-tree failed: ${r.stderr.trim()}`);
  return r.stdout.split('\0').filter((p) => p === 'go.mod' || p.endsWith('/go.mod'));
}

/** Every go.mod, go.sum and go.work path at a commit (what `modwarden audit` reads). */
export async function listGoModuleFiles(dir: string, sha: string): Promise<string[]> {
  const r = await git(dir, ['ls-tree', '-r', '-z', '--name-only', sha]);
  if (r.code !== 0) throw new Error(`git ls-tree failed: ${r.stderr.trim()}`);
  return r.stdout.split('\0').filter((p) => /(^|\/)go\.(mod|sum|work)$/.test(p));
}

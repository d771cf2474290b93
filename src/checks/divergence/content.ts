/**
 * Compares the proxy's module files with the origin's: which files were added, removed or changed, the
 * h1 the origin's files hash to, and short diffs of the differing text files. Pure.
 */
import type { ModuleVersion } from '../../gomod/types.js';
import { hash1, hashGoMod, syntheticGoMod } from '../../modzip/hash.js';
import { isProbablyText, unifiedDiff } from '../textdiff.js';
import type { GitBlobs, OriginFile, OriginTree } from './origin-facts.js';
import type { ProxyFacts } from './proxy-facts.js';
import type { FileChanges, FileDiff } from './types.js';

/** What the comparison found. */
export interface ContentComparison {
  /** h1 of the origin's module files (with git-confirmed files counted as the proxy's). */
  h1: string;
  /** h1 of the origin's go.mod (or of the synthetic one Go makes for a module without go.mod). */
  goModH1: string;
  /** True when the origin's files hash to exactly the proxy's h1. */
  same: boolean;
  files: FileChanges;
  /** Files GitHub's tarball leaves out or rewrites (.gitattributes, LFS) whose proxy bytes match the commit's git blobs. */
  confirmedByGit: string[];
  diffs: FileDiff[];
  /** Differing files that are binary (no diff). */
  binary: string[];
}

/** Limits of the diffs. */
export interface DiffLimits {
  /** Most files diffed. */
  maxDiffs: number;
  /** Longest diff, in lines. */
  maxDiffLines: number;
}

/** Paths only in the proxy's zip or different there: the ones worth checking against the commit's git tree. */
export function suspectPaths(proxy: ProxyFacts, tree: OriginTree): string[] {
  const { added, modified } = changes(proxy, tree.files);
  return [...added, ...modified];
}

/** Compares the two file sets. `git` (the commit's blob ids) settles files the tarball does not show as committed. */
export function compareContent(mv: ModuleVersion, proxy: ProxyFacts, tree: OriginTree, git: GitBlobs | undefined, limits: DiffLimits): ContentComparison {
  let files = tree.files;
  const confirmedByGit: string[] = [];
  if (git?.blobs) {
    const blobs = git.blobs;
    const originByPath = new Map(files.map((f) => [f.path, f]));
    const servedByPath = new Map(proxy.files.map((f) => [f.path, f]));
    const extra: OriginFile[] = [];
    for (const p of suspectPaths(proxy, tree)) {
      const served = servedByPath.get(p)!;
      // A sub-directory module without its own LICENSE gets the repository root's (Go's LICENSE rule).
      const blob = blobs.get(join(tree.subdir, p)) ?? (p === 'LICENSE' ? blobs.get('LICENSE') : undefined);
      if (blob === undefined || blob !== served.gitBlobId) continue;
      confirmedByGit.push(p);
      const f = originByPath.get(p);
      if (f) originByPath.set(p, { ...f, sha256: served.sha256 });
      else extra.push({ path: p, size: served.size, sha256: served.sha256, source: join(tree.subdir, p) });
    }
    files = [...originByPath.values(), ...extra];
  }
  const h1 = hash1(files.map((f) => ({ name: `${mv.path}@${mv.version}/${f.path}`, sha256: f.sha256 })));
  const goMod = files.find((f) => f.path === 'go.mod');
  const goModH1 = goMod ? hash1([{ name: 'go.mod', sha256: goMod.sha256 }]) : hashGoMod(syntheticGoMod(mv.path));
  const same = h1 === proxy.h1;
  const found = same ? { added: [], removed: [], modified: [] } : changes(proxy, files);
  const { diffs, binary } = same ? { diffs: [], binary: [] } : fileDiffs(proxy, tree, found, limits);
  return { h1, goModH1, same, files: found, confirmedByGit: confirmedByGit.sort(), diffs, binary };
}

function changes(proxy: ProxyFacts, originFiles: readonly OriginFile[]): FileChanges {
  const origin = new Map(originFiles.map((f) => [f.path, f.sha256]));
  const served = new Map(proxy.files.map((f) => [f.path, f.sha256]));
  return {
    added: [...served.keys()].filter((p) => !origin.has(p)).sort(),
    removed: [...origin.keys()].filter((p) => !served.has(p)).sort(),
    modified: [...served.keys()].filter((p) => origin.has(p) && origin.get(p) !== served.get(p)).sort(),
  };
}

/** Diffs (origin ---, proxy +++) of differing text files: added first, then changed, then removed. */
function fileDiffs(proxy: ProxyFacts, tree: OriginTree, files: FileChanges, limits: DiffLimits): { diffs: FileDiff[]; binary: string[] } {
  const served = new Map(proxy.files.map((f) => [f.path, f.content]));
  const diffs: FileDiff[] = [];
  const binary: string[] = [];
  const add = (path: string, before: Buffer | undefined, after: Buffer | undefined) => {
    if ((before && !isProbablyText(before)) || (after && !isProbablyText(after))) {
      binary.push(path);
      return;
    }
    if (diffs.length >= limits.maxDiffs) return;
    const diff = unifiedDiff(
      before ? `origin/${path}` : '/dev/null',
      after ? `proxy/${path}` : '/dev/null',
      before?.toString('utf8') ?? '',
      after?.toString('utf8') ?? '',
      { maxLines: limits.maxDiffLines },
    );
    if (diff) diffs.push({ path, diff });
  };
  // A file whose bytes were not kept (too large, or past the memory budget) is listed but not diffed.
  for (const p of files.added) if (served.get(p)) add(p, undefined, served.get(p));
  for (const p of files.modified) if (served.get(p) && tree.content.get(p)) add(p, tree.content.get(p), served.get(p));
  for (const p of files.removed) if (tree.content.get(p)) add(p, tree.content.get(p), undefined);
  return { diffs, binary: binary.sort() };
}

function join(dir: string, name: string): string {
  return dir === '' ? name : `${dir}/${name}`;
}

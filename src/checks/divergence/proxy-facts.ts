/**
 * The module proxy's side of a version: `.info` (time and the Origin it recorded), `.mod`, and the zip,
 * read once: every file's SHA-256 (for h1) and git blob id (to match files against a commit's git tree),
 * and the bytes of small files for diffs, within a memory budget.
 */
import type { ModuleVersion } from '../../gomod/types.js';
import { hashGoMod } from '../../modzip/hash.js';
import { readModuleZip } from '../../modzip/reader.js';
import type { GoProxyClient, Origin } from '../../sources/goproxy.js';
import { proxyProblem } from './faults.js';
import type { VerifyCause } from './types.js';

/** What verifyModule needs from a GOPROXY client (GoProxyClient fits). */
export type ProxySource = Pick<GoProxyClient, 'info' | 'mod' | 'zip'>;

/** One file of the proxy's zip. */
export interface ProxyFile {
  path: string;
  size: number;
  sha256: string;
  /** Git's blob id of the bytes. */
  gitBlobId: string;
  /** The bytes, kept for small files while the budget lasts. */
  content?: Buffer;
}

/** What the proxy serves for a version. */
export interface ProxyFacts {
  /** `.info` Time. */
  time: string | null;
  /** `.info` Origin as sent (untrusted provenance). */
  origin: Origin | null;
  /** h1 of the zip. */
  h1: string;
  /** h1 of the `.mod` file (what go.sum's `/go.mod` line pins). */
  goModH1: string;
  /** h1 of the go.mod inside the zip, or null when the zip has none. */
  zipGoModH1: string | null;
  files: ProxyFile[];
}

/** The proxy's answer: its facts, a refusal (blocked), or why nothing could be read. */
export type ProxyOutcome =
  | { status: 'read'; facts: ProxyFacts }
  | { status: 'blocked'; reason: string }
  | { status: 'not-read'; resource: 'info' | 'mod' | 'zip'; cause: VerifyCause };

/** Limits of what is kept in memory from the zip. */
export interface ProxyReadOptions {
  /** Largest file whose bytes are kept (for diffs). */
  maxFileBytes: number;
  /** Most bytes kept over all files. */
  maxKeptBytes: number;
}

/** Reads `.info`, `.mod` and the zip of a version; never throws. */
export async function gatherProxyFacts(mv: ModuleVersion, proxy: ProxySource, options: ProxyReadOptions): Promise<ProxyOutcome> {
  const at = `${mv.path}@${mv.version}`;
  // The three requests are independent; one round trip instead of three.
  const [info, mod, zip] = await Promise.allSettled([proxy.info(mv.path, mv.version), proxy.mod(mv.path, mv.version), proxy.zip(mv.path, mv.version)]);
  // The zip is held on disk (a lease) only while it is read: the disk cache may then evict it.
  try {
    return await readProxyAnswers(mv, at, info, mod, zip, options);
  } finally {
    if (zip.status === 'fulfilled') zip.value.release();
  }
}

async function readProxyAnswers(
  mv: ModuleVersion,
  at: string,
  info: PromiseSettledResult<Awaited<ReturnType<ProxySource['info']>>>,
  mod: PromiseSettledResult<Awaited<ReturnType<ProxySource['mod']>>>,
  zip: PromiseSettledResult<Awaited<ReturnType<ProxySource['zip']>>>,
  options: ProxyReadOptions,
): Promise<ProxyOutcome> {
  if (info.status === 'rejected' || mod.status === 'rejected' || zip.status === 'rejected') {
    const failed = (
      [
        ['info', info],
        ['mod', mod],
        ['zip', zip],
      ] as const
    ).flatMap(([resource, answer]) => (answer.status === 'rejected' ? [{ resource, problem: proxyProblem(answer.reason, at) }] : []));
    // A proxy that refuses the version as blocked says the most; otherwise the first failure in request order.
    const blocked = failed.map((f) => f.problem).find((p) => 'blocked' in p);
    if (blocked && 'blocked' in blocked) return { status: 'blocked', reason: blocked.blocked };
    const first = failed[0]!;
    return { status: 'not-read', resource: first.resource, cause: (first.problem as { cause: VerifyCause }).cause };
  }

  let kept = 0;
  const keep = (path: string, size: number): boolean => {
    if (path === 'go.mod') return true;
    if (size > options.maxFileBytes || kept + size > options.maxKeptBytes) return false;
    kept += size;
    return true;
  };
  try {
    const contents = await readModuleZip(zip.value.file, mv, { keepContent: keep, gitBlobIds: true });
    return {
      status: 'read',
      facts: {
        time: info.value.Time ?? null,
        origin: info.value.Origin ?? null,
        h1: contents.h1,
        goModH1: hashGoMod(mod.value),
        zipGoModH1: contents.goModH1,
        files: contents.files.map((f) => ({ path: f.path, size: f.size, sha256: f.sha256, gitBlobId: f.gitBlobId ?? '', ...(f.content ? { content: f.content } : {}) })),
      },
    };
  } catch (e) {
    const problem = proxyProblem(e, at);
    if ('blocked' in problem) return { status: 'blocked', reason: problem.blocked };
    return { status: 'not-read', resource: 'zip', cause: problem.cause };
  }
}

/** The full commit hash the proxy recorded in `.info` Origin, or null when it recorded none (or garbage). */
export function recordedCommit(origin: Origin | null): string | null {
  return origin?.Hash && /^[0-9a-f]{40}$/.test(origin.Hash) ? origin.Hash : null;
}

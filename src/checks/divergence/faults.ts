/**
 * Turns what the sources throw into causes: the module proxy's and the origin's failures, named the same
 * way whatever the error class. Errors are matched by `name`, `kind` and `status` (not by class identity),
 * so this keeps working when the HTTP and GitHub layers are rebuilt around the same error names.
 */
import type { CauseKind, VerifyCause } from './types.js';

const MAX_DETAIL = 240;

/**
 * One line of plain text from an error or a server: the first line, white space collapsed, a
 * `module@version: ` prefix dropped (the finding's title names the module), cut to a readable length.
 */
export function oneLine(text: string, at?: string): string {
  let line = (text.split(/\r\n|\r|\n/).find((l) => l.trim() !== '') ?? '').replace(/\s+/g, ' ').trim();
  if (at && line.startsWith(`${at}: `)) line = line.slice(at.length + 2);
  return line.length > MAX_DETAIL ? `${line.slice(0, MAX_DETAIL - 1)}…` : line;
}

interface ErrorLike {
  name?: string;
  message?: string;
  kind?: string;
  status?: number | null;
  cause?: unknown;
  reason?: string;
}

function asError(e: unknown): ErrorLike {
  return typeof e === 'object' && e !== null ? (e as ErrorLike) : { message: String(e) };
}

/** The names of an error and the errors it wraps, outermost first (a few levels at most). */
function chain(e: unknown): ErrorLike[] {
  const out: ErrorLike[] = [];
  for (let cur: unknown = e; cur !== undefined && cur !== null && out.length < 4; cur = asError(cur).cause) out.push(asError(cur));
  return out;
}

/** The HTTP layer's failure at the root of an error, as a cause kind, or null when there is none. */
function transportKind(e: unknown): CauseKind | null {
  // The SSRF guard's refusal wins over the network error the HTTP layer wraps it in.
  if (chain(e).some((c) => c.name === 'OriginRefusedError')) return 'origin-refused';
  for (const c of chain(e)) {
    if (c.name === 'TooLargeError' || c.name === 'TarballTooLargeError' || c.name === 'PackTooLargeError') return 'too-large';
    if (c.name === 'TimeoutError' || c.name === 'AbortError') return 'timeout';
    if (c.name === 'NetworkError' || c.name === 'TruncatedBodyError') return 'network';
  }
  return null;
}

/** What the module proxy's refusal or failure means for the check. */
export type ProxyProblem = { blocked: string } | { cause: VerifyCause };

/** Classifies an error from the GOPROXY client or the module zip reader (`at` = `module@version`). */
export function proxyProblem(e: unknown, at: string): ProxyProblem {
  const err = asError(e);
  const detail = oneLine(err.message ?? String(e), at);
  const cause = (kind: CauseKind, source: VerifyCause['source'] = 'proxy'): ProxyProblem => ({ cause: { kind, source, detail } });
  if (err.name === 'ProxyBlockedError' || err.kind === 'blocked') return { blocked: oneLine(err.reason || detail, at) };
  if (err.name === 'ZipRejectedError') return cause('corrupt-zip');
  switch (err.kind) {
    case 'private':
      return { cause: { kind: 'private', source: 'proxy', detail: oneLine(err.reason || detail) } };
    case 'direct':
    case 'off':
      return cause('no-proxy');
    case 'invalid-request':
      return cause('invalid-input', 'input');
    case 'not-found':
      return cause('not-found');
    case 'forbidden':
      return cause('forbidden');
    case 'rate-limited':
      return cause('rate-limited');
    case 'unavailable':
    case 'bad-response':
      return cause(transportKind(e) ?? (err.kind === 'unavailable' ? 'server-error' : 'bad-response'));
  }
  return cause(transportKind(e) ?? 'internal', transportKind(e) ? 'proxy' : 'internal');
}

/** True when the origin says the repository does not exist (deleted, or private to us). */
export function isRepoGone(e: unknown): boolean {
  return asError(e).name === 'RepoNotFoundError';
}

/** Classifies an error from the GitHub origin client (repository, tag, commit, tree or tarball requests). */
export function originCause(e: unknown): VerifyCause {
  const err = asError(e);
  // A refusal by the SSRF guard says why in its own words, however deep the HTTP layer wrapped it.
  const refused = chain(e).find((c) => c.name === 'OriginRefusedError');
  const detail = oneLine(refused?.message ?? err.message ?? String(e));
  const kind = originKind(err, detail, transportKind(e));
  return { kind, source: kind === 'internal' ? 'internal' : 'origin', detail };
}

function originKind(err: ErrorLike, detail: string, transport: CauseKind | null): CauseKind {
  if (err.name === 'RateLimitedError') return 'rate-limited';
  if (transport) return transport;
  if (['TarballFormatError', 'RedirectNotAllowedError', 'GitProtocolError', 'PackFormatError', 'UnknownObjectError'].includes(err.name ?? '')) return 'origin-error';
  if (err.name !== 'GitHubApiError') return 'internal';
  // The client wraps transport failures into a status-less GitHubApiError whose text says what happened.
  if (err.status === null || err.status === undefined) {
    if (/timed out/i.test(detail)) return 'timeout';
    if (/redirect/i.test(detail)) return 'origin-error';
    return 'network';
  }
  return 'origin-error';
}

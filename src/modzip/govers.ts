/**
 * The `go` version a module's root go.mod declares, read leniently the way golang.org/x/mod/zip does
 * (modfile.ParseLax + go/version.Lang). It decides Go 1.24's vendor-directory rules. Pure.
 */

const GO_VERSION_RE = /^([1-9][0-9]*)\.(0|[1-9][0-9]*)(\.(0|[1-9][0-9]*))?([a-z]+[0-9]+)?$/;
const LAX_GO_VERSION_RE = /^v?(([1-9][0-9]*)\.(0|[1-9][0-9]*))([^0-9].*)$/;

/** `major.minor` of the root go.mod's `go` directive, or null when absent or unreadable (Go then uses "" ). */
export function goLangVersion(goMod: Uint8Array | string | undefined | null): { major: bigint; minor: bigint } | null {
  if (goMod === undefined || goMod === null) return null;
  const text = typeof goMod === 'string' ? goMod : Buffer.from(goMod).toString('utf8');
  // A /* comment is a lexer error, which makes ParseLax fail as a whole.
  let found: string | null = null;
  let depth = 0;
  for (const rawLine of text.split('\n')) {
    const line = stripComment(rawLine);
    if (line === null) return null;
    const tokens = line.split(/[ \t\r]+/).filter((t) => t !== '');
    if (tokens.length === 0) continue;
    if (depth > 0) {
      if (tokens[0] === ')') depth--;
      continue;
    }
    if (tokens.length === 2 && tokens[1] === '(') {
      depth++;
      continue;
    }
    if (tokens[0] !== 'go') continue;
    // Repeated or malformed go lines are errors, and any error makes Go treat the version as unknown.
    if (found !== null || tokens.length !== 2) return null;
    let v = tokens[1]!;
    if (!GO_VERSION_RE.test(v)) {
      const m = LAX_GO_VERSION_RE.exec(v);
      if (!m) return null;
      v = m[1]!;
    }
    found = v;
  }
  if (found === null) return null;
  const m = GO_VERSION_RE.exec(found)!;
  // go/version rejects a prerelease on a patch release (go1.21.3rc1): Lang is then "".
  if (m[3] !== undefined && m[5] !== undefined) return null;
  return { major: BigInt(m[1]!), minor: BigInt(m[2]!) };
}

/** True when the module's go.mod declares go ≥ 1.24 (Go's `version.Compare(vers, "go1.24") >= 0`). */
export function atLeastGo124(goMod: Uint8Array | string | undefined | null): boolean {
  const v = goLangVersion(goMod);
  if (!v) return false;
  return v.major > 1n || (v.major === 1n && v.minor >= 24n);
}

// Returns the line without its // comment, or null on a /* (a fatal lexer error in modfile).
function stripComment(line: string): string | null {
  let inStr = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (inStr) {
      if (c === '\\') i++;
      else if (c === '"') inStr = false;
      continue;
    }
    if (c === '"') inStr = true;
    else if (c === '/' && line[i + 1] === '/') return line.slice(0, i);
    else if (c === '/' && line[i + 1] === '*') return null;
  }
  return line;
}

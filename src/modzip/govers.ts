/**
 * The `go` version a module's root go.mod declares, read leniently the way golang.org/x/mod/zip does
 * (modfile.ParseLax + go/version.Lang). It decides Go 1.24's vendor-directory rules. Pure.
 */

import { GO_VERSION_RE, tryParseModFile } from '../gomod/modfile.js';

/** `major.minor` of the root go.mod's `go` directive, or null when absent or unreadable (Go then uses ""). */
export function goLangVersion(goMod: Uint8Array | string | undefined | null): { major: bigint; minor: bigint } | null {
  if (goMod === undefined || goMod === null) return null;
  // x/mod/zip uses modfile.ParseLax and gives up (version "") on any parse error.
  const parsed = tryParseModFile('go.mod', goMod, { lax: true });
  if (!parsed.ok || !parsed.file.go) return null;
  const m = GO_VERSION_RE.exec(parsed.file.go.version);
  if (!m) return null;
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

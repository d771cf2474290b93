/**
 * Small path helpers with Go's exact semantics (path.Clean, strings.EqualFold-style folding, Walk order).
 * Pure.
 */

/** Go's `path.Clean` for slash-separated paths. */
export function cleanPath(p: string): string {
  if (p === '') return '.';
  const rooted = p.startsWith('/');
  const out: string[] = [];
  for (const el of p.split('/')) {
    if (el === '' || el === '.') continue;
    if (el === '..') {
      if (out.length > 0 && out[out.length - 1] !== '..') out.pop();
      else if (!rooted) out.push('..');
      continue;
    }
    out.push(el);
  }
  const joined = out.join('/');
  if (rooted) return '/' + joined;
  return joined === '' ? '.' : joined;
}

/** Go's `path.Split`: `dir` keeps its trailing slash (`"a/b/c"` → `["a/b/", "c"]`). */
export function splitPath(p: string): [dir: string, base: string] {
  const i = p.lastIndexOf('/');
  return [p.slice(0, i + 1), p.slice(i + 1)];
}

/** Go's `path.Dir` for the clean relative paths we feed it (`"a"` → `"."`). */
export function dirOf(p: string): string {
  const i = p.lastIndexOf('/');
  return i < 0 ? '.' : cleanPath(p.slice(0, i));
}

/** Compares two slash paths in the order `filepath.Walk` visits them (element by element, bytewise). */
export function compareWalkOrder(a: string, b: string): number {
  const ea = a.split('/');
  const eb = b.split('/');
  for (let i = 0; i < Math.min(ea.length, eb.length); i++) {
    const c = Buffer.compare(Buffer.from(ea[i]!, 'utf8'), Buffer.from(eb[i]!, 'utf8'));
    if (c !== 0) return c;
  }
  return ea.length - eb.length;
}

// Unicode simple case-fold orbits, built once on first use of a non-ASCII name. Each code point maps to the
// smallest member of its orbit, which is what Go's zip strToFold computes with unicode.SimpleFold.
let foldMin: Map<number, number> | null = null;

function buildFoldTable(): Map<number, number> {
  const parent = new Map<number, number>();
  const find = (x: number): number => {
    let r = x;
    while (parent.has(r) && parent.get(r) !== r) r = parent.get(r)!;
    return r;
  };
  const union = (a: number, b: number) => {
    const ra = find(a);
    const rb = find(b);
    if (ra === rb) return;
    // Keep the smaller code point as root so the root is the orbit minimum.
    if (ra < rb) parent.set(rb, ra);
    else parent.set(ra, rb);
    if (!parent.has(Math.min(ra, rb))) parent.set(Math.min(ra, rb), Math.min(ra, rb));
  };
  const single = (s: string): number | null => {
    const cps = [...s];
    return cps.length === 1 ? cps[0]!.codePointAt(0)! : null;
  };
  for (let c = 0x80; c <= 0x1ffff; c++) {
    if (c >= 0xd800 && c <= 0xdfff) continue;
    const s = String.fromCodePoint(c);
    const lo = single(s.toLowerCase());
    const up = single(s.toUpperCase());
    if (lo !== null && lo !== c) union(c, lo);
    if (up !== null && up !== c) union(c, up);
  }
  const table = new Map<number, number>();
  for (const c of parent.keys()) table.set(c, find(c));
  return table;
}

/**
 * Go's zip `strToFold`: a key such that two names collide on a case-insensitive file system exactly when
 * their keys are equal (each rune → smallest rune of its case orbit, then ASCII A–Z → a–z).
 */
export function foldKey(s: string): string {
  // Fast path, as in Go: ASCII without upper case is already folded.
  if (/^[\x00-\x40\x5b-\x7f]*$/.test(s)) return s;
  let out = '';
  for (const ch of s) {
    let c = ch.codePointAt(0)!;
    if (c >= 0x80) {
      foldMin ??= buildFoldTable();
      c = foldMin.get(c) ?? c;
    }
    if (c >= 0x41 && c <= 0x5a) c += 0x20;
    out += String.fromCodePoint(c);
  }
  return out;
}

/** Go's `strings.EqualFold` restricted to what module rules need (comparing against ASCII names like go.mod). */
export function equalFoldAscii(a: string, asciiName: string): boolean {
  return a.length === asciiName.length && foldKey(a) === foldKey(asciiName);
}

/**
 * String relations used by the typosquat check: how two path segments (owner, repo, host) resemble
 * each other. Pure functions, no I/O.
 */

/** How segment `a` relates to segment `b`, from identical to unrelated. */
export type SegmentRelation =
  | { kind: 'same' }
  | { kind: 'case' }
  | { kind: 'delimiter' }
  | { kind: 'confusable'; detail: string }
  | { kind: 'affix'; detail: string }
  | { kind: 'reorder' }
  | { kind: 'version-suffix'; detail: string }
  | { kind: 'typo'; detail: string }
  | { kind: 'near'; detail: string }
  | { kind: 'none' };

/** Relations that mean "made to look like", as opposed to identical or unrelated. */
export function isLookAlike(r: SegmentRelation): boolean {
  return r.kind !== 'same' && r.kind !== 'none' && r.kind !== 'case';
}

/**
 * Unicode letters that render like ASCII letters (Cyrillic, Greek, Latin extensions). Go module paths are
 * ASCII-only, so any of these makes a path invalid; we still map them to say what the path imitates.
 */
const UNICODE_CONFUSABLES: Record<string, string> = {
  а: 'a', в: 'b', е: 'e', ё: 'e', к: 'k', м: 'm', н: 'h', о: 'o', р: 'p', с: 'c', т: 't', у: 'y', х: 'x',
  і: 'i', ї: 'i', ј: 'j', ѕ: 's', ԁ: 'd', ԛ: 'q', ԝ: 'w', һ: 'h', ɡ: 'g', ɑ: 'a', ı: 'i', ʟ: 'l',
  А: 'A', В: 'B', Е: 'E', К: 'K', М: 'M', Н: 'H', О: 'O', Р: 'P', С: 'C', Т: 'T', Х: 'X', І: 'I', Ј: 'J', Ѕ: 'S',
  α: 'a', β: 'b', ε: 'e', ι: 'i', κ: 'k', ν: 'v', ο: 'o', ρ: 'p', τ: 't', υ: 'u', χ: 'x', ω: 'w',
  Α: 'A', Β: 'B', Ε: 'E', Ζ: 'Z', Η: 'H', Ι: 'I', Κ: 'K', Μ: 'M', Ν: 'N', Ο: 'O', Ρ: 'P', Τ: 'T', Υ: 'Y', Χ: 'X',
  З: '3', з: '3', ℓ: 'l', '‐': '-', '‑': '-', '‒': '-', '–': '-', '—': '-', '․': '.', '＿': '_',
};

/** Describes the first non-ASCII character of `s` ("Cyrillic 'а' (U+0430) looks like 'a'"), or null. */
export function describeNonAscii(s: string): string | null {
  for (const ch of s) {
    const cp = ch.codePointAt(0)!;
    if (cp < 0x80) continue;
    const hex = `U+${cp.toString(16).toUpperCase().padStart(4, '0')}`;
    const script = cp >= 0x400 && cp <= 0x52f ? 'Cyrillic ' : cp >= 0x370 && cp <= 0x3ff ? 'Greek ' : '';
    const ascii = asciiOf(ch);
    return ascii ? `${script}'${ch}' (${hex}), which looks like '${ascii}'` : `non-ASCII '${ch}' (${hex})`;
  }
  return null;
}

function asciiOf(ch: string): string | null {
  if (UNICODE_CONFUSABLES[ch]) return UNICODE_CONFUSABLES[ch]!;
  // Fullwidth forms and accented letters fold to ASCII under NFKD minus combining marks.
  const folded = ch.normalize('NFKD').replace(/\p{M}/gu, '');
  return /^[\x20-\x7e]+$/.test(folded) ? folded : null;
}

/** True when `s` has any character outside ASCII. */
export function hasNonAscii(s: string): boolean {
  return /[^\x00-\x7f]/.test(s);
}

/**
 * The visual skeleton of a segment: Unicode look-alikes mapped to ASCII, then the ASCII confusions of
 * common fonts (`I`/`1` -> `l`, `0` -> `o`, `rn` -> `m`, `vv` -> `w`), lower-cased.
 */
export function skeleton(s: string): string {
  let out = '';
  for (const ch of s) out += ch.codePointAt(0)! < 0x80 ? ch : asciiOf(ch) ?? ch;
  out = out.replace(/I/g, 'l').toLowerCase();
  return out.replace(/0/g, 'o').replace(/1/g, 'l').replace(/rn/g, 'm').replace(/vv/g, 'w');
}

/** Drops the delimiters Go paths allow inside a segment (`-`, `_`, `.`). */
export function stripDelimiters(s: string): string {
  return s.replace(/[-_.~]/g, '');
}

const GO_AFFIX = /^(?:go|golang)[-_.]|[-_.](?:go|golang)$/;

/** Removes `go-`/`golang-` prefixes and `-go`/`-golang` suffixes (any delimiter), repeatedly. */
export function stripGoAffix(s: string): string {
  let out = s.toLowerCase();
  for (let i = 0; i < 3 && GO_AFFIX.test(out); i++) out = out.replace(GO_AFFIX, '');
  return out || s.toLowerCase();
}

/** The comparison key of a name: skeleton, without go affixes and delimiters. */
export function nameKey(s: string): string {
  return stripDelimiters(stripGoAffix(skeleton(s).replace(/\.v[0-9]+$/, '')));
}

/** Tokens of a name split on delimiters, lower-cased and sorted (catches `mcp-go` vs `go-mcp`). */
export function tokenKey(s: string): string {
  return skeleton(s)
    .replace(/\.v[0-9]+$/, '')
    .split(/[-_.]+/)
    .filter(Boolean)
    .sort()
    .join('-');
}

/** Restricted Damerau-Levenshtein distance (optimal string alignment), capped at `max + 1`. */
export function editDistance(a: string, b: string, max = 3): number {
  if (Math.abs(a.length - b.length) > max) return max + 1;
  const n = a.length;
  const m = b.length;
  let prev2 = new Array<number>(m + 1).fill(0);
  let prev = Array.from({ length: m + 1 }, (_, j) => j);
  for (let i = 1; i <= n; i++) {
    const cur = new Array<number>(m + 1);
    cur[0] = i;
    let rowMin = i;
    for (let j = 1; j <= m; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let v = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) v = Math.min(v, prev2[j - 2]! + 1);
      cur[j] = v;
      if (v < rowMin) rowMin = v;
    }
    if (rowMin > max) return max + 1;
    prev2 = prev;
    prev = cur;
  }
  return prev[m]!;
}

const KEYBOARD_ROWS = ['1234567890-', 'qwertyuiop', 'asdfghjkl', 'zxcvbnm'];

/** True when `a` and `b` are neighbouring keys on a QWERTY keyboard. */
export function keyboardAdjacent(a: string, b: string): boolean {
  const pos = (c: string): [number, number] | null => {
    for (let r = 0; r < KEYBOARD_ROWS.length; r++) {
      const col = KEYBOARD_ROWS[r]!.indexOf(c);
      if (col >= 0) return [r, col];
    }
    return null;
  };
  const pa = pos(a.toLowerCase());
  const pb = pos(b.toLowerCase());
  if (!pa || !pb) return false;
  // Rows are staggered by about half a key, so a key touches col and col-1/col+1 in the next row.
  const dr = pb[0] - pa[0];
  const dc = pb[1] - pa[1];
  if (dr === 0) return Math.abs(dc) === 1;
  if (dr === 1) return dc === 0 || dc === -1;
  if (dr === -1) return dc === 0 || dc === 1;
  return false;
}

/**
 * Names the single edit that turns `target` into `suspect` (both already normalised), or null when they
 * are not one edit apart: "`r` doubled", "`g` -> `t` (adjacent keys)", "`ps` swapped", "`i` inserted", "`e` omitted".
 */
export function describeOneEdit(suspect: string, target: string): string | null {
  if (suspect === target) return null;
  const ls = suspect.length;
  const lt = target.length;
  if (ls === lt + 1) {
    for (let i = 0; i < ls; i++) {
      if (suspect.slice(0, i) + suspect.slice(i + 1) === target) {
        const c = suspect[i]!;
        if (suspect[i - 1] === c || suspect[i + 1] === c) return `\`${c}\` doubled`;
        return `\`${c}\` inserted`;
      }
    }
    return null;
  }
  if (lt === ls + 1) {
    for (let i = 0; i < lt; i++) {
      if (target.slice(0, i) + target.slice(i + 1) === suspect) return `\`${target[i]}\` omitted`;
    }
    return null;
  }
  if (ls !== lt) return null;
  const diffs: number[] = [];
  for (let i = 0; i < ls && diffs.length <= 2; i++) if (suspect[i] !== target[i]) diffs.push(i);
  if (diffs.length === 1) {
    const i = diffs[0]!;
    const from = target[i]!;
    const to = suspect[i]!;
    return `\`${from}\` -> \`${to}\`${keyboardAdjacent(from, to) ? ' (adjacent keys)' : ''}`;
  }
  if (diffs.length === 2 && diffs[1] === diffs[0]! + 1) {
    const i = diffs[0]!;
    if (suspect[i] === target[i + 1] && suspect[i + 1] === target[i]) return `\`${target.slice(i, i + 2)}\` swapped`;
  }
  return null;
}

/** Dice coefficient of character bigrams, case-insensitive, whitespace ignored (as the string-similarity package computed it). */
export function dice(a: string, b: string): number {
  return diceExact(a.toLowerCase(), b.toLowerCase());
}

/** Dice coefficient of character bigrams, counted with multiplicity: 2·|common| / (bigrams(a) + bigrams(b)). */
export function diceExact(a: string, b: string): number {
  const x = a.replace(/\s+/g, '');
  const y = b.replace(/\s+/g, '');
  if (x === y) return 1;
  if (x.length < 2 || y.length < 2) return 0;
  const bigrams = new Map<string, number>();
  for (let i = 0; i < x.length - 1; i++) bigrams.set(x.slice(i, i + 2), (bigrams.get(x.slice(i, i + 2)) ?? 0) + 1);
  let common = 0;
  for (let i = 0; i < y.length - 1; i++) {
    const n = bigrams.get(y.slice(i, i + 2)) ?? 0;
    if (n > 0) {
      bigrams.set(y.slice(i, i + 2), n - 1);
      common++;
    }
  }
  return (2 * common) / (x.length + y.length - 2);
}

/** Owner decorations that turn a real account name into a plausible-looking impostor (`boltdb` -> `boltdb-go`). */
const OWNER_DECORATIONS = ['go', 'golang', 'dev', 'io', 'hq', 'org', 'labs', 'lab', 'inc', 'official', 'oss', 'team', 'pkg', 'lib', 'sdk', 'community', 'project', 'real', 'the'];

/** Describes `suspect` as `target` plus a decoration (`boltdb` + `-go`), or null. */
export function decoration(suspect: string, target: string): string | null {
  const s = suspect.toLowerCase();
  const t = target.toLowerCase();
  if (s === t || t.length < 2) return null;
  for (const word of OWNER_DECORATIONS) {
    for (const sep of ['-', '_', '.', '']) {
      if (s === t + sep + word) return `\`${target}\` + \`${sep}${word}\``;
      if (s === word + sep + t) return `\`${word}${sep}\` + \`${target}\``;
    }
  }
  return null;
}

/**
 * Classifies how `suspect` resembles `target`. `allowNear` lets long names two edits apart with a high
 * Dice score count as "near" (used for owner names, where the repo name already matched).
 */
export function relate(suspect: string, target: string, allowNear = false): SegmentRelation {
  if (suspect === target) return { kind: 'same' };
  const ls = suspect.toLowerCase();
  const lt = target.toLowerCase();
  if (ls === lt) return { kind: 'case' };
  if (stripDelimiters(ls) === stripDelimiters(lt)) return { kind: 'delimiter' };
  if (hasNonAscii(suspect) || skeleton(suspect) !== ls) {
    // A look-alike character (Cyrillic letter, 0 for o, rn for m) that maps back onto the target.
    if (stripDelimiters(skeleton(suspect)) === stripDelimiters(skeleton(target))) {
      return { kind: 'confusable', detail: describeNonAscii(suspect) ?? confusableDetail(suspect, target) };
    }
  }
  const vs = /^(.*)\.v(\d+)$/.exec(ls);
  if (vs && vs[1] === lt) return { kind: 'version-suffix', detail: `\`.v${vs[2]}\` appended` };
  const dec = decoration(suspect, target);
  if (dec) return { kind: 'affix', detail: dec };
  const ks = nameKey(suspect);
  const kt = nameKey(target);
  if (ks === kt && ks.length > 0) return { kind: 'affix', detail: affixDetail(suspect, target) };
  if (tokenKey(suspect) === tokenKey(target)) return { kind: 'reorder' };
  const edit = describeOneEdit(ks, kt) ?? describeOneEdit(stripDelimiters(ls), stripDelimiters(lt));
  if (edit && Math.min(ks.length, kt.length) >= 3) return { kind: 'typo', detail: edit };
  if (allowNear && Math.min(ks.length, kt.length) >= 6 && editDistance(ks, kt, 2) <= 2 && dice(ks, kt) >= 0.6) {
    return { kind: 'near', detail: `two edits apart, Dice ${dice(ks, kt).toFixed(2)}` };
  }
  return { kind: 'none' };
}

function affixDetail(suspect: string, target: string): string {
  const s = suspect.toLowerCase();
  const t = target.toLowerCase();
  if (s.includes(t)) {
    const at = s.indexOf(t);
    const pre = s.slice(0, at);
    const post = s.slice(at + t.length);
    return `\`${target}\`${pre ? ` with \`${pre}\` prefix` : ''}${post ? ` + \`${post}\`` : ''}`;
  }
  if (t.includes(s)) return `\`${target}\` without \`${t.replace(s, '')}\``;
  return `same name as \`${target}\` once \`go\`/\`golang\` affixes are removed`;
}

function confusableDetail(suspect: string, target: string): string {
  const pairs: Array<[RegExp, string]> = [
    [/0/, '`0` looks like `o`'],
    [/1/, '`1` looks like `l`'],
    [/I/, '`I` looks like `l`'],
    [/rn/, '`rn` looks like `m`'],
    [/vv/, '`vv` looks like `w`'],
  ];
  for (const [re, text] of pairs) if (re.test(suspect) && !re.test(target)) return text;
  return `looks like \`${target}\``;
}

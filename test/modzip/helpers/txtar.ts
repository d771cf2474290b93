/** A txtar parser with golang.org/x/tools/txtar's exact rules, for the golang/mod zip fixtures. */
import { readFileSync } from 'node:fs';

export interface TxtarFile {
  name: string;
  data: Buffer;
}

export interface Txtar {
  comment: Buffer;
  files: TxtarFile[];
}

// A marker line is "-- NAME --" (the name trimmed); returns the name and the rest after the line.
function isMarker(data: Buffer): { name: string; after: Buffer } | null {
  if (!data.subarray(0, 3).equals(Buffer.from('-- '))) return null;
  let line: Buffer = data;
  let after: Buffer = Buffer.alloc(0);
  const nl = data.indexOf(0x0a);
  if (nl >= 0) {
    line = data.subarray(0, nl);
    after = data.subarray(nl + 1);
  }
  const s = line.toString('utf8');
  if (!(s.endsWith(' --') && line.length >= 6)) return null;
  return { name: s.slice(3, s.length - 3).trim(), after };
}

function fixNL(data: Buffer): Buffer {
  if (data.length === 0 || data[data.length - 1] === 0x0a) return data;
  return Buffer.concat([data, Buffer.from('\n')]);
}

function findFileMarker(data: Buffer): { before: Buffer; name: string; after: Buffer } {
  let i = 0;
  for (;;) {
    const m = isMarker(data.subarray(i));
    if (m && m.name !== '') return { before: data.subarray(0, i), name: m.name, after: m.after };
    const j = data.subarray(i).indexOf(0x0a);
    if (j < 0) return { before: fixNL(data), name: '', after: Buffer.alloc(0) };
    i += j + 1;
  }
}

/** Parses txtar bytes. */
export function parseTxtar(data: Buffer): Txtar {
  let { before, name, after } = findFileMarker(data);
  const files: TxtarFile[] = [];
  while (name !== '') {
    const next = findFileMarker(after);
    files.push({ name, data: next.before });
    name = next.name;
    after = next.after;
  }
  return { comment: before, files };
}

/** The key=value header of a golang/mod zip test (path, version, hash, wantErr). */
export interface ZipTest {
  path: string;
  version: string;
  hash: string;
  wantErr: string;
  archive: Txtar;
}

/** Reads a golang/mod zip testdata file like zip_test.go's readTest. */
export function readZipTest(file: string): ZipTest {
  const archive = parseTxtar(readFileSync(file));
  const t: ZipTest = { path: '', version: '', hash: '', wantErr: '', archive };
  for (let line of archive.comment.toString('utf8').split('\n')) {
    const hash = line.indexOf('#');
    if (hash >= 0) line = line.slice(0, hash);
    line = line.trim();
    if (line === '') continue;
    const eq = line.indexOf('=');
    if (eq < 0) throw new Error(`${file}: missing = separator`);
    const key = line.slice(0, eq).trim();
    const value = line.slice(eq + 1).trim();
    if (key === 'path' || key === 'version' || key === 'hash' || key === 'wantErr') t[key] = value;
    else throw new Error(`${file}: unknown key ${key}`);
  }
  return t;
}

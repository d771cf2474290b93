/**
 * The hostile-zip corpus: zips that must be refused, each with the entry that must be named (null: the zip as
 * a whole) and the reason. Shared by reader.test.ts and the go1.19 cross-check generator.
 */
import { randomBytes } from 'node:crypto';
import { deflateRawSync } from 'node:zlib';
import { buildRawZip, deflatedZeros } from '../../helpers/hostile-zip.js';

export const MV = { path: 'example.com/m', version: 'v1.0.0' };
const P = 'example.com/m@v1.0.0/';

export interface HostileCase {
  title: string;
  zip: () => Buffer;
  entry: string | null;
  reason: RegExp;
  limits?: Record<string, number>;
  mv?: { path: string; version: string };
}

// Every hostile zip must be refused with the offending entry named (null: the zip as a whole).
export const MB = 1 << 20;
export const hostile: HostileCase[] = [
  { title: 'path traversal', zip: () => buildRawZip([{ name: P + '../evil.go', data: 'x' }]), entry: P + '../evil.go', reason: /invalid path element "\.\."/ },
  { title: 'traversal out of the prefix', zip: () => buildRawZip([{ name: P + 'a/../../../etc/passwd', data: 'x' }]), entry: P + 'a/../../../etc/passwd', reason: /not clean/ },
  { title: 'absolute path', zip: () => buildRawZip([{ name: '/etc/passwd', data: 'x' }]), entry: '/etc/passwd', reason: /does not have prefix/ },
  { title: 'entry outside module@version/', zip: () => buildRawZip([{ name: P + 'a.go', data: 'x' }, { name: 'example.com/other@v1.0.0/a.go', data: 'x' }]), entry: 'example.com/other@v1.0.0/a.go', reason: /does not have prefix/ },
  { title: 'entry named exactly module@version', zip: () => buildRawZip([{ name: 'example.com/m@v1.0.0', data: 'x' }]), entry: 'example.com/m@v1.0.0', reason: /does not have prefix/ },
  { title: 'backslash', zip: () => buildRawZip([{ name: P + 'a\\..\\..\\b.go', data: 'x' }]), entry: P + 'a\\..\\..\\b.go', reason: /malformed file path/ },
  { title: 'double slash', zip: () => buildRawZip([{ name: P + 'a//b.go', data: 'x' }]), entry: P + 'a//b.go', reason: /not clean/ },
  { title: 'duplicate name', zip: () => buildRawZip([{ name: P + 'a.go', data: 'x' }, { name: P + 'a.go', data: 'y' }]), entry: P + 'a.go', reason: /multiple entries for file "a.go"/ },
  { title: 'case collision', zip: () => buildRawZip([{ name: P + 'm.go', data: 'x' }, { name: P + 'M.GO', data: 'y' }]), entry: P + 'M.GO', reason: /case-insensitive file name collision: "m.go" and "M.GO"/ },
  { title: 'Unicode case collision (Kelvin sign)', zip: () => buildRawZip([{ name: P + 'k.go', data: 'x' }, { name: P + '\u212a.go', data: 'y' }]), entry: P + '\u212a.go', reason: /case-insensitive/ },
  { title: 'directory collision by case', zip: () => buildRawZip([{ name: P + 'a/x.go', data: 'x' }, { name: P + 'A/y.go', data: 'y' }]), entry: P + 'A/y.go', reason: /case-insensitive file name collision: "a" and "A"/ },
  { title: 'file and directory of one name', zip: () => buildRawZip([{ name: P + 'a', data: 'x' }, { name: P + 'a/b.go', data: 'y' }]), entry: P + 'a/b.go', reason: /both a file and a directory/ },
  { title: 'go.mod below the root', zip: () => buildRawZip([{ name: P + 'sub/go.mod', data: 'module x\n' }]), entry: P + 'sub/go.mod', reason: /not in module root/ },
  { title: 'GO.MOD at the root', zip: () => buildRawZip([{ name: P + 'GO.MOD', data: 'module x\n' }]), entry: P + 'GO.MOD', reason: /lowercase/ },
  { title: 'invalid character', zip: () => buildRawZip([{ name: P + 'a:b.go', data: 'x' }]), entry: P + 'a:b.go', reason: /invalid char ':'/ },
  { title: 'Windows reserved name', zip: () => buildRawZip([{ name: P + 'con.go', data: 'x' }]), entry: P + 'con.go', reason: /disallowed as path element component on Windows/ },
  { title: 'newline in name', zip: () => buildRawZip([{ name: P + 'a\nb.go', data: 'x' }]), entry: P + 'a\nb.go', reason: /malformed file path/ },
  { title: 'invalid UTF-8 name', zip: () => buildRawZip([{ name: Buffer.concat([Buffer.from(P), Buffer.from([0xff, 0xfe]), Buffer.from('.go')]), data: 'x' }]), entry: JSON.stringify(P + '\xff\xfe.go'), reason: /not valid UTF-8/ },
  { title: 'bad CRC', zip: () => buildRawZip([{ name: P + 'a.go', data: 'package a\n', crc: 0x12345678 }]), entry: P + 'a.go', reason: /checksum error/ },
  { title: 'more data than declared (lying size)', zip: () => buildRawZip([{ name: P + 'a.go', data: 'package a\n'.repeat(100), declaredSize: 10 }]), entry: P + 'a.go', reason: /larger than its declared size/ },
  { title: 'less data than declared', zip: () => buildRawZip([{ name: P + 'a.go', data: 'package a\n', declaredSize: 1000 }]), entry: P + 'a.go', reason: /were declared/ },
  {
    title: 'zip bomb: 200 MiB of zeros declared as 1 KiB',
    zip: () => buildRawZip([{ name: P + 'bomb.go', rawData: deflatedZeros(200 * MB), declaredSize: 1024, crc: 0 }]),
    entry: P + 'bomb.go',
    reason: /larger than its declared size/,
  },
  {
    title: 'zip bomb: declared sizes over the 500 MiB total',
    zip: () => buildRawZip([{ name: P + 'a.bin', rawData: deflatedZeros(MB), declaredSize: 300 * MB }, { name: P + 'b.bin', rawData: deflatedZeros(MB), declaredSize: 300 * MB }]),
    entry: P + 'b.bin',
    reason: /total uncompressed size of module contents too large \(max size is 524288000 bytes\)/,
  },
  {
    title: 'overlapping entries reusing one compressed stream',
    zip: () => buildRawZip([{ name: P + 'f0', data: Buffer.alloc(4 * MB) }, ...Array.from({ length: 9 }, (_, i) => ({ name: P + `f${i + 1}`, sameDataAs: 0 }))]),
    entry: P + 'f5',
    reason: /total uncompressed size/,
    limits: { maxTotalUncompressed: 20 * MB },
  },
  {
    title: 'large entry (streamed) inflating past its declared size',
    zip: () => buildRawZip([{ name: P + 'big.bin', rawData: deflateRawSync(randomBytes(3 * MB), { level: 0 }), declaredSize: 2 * MB, crc: 0 }]),
    entry: P + 'big.bin',
    reason: /larger than its declared size \(2097152 bytes\)/,
  },
  {
    title: 'large entry (streamed) with corrupt deflate data',
    zip: () => buildRawZip([{ name: P + 'big.bin', rawData: Buffer.concat([deflateRawSync(randomBytes(MB), { level: 0 }).subarray(0, MB), randomBytes(MB)]), declaredSize: 3 * MB, crc: 0 }]),
    entry: P + 'big.bin',
    reason: /corrupt data|were declared/,
  },
  {
    title: 'large stored entry with a bad CRC',
    zip: () => buildRawZip([{ name: P + 'big.bin', data: randomBytes(2 * MB), method: 0, crc: 0xdeadbeef }]),
    entry: P + 'big.bin',
    reason: /checksum error/,
  },
  { title: 'go.mod over 16 MiB', zip: () => buildRawZip([{ name: P + 'go.mod', data: 'module x\n', declaredSize: 17 * MB }]), entry: P + 'go.mod', reason: /go.mod file too large \(max size is 16777216 bytes\)/ },
  { title: 'LICENSE over 16 MiB', zip: () => buildRawZip([{ name: P + 'LICENSE', rawData: deflatedZeros(17 * MB), declaredSize: 17 * MB }]), entry: P + 'LICENSE', reason: /LICENSE file too large/ },
  { title: 'too many entries', zip: () => buildRawZip(Array.from({ length: 11 }, (_, i) => ({ name: P + `f${i}.go`, data: 'x' }))), entry: null, reason: /11 entries \(limit is 10\)/, limits: { maxEntries: 10 } },
  { title: 'zip file over the size cap', zip: () => buildRawZip([{ name: P + 'a.go', data: 'x'.repeat(5000), method: 0 }]), entry: null, reason: /module zip file is too large/, limits: { maxZipBytes: 4096 } },
  { title: 'corrupt deflate data', zip: () => buildRawZip([{ name: P + 'a.go', rawData: Buffer.from([0xff, 0xff, 0xff, 0xff, 0x00, 0x11]), declaredSize: 10, crc: 0 }]), entry: P + 'a.go', reason: /corrupt data/ },
  { title: 'truncated deflate stream', zip: () => buildRawZip([{ name: P + 'a.go', rawData: deflateRawSync(Buffer.alloc(100000, 7)).subarray(0, 20), declaredSize: 100000 }]), entry: P + 'a.go', reason: /corrupt data|were declared/ },
  { title: 'unsupported compression method', zip: () => buildRawZip([{ name: P + 'a.go', data: 'x', method: 12 }]), entry: P + 'a.go', reason: /unsupported compression method 12/ },
  { title: 'traditional-encrypted entry (garbage data, CRC mismatch)', zip: () => buildRawZip([{ name: P + 'a.go', rawData: Buffer.from('0123456789abcdef'), declaredSize: 16, method: 0, flags: 0x801, crc: 0x12345678 }]), entry: P + 'a.go', reason: /checksum error/ },
  { title: 'stored entry with mismatched sizes', zip: () => buildRawZip([{ name: P + 'a.go', data: 'xyz', method: 0, declaredCompressedSize: 2 }]), entry: P + 'a.go', reason: /stored entry declares/ },
  { title: 'directory entry with data', zip: () => buildRawZip([{ name: P + 'd/', data: 'hidden' }]), entry: P + 'd/', reason: /directory entry has data/ },
  { title: 'not a zip at all', zip: () => Buffer.from('this is not a zip file, just text'), entry: null, reason: /not a valid zip file/ },
  { title: 'truncated zip', zip: () => buildRawZip([{ name: P + 'a.go', data: 'package a\n' }]).subarray(0, 40), entry: null, reason: /not a valid zip file/ },
  { title: 'non-canonical version', zip: () => buildRawZip([]), entry: null, reason: /not canonical/, mv: { path: 'example.com/m', version: 'v1.0' } },
  { title: 'major version mismatch', zip: () => buildRawZip([]), entry: null, reason: /mismatched module path/, mv: { path: 'example.com/m', version: 'v2.0.0' } },
];


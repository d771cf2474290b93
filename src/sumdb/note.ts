/**
 * Signed notes (golang.org/x/mod/sumdb/note) with Ed25519 keys via node:crypto: verifier keys,
 * opening and verifying a note, and signing (used by test servers and tools). Pure: no I/O.
 */
import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync, sign, verify, type KeyObject } from 'node:crypto';

/** Algorithm byte of Ed25519 keys in verifier/signer keys. */
const ALG_ED25519 = 1;
/** SubjectPublicKeyInfo DER prefix of a raw 32-byte Ed25519 public key. */
const SPKI_ED25519_PREFIX = Buffer.from('302a300506032b6570032100', 'hex');
/** PKCS#8 DER prefix of a raw 32-byte Ed25519 seed. */
const PKCS8_ED25519_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex');
/** Signature lines start with an em dash and a space. */
const SIG_PREFIX = '\u2014 ';
const MAX_SIGNATURES = 100;

/** A malformed note or key, a bad signature, or a note no known key signed. */
export class NoteError extends Error {
  constructor(
    readonly code: 'malformed-note' | 'malformed-key' | 'invalid-signature' | 'unverified' | 'key-hash-mismatch',
    message: string,
  ) {
    super(message);
    this.name = 'NoteError';
  }
}

/** A parsed verifier key `<name>+<hash>+<base64(alg ‖ key)>`. */
export interface Verifier {
  name: string;
  /** Key hash: first 4 bytes (big-endian) of SHA-256(name + "\n" + alg ‖ key). */
  hash: number;
  key: KeyObject;
}

/** One signature line of a note. */
export interface NoteSignature {
  name: string;
  hash: number;
  base64: string;
}

/** An opened note: its text and the signatures that verified (and those from unknown keys). */
export interface OpenedNote {
  text: string;
  sigs: NoteSignature[];
  unverifiedSigs: NoteSignature[];
}

/** Go's note.isValidName: non-empty, no Unicode space, no `+`. */
function isValidName(name: string): boolean {
  return name !== '' && !/[\s+]/u.test(name) && !name.includes('\uFFFD');
}

/** Strict standard base64 (with padding), as Go's base64.StdEncoding accepts. */
export function decodeStdBase64(s: string): Buffer | null {
  if (s.length % 4 !== 0 || !/^[A-Za-z0-9+/]*={0,2}$/.test(s)) return null;
  const b = Buffer.from(s, 'base64');
  return b.toString('base64') === s ? b : null;
}

/** Key hash of `name` and `alg ‖ key` (note.keyHash). */
export function keyHash(name: string, keyData: Buffer): number {
  const h = createHash('sha256').update(`${name}\n`).update(keyData).digest();
  return h.readUInt32BE(0);
}

/** Parses a verifier key; throws NoteError naming what is wrong. */
export function parseVerifierKey(vkey: string): Verifier {
  const i = vkey.indexOf('+');
  const name = i < 0 ? vkey : vkey.slice(0, i);
  const rest = i < 0 ? '' : vkey.slice(i + 1);
  const j = rest.indexOf('+');
  const hash16 = j < 0 ? rest : rest.slice(0, j);
  const key64 = j < 0 ? '' : rest.slice(j + 1);
  const keyData = decodeStdBase64(key64);
  if (!/^[0-9a-fA-F]{8}$/.test(hash16) || !keyData || keyData.length === 0 || !isValidName(name)) {
    throw new NoteError('malformed-key', `malformed verifier id ${JSON.stringify(vkey)}`);
  }
  const hash = parseInt(hash16, 16);
  if (hash !== keyHash(name, keyData)) {
    throw new NoteError('malformed-key', `invalid verifier hash in ${JSON.stringify(vkey)}`);
  }
  if (keyData[0] !== ALG_ED25519) throw new NoteError('malformed-key', `unknown verifier algorithm in ${JSON.stringify(vkey)}`);
  if (keyData.length !== 33) throw new NoteError('malformed-key', `malformed verifier id ${JSON.stringify(vkey)}`);
  const key = createPublicKey({ key: Buffer.concat([SPKI_ED25519_PREFIX, keyData.subarray(1)]), format: 'der', type: 'spki' });
  return { name, hash, key };
}

/**
 * Opens a signed note (note.Open): checks the format, verifies every signature by a known key, and
 * requires at least one. A known key whose signature fails is an error; unknown keys are reported.
 */
export function openNote(msg: Buffer | string, known: readonly Verifier[]): OpenedNote {
  const bytes = typeof msg === 'string' ? Buffer.from(msg, 'utf8') : msg;
  const text0 = bytes.toString('utf8');
  if (!Buffer.from(text0, 'utf8').equals(bytes)) throw malformed('not valid UTF-8');
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u0009\u000b-\u001f]/.test(text0)) throw malformed('contains a control character');
  const split = text0.lastIndexOf('\n\n');
  if (split < 0) throw malformed('no blank line before the signatures');
  const text = text0.slice(0, split + 1);
  let sigs = text0.slice(split + 2);
  if (sigs === '' || !sigs.endsWith('\n')) throw malformed('signature block must end with a newline');

  const out: OpenedNote = { text, sigs: [], unverifiedSigs: [] };
  const seen = new Set<string>();
  const seenUnverified = new Set<string>();
  let count = 0;
  const textBytes = Buffer.from(text, 'utf8');
  while (sigs.length > 0) {
    const nl = sigs.indexOf('\n');
    let line = sigs.slice(0, nl);
    sigs = sigs.slice(nl + 1);
    if (!line.startsWith(SIG_PREFIX)) throw malformed(`bad signature line ${JSON.stringify(line)}`);
    line = line.slice(SIG_PREFIX.length);
    const sp = line.indexOf(' ');
    const name = sp < 0 ? line : line.slice(0, sp);
    const b64 = sp < 0 ? '' : line.slice(sp + 1);
    const sig = decodeStdBase64(b64);
    if (!sig || !isValidName(name) || b64 === '' || sig.length < 5) throw malformed(`bad signature line ${JSON.stringify(line)}`);
    if (++count > MAX_SIGNATURES) throw malformed('too many signatures');
    const hash = sig.readUInt32BE(0);
    const v = known.find((k) => k.name === name && k.hash === hash);
    if (!v) {
      if (!seenUnverified.has(line)) {
        seenUnverified.add(line);
        out.unverifiedSigs.push({ name, hash, base64: b64 });
      }
      continue;
    }
    const id = `${name}+${hash}`;
    if (seen.has(id)) continue;
    seen.add(id);
    let ok = false;
    try {
      ok = verify(null, textBytes, v.key, sig.subarray(4));
    } catch {
      ok = false;
    }
    if (!ok) throw new NoteError('invalid-signature', `invalid signature by ${name}+${hex8(hash)}`);
    out.sigs.push({ name, hash, base64: b64 });
  }
  if (out.sigs.length === 0) {
    const who = out.unverifiedSigs.map((s) => `${s.name}+${hex8(s.hash)}`).join(', ');
    throw new NoteError('unverified', `note has no verifiable signatures (signed only by unknown keys: ${who || 'none'})`);
  }
  return out;
}

/** A freshly generated Ed25519 key pair in note format (for test databases and tools). */
export interface NoteKeyPair {
  /** `PRIVATE+KEY+<name>+<hash>+<base64(0x01 ‖ seed)>` */
  signerKey: string;
  /** `<name>+<hash>+<base64(0x01 ‖ public key)>` */
  verifierKey: string;
}

/** Generates a note key pair for `name`. */
export function generateNoteKey(name: string): NoteKeyPair {
  if (!isValidName(name)) throw new NoteError('malformed-key', `invalid key name ${JSON.stringify(name)}`);
  const { publicKey, privateKey } = generateKeyPairSync('ed25519');
  const pub = Buffer.from(publicKey.export({ format: 'jwk' }).x!, 'base64url');
  const seed = Buffer.from(privateKey.export({ format: 'jwk' }).d!, 'base64url');
  const vdata = Buffer.concat([Buffer.from([ALG_ED25519]), pub]);
  const sdata = Buffer.concat([Buffer.from([ALG_ED25519]), seed]);
  const hash = hex8(keyHash(name, vdata));
  return {
    signerKey: `PRIVATE+KEY+${name}+${hash}+${sdata.toString('base64')}`,
    verifierKey: `${name}+${hash}+${vdata.toString('base64')}`,
  };
}

/** Signs `text` (must end in "\n") with a signer key and returns the full note. */
export function signNote(text: string, signerKey: string): string {
  const m = /^PRIVATE\+KEY\+([^+]+)\+([0-9a-f]{8})\+(.+)$/.exec(signerKey);
  const data = m ? decodeStdBase64(m[3]!) : null;
  if (!m || !data || data.length !== 33 || data[0] !== ALG_ED25519) throw new NoteError('malformed-key', 'malformed signer key');
  if (!text.endsWith('\n')) throw new NoteError('malformed-note', 'note text must end in a newline');
  const key = createPrivateKey({ key: Buffer.concat([PKCS8_ED25519_PREFIX, data.subarray(1)]), format: 'der', type: 'pkcs8' });
  const sig = sign(null, Buffer.from(text, 'utf8'), key);
  const hash = Buffer.alloc(4);
  hash.writeUInt32BE(parseInt(m[2]!, 16));
  return `${text}\n${SIG_PREFIX}${m[1]} ${Buffer.concat([hash, sig]).toString('base64')}\n`;
}

/** The verifier key matching a signer key (for tools that only hold the signer key). */
export function verifierKeyFromSigner(signerKey: string): string {
  const m = /^PRIVATE\+KEY\+([^+]+)\+([0-9a-f]{8})\+(.+)$/.exec(signerKey);
  const data = m ? decodeStdBase64(m[3]!) : null;
  if (!m || !data || data.length !== 33 || data[0] !== ALG_ED25519) throw new NoteError('malformed-key', 'malformed signer key');
  const priv = createPrivateKey({ key: Buffer.concat([PKCS8_ED25519_PREFIX, data.subarray(1)]), format: 'der', type: 'pkcs8' });
  const pub = Buffer.from(createPublicKey(priv).export({ format: 'jwk' }).x!, 'base64url');
  const vdata = Buffer.concat([Buffer.from([ALG_ED25519]), pub]);
  return `${m[1]}+${hex8(keyHash(m[1]!, vdata))}+${vdata.toString('base64')}`;
}

function malformed(why: string): NoteError {
  return new NoteError('malformed-note', `malformed note: ${why}`);
}

function hex8(n: number): string {
  return n.toString(16).padStart(8, '0');
}

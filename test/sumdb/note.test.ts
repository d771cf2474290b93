import {
  generateNoteKey,
  NoteError,
  openNote,
  parseVerifierKey,
  signNote,
  verifierKeyFromSigner,
} from '../../src/sumdb/note.js';

// Reference §10: the example from golang.org/x/mod/sumdb/note's package doc.
const PN_KEY = 'PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW';
const PN_TEXT = 'If you think cryptography is the answer to your problem,\nthen you don\'t know what your problem is.\n';
const PN_SIG = '— PeterNeumann x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n';
const PN_NOTE = `${PN_TEXT}\n${PN_SIG}`;
const SUM_GOLANG_KEY = 'sum.golang.org+033de0ae+Ac4zctda0e5eza+HJyk9SxEdh+s3Ux18htTTAD8OuAn8';

function code(f: () => unknown): string | undefined {
  try {
    f();
    return undefined;
  } catch (e) {
    return e instanceof NoteError ? e.code : `not a NoteError: ${String(e)}`;
  }
}

describe('verifier keys', () => {
  it('parses the PeterNeumann and sum.golang.org keys with their key hashes', () => {
    const pn = parseVerifierKey(PN_KEY);
    expect(pn.name).toBe('PeterNeumann');
    expect(pn.hash).toBe(0xc74f20a3);
    const sum = parseVerifierKey(SUM_GOLANG_KEY);
    expect(sum.name).toBe('sum.golang.org');
    expect(sum.hash).toBe(0x033de0ae);
  });

  it.each([
    ['PeterNeumann', 'malformed verifier id'],
    ['PeterNeumann+c74f20a3', 'malformed verifier id'],
    ['PeterNeumann+c74f20a+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW', 'malformed verifier id'],
    ['PeterNeumann+c74f20a4+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW', 'invalid verifier hash'],
    ['PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10T', 'malformed verifier id'],
    ['Peter Neumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW', 'malformed verifier id'],
  ])('rejects %s', (key, message) => {
    expect(() => parseVerifierKey(key)).toThrow(message);
    expect(code(() => parseVerifierKey(key))).toBe('malformed-key');
  });
});

describe('openNote', () => {
  const pn = parseVerifierKey(PN_KEY);

  it('verifies the PeterNeumann vector', () => {
    const n = openNote(PN_NOTE, [pn]);
    expect(n.text).toBe(PN_TEXT);
    expect(n.sigs).toEqual([{ name: 'PeterNeumann', hash: 0xc74f20a3, base64: PN_SIG.slice(15, -1) }]);
    expect(n.unverifiedSigs).toEqual([]);
  });

  it('rejects a tampered text', () => {
    const tampered = PN_NOTE.replace('cryptography', 'cryptographi');
    expect(() => openNote(tampered, [pn])).toThrow('invalid signature by PeterNeumann+c74f20a3');
    expect(code(() => openNote(tampered, [pn]))).toBe('invalid-signature');
  });

  it('rejects a tampered signature from a known key', () => {
    const sig = Buffer.from(PN_SIG.slice(15, -1), 'base64');
    sig[10] = sig[10]! ^ 1;
    const note = `${PN_TEXT}\n— PeterNeumann ${sig.toString('base64')}\n`;
    expect(code(() => openNote(note, [pn]))).toBe('invalid-signature');
  });

  it('refuses a note signed only by an unknown key (or with the wrong key trusted)', () => {
    expect(() => openNote(PN_NOTE, [])).toThrow('signed only by unknown keys: PeterNeumann+c74f20a3');
    const other = parseVerifierKey(generateNoteKey('PeterNeumann').verifierKey);
    expect(code(() => openNote(PN_NOTE, [other]))).toBe('unverified');
    expect(code(() => openNote(PN_NOTE, [parseVerifierKey(SUM_GOLANG_KEY)]))).toBe('unverified');
  });

  it('keeps unknown signatures next to a verified one, dropping duplicates', () => {
    const k = generateNoteKey('other.example');
    const extra = signNote(PN_TEXT, k.signerKey).slice(PN_TEXT.length + 1);
    const n = openNote(`${PN_TEXT}\n${extra}${PN_SIG}${extra}${PN_SIG}`, [pn]);
    expect(n.sigs).toHaveLength(1);
    expect(n.unverifiedSigs.map((s) => s.name)).toEqual(['other.example']);
  });

  it.each([
    ['no blank line', `${PN_TEXT}${PN_SIG}`],
    ['no final newline', PN_NOTE.slice(0, -1)],
    ['control character', PN_NOTE.replace('answer', 'ans\twer')],
    ['signature line without em dash', `${PN_TEXT}\n- PeterNeumann x08go\n`],
    ['signature too short', `${PN_TEXT}\n— PeterNeumann AAAA\n`],
    ['loose base64', `${PN_TEXT}\n${PN_SIG.replace('=\n', '\n')}`],
    ['over 100 signatures', `${PN_TEXT}\n${'— x AAAAAAAA\n'.repeat(101)}`],
  ])('rejects a malformed note: %s', (_why, note) => {
    expect(code(() => openNote(note, [pn]))).toBe('malformed-note');
  });

  it('rejects invalid UTF-8', () => {
    const bytes = Buffer.concat([Buffer.from('bad '), Buffer.from([0xff]), Buffer.from(`\n\n${PN_SIG}`)]);
    expect(code(() => openNote(bytes, [pn]))).toBe('malformed-note');
  });
});

describe('generateNoteKey / signNote', () => {
  it('round-trips and derives the same verifier key from the signer key', () => {
    const k = generateNoteKey('sum.test.example');
    expect(k.verifierKey).toMatch(/^sum\.test\.example\+[0-9a-f]{8}\+[A-Za-z0-9+/]{44}$/);
    expect(k.signerKey.startsWith('PRIVATE+KEY+sum.test.example+')).toBe(true);
    expect(verifierKeyFromSigner(k.signerKey)).toBe(k.verifierKey);
    const note = signNote('go.sum database tree\n0\n47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=\n', k.signerKey);
    expect(openNote(note, [parseVerifierKey(k.verifierKey)]).text).toContain('go.sum database tree');
  });
});

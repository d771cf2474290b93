import {
  DEFAULT_GOPROXY,
  GoEnvError,
  isNoProxy,
  isNoSumDb,
  parseGoProxy,
  parseGoSumDb,
  readGoEnv,
} from '../../src/sources/goenv.js';
import { generateNoteKey } from '../../src/sumdb/note.js';

const SUM_KEY = 'sum.golang.org+033de0ae+Ac4zctda0e5eza+HJyk9SxEdh+s3Ux18htTTAD8OuAn8';

describe('readGoEnv defaults', () => {
  it('uses Go defaults when nothing is set (or set to empty)', () => {
    for (const env of [{}, { GOPROXY: '', GOSUMDB: '', GONOPROXY: '', GONOSUMDB: '' }]) {
      const g = readGoEnv(env);
      expect(g.goproxy).toBe(DEFAULT_GOPROXY);
      expect(g.proxies).toEqual([{ kind: 'url', url: 'https://proxy.golang.org', fallBackOnError: false }, { kind: 'direct' }]);
      expect(g.sumdb).toEqual({ name: 'sum.golang.org', key: SUM_KEY, url: 'https://sum.golang.org', explicitUrl: false });
      expect(g.noProxy).toEqual({ patterns: '', source: 'GOPRIVATE' });
      expect(isNoProxy(g, 'github.com/a/b')).toBe(false);
      expect(isNoSumDb(g, 'github.com/a/b')).toBe(false);
    }
  });

  it('GONOPROXY and GONOSUMDB default to GOPRIVATE, and each can override it', () => {
    const g = readGoEnv({ GOPRIVATE: '*.corp.example.com,rsc.io/private' });
    expect(isNoProxy(g, 'git.corp.example.com/xyzzy')).toBe(true);
    expect(isNoProxy(g, 'rsc.io/private/quux')).toBe(true);
    expect(isNoProxy(g, 'rsc.io/public')).toBe(false);
    expect(isNoSumDb(g, 'rsc.io/private')).toBe(true);
    expect(g.noSumDb.source).toBe('GOPRIVATE');
    const h = readGoEnv({ GOPRIVATE: 'example.com', GONOPROXY: 'none', GONOSUMDB: 'other.org' });
    expect(isNoProxy(h, 'example.com/x')).toBe(false);
    expect(isNoSumDb(h, 'example.com/x')).toBe(false);
    expect(isNoSumDb(h, 'other.org/y')).toBe(true);
    expect(h.noSumDb).toEqual({ patterns: 'other.org', source: 'GONOSUMDB' });
  });

  it('GOSUMDB=off skips the database for every module except golang.org/toolchain', () => {
    const g = readGoEnv({ GOSUMDB: 'off' });
    expect(g.sumdb).toBeNull();
    expect(isNoSumDb(g, 'github.com/a/b')).toBe(true);
    const h = readGoEnv({ GONOSUMDB: 'golang.org' });
    expect(isNoSumDb(h, 'golang.org/x/mod')).toBe(true);
    expect(isNoSumDb(h, 'golang.org/toolchain')).toBe(false);
  });
});

describe('parseGoProxy', () => {
  it('records the separator after each entry', () => {
    expect(parseGoProxy('https://a.example,https://b.example|https://c.example,direct')).toEqual([
      { kind: 'url', url: 'https://a.example', fallBackOnError: false },
      { kind: 'url', url: 'https://b.example', fallBackOnError: true },
      { kind: 'url', url: 'https://c.example', fallBackOnError: false },
      { kind: 'direct' },
    ]);
  });

  it('trims entries, skips empty ones, and stops at direct or off', () => {
    expect(parseGoProxy(' https://a.example/p/ ,, | off , https://never.example')).toEqual([
      { kind: 'url', url: 'https://a.example/p', fallBackOnError: false },
      { kind: 'off' },
    ]);
    expect(parseGoProxy('direct,https://ignored.example')).toEqual([{ kind: 'direct' }]);
  });

  it('adds https:// to bare host names with a dot, colon or slash', () => {
    expect(parseGoProxy('goproxy.io')).toEqual([{ kind: 'url', url: 'https://goproxy.io', fallBackOnError: false }]);
    expect(parseGoProxy('localhost:8080/p')).toEqual([{ kind: 'url', url: 'https://localhost:8080/p', fallBackOnError: false }]);
    expect(parseGoProxy('http://127.0.0.1:3000')[0]).toEqual({ kind: 'url', url: 'http://127.0.0.1:3000', fallBackOnError: false });
    expect(parseGoProxy('file:///srv/goproxy')[0]).toEqual({ kind: 'url', url: 'file:///srv/goproxy', fallBackOnError: false });
  });

  it.each([
    [',', 'GOPROXY list is not the empty string, but contains no entries'],
    [' | ', 'GOPROXY list is not the empty string, but contains no entries'],
    ['localhost', 'invalid proxy URL missing scheme: localhost'],
    ['/srv/goproxy', 'invalid proxy URL missing scheme: /srv/goproxy'],
    ['ftp://example.com', 'invalid proxy URL scheme (must be https, http, file): ftp://example.com'],
    ['file://host/srv', 'invalid file:// proxy URL with non-path elements: file://host/srv'],
  ])('rejects %j', (value, message) => {
    expect(() => parseGoProxy(value)).toThrow(GoEnvError);
    expect(() => parseGoProxy(value)).toThrow(message);
  });
});

describe('parseGoSumDb', () => {
  it('knows sum.golang.org and sum.golang.google.cn by name', () => {
    expect(parseGoSumDb('sum.golang.org')).toMatchObject({ name: 'sum.golang.org', key: SUM_KEY, url: 'https://sum.golang.org' });
    expect(parseGoSumDb('sum.golang.google.cn')).toEqual({
      name: 'sum.golang.org',
      key: SUM_KEY,
      url: 'https://sum.golang.google.cn',
      explicitUrl: true,
    });
  });

  it('accepts a full verifier key with an optional URL', () => {
    const key = generateNoteKey('sum.example.com').verifierKey;
    expect(parseGoSumDb(key)).toEqual({ name: 'sum.example.com', key, url: 'https://sum.example.com', explicitUrl: false });
    expect(parseGoSumDb(`${key} http://127.0.0.1:9999/db/`)).toEqual({
      name: 'sum.example.com',
      key,
      url: 'http://127.0.0.1:9999/db',
      explicitUrl: true,
    });
    expect(parseGoSumDb(`sum.golang.org http://127.0.0.1:9`)).toMatchObject({ key: SUM_KEY, url: 'http://127.0.0.1:9' });
  });

  it.each([
    ['unknown.example.com', 'malformed verifier id'],
    ['a b c', 'too many fields'],
    ['sum.golang.org not-a-url', 'invalid GOSUMDB URL: not-a-url'],
    ['bad name+12345678+AQID', 'malformed verifier id'],
    ['sum.golang.org+033de0af+Ac4zctda0e5eza+HJyk9SxEdh+s3Ux18htTTAD8OuAn8', 'invalid verifier hash'],
  ])('rejects %j', (value, message) => {
    expect(() => parseGoSumDb(value)).toThrow(message);
    expect(() => readGoEnv({ GOSUMDB: value })).toThrow(/GOSUMDB/);
  });
});

/** The SSRF guard and origin discovery rules, without the network (a local server where bytes must flow). */
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { OriginPolicy, parseAllowEntry } from '../../src/sources/origin-guard.js';
import { knownHost, parseGoImports } from '../../src/sources/origin-resolver.js';

const resolveTo = (map: Record<string, string[]>) => async (host: string) => (map[host] ?? []).map((address) => ({ address, family: address.includes(':') ? 6 : 4 }));

describe('OriginPolicy.vet', () => {
  const policy = new OriginPolicy({
    allow: 'git.corp.example,10.1.0.0/16',
    goinsecure: 'insecure.example',
    resolve: resolveTo({
      'public.example': ['203.0.113.10'],
      'rebind.example': ['203.0.113.10', '127.0.0.1'],
      'meta.example': ['169.254.169.254'],
      'v6.example': ['::ffff:10.0.0.1'],
      'git.corp.example': ['10.9.9.9'],
      'build.example': ['10.1.2.3'],
      'insecure.example': ['203.0.113.11'],
    }),
  });
  const refused = (url: string) => policy.vet(url).then(
    () => 'allowed',
    (e: Error) => `${e.name}: ${e.message}`,
  );

  it('allows public https hosts and pins the vetted address', async () => {
    await expect(policy.vet('https://public.example/repo')).resolves.toMatchObject({ address: '203.0.113.10', family: 4 });
  });

  it('refuses internal addresses, whichever of several answers is internal', async () => {
    expect(await refused('https://rebind.example/r')).toMatch(/OriginRefusedError: origin rebind\.example \(127\.0\.0\.1\) is a loopback address/);
    expect(await refused('https://meta.example/r')).toMatch(/169\.254\.169\.254\) is a link-local address/);
    expect(await refused('https://[::1]/r')).toMatch(/::1 is a loopback address/);
    expect(await refused('https://v6.example/r')).toMatch(/is a private address/);
    expect(await refused('https://192.168.1.1/r')).toMatch(/private address/);
    expect(await refused('https://localhost/r')).toMatch(/internal name/);
    expect(await refused('https://metadata.google.internal/r')).toMatch(/internal name/);
  });

  it('lets the operator allow hosts by name or by CIDR', async () => {
    expect(await refused('https://git.corp.example/r')).toBe('allowed');
    expect(await refused('https://build.example/r')).toBe('allowed');
    expect(await refused('https://10.2.0.1/r')).toMatch(/private address/);
  });

  it('takes plain http only under GOINSECURE, and no other scheme or embedded credentials', async () => {
    expect(await refused('http://public.example/r')).toMatch(/plain http; only hosts matched by GOINSECURE/);
    expect(await refused('http://insecure.example/r')).toBe('allowed');
    expect(await refused('file:///etc/passwd')).toMatch(/uses file; only https/);
    expect(await refused('https://user:pw@public.example/r')).toMatch(/carries credentials/);
    expect(await refused('https://nowhere.example/r')).toMatch(/has no address/);
  });

  it('parses allow entries and rejects nonsense', () => {
    expect(parseAllowEntry('127.0.0.1')).toEqual({ kind: 'net', address: '127.0.0.1', prefix: 32, family: 'ipv4' });
    expect(parseAllowEntry('fd00::/8')).toEqual({ kind: 'net', address: 'fd00::', prefix: 8, family: 'ipv6' });
    expect(parseAllowEntry('Git.Example:8443')).toEqual({ kind: 'name', name: 'git.example:8443' });
    expect(() => parseAllowEntry('10.0.0.0/40')).toThrow(/not a CIDR/);
    expect(() => parseAllowEntry('http://x')).toThrow(/neither a host name/);
  });
});

describe('OriginPolicy.fetch', () => {
  it('sends a host its own credentials only, and never forwards the caller\'s', async () => {
    const seen: IncomingHttpHeaders[] = [];
    const server = createServer((req, res) => {
      seen.push(req.headers);
      res.end('ok');
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const port = (server.address() as AddressInfo).port;
    try {
      const policy = new OriginPolicy({
        allow: 'a.test,b.test',
        goinsecure: 'a.test:*,b.test:*',
        tokens: { [`a.test:${port}`]: 'secret-a' },
        resolve: resolveTo({ 'a.test': ['127.0.0.1'], 'b.test': ['127.0.0.1'] }),
      });
      const f = policy.fetch();
      await (await f(`http://a.test:${port}/x`, { headers: { authorization: 'Bearer caller' } })).text();
      await (await f(`http://b.test:${port}/x`, { headers: { authorization: 'Bearer caller' } })).text();
      // Tokens go over TLS only: plain http to a.test carries none either.
      expect(seen.map((h) => h.authorization)).toEqual([undefined, undefined]);
      expect(seen.map((h) => h.host)).toEqual([`a.test:${port}`, `b.test:${port}`]);
    } finally {
      server.close();
    }
  });
});

describe('origin discovery rules', () => {
  it('reads go-import tags the way the go command does', () => {
    const html = `<html><head>
      <meta name="go-import" content="example.org/mod git https://git.example.org/mod">
      <META NAME="Go-Import" CONTENT="example.org/sub git https://git.example.org/mono tools/sub">
      <meta name="go-import" content="too few">
      <meta name="go-source" content="example.org/mod https://x https://x/tree{/dir} https://x/blob{/dir}/{file}#L{line}">
      <meta name="go-import" content="example.org/evil git https://x ../up">
    </head><body><meta name="go-import" content="example.org/late git https://late"></body></html>`;
    expect(parseGoImports(html)).toEqual([
      { prefix: 'example.org/mod', vcs: 'git', repoUrl: 'https://git.example.org/mod', subdir: '' },
      { prefix: 'example.org/sub', vcs: 'git', repoUrl: 'https://git.example.org/mono', subdir: 'tools/sub' },
    ]);
  });

  it('knows cmd/go\'s static hosts', () => {
    expect(knownHost('bitbucket.org/o/r/sub')).toEqual({ url: 'https://bitbucket.org/o/r', codeDir: 'sub' });
    expect(knownHost('git.apache.org/thrift.git/lib/go/thrift')).toEqual({ url: 'https://git.apache.org/thrift.git', codeDir: 'lib/go/thrift' });
    expect(knownHost('example.com/repo.git/sub')).toEqual({ url: 'https://example.com/repo.git', codeDir: 'sub' });
    expect(knownHost('launchpad.net/gocheck')).toMatchObject({ unsupported: expect.stringMatching(/Bazaar/) });
    expect(knownHost('example.com/repo.hg')).toMatchObject({ unsupported: expect.stringMatching(/hg repository/) });
    expect(knownHost('go.uber.org/zap')).toBeNull();
  });
});

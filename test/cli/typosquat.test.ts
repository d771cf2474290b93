import nock from 'nock';
import { main } from '../../src/cli/main.js';
import { startGoProxyServer } from '../helpers/goproxy-server.js';

function run(argv: string[], env: NodeJS.ProcessEnv = {}) {
  const out: string[] = [];
  const err: string[] = [];
  return main(['typosquat', ...argv], { out: (t) => void out.push(t), err: (t) => void err.push(t), env }).then((code) => ({ code, out: out.join(''), err: err.join('') }));
}

beforeAll(() => {
  nock.disableNetConnect();
  nock.enableNetConnect('127.0.0.1');
});
afterEach(() => nock.cleanAll());
afterAll(() => nock.enableNetConnect());

describe('modwarden typosquat', () => {
  it('prints JSON with module, suspicious, target, score, reasons and exits 1 when any is suspicious', async () => {
    const r = await run(['github.com/boltdb-go/bolt', 'github.com/pion/rtcp', '--json']);
    expect(r.code).toBe(1);
    const json = JSON.parse(r.out) as Array<Record<string, unknown>>;
    expect(json).toHaveLength(2);
    expect(json[0]).toMatchObject({ module: 'github.com/boltdb-go/bolt', suspicious: true, target: 'github.com/boltdb/bolt', score: 0.9 });
    expect(json[0]!.reasons).toEqual(['`github.com/boltdb-go/bolt` looks like `github.com/boltdb/bolt` (owner `boltdb-go` = `boltdb` + `-go`; same repo name)']);
    expect(json[1]).toMatchObject({ module: 'github.com/pion/rtcp', suspicious: false, target: null, score: 0 });
    expect(Array.isArray(json[1]!.reasons)).toBe(true);
  });

  it('prints text and exits 0 when nothing is suspicious', async () => {
    const r = await run(['github.com/sirupsen/logrus', 'golang.org/x/exp']);
    expect(r.code).toBe(0);
    expect(r.out).toBe('ok github.com/sirupsen/logrus (score 0.00)\n  - github.com/sirupsen/logrus is itself a known popular module\nok golang.org/x/exp (score 0.00)\n  - golang.org/x/exp is itself a known popular module\n');
  });

  it('takes the repository\'s existing requirements as targets', async () => {
    const r = await run(['github.com/vainreboot/layout', '--existing', 'github.com/loov/layout', '--offline']);
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/^SUSPICIOUS github.com\/vainreboot\/layout \(medium, score 0.65\) imitates github.com\/loov\/layout\n/);
  });

  it('exits 2 with a clear error for an invalid module path, naming what a homoglyph path imitates', async () => {
    const bad = await run(['not a path']);
    expect(bad.code).toBe(2);
    expect(bad.err).toBe('modwarden: invalid module path: malformed module path "not a path": invalid char \' \'\n');
    const glyph = await run(['github.com/sirupsen/lоgrus']);
    expect(glyph.code).toBe(2);
    expect(glyph.err).toBe("modwarden: invalid module path: malformed module path \"github.com/sirupsen/lоgrus\": invalid char 'о' (Cyrillic 'о' (U+043E), which looks like 'o'; it imitates `github.com/sirupsen/logrus`)\n");
    expect((await run([])).code).toBe(2);
  });

  it('uses GitHub metadata when GITHUB_TOKEN / GITHUB_API_URL are set, and not with --offline', async () => {
    const api = 'https://ghe.example/api/v3';
    const scope = nock(api)
      .get('/repos/boltdb-go/bolt').reply(200, { full_name: 'boltdb-go/bolt', name: 'bolt', owner: { login: 'boltdb-go' }, created_at: new Date(Date.now() - 30 * 86400000).toISOString(), stargazers_count: 0, fork: false })
      .get('/users/boltdb-go').reply(200, { login: 'boltdb-go', created_at: new Date(Date.now() - 31 * 86400000).toISOString(), type: 'User' })
      .get('/repos/boltdb/bolt').reply(200, { full_name: 'boltdb/bolt', name: 'bolt', owner: { login: 'boltdb' }, created_at: '2013-02-09T00:00:00Z', stargazers_count: 14000, fork: false })
      .get('/users/boltdb').reply(200, { login: 'boltdb', created_at: '2014-01-01T00:00:00Z', type: 'Organization' });
    const env = { GITHUB_API_URL: api, GITHUB_TOKEN: 'x' };
    const r = await run(['github.com/boltdb-go/bolt', '--json'], env);
    scope.done();
    const json = JSON.parse(r.out)[0];
    expect(json).toMatchObject({ score: 0.95, severity: 'critical', evidence: { suspect: { fullName: 'boltdb-go/bolt' }, target: { fullName: 'boltdb/bolt' } } });
    expect(json.evidence.entries).toEqual(expect.arrayContaining([
      expect.objectContaining({ source: 'corpus', kind: 'name-strong' }),
      expect.objectContaining({ source: 'github', kind: 'young-publisher', effect: 'raises' }),
    ]));
    const offline = await run(['github.com/boltdb-go/bolt', '--json', '--offline'], env);
    expect(JSON.parse(offline.out)[0]).toMatchObject({ score: 0.9, severity: 'high' });
  });

  it('degrades to the name check with a note when GitHub rate-limits', async () => {
    nock('https://api.github.com').get('/repos/boltdb-go/bolt').reply(403, { message: 'API rate limit exceeded' }, { 'x-ratelimit-remaining': '0' });
    nock('https://api.github.com').get('/repos/boltdb/bolt').reply(403, { message: 'API rate limit exceeded' }, { 'x-ratelimit-remaining': '0' });
    const r = await run(['github.com/boltdb-go/bolt', '--goproxy', 'off'], { GITHUB_TOKEN: 'x' });
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/^SUSPICIOUS github.com\/boltdb-go\/bolt \(high, /);
    expect(r.out).toContain('note: github: GitHub rate limit reached (HTTP 403)');
  });

  it('compares module@version with its target from GOPROXY: a copy with a payload is critical', async () => {
    const bolt = { 'go.mod': 'module github.com/boltdb/bolt\n', 'db.go': 'package bolt\n\nimport "os"\n\nvar _ = os.Open\n', 'tx.go': 'package bolt\n', 'bucket.go': 'package bolt\n', 'LICENSE': 'MIT\n' };
    const copy = { ...bolt, 'go.mod': 'module github.com/boltdb-go/bolt\n', 'cursor_unix.go': 'package bolt\n\nimport (\n\t"net/http"\n\t"os/exec"\n)\n\nfunc init() { _ = exec.Command; _ = http.Get }\n' };
    const proxy = await startGoProxyServer({
      modules: [
        { path: 'github.com/boltdb/bolt', version: 'v1.3.0', files: bolt, info: { Time: '2016-01-01T00:00:00Z' } },
        { path: 'github.com/boltdb/bolt', version: 'v1.3.1', files: bolt, info: { Time: '2017-07-01T00:00:00Z' } },
        { path: 'github.com/boltdb-go/bolt', version: 'v1.3.1', files: copy, info: { Time: '2021-11-10T00:00:00Z' } },
      ],
    });
    try {
      const r = await run(['github.com/boltdb-go/bolt@v1.3.1', '--json'], { GOPROXY: proxy.url, GOSUMDB: 'off' });
      expect(r.code).toBe(1);
      const [json] = JSON.parse(r.out);
      expect(json).toMatchObject({ module: 'github.com/boltdb-go/bolt', target: 'github.com/boltdb/bolt', severity: 'critical', clone: { nearCopy: true, added: ['cursor_unix.go'], addedInit: ['cursor_unix.go'], newImports: ['net/http', 'os/exec'] } });
      const sources = new Set(json.evidence.entries.map((e: { source: string }) => e.source));
      expect([...sources].sort()).toEqual(['content', 'corpus', 'github', 'proxy']);
      expect(json.evidence.entries).toEqual(expect.arrayContaining([
        expect.objectContaining({ source: 'proxy', kind: 'published-later', detail: expect.stringContaining('first published v1.3.1 on 2021-11-10') }),
        expect.objectContaining({ source: 'github', effect: 'unavailable', detail: 'GitHub not configured (set GITHUB_TOKEN or GITHUB_API_URL)' }),
      ]));
      const bad = await run(['github.com/boltdb-go/bolt@latest']);
      expect(bad.code).toBe(2);
      expect(bad.err).toMatch(/github.com\/boltdb-go\/bolt@latest: /);
    } finally {
      await proxy.close();
    }
  });
});

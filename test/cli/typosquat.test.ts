import nock from 'nock';
import { main } from '../../src/cli/main.js';

function run(argv: string[], env: NodeJS.ProcessEnv = {}) {
  const out: string[] = [];
  const err: string[] = [];
  return main(['typosquat', ...argv], { out: (t) => void out.push(t), err: (t) => void err.push(t), env }).then((code) => ({ code, out: out.join(''), err: err.join('') }));
}

beforeAll(() => nock.disableNetConnect());
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
    const r = await run(['github.com/vainreboot/layout', '--existing', 'github.com/loov/layout']);
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/^SUSPICIOUS github.com\/vainreboot\/layout \(score 0.65\) imitates github.com\/loov\/layout\n/);
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
    expect(JSON.parse(r.out)[0]).toMatchObject({ score: 1, evidence: { youngCopy: true } });
    const offline = await run(['github.com/boltdb-go/bolt', '--json', '--offline'], env);
    expect(JSON.parse(offline.out)[0].score).toBe(0.9);
  });

  it('degrades to the name check with a note when GitHub rate-limits', async () => {
    nock('https://api.github.com').get('/repos/boltdb-go/bolt').reply(403, { message: 'API rate limit exceeded' }, { 'x-ratelimit-remaining': '0' });
    const r = await run(['github.com/boltdb-go/bolt'], { GITHUB_TOKEN: 'x' });
    expect(r.code).toBe(1);
    expect(r.out).toContain('note: GitHub rate limit reached (HTTP 403); the verdict rests on the name check');
  });
});

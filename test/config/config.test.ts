import { ConfigError, DEFAULT_REPO_CONFIG, parseRepoConfig, parseRepoConfigText } from '../../src/config/repo.js';
import { loadOperatorConfig } from '../../src/config/operator.js';

const PEM = '-----BEGIN RSA PRIVATE KEY-----\nMIIB\n-----END RSA PRIVATE KEY-----\n';

function problems(fn: () => unknown): string[] {
  try {
    fn();
  } catch (e) {
    if (e instanceof ConfigError) return e.problems;
    throw e;
  }
  throw new Error('expected a ConfigError');
}

describe('repo config (.github/modwarden.yml)', () => {
  it('uses the defaults when there is no file', () => {
    expect(parseRepoConfigText(null)).toEqual(DEFAULT_REPO_CONFIG);
    expect(parseRepoConfig(null).failOn).toBe('high');
  });

  it('reads every key', () => {
    const c = parseRepoConfigText(`
failOn: medium
rules:
  typosquat: false
  tag-moved: { severity: critical }
  unverifiable: off
allow:
  - github.com/acme/fork@v1.0.0
  - module: github.com/acme/other
    reason: our own fork
popularModules: [github.com/acme/core]
reviewComments: false
privateModules: [corp.example.com/*, github.com/acme/*]
skipPaths: [tools/go.mod, "examples/**"]
ignore:
  - module: github.com/x/y@v1.2.3
    reason: vetted by security, ticket SEC-12
`);
    expect(c.failOn).toBe('medium');
    expect(c.disabledRules.sort()).toEqual(['typosquat', 'unverifiable']);
    expect(c.severityOverrides).toEqual({ 'tag-moved': 'critical' });
    expect(c.allow).toEqual([
      { module: 'github.com/acme/fork', version: 'v1.0.0', reason: null, rules: null },
      { module: 'github.com/acme/other', version: null, reason: 'our own fork', rules: null },
    ]);
    expect(c.popularModules).toEqual(['github.com/acme/core']);
    expect(c.reviewComments).toBe(false);
    expect(c.privateModules).toBe('corp.example.com/*,github.com/acme/*');
    expect(c.skipPaths).toEqual(['tools/go.mod', 'examples/**']);
    expect(c.ignore).toEqual([
      { module: 'github.com/x/y', version: 'v1.2.3', reason: 'vetted by security, ticket SEC-12', rules: null, by: '.github/modwarden.yml' },
    ]);
  });

  it('names the bad key for a wrong severity', () => {
    expect(problems(() => parseRepoConfigText('failOn: severe'))).toEqual(['failOn: expected one of info|low|medium|high|critical']);
  });

  it('names unknown keys and unknown rule ids', () => {
    const p = problems(() => parseRepoConfig({ failon: 'high', rules: { typosqat: false } }));
    expect(p).toContain('failon: unknown key');
    expect(p.join('\n')).toMatch(/rules\.typosqat/);
  });

  it('names the bad entry in a list', () => {
    expect(problems(() => parseRepoConfig({ ignore: [{ module: 'github.com/x/y@v1.0.0' }] }))).toEqual([
      'ignore.0.reason: expected string',
    ]);
    expect(problems(() => parseRepoConfig({ reviewComments: 'yes' }))).toEqual(['reviewComments: expected boolean']);
    expect(problems(() => parseRepoConfig({ allow: [42] }))[0]).toMatch(/^allow\.0: expected "<module>\[@<version>\]"/);
  });

  it('reports YAML syntax errors as config errors, never throws anything else', () => {
    const p = problems(() => parseRepoConfigText('failOn: [high'));
    expect(p[0]).toMatch(/^invalid YAML/);
    expect(problems(() => parseRepoConfigText('- a\n- b'))).toEqual(['expected a mapping of keys']);
  });

  it('formats the error message with the source file', () => {
    try {
      parseRepoConfigText('failOn: 3');
    } catch (e) {
      expect((e as Error).message).toBe('.github/modwarden.yml: failOn: expected one of info|low|medium|high|critical');
    }
    expect.assertions(1);
  });
});

describe('operator config (environment)', () => {
  const base = { APP_ID: '123', PRIVATE_KEY: PEM, WEBHOOK_SECRET: 's3cret' };

  it('fills in defaults', () => {
    const c = loadOperatorConfig(base);
    expect(c).toMatchObject({
      appId: '123',
      privateKey: PEM,
      goproxy: 'https://proxy.golang.org,direct',
      gosumdb: 'sum.golang.org',
      githubApiUrl: 'https://api.github.com',
      originToken: null,
      gheHost: null,
      concurrency: 16,
      jobConcurrency: 2,
      logLevel: 'info',
    });
  });

  it('lists every missing value', () => {
    const p = problems(() => loadOperatorConfig({}));
    expect(p.some((l) => l.startsWith('APP_ID: required'))).toBe(true);
    expect(p.some((l) => l.startsWith('WEBHOOK_SECRET: required'))).toBe(true);
    expect(p.some((l) => l.startsWith('PRIVATE_KEY: required'))).toBe(true);
  });

  it('names wrong values', () => {
    const p = problems(() =>
      loadOperatorConfig({
        ...base,
        APP_ID: 'abc',
        MODWARDEN_CONCURRENCY: '0',
        GITHUB_API_URL: 'ftp://x',
        GHE_HOST: 'https://ghe.example.com/',
        LOG_LEVEL: 'loud',
      } as unknown as NodeJS.ProcessEnv),
    );
    expect(p).toEqual(
      expect.arrayContaining([
        'APP_ID: expected the numeric GitHub App id',
        'MODWARDEN_CONCURRENCY: expected a whole number from 1 to 256, got "0"',
        'GITHUB_API_URL: expected an http(s) URL, got "ftp://x"',
        expect.stringMatching(/^GHE_HOST: expected a host name/),
        'LOG_LEVEL: expected one of trace|debug|info|warn|error|fatal|silent',
      ]),
    );
  });

  it('reads PRIVATE_KEY_PATH, and says when it cannot', () => {
    const env = { APP_ID: '1', WEBHOOK_SECRET: 'x', PRIVATE_KEY_PATH: '/keys/app.pem' };
    expect(loadOperatorConfig(env, { readFile: () => PEM }).privateKey).toBe(PEM);
    const p = problems(() =>
      loadOperatorConfig(env, {
        readFile: () => {
          throw Object.assign(new Error('nope'), { code: 'ENOENT' });
        },
      }),
    );
    expect(p).toEqual(['PRIVATE_KEY_PATH: cannot read "/keys/app.pem" (ENOENT)']);
  });

  it('accepts a base64 key and rejects a non-PEM one', () => {
    const b64 = Buffer.from(PEM).toString('base64');
    expect(loadOperatorConfig({ ...base, PRIVATE_KEY: b64 }).privateKey).toBe(PEM);
    expect(problems(() => loadOperatorConfig({ ...base, PRIVATE_KEY: 'hello' }))[0]).toMatch(/^PRIVATE_KEY: not a PEM private key/);
  });

  it('keeps origin lookups apart from the GHE installation host', () => {
    const c = loadOperatorConfig({ ...base, GHE_HOST: 'ghe.corp.example', ORIGIN_GITHUB_TOKEN: 'ro' });
    expect(c.gheHost).toBe('ghe.corp.example');
    expect(c.githubApiUrl).toBe('https://api.github.com');
    expect(c.originToken).toBe('ro');
  });
});

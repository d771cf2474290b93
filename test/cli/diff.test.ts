import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { main } from '../../src/cli/main.js';

function capture() {
  const out: string[] = [];
  const err: string[] = [];
  return {
    out,
    err,
    opts: (cwd: string) => ({ out: (t: string) => void out.push(t), err: (t: string) => void err.push(t), env: {}, cwd }),
  };
}

const BASE = `module example.com/app

go 1.22

require (
	github.com/boltdb/bolt v1.3.1
	golang.org/x/text v0.3.2 // indirect
	github.com/old/gone v1.0.0
)
`;

const HEAD = `module example.com/app

go 1.22

require (
	github.com/boltdb/bolt v1.3.1
	golang.org/x/text v0.14.0 // indirect
	github.com/new/dep v0.2.0
)

replace github.com/boltdb/bolt => github.com/boltdb-go/bolt v1.3.1
`;

describe('modwarden diff', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'mw-diff-'));
    writeFileSync(path.join(dir, 'base.go.mod'), BASE);
    writeFileSync(path.join(dir, 'head.go.mod'), HEAD);
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('prints a readable list of changes and exits 0', async () => {
    const c = capture();
    expect(await main(['diff', 'base.go.mod', 'head.go.mod'], c.opts(dir))).toBe(0);
    expect(c.err.join('')).toBe('');
    expect(c.out.join('')).toBe(
      [
        '4 requirement changes:',
        'upgraded  golang.org/x/text       v0.3.2 -> v0.14.0  // indirect  head.go.mod:7',
        'added     github.com/new/dep      v0.2.0  head.go.mod:8',
        'replaced  github.com/boltdb/bolt  v1.3.1  => github.com/boltdb-go/bolt v1.3.1  head.go.mod:11',
        'removed   github.com/old/gone     v1.0.0',
        '',
      ].join('\n'),
    );
  });

  it('--json prints an array with module, from, to, kind, line, indirect, replacement and fetch', async () => {
    const c = capture();
    expect(await main(['diff', 'base.go.mod', 'head.go.mod', '--json'], c.opts(dir))).toBe(0);
    const json = JSON.parse(c.out.join('')) as Record<string, unknown>[];
    expect(json).toEqual([
      {
        goModPath: 'head.go.mod',
        module: 'golang.org/x/text',
        kind: 'upgraded',
        from: 'v0.3.2',
        to: 'v0.14.0',
        line: 7,
        indirect: true,
        replacement: null,
        fetch: { path: 'golang.org/x/text', version: 'v0.14.0' },
      },
      {
        goModPath: 'head.go.mod',
        module: 'github.com/new/dep',
        kind: 'added',
        from: null,
        to: 'v0.2.0',
        line: 8,
        indirect: false,
        replacement: null,
        fetch: { path: 'github.com/new/dep', version: 'v0.2.0' },
      },
      {
        goModPath: 'head.go.mod',
        module: 'github.com/boltdb/bolt',
        kind: 'replaced',
        from: 'v1.3.1',
        to: 'v1.3.1',
        line: 11,
        indirect: false,
        replacement: { path: 'github.com/boltdb-go/bolt', version: 'v1.3.1', local: false, line: 11 },
        fetch: { path: 'github.com/boltdb-go/bolt', version: 'v1.3.1' },
      },
      {
        goModPath: 'head.go.mod',
        module: 'github.com/old/gone',
        kind: 'removed',
        from: 'v1.0.0',
        to: null,
        line: null,
        indirect: false,
        replacement: null,
        fetch: null,
      },
    ]);
  });

  it('/dev/null as base means a new go.mod; as head, a deleted one', async () => {
    const c = capture();
    expect(await main(['diff', '/dev/null', 'head.go.mod', '--json'], c.opts(dir))).toBe(0);
    const added = JSON.parse(c.out.join('')) as { kind: string; from: unknown }[];
    expect(added.map((x) => x.kind)).toEqual(['added', 'added', 'added']);
    const d = capture();
    expect(await main(['diff', 'base.go.mod', '/dev/null'], d.opts(dir))).toBe(0);
    expect(d.out.join('')).toMatch(/^3 requirement changes:\nremoved  github.com\/boltdb\/bolt  v1.3.1\n/);
  });

  it('says so when nothing changed', async () => {
    const c = capture();
    expect(await main(['diff', 'head.go.mod', 'head.go.mod'], c.opts(dir))).toBe(0);
    expect(c.out.join('')).toBe('No requirement changes.\n');
    const j = capture();
    expect(await main(['diff', 'head.go.mod', 'head.go.mod', '--json'], j.opts(dir))).toBe(0);
    expect(JSON.parse(j.out.join(''))).toEqual([]);
  });

  it('exits 2 with Go-style file:line:col messages on an unparsable go.mod', async () => {
    writeFileSync(path.join(dir, 'bad.go.mod'), 'module example.com/app\nrequire (\n\tgithub.com/x/y v1.0.0 /* hi */\n)\n');
    const c = capture();
    expect(await main(['diff', 'base.go.mod', 'bad.go.mod'], c.opts(dir))).toBe(2);
    expect(c.out.join('')).toBe('');
    expect(c.err.join('')).toBe(
      'modwarden: errors parsing go.mod:\nbad.go.mod:3:24: mod files must use // comments (not /* */ comments)\n',
    );
    writeFileSync(path.join(dir, 'bad2.go.mod'), 'module example.com/app\nrequire github.com/x/y v2.0.0\nfrobnicate\n');
    const d = capture();
    expect(await main(['diff', 'bad2.go.mod', 'head.go.mod'], d.opts(dir))).toBe(2);
    expect(d.err.join('')).toBe(
      'modwarden: errors parsing go.mod:\n' +
        'bad2.go.mod:2: require github.com/x/y: version "v2.0.0" invalid: should be v0 or v1, not v2\n' +
        'bad2.go.mod:3: unknown directive: frobnicate\n',
    );
  });

  it('exits 2 with a clear message on unreadable input', async () => {
    const c = capture();
    expect(await main(['diff', 'missing.go.mod', 'head.go.mod'], c.opts(dir))).toBe(2);
    expect(c.err.join('')).toBe(
      'modwarden: cannot read missing.go.mod: no such file (use /dev/null for a go.mod that is new or deleted)\n',
    );
    const d = capture();
    expect(await main(['diff', '.', 'head.go.mod'], d.opts(dir))).toBe(2);
    expect(d.err.join('')).toMatch(/cannot read \.: is a directory/);
    const e = capture();
    expect(await main(['diff', 'head.go.mod'], e.opts(dir))).toBe(2);
    expect(e.err.join('')).toMatch(/missing required argument/);
    const f = capture();
    expect(await main(['diff', '/dev/null', '/dev/null'], f.opts(dir))).toBe(2);
    expect(f.err.join('')).toBe('modwarden: base and head cannot both be /dev/null\n');
  });

  it('works on two real go.mod files (prometheus → kubernetes fixtures, absolute paths)', async () => {
    const fx = (n: string) => new URL(`../fixtures/gomod/real/${n}.go.mod`, import.meta.url).pathname;
    const c = capture();
    expect(await main(['diff', fx('prometheus'), fx('kubernetes'), '--json'], c.opts(dir))).toBe(0);
    const changes = JSON.parse(c.out.join('')) as { module: string; kind: string; fetch: unknown }[];
    expect(changes.find((x) => x.module === 'k8s.io/klog')).toMatchObject({ kind: 'removed', fetch: null });
    expect(changes.find((x) => x.module === 'k8s.io/client-go')).toMatchObject({ kind: 'replaced', fetch: null });
    expect(changes.find((x) => x.module === 'github.com/prometheus/client_golang')).toMatchObject({ kind: 'upgraded' });
  });
});

/**
 * Known-answer tests with real answers of sum.golang.org (public, signed by its published key), so the
 * note format, key handling and Ed25519 verification are checked against data we did not produce.
 */
import nock from 'nock';
import { readGoEnv } from '../../src/sources/goenv.js';
import { HttpClient } from '../../src/sources/http.js';
import { openNote, parseVerifierKey } from '../../src/sumdb/note.js';
import { SumDbClient, SumDbVerificationError } from '../../src/sources/sumdb.js';
import { parseRecord, parseTree } from '../../src/sumdb/tlog.js';

const SUM_KEY = parseVerifierKey('sum.golang.org+033de0ae+Ac4zctda0e5eza+HJyk9SxEdh+s3Ux18htTTAD8OuAn8');

/** Real signed tree heads of sum.golang.org (size, root, signature), as published. */
const REAL_TREES: [number, string, string][] = [
  [756113, 'k9nFMBuXq8uk+9SQNxs/Vadri2XDkaoo96u4uMa0qE0=', 'Az3grgIHxiDLRpsKUElIX5vJMlFS79SqfQDSgHQmON922lNdJ5zxF8SSPPcah3jhIkpG8LSKNaWXiy7IldOSDCt4Pwk='],
  [6476701, 'mb8QLQIs0Z0yP5Cstq6guj87oXWeC9gEM8oVikmm9Wk=', 'Az3grsLX85Gz+s1SiTbgkuqxgItqFq7gsMUEyVnrsa9LM7Us9S+1xbFIGu95949rj4nPRYfvimWEPWL+o3GeoWwOoAw='],
  [15067302, 'gJyioq6dwR9n+NjEWORfYmH+ubeYm3kH42BBQ0bTpYI=', 'Az3grp1rvWOs5NKlr/xR4GLN/CDyzzakmt1o61uSxYKpK1SerqOP2ClbX/peKUZjYnyomH5Xz7GZG3TpB7OeKn4E2ww='],
  [28891140, '++pUIeKTwGvykMUkmM3AT97PwQipMT6H/p7t86E0Sp0=', 'Az3grqNvOILDz7xwAKugtVFZwd+I9IyB/mHrUYzcVaS9zKsRVdRLNGLFpnAcLhyoBBkdIYEzK/+7Eu4wanYttLrPsQo='],
];

function note(size: number, root: string, sig: string): string {
  return `go.sum database tree\n${size}\n${root}\n\n— sum.golang.org ${sig}\n`;
}

/** Real `/lookup` answers (record id, go.sum lines, signed tree), as cached by the go command. */
const REAL_LOOKUPS = [
  {
    path: 'github.com/hashicorp/raft',
    version: 'v1.7.3',
    body:
      '35446165\n' +
      'github.com/hashicorp/raft v1.7.3 h1:DxpEqZJysHN0wK+fviai5mFcSYsCkNpFUl1xpAW8Rbo=\n' +
      'github.com/hashicorp/raft v1.7.3/go.mod h1:DfvCGFxpAUPE0L4Uc8JLlTPtc3GzSbdH0MTJCLgnmJQ=\n\n' +
      note(59045944, 'LE6Lx+GNVyuFBv/jKcFIiPkG1WC7DHwG0clpfN/TBlA=', 'Az3grk9ctaTv+CITXOwxCEHU3APAw5X7Ck14+fvFlh0GCktwX15+XPzy//GgL2G50ZgY05e8eXFTWcvW6pN5tozsLQQ='),
    id: 35446165,
    h1: 'h1:DxpEqZJysHN0wK+fviai5mFcSYsCkNpFUl1xpAW8Rbo=',
    goModH1: 'h1:DfvCGFxpAUPE0L4Uc8JLlTPtc3GzSbdH0MTJCLgnmJQ=',
    size: 59045944,
  },
  {
    path: 'golang.org/x/tools',
    version: 'v0.44.0',
    body:
      '52253027\n' +
      'golang.org/x/tools v0.44.0 h1:UP4ajHPIcuMjT1GqzDWRlalUEoY+uzoZKnhOjbIPD2c=\n' +
      'golang.org/x/tools v0.44.0/go.mod h1:KA0AfVErSdxRZIsOVipbv3rQhVXTnlU6UhKxHd1seDI=\n\n' +
      note(52544510, '+TGlZfnTizQCJgyZR56QixD8+X4dd8Wefy8U1w6k0Ig=', 'Az3grn6d1PSjcypDf9bfcFVU5fvJB7VkLc0MAbz8jqeQVnSbAj9pKcsB5dJt5VdswPDUtiFar5LPRBu+uEQAT1CDfAc='),
    id: 52253027,
    h1: 'h1:UP4ajHPIcuMjT1GqzDWRlalUEoY+uzoZKnhOjbIPD2c=',
    goModH1: 'h1:KA0AfVErSdxRZIsOVipbv3rQhVXTnlU6UhKxHd1seDI=',
    size: 52544510,
  },
  {
    path: 'github.com/andrew-j-price/journey',
    version: 'v0.2.0',
    body:
      '10680626\n' +
      'github.com/andrew-j-price/journey v0.2.0 h1:z35bClodzfCsh2psGoTtNsb4oHbZcnzD4pzY8gk6lGk=\n' +
      'github.com/andrew-j-price/journey v0.2.0/go.mod h1:ucycXl93RbqYoM3rGHjem1W0TDIYRLsU8prl9/zKx0g=\n\n' +
      note(10680630, 'k1UQFwFXWQa7MF1BREWVQxIhScvUdgRepXuyRS3sRuE=', 'Az3grqgyWctiMcdUtITQpkGSxEoEvbaAq7J3FpbaVlW1Zo47LX/jmeeE7LiBktpmR2d/1RsdocLU9HMXYXxHCVyf/AQ='),
    id: 10680626,
    h1: 'h1:z35bClodzfCsh2psGoTtNsb4oHbZcnzD4pzY8gk6lGk=',
    goModH1: 'h1:ucycXl93RbqYoM3rGHjem1W0TDIYRLsU8prl9/zKx0g=',
    size: 10680630,
  },
];

describe('real sum.golang.org tree heads', () => {
  it.each(REAL_TREES)('verifies the signed tree of size %d with the built-in key', (size, root, sig) => {
    const opened = openNote(note(size, root, sig), [SUM_KEY]);
    expect(opened.sigs).toHaveLength(1);
    const tree = parseTree(opened.text);
    expect(tree.size).toBe(size);
    expect(tree.hash.toString('base64')).toBe(root);
  });

  it('rejects a real head whose size or root was altered', () => {
    const [size, root, sig] = REAL_TREES[1]!;
    expect(() => openNote(note(size + 1, root, sig), [SUM_KEY])).toThrow('invalid signature by sum.golang.org+033de0ae');
    const otherRoot = REAL_TREES[0]![1];
    expect(() => openNote(note(size, otherRoot, sig), [SUM_KEY])).toThrow('invalid signature');
  });

  it('rejects a real signature under added lines (a published mock-up of a checkpoint with extra lines)', () => {
    const text =
      'go.sum database tree\n15368405\n/g9am3I6YWNKaZX/jkne1fqd9zEyjss+JXyPXG0WfkY=\n' +
      'optional unspecified line, not actually in use\noptional unspecified line, not actually in use\n';
    const msg = `${text}\n— sum.golang.org Az3grqJGUaSGukG9p8nI2vKgiFn7qGHxn0W+mrwyI6Gz3F0t1J3LzmWk/p96Ybf295EjwdSwlzgijq5WA9d1Ded7owM=\n`;
    expect(() => openNote(msg, [SUM_KEY])).toThrow('invalid signature');
  });

  it('accepts a witness cosignature from an unknown key next to the log signature', () => {
    const [size, root, sig] = REAL_TREES[2]!;
    const msg = `${note(size, root, sig)}— test.example.com qTGhC/xIPQ0AXKHK6Y+9ypRfuvMZWPjRXM8NiOg5M1WREn07VQXyuIXM3NRNav3ieVFLUqDRK77PWDmL6w8w84UqeAw=\n`;
    const opened = openNote(msg, [SUM_KEY]);
    expect(opened.sigs.map((s) => s.name)).toEqual(['sum.golang.org']);
    expect(opened.unverifiedSigs.map((s) => s.name)).toEqual(['test.example.com']);
  });
});

describe('real /lookup answers', () => {
  it.each(REAL_LOOKUPS)('parses $path@$version', ({ body, id, size }) => {
    const r = parseRecord(Buffer.from(body));
    expect(r.id).toBe(id);
    expect(parseTree(openNote(r.note, [SUM_KEY]).text).size).toBe(size);
  });

  describe('through SumDbClient with the default GOSUMDB', () => {
    beforeAll(() => nock.disableNetConnect());
    afterEach(() => nock.cleanAll());
    afterAll(() => nock.enableNetConnect());

    it.each(REAL_LOOKUPS)('returns the signed hashes of $path@$version', async ({ path, version, body, id, h1, goModH1, size }) => {
      nock('https://sum.golang.org').get(`/lookup/${path}@${version}`).reply(200, body);
      const c = new SumDbClient({ env: readGoEnv({ GOPROXY: 'off' }), http: new HttpClient({ retries: 0 }), inclusion: 'skip' });
      const r = await c.lookup(path, version);
      expect(r).toMatchObject({ id, h1, goModH1, tree: { size }, verified: { signature: true, inclusion: false }, source: 'https://sum.golang.org' });
      expect(r.lines).toEqual(body.split('\n\n')[0]!.split('\n').slice(1));
    });

    it('refuses tiles that do not hash to the real signed root', async () => {
      const real = REAL_LOOKUPS[0]!;
      nock('https://sum.golang.org').get(`/lookup/${real.path}@${real.version}`).reply(200, real.body);
      // Any tile content other than the real log's cannot hash to the signed root.
      nock('https://sum.golang.org')
        .get(/^\/tile\/8\//)
        .times(20)
        .reply(200, (uri) => {
          const m = /\.p\/(\d+)$/.exec(uri);
          return Buffer.alloc((m ? Number(m[1]) : 256) * 32, 1);
        });
      const c = new SumDbClient({ env: readGoEnv({ GOPROXY: 'off' }), http: new HttpClient({ retries: 0 }) });
      const err = await c.lookup(real.path, real.version).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(SumDbVerificationError);
      expect((err as Error).message).toContain('record 35446165 is not in the signed tree (size 59045944)');
    });
  });
});

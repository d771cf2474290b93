import fc from 'fast-check';
import {
  emptyTreeHash,
  foldHashes,
  formatTree,
  nodeTile,
  parseRecord,
  parseTilePath,
  parseTree,
  recordHash,
  storedLevels,
  tilePath,
  treeHash,
  verifyConsistency,
  verifyInclusion,
  type NodeReader,
} from '../../src/sumdb/tlog.js';

// RFC 6962 / certificate-transparency reference vectors: 8 leaves, roots of every prefix, audit paths.
const LEAVES = ['', '00', '10', '2021', '3031', '40414243', '5051525354555657', '606162636465666768696a6b6c6d6e6f'].map((h) =>
  Buffer.from(h, 'hex'),
);
const ROOTS = [
  '6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d',
  'fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125',
  'aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77',
  'd37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7',
  '4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4',
  '76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef',
  'ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c',
  '5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328',
];
const PATH_0_8 = [
  '96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7',
  '5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e',
  '6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4',
];
const PATH_5_8 = [
  'bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b',
  'ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0',
  'd37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7',
];

/** A node reader over an in-memory log that records which nodes were read. */
function memoryReader(leaves: Buffer[]): { read: NodeReader; reads: string[] } {
  const levels = storedLevels(leaves.map((l) => recordHash(l)));
  const reads: string[] = [];
  return {
    reads,
    read: async (level, index) => {
      const h = levels[level]?.[index];
      if (!h) throw new Error(`no node ${level}/${index}`);
      reads.push(h.toString('hex'));
      return h;
    },
  };
}

describe('RFC 6962 hashing', () => {
  it('hashes the empty tree and every prefix of the reference log', async () => {
    expect(emptyTreeHash().toString('hex')).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
    expect(await treeHash(0, memoryReader([]).read)).toEqual(emptyTreeHash());
    for (let n = 1; n <= 8; n++) {
      expect((await treeHash(n, memoryReader(LEAVES).read)).toString('hex')).toBe(ROOTS[n - 1]);
    }
  });

  it('reads exactly the reference audit paths when proving inclusion', async () => {
    for (const [id, path] of [
      [0, PATH_0_8],
      [5, PATH_5_8],
    ] as const) {
      const m = memoryReader(LEAVES);
      const tree = { size: 8, hash: Buffer.from(ROOTS[7]!, 'hex') };
      expect(await verifyInclusion(tree, id, LEAVES[id]!, m.read)).toBe(true);
      expect([...m.reads].sort()).toEqual([...path].sort());
    }
  });

  it('proves inclusion of every leaf in every prefix, and rejects wrong leaves and ids', async () => {
    for (let n = 1; n <= 8; n++) {
      const tree = { size: n, hash: Buffer.from(ROOTS[n - 1]!, 'hex') };
      for (let id = 0; id < n; id++) {
        expect(await verifyInclusion(tree, id, LEAVES[id]!, memoryReader(LEAVES).read)).toBe(true);
        expect(await verifyInclusion(tree, id, Buffer.from('forged'), memoryReader(LEAVES).read)).toBe(false);
      }
      expect(await verifyInclusion(tree, n, LEAVES[0]!, memoryReader(LEAVES).read)).toBe(false);
    }
  });

  it('rejects inclusion when a sibling hash is forged', async () => {
    const m = memoryReader(LEAVES);
    const forging: NodeReader = async (level, index) => (level === 1 && index === 1 ? Buffer.alloc(32, 9) : m.read(level, index));
    expect(await verifyInclusion({ size: 8, hash: Buffer.from(ROOTS[7]!, 'hex') }, 0, LEAVES[0]!, forging)).toBe(false);
  });

  it('checks consistency between any two prefixes (property) and detects forks', async () => {
    const leaves = Array.from({ length: 70 }, (_, i) => Buffer.from(`record ${i}\n`));
    const roots: Buffer[] = [];
    for (let n = 0; n <= leaves.length; n++) roots.push(await treeHash(n, memoryReader(leaves).read));
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 0, max: 70 }), fc.integer({ min: 0, max: 70 }), async (a, b) => {
        const ok = await verifyConsistency({ size: a, hash: roots[a]! }, { size: b, hash: roots[b]! }, memoryReader(leaves).read);
        expect(ok).toBe(true);
      }),
      { numRuns: 150 },
    );
    const forked = leaves.map((l, i) => (i === 3 ? Buffer.from('other history\n') : l));
    const forkRoot = await treeHash(10, memoryReader(forked).read);
    expect(await verifyConsistency({ size: 10, hash: forkRoot }, { size: 50, hash: roots[50]! }, memoryReader(leaves).read)).toBe(false);
  });
});

describe('tile paths', () => {
  it.each([
    [{ H: 3, L: 4, N: 1234067, W: 1 }, 'tile/3/4/x001/x234/067.p/1'],
    [{ H: 8, L: 0, N: 5, W: 256 }, 'tile/8/0/005'],
    [{ H: 8, L: 1, N: 123456789, W: 256 }, 'tile/8/1/x123/x456/789'],
    [{ H: 8, L: -1, N: 0, W: 17 }, 'tile/8/data/000.p/17'],
    [{ H: 8, L: 2, N: 1000, W: 256 }, 'tile/8/2/x001/000'],
  ])('%j ⇄ %s', (tile, path) => {
    expect(tilePath(tile)).toBe(path);
    expect(parseTilePath(path)).toEqual(tile);
  });

  it.each(['tile/8/0/5', 'tile/8/0/005.p/256', 'tile/8/0/005.p/0', 'tile/8/x/005', 'tile/0/0/005', 'tiles/8/0/005', 'tile/8/0/x1/005'])(
    'rejects %s',
    (path) => {
      expect(() => parseTilePath(path)).toThrow('malformed tile path');
    },
  );

  it('locates nodes in tiles of height 8', () => {
    // A leaf of a tree of 1000 records: tile 3 of level 0 is partial (1000 - 768 = 232 wide).
    expect(nodeTile(0, 900, 8, 1000)).toEqual({ tile: { H: 8, L: 0, N: 3, W: 232 }, start: 132, count: 1 });
    // Level 3 node 5 covers level-0 hashes 40..47 of tile 0 (full in a tree of 1000).
    expect(nodeTile(3, 5, 8, 1000)).toEqual({ tile: { H: 8, L: 0, N: 0, W: 256 }, start: 40, count: 8 });
    // Level 8 node 2 is entry 2 of the level-1 tile, which holds 3 hashes for 1000 records.
    expect(nodeTile(8, 2, 8, 1000)).toEqual({ tile: { H: 8, L: 1, N: 0, W: 3 }, start: 2, count: 1 });
  });

  it('folds tile entries into the node hash', () => {
    const levels = storedLevels(LEAVES.map((l) => recordHash(l)));
    const tile = Buffer.concat(levels[0]!);
    expect(foldHashes(tile, 0, 8).toString('hex')).toBe(ROOTS[7]);
    expect(foldHashes(tile, 4, 2)).toEqual(levels[1]![2]);
  });
});

describe('tree notes and lookup records', () => {
  it('parses the reference tree note and formats it back', () => {
    const text = 'go.sum database tree\n2\nnND/nri/U0xuHUrYSy0HtMeal2vzD9V4k/BO79C+QeI=\n';
    const t = parseTree(text);
    expect(t.size).toBe(2);
    expect(t.hash.toString('base64')).toBe('nND/nri/U0xuHUrYSy0HtMeal2vzD9V4k/BO79C+QeI=');
    expect(formatTree(t)).toBe(text);
    expect(parseTree(`${text}extra line ignored\n`).size).toBe(2);
  });

  it.each([
    ['go.sum database tree\n2\nnND/nri/U0xuHUrYSy0HtMeal2vzD9V4k/BO79C+QeI=', 'malformed tree note'],
    ['go.sum database  tree\n2\nnND/nri/U0xuHUrYSy0HtMeal2vzD9V4k/BO79C+QeI=\n', 'first line'],
    ['go.sum database tree\n02\nnND/nri/U0xuHUrYSy0HtMeal2vzD9V4k/BO79C+QeI=\n', 'bad tree size'],
    ['go.sum database tree\n-1\nnND/nri/U0xuHUrYSy0HtMeal2vzD9V4k/BO79C+QeI=\n', 'bad tree size'],
    ['go.sum database tree\n2\nnND/nri/U0xuHUrYSy0HtMeal2vzD9V4k/BO79C+Qe=\n', 'bad root hash'],
  ])('rejects tree note %j', (text, message) => {
    expect(() => parseTree(text)).toThrow(message);
  });

  it('splits a lookup body into id, record and note', () => {
    const note = 'go.sum database tree\n2\nnND/nri/U0xuHUrYSy0HtMeal2vzD9V4k/BO79C+QeI=\n\n— x AAAA\n';
    const body = Buffer.from(`1\nexample.com/m v1.0.0 h1:abc=\nexample.com/m v1.0.0/go.mod h1:def=\n\n${note}`);
    const r = parseRecord(body);
    expect(r.id).toBe(1);
    expect(r.text).toBe('example.com/m v1.0.0 h1:abc=\nexample.com/m v1.0.0/go.mod h1:def=\n');
    expect(r.note.toString()).toBe(note);
  });

  it.each([
    ['no id line', 'abc'],
    ['bad id', 'x1\nrec\n\nnote'],
    ['leading zero', '01\nrec\n\nnote'],
    ['no blank line', '1\nrec\nnote'],
    ['control character', '1\nrec\u0001\n\nnote'],
  ])('rejects a lookup body with %s', (_why, body) => {
    expect(() => parseRecord(Buffer.from(body))).toThrow('malformed record');
  });
});

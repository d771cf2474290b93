import nock from 'nock';
import { readGoEnv } from '../../src/sources/goenv.js';
import { HttpClient } from '../../src/sources/http.js';
import { generateNoteKey } from '../../src/sumdb/note.js';
import {
  SumDbClient,
  SumDbError,
  SumDbNotFoundError,
  SumDbSkippedError,
  SumDbVerificationError,
  type SumDbClientOptions,
} from '../../src/sources/sumdb.js';
import { leafTilePath, startSumDbServer, type SumDbRecord, type SumDbServer } from '../helpers/sumdb-server.js';

/** `count` filler records plus the interesting ones at known ids. */
function log(count: number): SumDbRecord[] {
  const records: SumDbRecord[] = [];
  for (let i = 0; i < count; i++) {
    records.push({ path: `example.com/mod${i}`, version: 'v1.0.0', h1: `h1:zip${i}=`, goModH1: `h1:mod${i}=` });
  }
  return records;
}

const AZURE: SumDbRecord = {
  path: 'github.com/Azure/azure-sdk-for-go',
  version: 'v1.0.0-RC1',
  h1: 'h1:tpqYOOmuilagXzyqoJ3roUjp8gneQeTv5YVpL6BG7/k=',
  goModH1: 'h1:UWkIka9t4wTRf5TZ+sRdwnADRAp+U7R9A2lAeNEx1cA=',
};

function client(db: SumDbServer, env: Record<string, string> = {}, opts: Partial<SumDbClientOptions> = {}): SumDbClient {
  return new SumDbClient({
    env: readGoEnv({ GOSUMDB: db.gosumdb, GOPROXY: 'off', ...env }),
    http: new HttpClient({ retries: 0 }),
    ...opts,
  });
}

describe('SumDbClient against a local database', () => {
  let db: SumDbServer;
  beforeAll(async () => {
    // 600 records: two full level-0 tiles, one partial (88 wide), and a partial level-1 tile.
    const records = log(600);
    records[300] = AZURE;
    db = await startSumDbServer({ records });
  });
  afterAll(async () => {
    await db.close();
  });
  beforeEach(() => {
    db.requests.length = 0;
  });

  it('looks up a record, verifies the signature and proves inclusion through tiles', async () => {
    const r = await client(db).lookup(AZURE.path, AZURE.version);
    expect(r).toMatchObject({
      id: 300,
      lines: [`${AZURE.path} ${AZURE.version} ${AZURE.h1}`, `${AZURE.path} ${AZURE.version}/go.mod ${AZURE.goModH1}`],
      h1: AZURE.h1,
      goModH1: AZURE.goModH1,
      tree: { size: 600 },
      verified: { signature: true, inclusion: true },
      source: db.url,
    });
    expect(r.inclusionSkipped).toBeUndefined();
    expect(db.requests[0]).toBe('/lookup/github.com/!azure/azure-sdk-for-go@v1.0.0-!r!c1');
    expect(db.requests.slice(1).every((u) => u.startsWith('/tile/8/'))).toBe(true);
    expect(db.requests).toContain('/tile/8/0/001');
  });

  it('proves inclusion for records in full and partial tiles', async () => {
    const c = client(db);
    for (const id of [0, 255, 256, 511, 512, 599]) {
      const r = await c.lookup(`example.com/mod${id}`, 'v1.0.0');
      expect(r.id).toBe(id);
      expect(r.h1).toBe(`h1:zip${id}=`);
      expect(r.verified.inclusion).toBe(true);
    }
    // Full tiles are cached; the partial ones (and the level-1 tile) are re-read.
    expect(db.requests.filter((u) => u === '/tile/8/0/000')).toHaveLength(1);
    expect(db.requests).toContain('/tile/8/0/002.p/88');
    expect(db.requests).toContain('/tile/8/1/000.p/2');
  });

  it('reports an unknown module version as SumDbNotFoundError', async () => {
    const err = (await client(db).lookup('example.com/nope', 'v1.0.0').catch((e: unknown) => e)) as SumDbNotFoundError;
    expect(err).toBeInstanceOf(SumDbNotFoundError);
    expect(err.kind).toBe('not-found');
    expect(err.message).toContain(`${db.url}/lookup/example.com/nope@v1.0.0: 404`);
  });

  it('skips GOSUMDB=off and GONOSUMDB/GOPRIVATE modules without any request, saying why', async () => {
    const off = new SumDbClient({ env: readGoEnv({ GOSUMDB: 'off' }) });
    await expect(off.lookup(AZURE.path, AZURE.version)).rejects.toMatchObject({ kind: 'skipped', reason: 'GOSUMDB=off' });
    const priv = client(db, { GOPRIVATE: 'github.com/Azure' });
    const err = (await priv.lookup(AZURE.path, AZURE.version).catch((e: unknown) => e)) as SumDbSkippedError;
    expect(err).toBeInstanceOf(SumDbSkippedError);
    expect(err.reason).toBe('matches GOPRIVATE=github.com/Azure');
    await expect(client(db, { GONOSUMDB: 'example.com' }).lookup('example.com/mod1', 'v1.0.0')).rejects.toMatchObject({
      reason: 'matches GONOSUMDB=example.com',
    });
    expect(db.requests).toEqual([]);
  });

  it('de-duplicates concurrent lookups of the same module version', async () => {
    const c = client(db, {}, { inclusion: 'skip' });
    const results = await Promise.all(Array.from({ length: 5 }, () => c.lookup('example.com/mod7', 'v1.0.0')));
    expect(results.every((r) => r.h1 === 'h1:zip7=' && r.verified.inclusion === false)).toBe(true);
    expect(results[0]!.inclusionSkipped).toBe('inclusion checking turned off');
    expect(db.requests).toEqual(['/lookup/example.com/mod7@v1.0.0']);
  });
});

describe('SumDbClient verification failures', () => {
  const records = (() => {
    const r = log(40);
    r[5] = AZURE;
    return r;
  })();

  async function withDb(opts: Partial<Parameters<typeof startSumDbServer>[0]>, f: (db: SumDbServer) => Promise<void>) {
    const db = await startSumDbServer({ records, ...opts });
    try {
      await f(db);
    } finally {
      await db.close();
    }
  }

  it('rejects a note signed by a key the client does not trust (wrong key, same name)', async () => {
    const other = generateNoteKey('sum.test.example');
    await withDb({ signerKey: other.signerKey }, async (db) => {
      const trusted = generateNoteKey('sum.test.example').verifierKey;
      const c = new SumDbClient({ env: readGoEnv({ GOSUMDB: `${trusted} ${db.url}`, GOPROXY: 'off' }) });
      const err = (await c.lookup(AZURE.path, AZURE.version).catch((e: unknown) => e)) as SumDbVerificationError;
      expect(err).toBeInstanceOf(SumDbVerificationError);
      expect(err.message).toContain('SECURITY ERROR');
      expect(err.message).toContain('no verifiable signatures');
    });
  });

  it('rejects a tampered tree note', async () => {
    await withDb({ mutate: (url, b) => (url.startsWith('/lookup/') ? Buffer.from(b.toString().replace(/\n40\n/, '\n41\n')) : b) }, async (db) => {
      await expect(client(db).lookup(AZURE.path, AZURE.version)).rejects.toThrow(/SECURITY ERROR.*invalid signature/);
    });
  });

  it('catches a swapped record hash through the inclusion proof (the signature alone cannot)', async () => {
    const evil = 'h1:EVILEVILEVILEVILEVILEVILEVILEVILEVILEVILEVI=';
    const mutate = (url: string, b: Buffer) => (url.startsWith('/lookup/') ? Buffer.from(b.toString().replace(AZURE.h1!, evil)) : b);
    await withDb({ mutate }, async (db) => {
      const err = (await client(db).lookup(AZURE.path, AZURE.version).catch((e: unknown) => e)) as SumDbError;
      expect(err).toBeInstanceOf(SumDbVerificationError);
      expect(err.message).toContain('record 5 is not in the signed tree');
      // With inclusion checking off, the forged hash would have been accepted: this is what tiles buy.
      const unchecked = await client(db, {}, { inclusion: 'skip' }).lookup(AZURE.path, AZURE.version);
      expect(unchecked.h1).toBe(evil);
      expect(unchecked.verified.inclusion).toBe(false);
    });
  });

  it('rejects forged tile contents', async () => {
    const mutate = (url: string, b: Buffer) => {
      if (!url.startsWith('/tile/8/0/')) return b;
      const c = Buffer.from(b);
      c[0] = c[0]! ^ 0xff;
      return c;
    };
    await withDb({ mutate }, async (db) => {
      // Record 5's own hash is not read from the tile, but its siblings are: leaf 0 sits in them.
      await expect(client(db).lookup(AZURE.path, AZURE.version)).rejects.toBeInstanceOf(SumDbVerificationError);
    });
  });

  it('rejects a record id outside the signed tree and a record for another module', async () => {
    await withDb({ mutate: (url, b) => (url.startsWith('/lookup/') ? Buffer.from(b.toString().replace(/^5\n/, '45\n')) : b) }, async (db) => {
      await expect(client(db).lookup(AZURE.path, AZURE.version)).rejects.toThrow('record id 45 is outside the signed tree of size 40');
    });
    await withDb(
      { mutate: (url, b) => (url.startsWith('/lookup/') ? Buffer.from(b.toString().replaceAll('github.com/Azure/azure-sdk-for-go', 'github.com/Azure/azure-sdk-for-gox')) : b) },
      async (db) => {
        await expect(client(db).lookup(AZURE.path, AZURE.version)).rejects.toThrow(`record 5 has no line for ${AZURE.path}@${AZURE.version}`);
      },
    );
  });

  it('returns null for a hash line the record does not have', async () => {
    await withDb({ records: [{ path: 'example.com/a', version: 'v1.0.0', h1: 'h1:x=' }] }, async (db) => {
      await expect(client(db).lookup('example.com/a', 'v1.0.0')).resolves.toMatchObject({ id: 0, h1: 'h1:x=', goModH1: null });
    });
  });

  it('detects a forked log (a later tree that does not extend the one seen before)', async () => {
    await withDb({}, async (db) => {
      const c = client(db);
      expect((await c.lookup(AZURE.path, AZURE.version)).verified.inclusion).toBe(true);
      const forked = log(60);
      forked[5] = AZURE;
      forked[2] = { path: 'example.com/mod2', version: 'v1.0.0', h1: 'h1:rewritten=' };
      await db.reset(forked);
      const err = (await c.lookup('example.com/mod50', 'v1.0.0').catch((e: unknown) => e)) as SumDbError;
      expect(err).toBeInstanceOf(SumDbVerificationError);
      expect(err.message).toContain('inconsistent with the tree of size 40');
    });
  });

  it('accepts a log that grew consistently', async () => {
    await withDb({}, async (db) => {
      const c = client(db);
      const first = await c.lookup(AZURE.path, AZURE.version);
      await db.append(log(300).slice(40).map((r) => ({ ...r, path: `${r.path}-new` })));
      const second = await c.lookup('example.com/mod299-new', 'v1.0.0');
      expect(first.tree.size).toBe(40);
      expect(second.tree.size).toBe(300);
      expect(second.verified.inclusion).toBe(true);
    });
  });
});

describe('SumDbClient tiles and transport', () => {
  it('falls back to the full tile when a partial tile is missing', async () => {
    const db = await startSumDbServer({ records: log(300), signedSize: 200, noPartialTiles: true });
    try {
      const r = await client(db).lookup('example.com/mod150', 'v1.0.0');
      expect(r.verified.inclusion).toBe(true);
      expect(db.requests).toContain(`/${leafTilePath(150, 200)}`);
      expect(db.requests).toContain('/tile/8/0/000');
      await expect(client(db).lookup('example.com/mod250', 'v1.0.0')).rejects.toBeInstanceOf(SumDbNotFoundError);
    } finally {
      await db.close();
    }
  });

  it('without tiles: "try" returns the signed record with inclusion false; "require" fails', async () => {
    const db = await startSumDbServer({ records: log(10), status: (url) => (url.startsWith('/tile/') ? 503 : undefined) });
    try {
      const r = await client(db).lookup('example.com/mod3', 'v1.0.0');
      expect(r.verified).toEqual({ signature: true, inclusion: false });
      expect(r.inclusionSkipped).toContain('tiles unavailable');
      expect(r.inclusionSkipped).toContain('503');
      await expect(client(db, {}, { inclusion: 'require' }).lookup('example.com/mod3', 'v1.0.0')).rejects.toMatchObject({
        kind: 'unavailable',
      });
    } finally {
      await db.close();
    }
  });

  it('maps an unavailable database to kind "unavailable"', async () => {
    const db = await startSumDbServer({ records: log(3), status: () => 500 });
    try {
      await expect(client(db).lookup('example.com/mod1', 'v1.0.0')).rejects.toMatchObject({ kind: 'unavailable' });
    } finally {
      await db.close();
    }
  });

  it('passes on an error body only as one short line of plain text, and names a silent database', async () => {
    const db = await startSumDbServer({ records: log(3) });
    const base = db.gosumdb.split(' ')[1]!;
    const key = db.gosumdb.split(' ')[0]!;
    await db.close();
    nock(base)
      .get(/lookup/)
      .reply(500, `database on fire\r\n\u001b[31m<script>x</script>\u202e ${'z'.repeat(20_000)}`);
    const c = new SumDbClient({ env: readGoEnv({ GOSUMDB: `${key} ${base}`, GOPROXY: 'off' }), http: new HttpClient({ retries: 0 }) });
    try {
      const err = (await c.lookup('example.com/mod1', 'v1.0.0').catch((e: unknown) => e)) as SumDbError;
      expect(err.kind).toBe('unavailable');
      expect(err.message).not.toMatch(/[\u0000-\u001f\u007f-\u009f\u202e]/);
      expect(err.message).toContain(': 500 (database on fire [31m<script>x</script> zzz');
      expect(err.message.length).toBeLessThan(400);
      nock(base).get(/lookup/).delay(1000).reply(200, '');
      const slow = new SumDbClient({ env: readGoEnv({ GOSUMDB: `${key} ${base}`, GOPROXY: 'off' }), http: new HttpClient({ retries: 0, connectTimeoutMs: 50 }) });
      const silent = (await slow.lookup('example.com/mod1', 'v1.0.0').catch((e: unknown) => e)) as SumDbError;
      expect(silent.kind).toBe('unavailable');
      expect(silent.message).toContain('checksum database did not answer within 50 ms');
    } finally {
      nock.cleanAll();
    }
  });

  it('goes through a GOPROXY that supports /sumdb/<name>/supported', async () => {
    const db = await startSumDbServer({ records: log(20) });
    try {
      const c = new SumDbClient({
        env: readGoEnv({ GOSUMDB: db.verifierKey, GOPROXY: `${db.url},direct` }),
        http: new HttpClient({ retries: 0 }),
      });
      const r = await c.lookup('example.com/mod4', 'v1.0.0');
      expect(r.source).toBe(`${db.url}/sumdb/sum.test.example`);
      expect(r.verified.inclusion).toBe(true);
      expect(db.requests[0]).toBe('/sumdb/sum.test.example/supported');
      expect(db.requests[1]).toBe('/sumdb/sum.test.example/lookup/example.com/mod4@v1.0.0');
    } finally {
      await db.close();
    }
  });

  describe('with nock', () => {
    beforeAll(() => {
      nock.disableNetConnect();
      nock.enableNetConnect('127.0.0.1');
    });
    afterEach(() => nock.cleanAll());
    afterAll(() => nock.enableNetConnect());

    it('connects directly to https://<name> when the proxy does not support the database', async () => {
      const db = await startSumDbServer({ records: log(4) });
      try {
        const note = db.latestNote();
        nock('https://proxy.test').get('/sumdb/sum.test.example/supported').reply(404, 'not found');
        nock('https://sum.test.example')
          .get('/lookup/example.com/mod1@v1.0.0')
          .reply(200, `1\nexample.com/mod1 v1.0.0 h1:zip1=\nexample.com/mod1 v1.0.0/go.mod h1:mod1=\n\n${note}`);
        const c = new SumDbClient({
          env: readGoEnv({ GOSUMDB: db.verifierKey, GOPROXY: 'https://proxy.test,direct' }),
          http: new HttpClient({ retries: 0 }),
          inclusion: 'skip',
        });
        const r = await c.lookup('example.com/mod1', 'v1.0.0');
        expect(r.source).toBe('https://sum.test.example');
        expect(r.h1).toBe('h1:zip1=');
        expect(nock.pendingMocks()).toEqual([]);
      } finally {
        await db.close();
      }
    });

    it('stops on a proxy error after "," but tries the next entry after "|"', async () => {
      const db = await startSumDbServer({ records: log(4) });
      try {
        nock('https://proxy.test').get('/sumdb/sum.test.example/supported').reply(500, 'broken');
        const strict = new SumDbClient({
          env: readGoEnv({ GOSUMDB: db.verifierKey, GOPROXY: `https://proxy.test,${db.url}` }),
          http: new HttpClient({ retries: 0 }),
        });
        await expect(strict.lookup('example.com/mod1', 'v1.0.0')).rejects.toMatchObject({ kind: 'unavailable' });
        nock('https://proxy.test').get('/sumdb/sum.test.example/supported').reply(500, 'broken');
        const lenient = new SumDbClient({
          env: readGoEnv({ GOSUMDB: db.verifierKey, GOPROXY: `https://proxy.test|${db.url}` }),
          http: new HttpClient({ retries: 0 }),
        });
        expect((await lenient.lookup('example.com/mod1', 'v1.0.0')).source).toBe(`${db.url}/sumdb/sum.test.example`);
      } finally {
        await db.close();
      }
    });
  });
});

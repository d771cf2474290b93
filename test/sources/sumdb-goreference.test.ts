/**
 * Interoperability: replays answers recorded from Go's own reference checksum-database server
 * (golang.org/x/mod/sumdb, see fixtures/go-reference-sumdb.go) — lookups, hash tiles at levels 0-2,
 * full and partial tiles, and a log that grows between lookups — and checks that SumDbClient proves
 * every record's inclusion and the trees' consistency. Go is not needed to run this.
 */
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { readGoEnv } from '../../src/sources/goenv.js';
import { HttpClient } from '../../src/sources/http.js';
import { SumDbClient, SumDbVerificationError } from '../../src/sources/sumdb.js';

interface Fixture {
  verifierKey: string;
  steps: { path: string; responses: Record<string, string> }[];
}

const here = dirname(fileURLToPath(import.meta.url));
const fixture = JSON.parse(readFileSync(join(here, 'fixtures/go-reference-sumdb.json'), 'utf8')) as Fixture;

/** All recorded answers by URL path (a path recorded twice must have had the same body). */
function allResponses(): Map<string, Buffer> {
  const m = new Map<string, Buffer>();
  for (const step of fixture.steps) {
    for (const [path, b64] of Object.entries(step.responses)) {
      const body = Buffer.from(b64, 'base64');
      const prev = m.get(path);
      if (prev && !prev.equals(body)) throw new Error(`fixture: ${path} recorded with two different bodies`);
      m.set(path, body);
    }
  }
  return m;
}

async function replay(mutate?: (path: string, body: Buffer) => Buffer): Promise<{ server: Server; url: string; served: string[] }> {
  const responses = allResponses();
  const served: string[] = [];
  const server = createServer((req, res) => {
    const body = responses.get(req.url ?? '');
    served.push(req.url ?? '');
    if (!body) {
      res.writeHead(404, { 'content-type': 'text/plain' });
      res.end('not found\n');
      return;
    }
    const out = mutate ? mutate(req.url ?? '', body) : body;
    res.writeHead(200, { 'content-length': String(out.length) });
    res.end(out);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, served };
}

function clientFor(url: string): SumDbClient {
  return new SumDbClient({
    env: readGoEnv({ GOSUMDB: `${fixture.verifierKey} ${url}`, GOPROXY: 'off' }),
    http: new HttpClient({ retries: 0 }),
    inclusion: 'require',
  });
}

describe("Go's reference checksum database (recorded)", () => {
  it('proves inclusion for every recorded lookup and consistency as the log grows', async () => {
    const { server, url, served } = await replay();
    try {
      const c = clientFor(url);
      const seen: { path: string; id: number; size: number }[] = [];
      for (const step of fixture.steps) {
        const r = await c.lookup(step.path, 'v1.0.0');
        expect(r.verified).toEqual({ signature: true, inclusion: true });
        expect(r.h1).toBe(`h1:zip-${step.path}-v1.0.0=`);
        expect(r.goModH1).toBe(`h1:mod-${step.path}-v1.0.0=`);
        seen.push({ path: step.path, id: r.id, size: r.tree.size });
      }
      expect(seen).toEqual([
        { path: 'github.com/Azure/azure-sdk-for-go', id: 300, size: 66000 },
        { path: 'example.com/mod0', id: 0, size: 66000 },
        { path: 'example.com/mod65535', id: 65535, size: 66000 },
        { path: 'example.com/mod65999', id: 65999, size: 66000 },
        { path: 'example.com/grown1', id: 66000, size: 66001 },
        { path: 'example.com/grown2', id: 66001, size: 66002 },
        { path: 'example.com/mod1234', id: 1234, size: 66002 },
      ]);
      // The client asked for nothing the Go server had not answered.
      expect(served.every((p) => allResponses().has(p))).toBe(true);
      expect(served).toContain('/tile/8/2/000.p/1');
    } finally {
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
    }
  });

  it('refuses the same answers once one hash in one tile is altered', async () => {
    const { server, url } = await replay((path, body) => {
      if (path !== '/tile/8/0/001') return body;
      const b = Buffer.from(body);
      // Leaf 300 is entry 44 of tile 1 (its hash is computed from the record, not read);
      // its sibling, leaf 301 (entry 45), is read from the tile: forge that one.
      b[32 * 45] = b[32 * 45]! ^ 0x80;
      return b;
    });
    try {
      const err = await clientFor(url)
        .lookup('github.com/Azure/azure-sdk-for-go', 'v1.0.0')
        .catch((e: unknown) => e);
      expect(err).toBeInstanceOf(SumDbVerificationError);
      expect((err as Error).message).toContain('record 300 is not in the signed tree (size 66000)');
    } finally {
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
    }
  });
});

/**
 * The operator's network settings: validated with clear messages, and actually reaching the clients the
 * engine builds (issue 12: MODWARDEN_HTTP_TIMEOUT_MS used to stop short of the proxy client).
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { loadEngineEnv } from '../../src/config/operator.js';
import { ConfigError } from '../../src/config/errors.js';
import { createClients } from '../../src/engine/wiring.js';
import type { ProxyError } from '../../src/sources/goproxy.js';

function problems(env: Record<string, string>): string[] {
  try {
    loadEngineEnv(env);
  } catch (e) {
    if (e instanceof ConfigError) return e.problems;
    throw e;
  }
  return [];
}

describe('network settings', () => {
  it('have defaults in seconds, not minutes', () => {
    const s = loadEngineEnv({});
    expect(s).toMatchObject({
      httpConnectTimeoutMs: 30_000,
      httpStallTimeoutMs: 20_000,
      httpTimeoutMs: 60_000,
      httpMinBytesPerSecond: 1024 * 1024,
      diskCacheBytes: 2 * 1024 ** 3,
      githubRateLimitWaitMs: 60_000,
    });
  });

  it('name each bad value', () => {
    expect(problems({ MODWARDEN_HTTP_CONNECT_TIMEOUT_MS: '10m' })).toEqual([expect.stringMatching(/^MODWARDEN_HTTP_CONNECT_TIMEOUT_MS: expected a whole number from 100 to 240000, got "10m"/)]);
    expect(problems({ MODWARDEN_HTTP_STALL_TIMEOUT_MS: '900000' })[0]).toMatch(/^MODWARDEN_HTTP_STALL_TIMEOUT_MS: /);
    expect(problems({ MODWARDEN_DISK_CACHE_BYTES: '-1' })[0]).toMatch(/^MODWARDEN_DISK_CACHE_BYTES: /);
    expect(problems({ MODWARDEN_GITHUB_RATE_LIMIT_WAIT_MS: '0' })).toEqual([]);
  });

  it('reach the proxy client the engine builds', async () => {
    // Answers .mod slowly (a drip) and never answers .zip.
    const server = createServer((req, res) => {
      if (req.url?.endsWith('.zip')) return;
      res.writeHead(200, { 'content-length': '40' });
      let sent = 0;
      const timer = setInterval(() => {
        res.write('0123456789');
        if ((sent += 10) >= 40) {
          clearInterval(timer);
          res.end();
        }
      }, 100);
      res.on('close', () => clearInterval(timer));
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const clients = createClients(
      loadEngineEnv({ GOPROXY: url, GOSUMDB: 'off', MODWARDEN_HTTP_CONNECT_TIMEOUT_MS: '300', MODWARDEN_HTTP_TIMEOUT_MS: '150', MODWARDEN_HTTP_MIN_BYTES_PER_SEC: '1073741824' }),
      { origin: false, meta: false },
    );
    try {
      const zip = (await clients.proxy.zip('example.com/m', 'v1.0.0').catch((e: unknown) => e)) as ProxyError;
      expect(zip.message).toContain(`proxy ${url} did not answer within 300 ms`);
      const mod = (await clients.proxy.mod('example.com/m', 'v1.0.0').catch((e: unknown) => e)) as ProxyError;
      expect(mod.kind).toBe('unavailable');
      expect(mod.message).toMatch(/did not finish within 1\d\d ms/);
    } finally {
      await clients.close?.();
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
    }
  });
});

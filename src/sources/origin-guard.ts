/**
 * Network safety for origin hosts. Origin URLs come from the network (a proxy's `.info`, a `go-import`
 * meta tag), so every request to one is vetted here before a byte is sent:
 * - https only; plain http only for hosts GOINSECURE matches (as the go command);
 * - the host name is resolved and every address checked: loopback, private, link-local, CGNAT,
 *   multicast, reserved and cloud metadata addresses are refused unless MODWARDEN_ORIGIN_ALLOW names the
 *   host or a CIDR holding the address; the connection then goes to the vetted address (no DNS rebinding);
 * - redirects are followed only within the same host (and never down from https to http);
 * - credentials (a token per host) are sent to their own host only.
 * A refusal is an OriginRefusedError, raised before any connection, with the reason in one line.
 */
import { lookup as dnsLookup } from 'node:dns/promises';
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { BlockList, isIP } from 'node:net';
import { Readable } from 'node:stream';
import { matchPrefixPatterns } from '../gomod/module.js';

/** The operator's exceptions and the hosts allowed plain http. */
export interface OriginPolicyOptions {
  /** MODWARDEN_ORIGIN_ALLOW: comma-separated host names and CIDRs (or single addresses) allowed although internal. */
  allow?: string;
  /** GOINSECURE: Go path patterns of hosts (and paths) that may be fetched over plain http. */
  goinsecure?: string;
  /** Credentials by exact host (`host` or `host:port`): sent as `Authorization: Bearer` to that host only. */
  tokens?: Record<string, string>;
  /** Longest wait for a DNS answer (default 5 s). */
  dnsTimeoutMs?: number;
  /** Most redirects followed (default 5). */
  maxRedirects?: number;
  /** Replaceable for tests: resolves a host name to its addresses. */
  resolve?: (host: string) => Promise<Array<{ address: string; family: number }>>;
}

/** A request the policy refuses: the origin is then unverifiable with this reason. */
export class OriginRefusedError extends Error {
  constructor(
    message: string,
    readonly url: string,
  ) {
    super(message);
    this.name = 'OriginRefusedError';
  }
}

/** Address ranges no origin may be in: [network, prefix, what it is]. */
const BLOCKED: Array<[string, number, 'ipv4' | 'ipv6', string]> = [
  ['0.0.0.0', 8, 'ipv4', 'a "this network" address'],
  ['10.0.0.0', 8, 'ipv4', 'a private address'],
  ['100.64.0.0', 10, 'ipv4', 'a carrier-grade NAT address'],
  ['127.0.0.0', 8, 'ipv4', 'a loopback address'],
  ['169.254.0.0', 16, 'ipv4', 'a link-local address (cloud metadata lives here)'],
  ['172.16.0.0', 12, 'ipv4', 'a private address'],
  ['192.0.0.0', 24, 'ipv4', 'an IETF protocol address'],
  ['192.168.0.0', 16, 'ipv4', 'a private address'],
  ['198.18.0.0', 15, 'ipv4', 'a benchmarking address'],
  ['224.0.0.0', 4, 'ipv4', 'a multicast address'],
  ['240.0.0.0', 4, 'ipv4', 'a reserved address'],
  ['::', 128, 'ipv6', 'the unspecified address'],
  ['::1', 128, 'ipv6', 'a loopback address'],
  ['fc00::', 7, 'ipv6', 'a unique-local (private) address'],
  ['fe80::', 10, 'ipv6', 'a link-local address'],
  ['ff00::', 8, 'ipv6', 'a multicast address'],
  ['64:ff9b::', 96, 'ipv6', 'a NAT64 address'],
  ['2001:db8::', 32, 'ipv6', 'a documentation address'],
];
const BLOCKED_NAMES = /^(localhost|.*\.localhost|metadata|metadata\.google\.internal|instance-data|.*\.internal|.*\.local)$/i;

/** Vets origin URLs and makes fetch functions that only reach vetted addresses. */
export class OriginPolicy {
  private readonly allowNames = new Set<string>();
  private readonly allowNets = new BlockList();
  private readonly blocked: Array<{ list: BlockList; what: string }>;
  private readonly goinsecure: string;
  private readonly tokens: Record<string, string>;
  private readonly dnsTimeoutMs: number;
  private readonly maxRedirects: number;
  private readonly resolveHost: (host: string) => Promise<Array<{ address: string; family: number }>>;

  constructor(options: OriginPolicyOptions = {}) {
    for (const raw of (options.allow ?? '').split(',').map((x) => x.trim()).filter(Boolean)) {
      const entry = parseAllowEntry(raw);
      if (entry.kind === 'name') this.allowNames.add(entry.name);
      else this.allowNets.addSubnet(entry.address, entry.prefix, entry.family);
    }
    this.blocked = BLOCKED.map(([net, prefix, family, what]) => {
      const list = new BlockList();
      list.addSubnet(net, prefix, family);
      return { list, what };
    });
    this.goinsecure = options.goinsecure ?? '';
    this.tokens = Object.fromEntries(Object.entries(options.tokens ?? {}).map(([h, t]) => [h.toLowerCase(), t]));
    this.dnsTimeoutMs = options.dnsTimeoutMs ?? 5_000;
    this.maxRedirects = options.maxRedirects ?? 5;
    this.resolveHost = options.resolve ?? ((host) => dnsLookup(host, { all: true, verbatim: true }));
  }

  /** True when GOINSECURE lets `hostAndPath` (an import-path-like `host/path`) be fetched over plain http. */
  insecureAllowed(hostAndPath: string): boolean {
    return this.goinsecure !== '' && matchPrefixPatterns(this.goinsecure, hostAndPath);
  }

  /**
   * Checks a URL and resolves its host: the address to connect to, or an OriginRefusedError. Cheap to
   * call before building a reader, so a refused origin fails fast and says why.
   */
  async vet(url: string, signal?: AbortSignal): Promise<{ url: URL; address: string; family: 4 | 6 }> {
    let u: URL;
    try {
      u = new URL(url);
    } catch {
      throw new OriginRefusedError(`${JSON.stringify(url.slice(0, 200))} is not a URL`, url);
    }
    const host = u.hostname.replace(/^\[|\]$/g, '').toLowerCase();
    const where = `${u.protocol}//${u.host}`;
    if (u.protocol !== 'https:' && u.protocol !== 'http:') throw new OriginRefusedError(`origin ${where} uses ${u.protocol.replace(':', '')}; only https is read`, url);
    if (u.username || u.password) throw new OriginRefusedError(`origin URL for ${u.host} carries credentials; refused`, url);
    if (u.protocol === 'http:' && !this.insecureAllowed(`${u.host}${u.pathname}`.replace(/\/+$/, '')) && !this.insecureAllowed(host)) {
      throw new OriginRefusedError(`origin ${where} is plain http; only hosts matched by GOINSECURE may be read without TLS`, url);
    }
    const named = this.allowNames.has(host) || this.allowNames.has(u.host.toLowerCase());
    let addresses: Array<{ address: string; family: number }>;
    if (isIP(host)) {
      addresses = [{ address: host, family: isIP(host) }];
    } else {
      if (!named && BLOCKED_NAMES.test(host)) throw new OriginRefusedError(`origin host ${host} is an internal name; set MODWARDEN_ORIGIN_ALLOW to allow it`, url);
      addresses = await this.lookupWithin(host, url, signal);
    }
    if (addresses.length === 0) throw new OriginRefusedError(`origin host ${host} has no address`, url);
    for (const a of addresses) {
      const family = a.family === 6 ? 'ipv6' : 'ipv4';
      if (named || this.allowNets.check(a.address, family)) continue;
      const mapped = family === 'ipv6' ? /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(a.address)?.[1] : undefined;
      const what = this.blockedWhat(mapped ?? a.address, mapped ? 'ipv4' : family);
      if (what) {
        const shown = host === a.address ? host : `${host} (${a.address})`;
        throw new OriginRefusedError(`origin ${shown} is ${what}; refused (set MODWARDEN_ORIGIN_ALLOW to allow it)`, url);
      }
    }
    const first = addresses[0]!;
    return { url: u, address: first.address, family: first.family === 6 ? 6 : 4 };
  }

  /**
   * A fetch function (for HttpClient) that vets every URL, connects to the vetted address, follows
   * redirects only within the same host, and adds a host's own credentials only.
   */
  fetch(): typeof fetch {
    return (async (input: string | URL | Request, init: RequestInit = {}) => {
      let url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
      const first = new URL(url);
      for (let hops = 0; ; hops++) {
        const vetted = await this.vet(url, init.signal ?? undefined);
        const res = await this.send(vetted, init);
        const location = res.status >= 300 && res.status < 400 ? res.headers.get('location') : null;
        if (!location || init.redirect === 'manual') return withUrl(res, url);
        await res.body?.cancel().catch(() => undefined);
        const next = new URL(location, url);
        if (next.host.toLowerCase() !== first.host.toLowerCase() && !(next.hostname.toLowerCase() === first.hostname.toLowerCase() && next.protocol === 'https:' && first.protocol === 'http:')) {
          throw new OriginRefusedError(`origin ${first.host} redirected to another host (${next.host}); redirects are followed only within the same host`, url);
        }
        if (first.protocol === 'https:' && next.protocol !== 'https:') throw new OriginRefusedError(`origin ${first.host} redirected from https to ${next.protocol}; refused`, url);
        if (hops + 1 > this.maxRedirects) throw new OriginRefusedError(`origin ${first.host} redirected more than ${this.maxRedirects} times`, url);
        url = next.href;
        if (res.status === 303 || ((res.status === 301 || res.status === 302) && init.method === 'POST')) init = { ...init, method: 'GET', body: null };
      }
    }) as typeof fetch;
  }

  private blockedWhat(address: string, family: 'ipv4' | 'ipv6'): string | null {
    for (const b of this.blocked) if (b.list.check(address, family)) return b.what;
    return null;
  }

  private async lookupWithin(host: string, url: string, signal?: AbortSignal): Promise<Array<{ address: string; family: number }>> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new OriginRefusedError(`origin host ${host} did not resolve within ${this.dnsTimeoutMs} ms`, url)), this.dnsTimeoutMs);
    });
    const aborted = signal
      ? new Promise<never>((_, reject) => {
          if (signal.aborted) reject(signal.reason);
          signal.addEventListener('abort', () => reject(signal.reason), { once: true });
        })
      : null;
    try {
      return await Promise.race([this.resolveHost(host), timeout, ...(aborted ? [aborted] : [])]);
    } catch (e) {
      if (e instanceof OriginRefusedError || signal?.aborted) throw e;
      throw new OriginRefusedError(`origin host ${host} does not resolve (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`, url);
    } finally {
      clearTimeout(timer);
    }
  }

  /** One request to the vetted address (TLS still checks the host name). */
  private send(v: { url: URL; address: string; family: 4 | 6 }, init: RequestInit): Promise<Response> {
    const headers: Record<string, string> = {};
    new Headers(init.headers).forEach((value, key) => {
      if (key !== 'authorization' && key !== 'cookie') headers[key] = value;
    });
    const token = this.tokens[v.url.host.toLowerCase()];
    if (token && v.url.protocol === 'https:') headers.authorization = `Bearer ${token}`;
    const body = init.body instanceof Uint8Array ? init.body : typeof init.body === 'string' ? Buffer.from(init.body) : undefined;
    if (body) headers['content-length'] = String(body.length);
    const request = v.url.protocol === 'https:' ? httpsRequest : httpRequest;
    return new Promise((resolve, reject) => {
      const req = request(
        v.url,
        {
          method: init.method ?? 'GET',
          headers,
          signal: init.signal ?? undefined,
          // Pin the connection to the address that was vetted (a second DNS answer could point inside).
          lookup: ((_host: string, opts: { all?: boolean }, cb: (...args: unknown[]) => void) => {
            if (opts?.all) cb(null, [{ address: v.address, family: v.family }]);
            else cb(null, v.address, v.family);
          }) as never,
        },
        (res: IncomingMessage) => {
          const status = res.statusCode ?? 502;
          const h = new Headers();
          for (const [k, val] of Object.entries(res.headers)) {
            if (val === undefined) continue;
            for (const one of Array.isArray(val) ? val : [val]) h.append(k, one);
          }
          const nullBody = status === 204 || status === 304 || (init.method ?? 'GET') === 'HEAD';
          if (nullBody) res.resume();
          resolve(new Response(nullBody ? null : (Readable.toWeb(res) as ReadableStream), { status, headers: h }));
        },
      );
      req.on('error', reject);
      req.end(body);
    });
  }
}

function withUrl(res: Response, url: string): Response {
  Object.defineProperty(res, 'url', { value: url });
  return res;
}

type AllowEntry = { kind: 'name'; name: string } | { kind: 'net'; address: string; prefix: number; family: 'ipv4' | 'ipv6' };

/** `host`, `host:port`, `a.b.c.d`, `a.b.c.d/n`, `::1`, `fd00::/8`. */
export function parseAllowEntry(raw: string): AllowEntry {
  const [addr, bits] = raw.split('/');
  const v = isIP(addr!.replace(/^\[|\]$/g, ''));
  if (v) {
    const family = v === 6 ? 'ipv6' : 'ipv4';
    const max = v === 6 ? 128 : 32;
    const prefix = bits === undefined ? max : Number(bits);
    if (!Number.isInteger(prefix) || prefix < 0 || prefix > max) throw new Error(`"${raw}" is not a CIDR (prefix 0..${max})`);
    return { kind: 'net', address: addr!.replace(/^\[|\]$/g, ''), prefix, family };
  }
  if (bits !== undefined || !/^[A-Za-z0-9.-]+(:\d+)?$/.test(raw)) throw new Error(`"${raw}" is neither a host name nor an address or CIDR`);
  return { kind: 'name', name: raw.toLowerCase() };
}

/**
 * Git's smart HTTP protocol, version 2, for one repository URL: the capability advertisement, `ls-refs`
 * (through isomorphic-git's listServerRefs) and a shallow `fetch` of chosen commits whose packfile is
 * capped in bytes (the HTTP layer), objects and inflated size (pack.ts), and time (the HTTP bounds).
 * Every request goes through the caller's HttpClient, whose fetch is the SSRF guard's.
 */
import * as git from 'isomorphic-git';
import { HttpError, type HttpClient } from '../http.js';
import { oneLine } from '../plain-text.js';
import { PackStore, type PackLimits } from './pack.js';

/** The server answered that it does not have an object that was asked for. */
export class UnknownObjectError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UnknownObjectError';
  }
}

/** The git server broke the protocol or reported an error. */
export class GitProtocolError extends Error {
  constructor(
    message: string,
    readonly url: string,
  ) {
    super(oneLine(message, 300));
    this.name = 'GitProtocolError';
  }
}

/** One ref from ls-refs. */
export interface RemoteRef {
  ref: string;
  oid: string;
  /** For an annotated tag: the object it finally points at. */
  peeled?: string;
  /** For a symbolic ref (HEAD): its target. */
  target?: string;
}

export interface SmartHttpOptions {
  http: HttpClient;
  /** Largest pack accepted, in bytes (compressed). */
  maxPackBytes: number;
  limits: PackLimits;
  signal?: AbortSignal;
}

/** What a fetch asks for. */
export interface FetchRequest {
  wants: string[];
  /** Commits of history to include (1 = only the wanted commits). */
  deepen: number;
  /** Ask for commits only (`filter tree:0`), when the server supports filters. */
  commitsOnly?: boolean;
}

/** A git smart-HTTP v2 client for one repository URL. */
export class SmartHttpRepo {
  private caps: Promise<Set<string>> | null = null;

  constructor(
    readonly url: string,
    private readonly opts: SmartHttpOptions,
  ) {}

  /** The server's protocol v2 capabilities (`fetch=shallow filter` becomes `fetch`, `fetch:shallow`, `fetch:filter`). */
  capabilities(signal?: AbortSignal): Promise<Set<string>> {
    this.caps ??= (async () => {
      const res = await this.opts.http.get(`${this.url}/info/refs?service=git-upload-pack`, {
        headers: { 'git-protocol': 'version=2' },
        maxBytes: 1 << 20,
        signal: signal ?? this.opts.signal,
      });
      const caps = new Set<string>();
      let v2 = false;
      for (const line of pktLines(res.body, this.url)) {
        if (line.kind !== 'data') continue;
        const text = line.data.toString('utf8').replace(/\n$/, '');
        if (text === 'version 2') v2 = true;
        const [name, value] = text.split('=', 2);
        caps.add(name!);
        for (const sub of (value ?? '').split(' ').filter(Boolean)) caps.add(`${name}:${sub}`);
      }
      if (!v2) throw new GitProtocolError(`${this.url} does not speak git protocol version 2`, this.url);
      return caps;
    })();
    this.caps.catch(() => (this.caps = null));
    return this.caps;
  }

  /** `ls-refs` with a prefix (peeled tags, symrefs), through isomorphic-git. */
  async lsRefs(prefix: string, signal?: AbortSignal): Promise<RemoteRef[]> {
    const refs = await git.listServerRefs({ http: this.plugin(signal), url: this.url, protocolVersion: 2, prefix, peelTags: true, symrefs: true });
    return refs.map((r) => ({ ref: r.ref, oid: r.oid, ...(r.peeled ? { peeled: r.peeled } : {}), ...(r.target ? { target: r.target } : {}) }));
  }

  /** A shallow fetch of the wanted commits: their pack, checked and indexed. */
  async fetch(req: FetchRequest, signal?: AbortSignal): Promise<{ store: PackStore; shallow: Set<string> }> {
    const caps = await this.capabilities(signal);
    if (!caps.has('fetch')) throw new GitProtocolError(`${this.url} does not offer the fetch command`, this.url);
    const args = ['no-progress', 'ofs-delta'];
    if (caps.has('fetch:shallow')) args.push(`deepen ${req.deepen}`);
    else if (req.deepen !== 1) throw new GitProtocolError(`${this.url} does not support shallow fetches`, this.url);
    if (req.commitsOnly && caps.has('fetch:filter')) args.push('filter tree:0');
    for (const w of req.wants) args.push(`want ${w}`);
    args.push('done');
    const body = Buffer.concat([pkt('command=fetch\n'), pkt('agent=modwarden\n'), Buffer.from('0001'), ...args.map((a) => pkt(`${a}\n`)), Buffer.from('0000')]);
    let res;
    try {
      res = await this.opts.http.get(`${this.url}/git-upload-pack`, {
        post: { body, contentType: 'application/x-git-upload-pack-request' },
        headers: { 'git-protocol': 'version=2', accept: 'application/x-git-upload-pack-result' },
        maxBytes: this.opts.maxPackBytes,
        retries: 0,
        signal: signal ?? this.opts.signal,
      });
    } catch (e) {
      // git http-backend answers an unknown want with an ERR packet, some servers with a 4xx/5xx whose body says so.
      if (e instanceof HttpError && /not our ref|not found|unadvertised/i.test(e.body)) throw new UnknownObjectError(`${this.url} does not have ${req.wants.join(', ')}`);
      throw e;
    }
    const shallow = new Set<string>();
    const packParts: Buffer[] = [];
    let inPack = false;
    for (const line of pktLines(res.body, this.url)) {
      if (line.kind !== 'data') continue;
      if (!inPack) {
        const text = line.data.toString('utf8').replace(/\n$/, '');
        if (text.startsWith('ERR ')) throw errorOf(text.slice(4), this.url, req.wants);
        if (text.startsWith('shallow ')) shallow.add(text.slice(8));
        if (text === 'packfile') inPack = true;
        continue;
      }
      const band = line.data[0];
      if (band === 1) packParts.push(line.data.subarray(1));
      else if (band === 3) throw errorOf(line.data.subarray(1).toString('utf8'), this.url, req.wants);
    }
    if (!inPack) throw new GitProtocolError(`${this.url} answered the fetch without a packfile`, this.url);
    return { store: await PackStore.open(Buffer.concat(packParts), this.opts.limits), shallow };
  }

  /** isomorphic-git's HTTP plugin over our HttpClient (caps, time bounds, the SSRF guard). */
  private plugin(signal?: AbortSignal): git.HttpClient {
    const http = this.opts.http;
    const sig = signal ?? this.opts.signal;
    return {
      async request({ url, method, headers, body }) {
        const chunks: Uint8Array[] = [];
        if (body) for await (const c of body as AsyncIterable<Uint8Array>) chunks.push(c);
        const h = { ...(headers ?? {}) };
        const contentType = h['content-type'] ?? 'application/octet-stream';
        delete h['content-type'];
        const res = await http.get(url, {
          headers: h,
          maxBytes: 4 << 20,
          ...(method === 'POST' ? { post: { body: Buffer.concat(chunks), contentType } } : {}),
          ...(sig ? { signal: sig } : {}),
        });
        const out: Record<string, string> = {};
        res.headers.forEach((v, k) => (out[k] = v));
        return { url: res.url, method, statusCode: res.status, statusMessage: 'OK', headers: out, body: once(res.body) };
      },
    };
  }
}

function errorOf(text: string, url: string, wants: string[]): Error {
  if (/not our ref|unknown object|not found|no such/i.test(text)) return new UnknownObjectError(`${url} does not have ${wants.join(', ')}: ${oneLine(text, 200)}`);
  return new GitProtocolError(`${url}: ${text}`, url);
}

async function* once(b: Buffer): AsyncIterableIterator<Uint8Array> {
  yield b;
}

/** One pkt-line with its 4-hex-digit length prefix. */
export function pkt(text: string): Buffer {
  const data = Buffer.from(text);
  return Buffer.concat([Buffer.from((data.length + 4).toString(16).padStart(4, '0')), data]);
}

type PktLine = { kind: 'flush' | 'delim' | 'end' } | { kind: 'data'; data: Buffer };

/** Splits a body into pkt-lines; a malformed length is a protocol error. */
export function* pktLines(body: Buffer, url: string): Generator<PktLine> {
  let pos = 0;
  while (pos < body.length) {
    const head = body.toString('latin1', pos, pos + 4);
    if (!/^[0-9a-f]{4}$/.test(head)) throw new GitProtocolError(`${url} sent a malformed pkt-line`, url);
    const len = parseInt(head, 16);
    if (len === 0) yield { kind: 'flush' };
    else if (len === 1) yield { kind: 'delim' };
    else if (len === 2) yield { kind: 'end' };
    else if (len < 4 || pos + len > body.length) throw new GitProtocolError(`${url} sent a truncated pkt-line`, url);
    else yield { kind: 'data', data: body.subarray(pos + 4, pos + len) };
    pos += len < 4 ? 4 : len;
  }
}

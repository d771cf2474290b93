/**
 * Downloaded files (module zips, origin tarballs) kept on disk by an immutable key (`module@version`,
 * a commit id), bounded in bytes. Readers hold a lease: eviction takes a file out of the cache at once
 * but deletes it only when its last lease is released, so a read in progress never loses its file.
 */
import { rmSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { LRUCache } from 'lru-cache';
import { Inflight } from './inflight.js';
import { AbortedError } from './http.js';

/** Default byte budget of the on-disk cache (MODWARDEN_DISK_CACHE_BYTES). */
export const DEFAULT_DISK_CACHE_BYTES = 2 * 1024 ** 3;
/** A lease nobody releases ends by itself after this long (callers of the older `zip()` API never release). */
export const DEFAULT_LEASE_TTL_MS = 15 * 60_000;

/** What a loader produced: a file and its size, plus anything the caller wants kept with it. */
export interface CachedFile {
  file: string;
  size: number;
}

/** A cached value held open; `release()` (idempotent) lets eviction delete the file. */
export type Leased<T extends CachedFile> = T & { release(): void };

/** Options of {@link FileCache}. */
export interface FileCacheOptions {
  /** Directory for the files (default: a fresh one under the OS temp dir, removed by close() or at exit). */
  dir?: string;
  /** Byte budget of the files kept for reuse; 0 keeps nothing once released (default 2 GiB). */
  maxBytes?: number;
  /** Longest a lease lasts without release() (default 15 min). */
  leaseTtlMs?: number;
}

interface Entry<T extends CachedFile> {
  value: T;
  refs: number;
  /** Out of the cache: delete the file when the last lease goes. */
  evicted: boolean;
  deleted: boolean;
}

/** Temp directories to remove when the process exits (one listener for all caches). */
const ownedDirs = new Set<string>();
let exitHook = false;

/** Byte-bounded, reference-counted file cache; see the module comment. */
export class FileCache {
  readonly maxBytes: number;
  private readonly lru: LRUCache<string, Entry<CachedFile>> | null;
  private readonly inflight = new Inflight<string, Entry<CachedFile>>();
  private readonly leaseTtlMs: number;
  private readonly ownsDir: boolean;
  private dir: Promise<string> | undefined;
  private readonly live = new Set<Entry<CachedFile>>();

  constructor(opts: FileCacheOptions = {}) {
    this.maxBytes = opts.maxBytes ?? DEFAULT_DISK_CACHE_BYTES;
    this.leaseTtlMs = opts.leaseTtlMs ?? DEFAULT_LEASE_TTL_MS;
    this.ownsDir = opts.dir === undefined;
    if (opts.dir !== undefined) this.dir = Promise.resolve(opts.dir);
    this.lru =
      this.maxBytes > 0
        ? new LRUCache<string, Entry<CachedFile>>({
            maxSize: this.maxBytes,
            sizeCalculation: (e) => Math.max(1, e.value.size),
            dispose: (e) => this.evict(e),
          })
        : null;
  }

  /**
   * A lease on the file for `key`: from the cache, or joined to a load in flight, or made by `load`,
   * which must write `dest` and return it with its size. `name` is a readable hint for the file name.
   */
  async acquire<T extends CachedFile>(
    key: string,
    name: string,
    load: (dest: string, signal: AbortSignal) => Promise<T>,
    signal?: AbortSignal,
  ): Promise<Leased<T>> {
    const hit = this.lru?.get(key);
    if (hit) return this.lease(hit) as Leased<T>;
    const entry = await this.inflight.run(
      key,
      signal,
      async (sig) => {
        const dest = join(await this.directory(), `${name.replace(/[^A-Za-z0-9._@+-]+/g, '_').slice(0, 120)}-${randomBytes(4).toString('hex')}`);
        let value: T;
        try {
          value = await load(dest, sig);
        } catch (e) {
          await rm(dest, { force: true });
          throw e;
        }
        const made: Entry<CachedFile> = { value, refs: 0, evicted: false, deleted: false };
        this.live.add(made);
        if (this.lru && value.size <= this.maxBytes) this.lru.set(key, made);
        else this.evict(made);
        return made;
      },
      (reason) => new AbortedError(key, reason),
    );
    return this.lease(entry) as Leased<T>;
  }

  /** Bytes of the files the cache keeps for reuse (leased files already evicted are not counted). */
  get cachedBytes(): number {
    return this.lru?.calculatedSize ?? 0;
  }

  /** Deletes every file, leased or not (the owner is done), and the directory when the cache made it. */
  async close(): Promise<void> {
    const entries = [...this.live];
    this.lru?.clear();
    await Promise.all(entries.map((e) => this.remove(e)));
    if (this.dir && this.ownsDir) {
      const dir = await this.dir.catch(() => undefined);
      if (dir) {
        ownedDirs.delete(dir);
        await rm(dir, { recursive: true, force: true });
      }
      this.dir = undefined;
    }
  }

  private lease(entry: Entry<CachedFile>): Leased<CachedFile> {
    entry.refs++;
    let released = false;
    const release = () => {
      if (released) return;
      released = true;
      clearTimeout(timer);
      entry.refs--;
      if (entry.refs === 0 && entry.evicted) void this.remove(entry);
    };
    const timer = setTimeout(release, this.leaseTtlMs);
    timer.unref();
    return { ...entry.value, release };
  }

  /**
   * Out of the cache. The file goes once nobody holds it; the check waits one turn of the event loop,
   * so callers that joined the load and are about to take their lease get it first.
   */
  private evict(entry: Entry<CachedFile>): void {
    entry.evicted = true;
    setImmediate(() => {
      if (entry.refs === 0) void this.remove(entry);
    });
  }

  private async remove(entry: Entry<CachedFile>): Promise<void> {
    if (entry.deleted) return;
    entry.deleted = true;
    this.live.delete(entry);
    await rm(entry.value.file, { force: true });
  }

  private directory(): Promise<string> {
    this.dir ??= mkdtemp(join(tmpdir(), 'modwarden-cache-')).then((d) => {
      ownedDirs.add(d);
      if (!exitHook) {
        exitHook = true;
        // Synchronous on purpose: 'exit' listeners cannot wait. Leaves no downloads behind in /tmp.
        process.once('exit', () => {
          for (const dir of ownedDirs) rmSync(dir, { recursive: true, force: true });
        });
      }
      return d;
    });
    return this.dir;
  }
}

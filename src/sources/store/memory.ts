/** The in-process store: the embedded default when no REDIS_URL is set (one replica, state lost on restart). */
import type { SetOptions, Store } from './store.js';

interface Entry {
  value: string;
  expiresAt: number | null;
}

/** A Map with expiry, read lazily (expired keys vanish when touched or listed). */
export class MemoryStore implements Store {
  protected readonly entries = new Map<string, Entry>();

  constructor(protected readonly now: () => number = Date.now) {}

  protected live(key: string): Entry | null {
    const e = this.entries.get(key);
    if (!e) return null;
    if (e.expiresAt !== null && e.expiresAt <= this.now()) {
      this.entries.delete(key);
      return null;
    }
    return e;
  }

  protected expiry(options?: SetOptions): number | null {
    return options?.ttlMs !== undefined ? this.now() + Math.max(1, options.ttlMs) : null;
  }

  async get(key: string): Promise<string | null> {
    return this.live(key)?.value ?? null;
  }

  async set(key: string, value: string, options?: SetOptions): Promise<void> {
    this.entries.set(key, { value, expiresAt: this.expiry(options) });
    this.changed();
  }

  async setIfAbsent(key: string, value: string, options?: SetOptions): Promise<boolean> {
    if (this.live(key)) return false;
    this.entries.set(key, { value, expiresAt: this.expiry(options) });
    this.changed();
    return true;
  }

  async delete(key: string): Promise<void> {
    if (this.entries.delete(key)) this.changed();
  }

  async deleteIf(key: string, value: string): Promise<boolean> {
    if (this.live(key)?.value !== value) return false;
    this.entries.delete(key);
    this.changed();
    return true;
  }

  async keys(prefix: string): Promise<string[]> {
    return [...this.entries.keys()].filter((k) => k.startsWith(prefix) && this.live(k) !== null).sort();
  }

  async close(): Promise<void> {}

  /** Called after every write (the file store persists here). */
  protected changed(): void {}
}

/**
 * The shared state of the app: delivery de-duplication, scan coalescing, per-head locks, caches and the
 * watch's memory of what it saw. One small key-value interface with three implementations: in-process
 * memory (the embedded default), a JSON file under a data directory (state that must survive a restart
 * without Redis), and Redis (several replicas share it). Values are strings; callers encode JSON.
 */

/** Options of a write. */
export interface SetOptions {
  /** Time to live in milliseconds; the key disappears after it. None = kept until deleted. */
  ttlMs?: number;
}

/** A key-value store with the few atomic operations replicas need to agree. */
export interface Store {
  /** The value, or null when absent or expired. */
  get(key: string): Promise<string | null>;
  /** Writes a value. */
  set(key: string, value: string, options?: SetOptions): Promise<void>;
  /** Writes only when the key is absent; true when this call wrote it (de-duplication, locks). */
  setIfAbsent(key: string, value: string, options?: SetOptions): Promise<boolean>;
  /** Removes a key (no error when absent). */
  delete(key: string): Promise<void>;
  /** Removes the key only if it holds `value` (releasing a lock we own); true when removed. */
  deleteIf(key: string, value: string): Promise<boolean>;
  /** Keys starting with `prefix` (small key spaces only: watch state, sweeps). */
  keys(prefix: string): Promise<string[]>;
  /** Releases connections and flushes pending writes. */
  close(): Promise<void>;
}

/** Reads a JSON value written by `setJson` (null when absent or unreadable). */
export async function getJson<T>(store: Store, key: string): Promise<T | null> {
  const raw = await store.get(key);
  if (raw === null) return null;
  try {
    return JSON.parse(raw) as T;
  } catch {
    return null;
  }
}

/** Writes a JSON value. */
export function setJson(store: Store, key: string, value: unknown, options?: SetOptions): Promise<void> {
  return store.set(key, JSON.stringify(value), options);
}

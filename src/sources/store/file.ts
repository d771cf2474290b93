/**
 * State that must survive a restart without Redis (the dependency watch's memory): the memory store,
 * persisted as one JSON file under a data directory. Writes are atomic (temporary file, fsync, rename),
 * so a crash leaves the previous state or the new one, never half of either.
 */
import { closeSync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, writeSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { MemoryStore } from './memory.js';

interface FileShape {
  version: 1;
  entries: Record<string, { value: string; expiresAt: number | null }>;
}

/** A MemoryStore loaded from and saved to `<dir>/<name>.json`. */
export class FileStore extends MemoryStore {
  readonly path: string;
  private pending: NodeJS.Timeout | null = null;

  constructor(dir: string, name = 'state', now: () => number = Date.now, private readonly flushDelayMs = 50) {
    super(now);
    this.path = join(dir, `${name}.json`);
    mkdirSync(dirname(this.path), { recursive: true });
    this.load();
  }

  private load(): void {
    let text: string;
    try {
      text = readFileSync(this.path, 'utf8');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return;
      throw e;
    }
    const data = JSON.parse(text) as FileShape;
    if (data.version !== 1 || typeof data.entries !== 'object') throw new Error(`${this.path}: not a ModWarden state file`);
    for (const [k, e] of Object.entries(data.entries)) this.entries.set(k, e);
  }

  protected override changed(): void {
    // Bursts of writes are saved once; close() saves whatever is pending.
    if (this.pending) return;
    this.pending = setTimeout(() => this.flush(), this.flushDelayMs);
    this.pending.unref?.();
  }

  /** Writes the state now (atomically). */
  flush(): void {
    if (this.pending) clearTimeout(this.pending);
    this.pending = null;
    const now = this.now();
    const entries: FileShape['entries'] = {};
    for (const [k, e] of this.entries) if (e.expiresAt === null || e.expiresAt > now) entries[k] = e;
    const tmp = `${this.path}.${process.pid}.tmp`;
    const fd = openSync(tmp, 'w', 0o600);
    try {
      writeSync(fd, JSON.stringify({ version: 1, entries } satisfies FileShape));
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, this.path);
  }

  override async close(): Promise<void> {
    if (this.pending) this.flush();
  }
}

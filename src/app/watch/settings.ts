/**
 * The operator's settings of the watch, from the environment (validated with zod, one message per bad value):
 *   MODWARDEN_WATCH_INTERVAL  how often pinned modules are re-verified: `24h` (default), `6h`, `90m`, or `off`
 *   MODWARDEN_DATA_DIR        where the watch state file lives without Redis (default `./.modwarden`)
 *   REDIS_URL                 when set, the watch state lives in Redis (shared with the job queue)
 *   MODWARDEN_WATCH_CONCURRENCY  repositories audited at once (default 4)
 */
import { z } from 'zod';
import { ConfigError } from '../../config/errors.js';

export interface WatchSettings {
  /** Null = no scheduled re-verification (baseline audits still run). */
  intervalMs: number | null;
  dataDir: string;
  redisUrl: string | null;
  concurrency: number;
}

const UNIT_MS: Record<string, number> = { m: 60_000, h: 3_600_000, d: 86_400_000 };

/** `24h` / `90m` / `2d` / `off` -> milliseconds (null for off). */
export function parseInterval(text: string): number | null {
  const t = text.trim().toLowerCase();
  if (t === 'off' || t === 'false' || t === '0') return null;
  const m = /^(\d+)\s*([mhd])$/.exec(t);
  if (!m) throw new Error(`expected a duration such as 24h, 6h, 90m, 2d, or off; got "${text}"`);
  const ms = Number(m[1]) * UNIT_MS[m[2]!]!;
  if (ms < 15 * 60_000) throw new Error(`at least 15m, so the installation's API budget is not spent on re-checks; got "${text}"`);
  return ms;
}

const schema = z.object({
  MODWARDEN_WATCH_INTERVAL: z.string().optional(),
  MODWARDEN_DATA_DIR: z.string().min(1).optional(),
  REDIS_URL: z.string().url().optional(),
  MODWARDEN_WATCH_CONCURRENCY: z.coerce.number().int().min(1).max(64).optional(),
});

/** Reads the watch settings; throws ConfigError naming every bad variable. */
export function loadWatchSettings(env: NodeJS.ProcessEnv): WatchSettings {
  const problems: string[] = [];
  const parsed = schema.safeParse(Object.fromEntries(Object.entries(env).filter(([k, v]) => k in schema.shape && v !== ''))) ;
  if (!parsed.success) for (const i of parsed.error.issues) problems.push(`${String(i.path[0])}: ${i.message}`);
  let intervalMs: number | null = 24 * 3_600_000;
  if (env.MODWARDEN_WATCH_INTERVAL) {
    try {
      intervalMs = parseInterval(env.MODWARDEN_WATCH_INTERVAL);
    } catch (e) {
      problems.push(`MODWARDEN_WATCH_INTERVAL: ${(e as Error).message}`);
    }
  }
  if (problems.length || !parsed.success) throw new ConfigError('environment', problems);
  return {
    intervalMs,
    dataDir: parsed.data.MODWARDEN_DATA_DIR ?? '.modwarden',
    redisUrl: parsed.data.REDIS_URL ?? null,
    concurrency: parsed.data.MODWARDEN_WATCH_CONCURRENCY ?? 4,
  };
}

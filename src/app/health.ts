/**
 * Operations endpoints on the app's own HTTP server (Probot's addHandler): `GET /healthz` (queue kind and
 * depth, Redis reachability; 503 when Redis is unreachable) and `GET /metrics` (Prometheus text).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Metrics } from './metrics.js';
import type { QueueDepth } from './queue.js';

export interface HealthSources {
  queueKind: 'in-process' | 'redis';
  depth(): Promise<QueueDepth>;
  /** Redis answers, or null when the app runs without Redis. */
  redisReachable: (() => Promise<boolean>) | null;
  metrics: Metrics;
}

/** The health report (also what `/healthz` sends). */
export async function healthReport(s: HealthSources): Promise<{ ok: boolean; body: Record<string, unknown> }> {
  const redis = s.redisReachable ? ((await s.redisReachable().catch(() => false)) ? 'reachable' : 'unreachable') : 'not used';
  let depth: QueueDepth | null = null;
  try {
    depth = await s.depth();
  } catch {
    depth = null;
  }
  const ok = redis !== 'unreachable' && depth !== null;
  return { ok, body: { status: ok ? 'ok' : 'degraded', queue: s.queueKind, waiting: depth?.waiting ?? null, active: depth?.active ?? null, redis } };
}

/** A Probot handler answering `/healthz` and `/metrics`; false for every other request. */
export function opsHandler(s: HealthSources) {
  return async (req: IncomingMessage, res: ServerResponse): Promise<boolean> => {
    const path = (req.url ?? '/').split('?')[0];
    if (req.method !== 'GET' || (path !== '/healthz' && path !== '/metrics')) return false;
    if (path === '/metrics') {
      const text = await s.metrics.text();
      res.writeHead(200, { 'content-type': s.metrics.contentType });
      res.end(text);
      return true;
    }
    const { ok, body } = await healthReport(s);
    res.writeHead(ok ? 200 : 503, { 'content-type': 'application/json' });
    res.end(JSON.stringify(body));
    return true;
  };
}

/**
 * Prometheus metrics of the app (prom-client), in a registry of their own so two services in one process
 * (tests) do not collide: queue wait, scan time, outcomes, scan requests by decision, and the queue depth
 * read when scraped.
 */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { QueueDepth } from './queue.js';

export interface Metrics {
  readonly registry: Registry;
  /** Seconds from recording a job to a worker starting it. */
  readonly queueWait: Histogram<string>;
  /** Seconds a worker spent on a job (lock to completion and review). */
  readonly scanSeconds: Histogram<string>;
  /** Finished jobs by outcome: success, failure, neutral, timeout, error, dropped. */
  readonly outcomes: Counter<'outcome'>;
  /** Scan requests by decision: started, coalesced, rerun-scheduled, duplicate. */
  readonly requests: Counter<'decision'>;
  /** Prometheus text of every metric. */
  text(): Promise<string>;
  readonly contentType: string;
}

const SECONDS = [0.01, 0.05, 0.1, 0.5, 1, 5, 15, 30, 60, 120, 300, 600, 1200];

/** Creates the metrics; `depth` is read at scrape time; `processMetrics` adds Node's default ones. */
export function createMetrics(depth: () => Promise<QueueDepth>, options: { processMetrics?: boolean } = {}): Metrics {
  const registry = new Registry();
  if (options.processMetrics) collectDefaultMetrics({ register: registry, prefix: 'modwarden_' });
  const queueWait = new Histogram({ name: 'modwarden_queue_wait_seconds', help: 'Time a scan job waited in the queue before a worker started it', buckets: SECONDS, registers: [registry] });
  const scanSeconds = new Histogram({ name: 'modwarden_scan_seconds', help: 'Time a worker spent on a scan job, check run completion and review included', buckets: SECONDS, registers: [registry] });
  const outcomes = new Counter({ name: 'modwarden_scan_outcomes_total', help: 'Finished scan jobs by outcome (check run conclusion, timeout, error, dropped)', labelNames: ['outcome'] as const, registers: [registry] });
  const requests = new Counter({ name: 'modwarden_scan_requests_total', help: 'Scan requests by decision (started, coalesced, rerun-scheduled, duplicate)', labelNames: ['decision'] as const, registers: [registry] });
  new Gauge({
    name: 'modwarden_queue_jobs',
    help: 'Scan jobs in the queue by state (waiting, active)',
    labelNames: ['state'] as const,
    registers: [registry],
    async collect() {
      try {
        const d = await depth();
        this.set({ state: 'waiting' }, d.waiting);
        this.set({ state: 'active' }, d.active);
      } catch {
        /* the queue is unreachable: the health endpoint says so */
      }
    },
  });
  return { registry, queueWait, scanSeconds, outcomes, requests, text: () => registry.metrics(), contentType: registry.contentType };
}

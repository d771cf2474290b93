/**
 * A scan job as the webhook handler records it: plain data (JSON), so it can wait in Redis and be run by
 * any replica. The worker authenticates as the installation and does every GitHub call itself.
 */
import type { PullTarget } from './github.js';

/** Why a scan was asked for (for logs and the rescan reactions). */
export type Trigger = 'pull_request' | 'check_suite' | 'check_run' | 'rescan' | 'ignore' | 'recovery';

/** One recorded scan request. */
export interface ScanJobData {
  /** Unique per recorded job (also the queue's job id and the head lock's value). */
  id: string;
  /** `owner/repo#number@headSha`: what coalescing, locks and "scanned recently" are keyed by. */
  key: string;
  /** The installation to act as; null when the app runs with a plain token (tests, benchmarks). */
  installationId: number | null;
  target: PullTarget;
  force: boolean;
  trigger: Trigger;
  /** X-GitHub-Delivery of the event that asked for it (logs). */
  deliveryId: string | null;
  /** A `/rescan` or `/ignore` comment to react to when the scan ends (rocket or confused). */
  reactTo: { commentId: number } | null;
  /** A check run to complete instead of creating one (crash recovery re-runs a run left in progress). */
  checkRunId: number | null;
  /** When the job was recorded (ms since the epoch): the queue wait metric. */
  enqueuedAt: number;
}

/** The key of a PR head. */
export function headKey(t: Pick<PullTarget, 'owner' | 'repo' | 'number' | 'headSha'>): string {
  return `${t.owner}/${t.repo}#${t.number}@${t.headSha}`;
}

/** What happened to a scan request. */
export type Decision = 'started' | 'coalesced' | 'rerun-scheduled' | 'duplicate';

/**
 * Crash recovery: check runs a job created and never completed (the process died, the replica was killed
 * twice) are listed in the Store under `inflight:<check run id>`. At start-up (and with Redis, on every
 * replica's start, so a dead replica's runs are found by the living ones) each such run older than the
 * scan deadline and not locked by a live job is re-queued once, completing the same check run; a run that
 * was already a recovery re-run is completed as interrupted, asking for /rescan. Without Redis the Store is
 * in memory, so only runs of this process's lifetime are found.
 */
import { INFLIGHT, type InflightRun, type ModWardenService } from './service.js';

export interface SweepReport {
  requeued: number;
  interrupted: number;
  skipped: number;
}

export async function sweepInterrupted(service: ModWardenService, now = Date.now()): Promise<SweepReport> {
  const report: SweepReport = { requeued: 0, interrupted: 0, skipped: 0 };
  for (const key of await service.store.keys(INFLIGHT)) {
    const raw = await service.store.get(key);
    if (raw === null) continue;
    let run: InflightRun;
    try {
      run = JSON.parse(raw) as InflightRun;
    } catch {
      await service.store.delete(key);
      continue;
    }
    const locked = (await service.store.get(`running:${run.key}`)) !== null;
    if (locked || now - run.startedAt < service.scanDeadlineMs) {
      report.skipped++;
      continue;
    }
    // Only one replica handles a run: whoever deletes the entry first.
    if (!(await service.store.deleteIf(key, raw))) continue;
    if (run.recovered) {
      await service.completeInterrupted(run);
      report.interrupted++;
    } else {
      await service.requestScan({ target: run.target, installationId: run.installationId, force: true, trigger: 'recovery', checkRunId: run.checkRunId });
      report.requeued++;
    }
  }
  return report;
}

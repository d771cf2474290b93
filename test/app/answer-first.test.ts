/**
 * Answer first: a webhook handler records a job and answers; no GitHub call (not even authentication)
 * happens before the answer. The worker side then creates and completes the check run.
 */
import nock from 'nock';
import { ModWardenService } from '../../src/app/service.js';
import type { ScanJobData } from '../../src/app/jobs.js';
import type { JobRunner, QueueDepth, ScanQueue } from '../../src/app/queue.js';
import { HEAD, BASE, checksWith, payload, startApp, stopApps } from './harness.js';

const quiet = { info() {}, warn() {}, error() {}, debug() {} };

/** A queue that only records what it is given (the worker never runs). */
class RecordingQueue implements ScanQueue {
  readonly kind = 'in-process' as const;
  readonly jobs: ScanJobData[] = [];
  async add(job: ScanJobData) {
    this.jobs.push(job);
  }
  start(_runner: JobRunner) {}
  async depth(): Promise<QueueDepth> {
    return { waiting: this.jobs.length, active: 0 };
  }
  async idle() {}
  async close() {}
}

afterEach(async () => {
  await stopApps();
  nock.cleanAll();
  nock.enableNetConnect();
});

describe('answer first', () => {
  it('requestScan records the job with everything the worker needs, and calls nothing', async () => {
    const queue = new RecordingQueue();
    let authCalls = 0;
    const service = new ModWardenService({
      scanDeps: { checks: checksWith({}) },
      jobConcurrency: 1,
      log: quiet,
      auth: async () => {
        authCalls++;
        throw new Error('no GitHub call before the answer');
      },
      queue,
    });
    const target = { owner: 'acme', repo: 'service', number: 2, headSha: HEAD, baseSha: BASE, author: 'octocat' };
    expect(await service.requestScan({ target, installationId: 7, force: false, trigger: 'pull_request', deliveryId: 'd-1' })).toBe('started');
    expect(await service.requestScan({ target, installationId: 7, force: false, trigger: 'check_suite', deliveryId: 'd-2' })).toBe('coalesced');
    expect(authCalls).toBe(0);
    expect(queue.jobs).toEqual([
      expect.objectContaining({ key: `acme/service#2@${HEAD}`, installationId: 7, target, force: false, trigger: 'pull_request', deliveryId: 'd-1', reactTo: null, checkRunId: null }),
    ]);
    // Jobs are plain data: what a Redis queue stores is what the worker gets back.
    expect(JSON.parse(JSON.stringify(queue.jobs[0]))).toEqual(queue.jobs[0]);
  });

  it('a pull_request delivery is answered with no request to GitHub; the worker makes them afterwards', async () => {
    nock.disableNetConnect();
    const seen: string[] = [];
    const listener = (req: { method: string; path: string }) => seen.push(`${req.method} ${req.path}`);
    nock.emitter.on('no match', listener);
    const { probot, service } = await startApp({ checks: checksWith({}) });
    let started = false;
    // Hold the worker back until the answer is in, to see what the handler alone did.
    let open!: () => void;
    const gate = new Promise<void>((r) => (open = r));
    const runJob = service.runJob.bind(service);
    service.runJob = async (job) => {
      await gate;
      started = true;
      return runJob(job);
    };
    await probot.receive({ id: 'af-1', name: 'pull_request', payload: payload('pull_request.opened') });
    const atAnswer = [...seen];
    open();
    await service.idle();
    nock.emitter.removeListener('no match', listener);
    expect(atAnswer).toEqual([]);
    expect(started).toBe(true);
    // The worker then talked to GitHub (here refused by nock: the scan broke, and it tried to say so).
    expect(seen.some((r) => r.startsWith('POST /repos/acme/service/check-runs'))).toBe(true);
  });
});

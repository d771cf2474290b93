/**
 * The Probot entry. Handlers validate, pull the inputs out of the payload and record a job through
 * ModWardenService, then answer: no GitHub call before the answer on pull_request and check_suite
 * events. Workers (this process, or any replica sharing REDIS_URL) create and complete the check runs.
 */
import type { ApplicationFunction, ApplicationFunctionOptions, Context, Probot } from 'probot';
import { ConfigError } from '../config/errors.js';
import { loadOperatorConfig, type OperatorConfig } from '../config/operator.js';
import type { ScanDeps } from '../engine/scan.js';
import { MemoryStore } from '../sources/store/memory.js';
import { RedisStore } from '../sources/store/redis.js';
import type { Store } from '../sources/store/store.js';
import { parseCommand } from './commands.js';
import type { CoordinationTimes } from './coordination.js';
import type { Octokit } from './github.js';
import { opsHandler } from './health.js';
import { createMetrics } from './metrics.js';
import { LocalQueue, type ScanQueue } from './queue.js';
import { RedisQueue } from './redis-queue.js';
import { sweepInterrupted } from './recovery.js';
import { withSharedVerdicts } from './verdict-cache.js';
import { ModWardenService } from './service.js';
import { registerWatchHandlers, type WatchAppOptions } from './watch/handlers.js';

/** Options for tests and embedders; by default everything comes from the environment. */
export interface AppOptions {
  env?: NodeJS.ProcessEnv;
  /** Already-validated operator settings (skips reading env). */
  operator?: OperatorConfig;
  /** The engine's dependencies (default: real GOPROXY / sumdb / GitHub clients from the operator settings). */
  scanDeps?: ScanDeps;
  /** Receives the service once created (tests wait on `service.idle()`). */
  onService?: (service: ModWardenService) => void;
  /** Print a bad environment as one line per problem and exit 1 (for `probot run`), instead of throwing. */
  exitOnConfigError?: boolean;
  /** On SIGTERM (docker stop), let running scans finish their check runs before exiting (for `probot run`). */
  drainOnSigterm?: boolean;
  /** The dependency watch (store, queue, checks, schedule); by default from the environment. */
  watch?: WatchAppOptions;
  /** Redis queue tuning (tests shorten the job lock so a killed replica's job moves on quickly). */
  redisQueue?: { lockDurationMs?: number; stalledIntervalMs?: number; prefix?: string; name?: string };
  /** Coordination key lifetimes (tests shorten the head lock). */
  coordination?: Partial<CoordinationTimes>;
  /** Look for check runs a crash left in progress at start-up (default true; tests call the sweep themselves). */
  sweepOnStart?: boolean;
}

/** The shared state and the queue: Redis when REDIS_URL is set, in-process otherwise. */
function createRuntime(operator: OperatorConfig, options: AppOptions, onError: (e: unknown) => void): { store: Store; queue: ScanQueue; ping: (() => Promise<boolean>) | null } {
  if (!operator.redisUrl) return { store: new MemoryStore(), queue: new LocalQueue(operator.jobConcurrency, onError), ping: null };
  const prefix = options.redisQueue?.prefix ?? 'modwarden';
  const store = new RedisStore(operator.redisUrl, { prefix: `${prefix}:state:` });
  const queue = new RedisQueue({ url: operator.redisUrl, concurrency: operator.jobConcurrency, prefix, name: options.redisQueue?.name, lockDurationMs: options.redisQueue?.lockDurationMs, stalledIntervalMs: options.redisQueue?.stalledIntervalMs, onError });
  return { store, queue, ping: async () => (await store.redis.ping()) === 'PONG' };
}


/** How long a SIGTERM waits for running scans (docker stop's default grace period is 10 s). */
const DRAIN_MS = 9000;

function operatorOrExit(options: AppOptions): OperatorConfig {
  try {
    return options.operator ?? loadOperatorConfig(options.env ?? process.env);
  } catch (e) {
    if (!(e instanceof ConfigError) || !options.exitOnConfigError) throw e;
    process.stderr.write(`modwarden: the environment is not usable:\n${e.problems.map((p) => `  - ${p}`).join('\n')}\nSee .env.example for every variable.\n`);
    process.exit(1);
  }
}

/** Builds the Probot application function. */
export function createApp(options: AppOptions = {}): ApplicationFunction {
  return async (app: Probot, appOptions?: ApplicationFunctionOptions) => {
    // Validated at start-up: a missing or wrong variable stops the app with one line per problem.
    const operator = operatorOrExit(options);
    // Loaded lazily: the checks pull in the typosquat corpus, which embedders with their own deps never need.
    const scanDeps = options.scanDeps ?? (await import('../engine/wiring.js')).createScanDeps(operator);
    const runtime = createRuntime(operator, options, (e) => app.log.error({ err: e }, 'scan job failed'));
    const metrics = createMetrics(() => runtime.queue.depth(), { processMetrics: !options.operator });
    const svc = new ModWardenService({
      // Verdicts per module@version are shared through the Store (all replicas with Redis).
      scanDeps: { ...scanDeps, checks: withSharedVerdicts(scanDeps.checks, runtime.store) },
      jobConcurrency: operator.jobConcurrency,
      log: app.log,
      auth: (installationId) => app.auth(installationId ?? undefined) as Promise<Octokit>,
      store: runtime.store,
      queue: runtime.queue,
      scanDeadlineMs: operator.scanDeadlineMs,
      moduleDeadlineMs: operator.moduleDeadlineMs,
      coordination: options.coordination,
      metrics,
    });
    options.onService?.(svc);
    svc.start();
    // Custom routes exist only under Probot's server (`probot run`); embedders without one skip them.
    try {
      appOptions?.addHandler?.(opsHandler({ queueKind: runtime.queue.kind, depth: () => runtime.queue.depth(), redisReachable: runtime.ping, metrics }));
    } catch {
      /* no server instance */
    }
    if (options.sweepOnStart ?? true) {
      void sweepInterrupted(svc).catch((e) => app.log.warn({ err: e }, 'crash-recovery sweep failed'));
    }
    if (options.drainOnSigterm) {
      process.once('SIGTERM', () => {
        app.log.info('SIGTERM: finishing running scans before exit');
        void Promise.race([svc.close(), new Promise((r) => setTimeout(r, DRAIN_MS).unref())]).then(() => process.exit(0));
      });
    }

    // The dependency watch (issue 14): installation events, the watch issue's commands, the schedule.
    await registerWatchHandlers(app, { operator, env: options.env ?? process.env, ...(options.watch ? { options: options.watch } : {}), embedded: options.operator !== undefined });

    const fresh = (context: Context) => svc.firstDelivery(context.id);
    const installationOf = (context: Context) => (context.payload as { installation?: { id?: number } }).installation?.id ?? null;

    app.on(['pull_request.opened', 'pull_request.synchronize', 'pull_request.reopened', 'pull_request.ready_for_review'], async (context) => {
      if (!(await fresh(context))) return;
      const { pull_request: pr, repository } = context.payload;
      await svc.requestScan({
        installationId: installationOf(context),
        deliveryId: context.id,
        target: {
          owner: repository.owner.login,
          repo: repository.name,
          number: pr.number,
          headSha: pr.head.sha,
          baseSha: pr.base.sha,
          author: pr.user?.login ?? null,
        },
        // ready_for_review / reopened ask for a fresh look at the same head.
        force: context.payload.action === 'reopened' || context.payload.action === 'ready_for_review',
        trigger: 'pull_request',
      });
    });

    /** The PRs of a check run or suite, with their commits when the payload has them. */
    const pullsOf = (list: { number: number; head?: { sha?: string }; base?: { sha?: string } }[]) =>
      list.map((p) => ({ number: p.number, headSha: p.head?.sha ?? null, baseSha: p.base?.sha ?? null }));

    app.on('check_run.rerequested', async (context) => {
      if (!(await fresh(context))) return;
      const run = context.payload.check_run;
      if (run.app && run.app.id !== Number(operator.appId)) return;
      // Fork PRs are missing from pull_requests; the external_id we set on creation names the PR.
      const pulls = pullsOf(run.pull_requests);
      const ext = /^pr:(\d+)$/.exec(run.external_id ?? '');
      if (pulls.length === 0 && ext) pulls.push({ number: Number(ext[1]), headSha: null, baseSha: null });
      const repo = context.payload.repository;
      await svc.rescanPulls({ octokit: context.octokit, owner: repo.owner.login, repo: repo.name, pulls, installationId: installationOf(context), force: true, trigger: 'check_run', deliveryId: context.id });
    });

    app.on(['check_suite.requested', 'check_suite.rerequested'], async (context) => {
      if (!(await fresh(context))) return;
      const suite = context.payload.check_suite;
      const pulls = pullsOf(suite.pull_requests ?? []);
      if (pulls.length === 0) return;
      const repo = context.payload.repository;
      // `requested` comes with every push, next to pull_request.synchronize: the coordinator drops the twin.
      await svc.rescanPulls({
        octokit: context.octokit,
        owner: repo.owner.login,
        repo: repo.name,
        pulls,
        installationId: installationOf(context),
        force: context.payload.action === 'rerequested',
        trigger: 'check_suite',
        deliveryId: context.id,
      });
    });

    app.on('issue_comment.created', async (context) => {
      if (!(await fresh(context))) return;
      const { issue, comment, repository } = context.payload;
      if (!issue.pull_request) return;
      const command = parseCommand(comment.body);
      if (!command) return;
      await svc.handleCommand({
        octokit: context.octokit,
        owner: repository.owner.login,
        repo: repository.name,
        number: issue.number,
        comment: { id: comment.id, user: comment.user?.login ?? '', userType: comment.user?.type ?? 'User' },
        command,
        installationId: installationOf(context),
        deliveryId: context.id,
      });
    });
  };
}

export default createApp({ exitOnConfigError: true, drainOnSigterm: true });

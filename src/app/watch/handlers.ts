/**
 * The watch's Probot wiring, a few lines per event: installation events queue baseline audits, removals
 * forget state, commands in the watch issue go to the service, and the schedule re-verifies.
 */
import type { Probot } from 'probot';
import { ConfigError } from '../../config/errors.js';
import type { OperatorConfig } from '../../config/operator.js';
import { MemoryStore } from '../../sources/store/memory.js';
import type { Store } from '../../sources/store/store.js';
import { parseCommand } from '../commands.js';
import type { Octokit } from '../github.js';
import { WATCH_MARKER } from '../../review/watch-issue.js';
import { InProcessWatchQueue, type WatchQueue } from './queue.js';
import { WatchSchedule } from './schedule.js';
import { WatchService, type WatchRunTools } from './service.js';
import { loadWatchSettings } from './settings.js';

/** How embedders and tests set the watch up; by default everything comes from the environment. */
export interface WatchAppOptions {
  store?: Store;
  queue?: WatchQueue;
  /** A run's checks (default: fresh real clients from the operator settings, with cheap probes). */
  startRun?: () => WatchRunTools;
  /** Re-verification interval; null = off. Default: MODWARDEN_WATCH_INTERVAL (24h). */
  intervalMs?: number | null;
  /** Receives the service and the schedule once created. */
  onWatch?: (service: WatchService, schedule: WatchSchedule | null) => void;
}

type Repo = { owner: string; repo: string };

function reposOf(list: { full_name: string }[] | undefined): Repo[] {
  return (list ?? []).map((r) => {
    const [owner, repo] = r.full_name.split('/');
    return { owner: owner!, repo: repo! };
  });
}

/** The default run tools: fresh clients per run (tags and proxy answers re-read), probes before full checks. */
function realRunTools(operator: OperatorConfig): () => Promise<WatchRunTools> {
  // Loaded on the first run: the checks pull in the typosquat corpus.
  return async () => {
    const { createClients, createScanChecks, timeBoundsOf } = await import('../../engine/wiring.js');
    const { createModuleProber } = await import('../../engine/watch-probe.js');
    const { HttpClient } = await import('../../sources/http.js');
    const clients = createClients(operator);
    // The probes get the operator's time bounds too, on a pool of their own.
    const http = new HttpClient({ concurrency: operator.concurrency, ...timeBoundsOf(operator) });
    const prober = createModuleProber({ env: clients.env, http, origin: clients.origin });
    return {
      checks: createScanChecks(clients, { cacheEntries: operator.cacheEntries }),
      probe: prober.probe,
      close: async () => {
        await prober.close();
        await clients.close?.();
      },
    };
  };
}

/** The Store of the watch: given, else Redis (REDIS_URL), else a state file under MODWARDEN_DATA_DIR. */
async function storeFor(options: WatchAppOptions, env: NodeJS.ProcessEnv, embedded: boolean): Promise<Store> {
  if (options.store) return options.store;
  if (embedded) return new MemoryStore();
  const settings = loadWatchSettings(env);
  if (settings.redisUrl) {
    const { RedisStore } = await import('../../sources/store/redis.js');
    return new RedisStore(settings.redisUrl);
  }
  const { FileStore } = await import('../../sources/store/file.js');
  try {
    const store = new FileStore(settings.dataDir, 'watch');
    // Writes are batched for 50 ms; whatever is pending when the process exits (SIGTERM drain included) is saved.
    process.once('exit', () => store.flush());
    return store;
  } catch (e) {
    throw new ConfigError('environment', [`MODWARDEN_DATA_DIR: cannot keep the watch state in ${settings.dataDir}: ${(e as Error).message}`]);
  }
}

/**
 * Registers the watch. `embedded` (operator settings handed in, as tests and embedders do) keeps state in
 * memory and runs no schedule unless `options` say otherwise.
 */
export async function registerWatchHandlers(app: Probot, deps: { operator: OperatorConfig; env: NodeJS.ProcessEnv; options?: WatchAppOptions; embedded: boolean }): Promise<WatchService> {
  const options = deps.options ?? {};
  const settings = deps.embedded ? null : loadWatchSettings(deps.env);
  const store = await storeFor(options, deps.env, deps.embedded);
  const queue = options.queue ?? new InProcessWatchQueue(settings?.concurrency ?? 4, (e, job) => app.log.error({ err: e, job }, 'watch job failed'));
  const service = new WatchService({
    store,
    queue,
    startRun: options.startRun ?? realRunTools(deps.operator),
    auth: async (id) => (await app.auth(id)) as unknown as Octokit,
    log: app.log,
    concurrency: deps.operator.concurrency,
    goprivate: deps.operator.goprivate,
  });
  const intervalMs = options.intervalMs !== undefined ? options.intervalMs : (settings?.intervalMs ?? null);
  const schedule =
    intervalMs === null
      ? null
      : new WatchSchedule({
          store,
          intervalMs,
          run: async () => {
            const { runId } = await service.scheduled();
            await service.runDone(runId);
          },
          onError: (e) => app.log.error({ err: e }, 'watch schedule failed'),
        });
  options.onWatch?.(service, schedule);
  // A run missed while the app was down runs once now; then every interval.
  if (schedule && !deps.embedded) void schedule.start();

  app.on('installation.created', async (context) => {
    const p = context.payload;
    await service.baseline(p.installation.id, reposOf(p.repositories));
  });
  app.on('installation_repositories.added', async (context) => {
    const p = context.payload;
    await service.baseline(p.installation.id, reposOf(p.repositories_added));
  });
  app.on('installation_repositories.removed', async (context) => {
    await service.forget(context.payload.installation.id, reposOf(context.payload.repositories_removed));
  });
  app.on('installation.deleted', async (context) => {
    await service.forget(context.payload.installation.id, 'all');
  });
  app.on('issue_comment.created', async (context) => {
    const { issue, comment, repository, installation } = context.payload;
    if (issue.pull_request || !installation || issue.user?.type !== 'Bot' || !(issue.body ?? '').includes(WATCH_MARKER)) return;
    const command = parseCommand(comment.body);
    if (!command) return;
    await service.handleCommand({
      octokit: context.octokit as unknown as Octokit,
      installationId: installation.id,
      owner: repository.owner.login,
      repo: repository.name,
      issueNumber: issue.number,
      comment: { id: comment.id, user: comment.user?.login ?? '', userType: comment.user?.type ?? 'User' },
      command,
    });
  });
  return service;
}

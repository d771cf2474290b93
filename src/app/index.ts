/**
 * The Probot entry. Handlers pull the inputs out of the payload and call ModWardenService; they
 * answer the webhook as soon as the check run exists (the scan runs in the background queue).
 */
import type { ApplicationFunction, Context, Probot } from 'probot';
import { ConfigError } from '../config/errors.js';
import { loadOperatorConfig, type OperatorConfig } from '../config/operator.js';
import type { ScanDeps } from '../engine/scan.js';
import { parseCommand } from './commands.js';
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

const CONFIG_FILE = 'modwarden.yml';

/** Builds the Probot application function. */
export function createApp(options: AppOptions = {}): ApplicationFunction {
  return async (app: Probot) => {
    // Validated at start-up: a missing or wrong variable stops the app with one line per problem.
    const operator = operatorOrExit(options);
    // Loaded lazily: the checks pull in the typosquat corpus, which embedders with their own deps never need.
    const scanDeps = options.scanDeps ?? (await import('../engine/wiring.js')).createScanDeps(operator);
    const service = new ModWardenService({
      scanDeps,
      jobConcurrency: operator.jobConcurrency,
      log: app.log,
    });
    options.onService?.(service);
    if (options.drainOnSigterm) {
      process.once('SIGTERM', () => {
        app.log.info('SIGTERM: finishing running scans before exit');
        void Promise.race([service.idle(), new Promise((r) => setTimeout(r, DRAIN_MS).unref())]).then(() => process.exit(0));
      });
    }

    // The dependency watch (issue 14): installation events, the watch issue's commands, the schedule.
    await registerWatchHandlers(app, { operator, env: options.env ?? process.env, ...(options.watch ? { options: options.watch } : {}), embedded: options.operator !== undefined });

    const loadConfig = (context: Context) => () => context.config(CONFIG_FILE);
    const fresh = (context: Context) => service.firstDelivery(context.id);

    app.on(['pull_request.opened', 'pull_request.synchronize', 'pull_request.reopened', 'pull_request.ready_for_review'], async (context) => {
      if (!fresh(context)) return;
      const { pull_request: pr, repository } = context.payload;
      await service.requestScan({
        octokit: context.octokit,
        target: {
          owner: repository.owner.login,
          repo: repository.name,
          number: pr.number,
          headSha: pr.head.sha,
          baseSha: pr.base.sha,
          author: pr.user?.login ?? null,
        },
        loadConfig: loadConfig(context),
        // ready_for_review / reopened ask for a fresh look at the same head.
        force: context.payload.action === 'reopened' || context.payload.action === 'ready_for_review',
        trigger: 'pull_request',
      });
    });

    app.on('check_run.rerequested', async (context) => {
      if (!fresh(context)) return;
      const run = context.payload.check_run;
      if (run.app && run.app.id !== Number(operator.appId)) return;
      // Fork PRs are missing from pull_requests; the external_id we set on creation names the PR.
      const numbers = run.pull_requests.map((p) => p.number);
      const ext = /^pr:(\d+)$/.exec(run.external_id ?? '');
      if (numbers.length === 0 && ext) numbers.push(Number(ext[1]));
      const { owner, name } = { owner: context.payload.repository.owner.login, name: context.payload.repository.name };
      await service.rescanPulls(context.octokit, owner, name, numbers, loadConfig(context), true, 'check_run');
    });

    app.on(['check_suite.requested', 'check_suite.rerequested'], async (context) => {
      if (!fresh(context)) return;
      const suite = context.payload.check_suite;
      const numbers = (suite.pull_requests ?? []).map((p) => p.number);
      if (numbers.length === 0) return;
      const repo = context.payload.repository;
      // `requested` comes with every push, next to pull_request.synchronize: the scheduler drops the twin.
      await service.rescanPulls(context.octokit, repo.owner.login, repo.name, numbers, loadConfig(context), context.payload.action === 'rerequested', 'check_suite');
    });

    app.on('issue_comment.created', async (context) => {
      if (!fresh(context)) return;
      const { issue, comment, repository } = context.payload;
      if (!issue.pull_request) return;
      const command = parseCommand(comment.body);
      if (!command) return;
      await service.handleCommand({
        octokit: context.octokit,
        owner: repository.owner.login,
        repo: repository.name,
        number: issue.number,
        comment: { id: comment.id, user: comment.user?.login ?? '', userType: comment.user?.type ?? 'User' },
        command,
        loadConfig: loadConfig(context),
      });
    });
  };
}

export default createApp({ exitOnConfigError: true, drainOnSigterm: true });

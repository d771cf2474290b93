/**
 * The dependency watch, independent of Probot: audit a repository's default branch, compare with what the
 * last run saw, and report on the default branch head (check run) and in one issue per repository,
 * updated in place. Runs go through a queue (rate-limit aware per installation); the jobs of one run
 * share one module check cache, and verdicts persist in the Store with their cheap-probe answers.
 */
import { randomUUID } from 'node:crypto';
import { ConfigError, parseRepoConfig, type RepoConfig } from '../../config/repo.js';
import { audit, ModuleCheckCache } from '../../engine/audit.js';
import { compareFindings, isEmptyDelta, type FindingDelta } from '../../engine/audit-changes.js';
import { activeFindings, conclusionOf, type ScanChecks, type ScanResult } from '../../engine/scan.js';
import { storedVerdicts, type ModuleProber, type WatchVerdictStats } from '../../engine/watch-probe.js';
import { atOrAbove, type Finding } from '../../findings.js';
import type { Store } from '../../sources/store/store.js';
import { buildCheckRunOutput } from '../../review/checkrun.js';
import { renderOptedOut, renderWatchIssue } from '../../review/watch-issue.js';
import { code, inline, inlineLine } from '../../report/markdown.js';
import type { Command } from '../commands.js';
import { hasWriteAccess, type Octokit } from '../github.js';
import { ignoreMarker, readIgnores } from '../ignores.js';
import { configErrorFinding, type Log } from '../service.js';
import { RateBudget } from './budget.js';
import { branchHead, createWatchIssue, defaultBranch, fileAt, findWatchIssue, goModuleFiles, issueComments, postCheckRun, updateWatchIssue } from './github.js';
import type { WatchJob, WatchQueue, WatchReason } from './queue.js';
import { allRepoStates, filesBytes, MAX_KEPT_FILE_BYTES, readRepoState, repoKey, writeRepoState, type RepoState } from './state.js';

/** The checks of one run: made when a run starts, closed when its last job ends. */
export interface WatchRunTools {
  checks: ScanChecks;
  /** Cheap change detection; null = every module version is verified in full each run. */
  probe: ModuleProber | null;
  close?(): Promise<void>;
}

/** Everything the watch needs from outside. */
export interface WatchServiceOptions {
  store: Store;
  queue: WatchQueue;
  /** Builds a run's checks (fresh clients: origin tags and proxy answers are re-read each run). */
  startRun(): WatchRunTools | Promise<WatchRunTools>;
  /** An installation's API client. */
  auth(installationId: number): Promise<Octokit>;
  log: Log;
  /** Module checks in flight at once per audit. */
  concurrency?: number;
  goprivate?: string;
  /** Share of an installation's hourly budget kept for pull requests (default 0.2, at least 200 requests). */
  reserveShare?: number;
  now?: () => Date;
}

/** What a run did (for logs and the bench). */
export interface RunStats extends WatchVerdictStats {
  repos: number;
  /** verify() calls answered from the run's memory (other repos pinning the same module version). */
  shared: number;
}

interface RunContext {
  tools: Promise<WatchRunTools>;
  cache: ModuleCheckCache;
  stats: WatchVerdictStats;
  repos: number;
  pending: number;
  /** This process queued the run (it knows when the last job ends); otherwise jobs came from a shared queue. */
  local: boolean;
  idleTimer: NodeJS.Timeout | null;
  done: Promise<RunStats>;
  finish: (s: RunStats) => void;
}

/** What one repository's audit posted. */
export type RepoOutcome = 'posted' | 'unchanged' | 'opted-out' | 'gone' | 'empty';

const CONFIG_PATH = '.github/modwarden.yml';

/** How long a run whose jobs come from a shared queue keeps its checks after its last job here. */
const FOREIGN_RUN_IDLE_MS = 60_000;

export class WatchService {
  private readonly runs = new Map<string, RunContext>();
  private readonly budgets = new Map<number, RateBudget>();
  private readonly now: () => Date;

  constructor(private readonly options: WatchServiceOptions) {
    this.now = options.now ?? (() => new Date());
    options.queue.start((job) => this.runJob(job));
  }

  /** Waits until no watch job is queued or running. */
  idle(): Promise<void> {
    return this.options.queue.idle();
  }

  /** The budget of an installation (shared by its jobs). */
  budget(installationId: number): RateBudget {
    let b = this.budgets.get(installationId);
    if (!b) {
      b = new RateBudget(() => this.now().getTime());
      this.budgets.set(installationId, b);
    }
    return b;
  }

  /** Queues the baseline audit of newly installed repositories; resolves with the run's stats when done. */
  async baseline(installationId: number, repos: { owner: string; repo: string }[]): Promise<string> {
    const runId = randomUUID();
    await this.enqueueAll(runId, repos.map((r) => ({ runId, installationId, owner: r.owner, repo: r.repo, reason: 'baseline' as const })));
    return runId;
  }

  /** Queues the re-verification of every repository the watch knows; resolves with the run id. */
  async scheduled(): Promise<{ runId: string; repos: number }> {
    const runId = randomUUID();
    const states = await allRepoStates(this.options.store);
    await this.enqueueAll(runId, states.map((s) => ({ runId, installationId: s.installationId, owner: s.owner, repo: s.repo, reason: 'schedule' as const })));
    return { runId, repos: states.length };
  }

  /** Resolves when every job of a run has finished (immediately when the run is unknown or over). */
  async runDone(runId: string): Promise<RunStats | null> {
    return this.runs.get(runId)?.done ?? null;
  }

  /** Forgets repositories removed from an installation (or the whole installation). */
  async forget(installationId: number, repos: { owner: string; repo: string }[] | 'all'): Promise<void> {
    const states = repos === 'all' ? (await allRepoStates(this.options.store)).filter((s) => s.installationId === installationId) : repos;
    for (const r of states) await this.options.store.delete(repoKey(r.owner, r.repo));
  }

  /** Queues a run's jobs; the run stays open until they are all queued, so its cache is not closed early. */
  private async enqueueAll(runId: string, jobs: WatchJob[]): Promise<void> {
    const ctx = this.context(runId);
    ctx.local = true;
    ctx.pending++;
    try {
      for (const job of jobs) {
        ctx.pending++;
        if (!(await this.options.queue.add(job))) ctx.pending--;
      }
    } finally {
      await this.release(runId, ctx);
    }
  }

  /** One job of a run is over; the last one closes the run's clients and reports its figures. */
  private async release(runId: string, ctx: RunContext): Promise<void> {
    if (--ctx.pending > 0) return;
    if (!ctx.local) {
      // Jobs of a run queued elsewhere (a shared queue): more may come, so keep the run's checks for a while.
      ctx.pending = 0;
      if (ctx.idleTimer) clearTimeout(ctx.idleTimer);
      ctx.idleTimer = setTimeout(() => {
        ctx.local = true;
        ctx.pending = 1;
        void this.release(runId, ctx);
      }, FOREIGN_RUN_IDLE_MS);
      ctx.idleTimer.unref?.();
      return;
    }
    this.runs.delete(runId);
    const tools = await ctx.tools.catch(() => null);
    await tools?.close?.().catch(() => undefined);
    const stats: RunStats = { ...ctx.stats, repos: ctx.repos, shared: ctx.cache.stats.verifyShared };
    if (!tools?.probe) stats.verified = ctx.cache.stats.verifyKeys;
    this.options.log.info({ stats }, 'watch: run finished');
    ctx.finish(stats);
  }

  private context(runId: string): RunContext {
    let ctx = this.runs.get(runId);
    if (!ctx) {
      const tools = Promise.resolve().then(() => this.options.startRun());
      const stats: WatchVerdictStats = { probed: 0, verified: 0, reused: 0 };
      const verdicts = tools.then((t) => (t.probe ? storedVerdicts(this.options.store, t.probe, this.now, stats) : null));
      let finish!: (s: RunStats) => void;
      const done = new Promise<RunStats>((resolve) => (finish = resolve));
      ctx = {
        tools,
        cache: new ModuleCheckCache(async (key, run) => {
          const v = await verdicts;
          return v ? v.resolve(key, run) : run();
        }),
        stats,
        repos: 0,
        pending: 0,
        local: false,
        idleTimer: null,
        done,
        finish,
      };
      this.runs.set(runId, ctx);
    }
    return ctx;
  }

  /** One queued job: audit the repository, always counting the job as done for its run. */
  private async runJob(job: WatchJob): Promise<void> {
    const ctx = this.context(job.runId);
    if (ctx.idleTimer) clearTimeout(ctx.idleTimer);
    ctx.idleTimer = null;
    // A job this process queued was counted when queued; one from a shared queue is counted now.
    if (!ctx.local) ctx.pending++;
    try {
      const outcome = await this.auditRepo(job, ctx);
      this.options.log.info({ repo: `${job.owner}/${job.repo}`, reason: job.reason, outcome }, 'watch: repository audited');
    } catch (e) {
      this.options.log.error({ err: e, repo: `${job.owner}/${job.repo}` }, 'watch: repository audit failed');
    } finally {
      ctx.repos++;
      await this.release(job.runId, ctx);
    }
  }

  /** An installation client whose answers feed the installation's budget. */
  private async client(installationId: number): Promise<Octokit> {
    const octokit = await this.options.auth(installationId);
    const budget = this.budget(installationId);
    octokit.hook.after('request', (response) => budget.observe(response.headers as Record<string, string>));
    octokit.hook.error('request', (error) => {
      budget.observe((error as { response?: { headers?: Record<string, string> } }).response?.headers);
      throw error;
    });
    const share = this.options.reserveShare ?? 0.2;
    await budget.ready(Number.isFinite(budget.limit) ? Math.max(200, Math.floor(budget.limit * share)) : 200);
    return octokit;
  }

  private async loadConfig(octokit: Octokit, owner: string, repo: string): Promise<RepoConfig | ConfigError | Error> {
    try {
      const { config, files } = await (octokit as unknown as { config: { get(p: object): Promise<{ config: unknown; files: { config: unknown }[] }> } }).config.get({ owner, repo, path: CONFIG_PATH });
      return parseRepoConfig(files.some((f) => f.config !== null) ? config : null);
    } catch (e) {
      if (e instanceof ConfigError || (e instanceof Error && e.message.includes('[@probot/octokit-plugin-config]'))) return e;
      throw e;
    }
  }

  /** Audits one repository's default branch and reports what changed. */
  private async auditRepo(job: WatchJob, ctx: RunContext): Promise<RepoOutcome> {
    const { owner, repo } = job;
    const { store } = this.options;
    const octokit = await this.client(job.installationId);
    const prev = await readRepoState(store, owner, repo);
    const now = this.now();

    let branch = prev?.defaultBranch ?? null;
    let head = branch ? await branchHead(octokit, owner, repo, branch) : null;
    if (!head) {
      const info = await defaultBranch(octokit, owner, repo);
      if (!info) {
        await store.delete(repoKey(owner, repo));
        return 'gone';
      }
      branch = info.branch;
      head = await branchHead(octokit, owner, repo, branch);
    }
    const base: RepoState = {
      installationId: job.installationId,
      owner,
      repo,
      defaultBranch: branch,
      headSha: head,
      files: null,
      findings: prev?.findings ?? [],
      conclusion: prev?.conclusion ?? null,
      issue: prev?.issue ?? null,
      optedOut: false,
      checkedAt: now.toISOString(),
    };
    if (!head || !branch) {
      await writeRepoState(store, base);
      return 'empty';
    }

    const loaded = await this.loadConfig(octokit, owner, repo);
    const config: RepoConfig | null = loaded instanceof Error ? null : loaded;
    if (config?.watch && !config.watch.enabled) {
      // An issue left open would never be updated again: say why, and close it.
      if (base.issue?.open) await updateWatchIssue(octokit, owner, repo, base.issue.number, renderOptedOut(), false);
      await writeRepoState(store, { ...base, findings: [], optedOut: true, issue: base.issue ? { ...base.issue, open: false } : null });
      return 'opted-out';
    }

    let result: ScanResult;
    let files: Record<string, string> | null = prev?.headSha === head && prev.files ? prev.files : null;
    if (loaded instanceof Error) {
      result = { changes: [], findings: [configErrorFinding(loaded)], modules: [], errors: [], scannedFiles: [], skippedFiles: [] };
    } else {
      if (!files) {
        const tree = await goModuleFiles(octokit, owner, repo, head);
        if (tree.truncated) this.options.log.warn({ repo: `${owner}/${repo}` }, 'watch: the git tree is truncated; go.mod files beyond it are not audited');
        files = {};
        for (const p of tree.paths) {
          const text = await fileAt(octokit, owner, repo, p, head);
          if (text !== null) files[p] = text;
        }
      }
      const ignores = base.issue && base.issue.author ? readIgnores(await issueComments(octokit, owner, repo, base.issue.number), base.issue.author) : [];
      const tree = files;
      result = await audit({
        paths: Object.keys(tree),
        readFile: async (p) => tree[p] ?? null,
        config: config!,
        extraIgnores: ignores,
        deps: { checks: (await ctx.tools).checks, concurrency: this.options.concurrency ?? 8, ...(this.options.goprivate !== undefined ? { goprivate: this.options.goprivate } : {}) },
        shared: ctx.cache,
      });
    }
    const effective = config ?? parseRepoConfig(null);
    const delta: FindingDelta | null = prev ? compareFindings(prev.findings, result.findings) : null;
    const state: RepoState = {
      ...base,
      files: files && filesBytes(files) <= MAX_KEPT_FILE_BYTES ? files : null,
      findings: result.findings,
      conclusion: conclusionOf(result, effective.failOn),
    };

    const openAt = effective.watch?.openIssueAt ?? effective.failOn;
    const wantIssue = activeFindings(result.findings).some((f: Finding) => atOrAbove(f.severity, openAt));
    const issueAsWanted = (state.issue?.open ?? false) === wantIssue;
    // Nothing new, nothing gone, the issue already as it should be: post nothing.
    if (prev && delta && isEmptyDelta(delta) && issueAsWanted && job.reason !== 'command') {
      await writeRepoState(store, state);
      return 'unchanged';
    }

    await postCheckRun(octokit, owner, repo, head, buildCheckRunOutput(result, effective));
    const body = renderWatchIssue({ branch, headSha: head, checkedAt: now, result, config: effective, delta });
    if (!state.issue && wantIssue) {
      const found = await findWatchIssue(octokit, owner, repo);
      state.issue = found ? { number: found.number, open: found.state === 'open', author: found.author } : null;
    }
    if (state.issue) {
      if (wantIssue || state.issue.open) {
        await updateWatchIssue(octokit, owner, repo, state.issue.number, body, wantIssue);
        state.issue = { ...state.issue, open: wantIssue };
      }
    } else if (wantIssue) {
      const created = await createWatchIssue(octokit, owner, repo, body);
      state.issue = { number: created.number, open: true, author: created.author };
    }
    await writeRepoState(store, state);
    return 'posted';
  }

  /**
   * `/ignore` and `/rescan` in the watch issue: write access only (the same permission check as on pull
   * requests). An ignore is recorded in the bot's reply, as on PRs; both re-check the repository now.
   */
  async handleCommand(input: {
    octokit: Octokit;
    installationId: number;
    owner: string;
    repo: string;
    issueNumber: number;
    comment: { id: number; user: string; userType: string };
    command: Command;
  }): Promise<'ran' | 'refused' | 'ignored' | 'invalid'> {
    const { octokit, owner, repo, issueNumber, comment, command } = input;
    if (comment.userType === 'Bot') return 'ignored';
    const state = await readRepoState(this.options.store, owner, repo);
    if (!state?.issue || state.issue.number !== issueNumber) return 'ignored';
    const react = (content: 'eyes' | 'confused') =>
      octokit.rest.reactions.createForIssueComment({ owner, repo, comment_id: comment.id, content }).then(
        () => undefined,
        (e) => this.options.log.warn({ err: e }, 'reaction failed'),
      );
    if (!(await hasWriteAccess(octokit, owner, repo, comment.user))) {
      await react('confused');
      return 'refused';
    }
    const reply = (body: string) => octokit.rest.issues.createComment({ owner, repo, issue_number: issueNumber, body });
    if (command.kind === 'invalid') {
      await react('confused');
      await reply(`@${comment.user} ${inline(command.problem)}`);
      return 'invalid';
    }
    await react('eyes');
    if (command.kind === 'ignore') {
      const by = `@${comment.user}`;
      await reply(
        `Ignoring ${code(`${command.module}@${command.version}`)} in the dependency watch, as asked by ${by}: ${inlineLine(command.reason)}\n\n` +
          `It stays listed as ignored. To make it permanent, add it to \`ignore:\` in \`.github/modwarden.yml\`.\n\n${ignoreMarker({ ...command, by })}`,
      );
    }
    const runId = randomUUID();
    await this.enqueueAll(runId, [{ runId, installationId: input.installationId, owner, repo, reason: 'command' }]);
    return 'ran';
  }
}

export type { WatchReason };

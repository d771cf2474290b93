/**
 * What the app does, as plain functions of jobs: the webhook side validates, records a scan job and
 * answers (`requestScan`, no GitHub call); the worker side (`runJob`, on whichever replica takes the job)
 * takes the head lock, creates the check run, scans within the scan deadline, always completes the check
 * run, and posts at most one review per head commit. `/rescan` and `/ignore` are handled here too.
 * Event handlers in index.ts only pull inputs out of payloads and call these.
 */
import { randomUUID } from 'node:crypto';
import { ConfigError, DEFAULT_REPO_CONFIG, parseRepoConfig, type RepoConfig } from '../config/repo.js';
import { isGoModuleFile, scan, type ScanDeps, type ScanResult } from '../engine/scan.js';
import { codeSpan, defaultSeverity, type Finding } from '../findings.js';
import { brokenScanOutput, buildCheckRunOutput, checkRunUpdates, truncateChars, CHECKS_LIMITS, type CheckRunOutput } from '../review/checkrun.js';
import { planReview, postedFingerprints, reviewableFindings, type PullFile } from '../review/comments.js';
import { findingFingerprint } from '../report/fingerprint.js';
import { code, inline, inlineLine } from '../report/markdown.js';
import { MemoryStore } from '../sources/store/memory.js';
import { setJson, type Store } from '../sources/store/store.js';
import type { Command } from './commands.js';
import { HeadCoordinator, type CoordinationTimes } from './coordination.js';
import { ignoreMarker, readIgnores } from './ignores.js';
import { headKey, type Decision, type ScanJobData, type Trigger } from './jobs.js';
import type { Metrics } from './metrics.js';
import { LocalQueue, type ScanQueue } from './queue.js';
import { CHECK_NAME, getPullTarget, hasWriteAccess, listGoModPaths, listPullFiles, loadRepoConfigFile, mergeBase, readFileAt, type Octokit, type PullTarget } from './github.js';

export type { Decision, Trigger } from './jobs.js';

/** The logger Probot hands out (pino), reduced to what we call. */
export interface Log {
  info(obj: unknown, msg?: string): void;
  warn(obj: unknown, msg?: string): void;
  error(obj: unknown, msg?: string): void;
  debug(obj: unknown, msg?: string): void;
  /** A logger whose every line carries `bindings` (pino's child). */
  child?(bindings: Record<string, unknown>): Log;
}

/** How the service is set up. */
export interface ServiceOptions {
  /** The engine's dependencies (created once: their caches live as long as the process). */
  scanDeps: ScanDeps;
  /** Scans running at once (in-process queue; the Redis queue takes it from its own options). */
  jobConcurrency: number;
  log: Log;
  /** The installation's client for a job (Probot's `app.auth`); null = the app's own token (tests). */
  auth: (installationId: number | null) => Promise<Octokit>;
  /** Shared state (delivery de-duplication, coalescing, head locks). Default: in-process memory. */
  store?: Store;
  /** Where jobs wait. Default: in-process, `jobConcurrency` at once. */
  queue?: ScanQueue;
  /** A check run completes within this from the job's start (default 10 min). */
  scanDeadlineMs?: number;
  /** One module's checks get at most this (default 5 min); it then becomes verify-failed (timeout). */
  moduleDeadlineMs?: number;
  /** Time bounds of the coordination keys (tests shorten the head lock). */
  coordination?: Partial<CoordinationTimes>;
  metrics?: Metrics;
}

/** A scan request as a webhook handler makes it: plain data, no GitHub call before the answer. */
export interface ScanRequest {
  target: PullTarget;
  /** `context.payload.installation.id`; null with a plain token (tests, benchmarks). */
  installationId: number | null;
  force: boolean;
  trigger: Trigger;
  /** X-GitHub-Delivery, carried into the job's log lines. */
  deliveryId?: string | null;
  /** A `/rescan` or `/ignore` comment to react to when the scan ends (rocket, or confused if it broke). */
  reactTo?: { commentId: number } | null;
  /** Complete this check run instead of creating one (crash recovery). */
  checkRunId?: number | null;
}

/**
 * A check run a job created and has not completed yet, kept in the Store under `inflight:<id>` so that a
 * crash leaves a trace: the start-up sweep (recovery.ts) re-runs it once, or completes it as interrupted.
 */
export interface InflightRun {
  checkRunId: number;
  installationId: number | null;
  target: PullTarget;
  jobId: string;
  key: string;
  /** When the worker started (ms since the epoch). */
  startedAt: number;
  /** This run was already a recovery re-run: a second crash completes it as interrupted. */
  recovered: boolean;
}

export const INFLIGHT = 'inflight:';
const INFLIGHT_TTL_MS = 7 * 24 * 3600_000;

export const DEFAULT_SCAN_DEADLINE_MS = 10 * 60_000;
export const DEFAULT_MODULE_DEADLINE_MS = 5 * 60_000;

/** What a scan gives the completion and the review. */
interface ScanOutcome {
  output: CheckRunOutput;
  result: ScanResult | null;
  config: RepoConfig | null;
  files: PullFile[];
}

interface StartedCheckRun {
  id: number;
  url: string | null;
  /** `<slug>[bot]`: the login our own comments carry (learned from the check run's app). */
  botLogin: string | null;
}

const NO_GO_FILES = 'No go.mod, go.sum or go.work changed';

function errorMessage(e: unknown): string {
  if (e instanceof Error) return e.message;
  return String(e);
}

/** Probot's config loader reports a broken YAML file with this prefix. */
function isConfigLoaderError(e: unknown): boolean {
  return e instanceof Error && e.message.includes('[@probot/octokit-plugin-config]');
}

/** The repo config file ModWarden reads (through Probot's loader). */
const CONFIG_PATH = '.github/modwarden.yml';

/**
 * A config file that does not validate, as a `config-error` finding anchored on the file: the rule table,
 * the check run and every other output agree, and the problems (untrusted text: they quote the file) go
 * through the renderer like any finding's.
 */
export function configErrorFinding(e: ConfigError | Error): Finding {
  const problems = e instanceof ConfigError ? e.problems : [e.message.replace(/^\[@probot\/octokit-plugin-config\]\s*/, '')];
  const source = e instanceof ConfigError ? e.source : CONFIG_PATH;
  return {
    rule: 'config-error',
    severity: defaultSeverity('config-error'),
    module: '',
    version: null,
    goModPath: source,
    // The file is read from the default branch, not the PR: there is no diff line to annotate.
    line: null,
    title: `${source} is invalid: ${problems[0] ?? 'unreadable'}`,
    message:
      `ModWarden did not scan this change, because its configuration does not validate:\n\n${problems.map((p) => `- ${codeSpan(p)}`).join('\n')}\n\n` +
      `Fix ${codeSpan(source)} on the default branch (or in the organisation's \`.github\` repository), then comment \`/rescan\`.`,
    evidence: { file: source, problems },
  };
}

/** Check-run output for a config file that does not validate: a failure whose title names the bad key. */
export function configErrorOutput(e: ConfigError | Error): CheckRunOutput {
  const f = configErrorFinding(e);
  const result: ScanResult = { changes: [], findings: [f], modules: [], errors: [], scannedFiles: [], skippedFiles: [] };
  // The repo's threshold is unknown (it is in the broken file): the default one applies.
  const output = buildCheckRunOutput(result, { failOn: DEFAULT_REPO_CONFIG.failOn });
  return { ...output, title: truncateChars(`Invalid ${f.title.replace(/ is invalid:/, ':')}`, CHECKS_LIMITS.titleChars, '…') };
}

/** How the completing check-run update is retried: exponential backoff from `firstDelayMs`, capped. */
export interface CompletionRetry {
  firstDelayMs: number;
  maxDelayMs: number;
}

/** GitHub errors worth retrying: server errors, rate limits, and no answer at all. */
function retryable(e: unknown): boolean {
  const status = (e as { status?: unknown })?.status;
  if (typeof status !== 'number') return true;
  if (status >= 500 || status === 429) return true;
  // A secondary rate limit is a 403 with retry-after or an exhausted quota.
  const headers = ((e as { response?: { headers?: Record<string, string | undefined> } }).response?.headers ?? {}) as Record<string, string | undefined>;
  return status === 403 && (headers['retry-after'] !== undefined || headers['x-ratelimit-remaining'] === '0');
}

// Unref'd: a retry or a wait for a lock never keeps a closing process (or a test run) alive on its own.
const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms).unref());

/** The app's behaviour, independent of how events arrive. */
export class ModWardenService {
  readonly coordinator: HeadCoordinator;
  readonly queue: ScanQueue;
  readonly store: Store;
  readonly scanDeadlineMs: number;
  readonly moduleDeadlineMs: number;
  /** The Prometheus metrics this service counts into, when given. */
  readonly metrics: Metrics | null;

  constructor(private readonly options: ServiceOptions) {
    this.metrics = options.metrics ?? null;
    this.store = options.store ?? new MemoryStore();
    this.coordinator = new HeadCoordinator(this.store, options.coordination);
    this.queue = options.queue ?? new LocalQueue(options.jobConcurrency, (e) => options.log.error({ err: e }, 'scan job failed'));
    this.scanDeadlineMs = options.scanDeadlineMs ?? DEFAULT_SCAN_DEADLINE_MS;
    this.moduleDeadlineMs = Math.min(options.moduleDeadlineMs ?? DEFAULT_MODULE_DEADLINE_MS, this.scanDeadlineMs);
  }

  /** Starts taking jobs from the queue (after the handlers are registered). */
  start(): void {
    this.queue.start((job) => this.runJob(job));
  }

  /** True the first time a delivery id is seen (on any replica); GitHub redelivers with the same id. */
  firstDelivery(id: string | undefined | null): Promise<boolean> {
    return this.coordinator.firstDelivery(id);
  }

  /** Waits for queued scans (tests, shutdown). */
  idle(): Promise<void> {
    return this.queue.idle();
  }

  /** Stops taking jobs (running ones finish unless `force`), then releases the store. */
  async close(force = false): Promise<void> {
    await this.queue.close(force);
    await this.store.close();
  }

  /** A logger whose lines carry the job's delivery id and PR. */
  private logFor(job: Pick<ScanJobData, 'deliveryId' | 'key' | 'id'>): Log {
    const bindings = { delivery: job.deliveryId ?? undefined, pr: job.key.replace(/@.*$/, ''), head: job.key.replace(/^.*@/, '').slice(0, 12), job: job.id };
    return this.options.log.child?.(bindings) ?? this.options.log;
  }

  /**
   * Records a scan of a PR head and returns at once (no GitHub call): the answer to the webhook does not
   * wait on GitHub. Coalesces with a queued or running scan of the same head (see HeadCoordinator.admit).
   */
  async requestScan(req: ScanRequest): Promise<Decision> {
    const key = headKey(req.target);
    const job: ScanJobData = {
      id: randomUUID(),
      key,
      installationId: req.installationId,
      target: { owner: req.target.owner, repo: req.target.repo, number: req.target.number, headSha: req.target.headSha, baseSha: req.target.baseSha, author: req.target.author },
      force: req.force,
      trigger: req.trigger,
      deliveryId: req.deliveryId ?? null,
      reactTo: req.reactTo ?? null,
      checkRunId: req.checkRunId ?? null,
      enqueuedAt: Date.now(),
    };
    const decision = await this.coordinator.admit(key, job.id, req.force);
    if (decision === 'started' || decision === 'rerun-scheduled') {
      try {
        await this.queue.add(job);
      } catch (e) {
        await this.coordinator.withdraw(key, job.id).catch(() => {});
        throw e;
      }
    }
    this.options.metrics?.requests.inc({ decision });
    this.logFor(job).info({ trigger: req.trigger, decision }, 'scan requested');
    return decision;
  }

  /**
   * The worker side of a job: the head lock (one replica per head), the check run (created here, or the
   * one this job created before its replica died), the scan within the deadline, the completion, the review.
   */
  async runJob(job: ScanJobData): Promise<void> {
    const log = this.logFor(job);
    const metrics = this.options.metrics;
    const lock = await this.coordinator.lock(job.key, job.id, this.scanDeadlineMs, () => log.warn({}, 'head lock lost'));
    if (!lock) {
      log.warn({}, 'another scan of this head held it past the scan deadline: job dropped');
      metrics?.outcomes.inc({ outcome: 'dropped' });
      return;
    }
    const started = Date.now();
    metrics?.queueWait.observe((started - job.enqueuedAt) / 1000);
    let outcome = 'error';
    try {
      const octokit = await this.options.auth(job.installationId);
      const known = job.checkRunId ?? (await this.coordinator.checkRunOf(job.id));
      const cr = known !== null ? await this.existingCheckRun(octokit, job.target, known) : await this.startCheckRun(octokit, job.target);
      if (known === null) await this.coordinator.rememberCheckRun(job.id, cr.id);
      if (lock.resumed) log.info({ checkRun: cr.id }, 'resuming a job whose replica stopped');
      const inflight: InflightRun = { checkRunId: cr.id, installationId: job.installationId, target: job.target, jobId: job.id, key: job.key, startedAt: started, recovered: job.trigger === 'recovery' };
      await setJson(this.store, `${INFLIGHT}${cr.id}`, inflight, { ttlMs: INFLIGHT_TTL_MS });
      outcome = await this.runScan(octokit, job, cr, log);
      await this.store.delete(`${INFLIGHT}${cr.id}`);
    } finally {
      metrics?.scanSeconds.observe((Date.now() - started) / 1000);
      metrics?.outcomes.inc({ outcome });
      await lock.release().catch((e) => log.warn({ err: e }, 'could not release the head lock'));
    }
  }

  private async startCheckRun(octokit: Octokit, t: PullTarget): Promise<StartedCheckRun> {
    const { data } = await octokit.rest.checks.create({
      owner: t.owner,
      repo: t.repo,
      name: CHECK_NAME,
      head_sha: t.headSha,
      status: 'in_progress',
      started_at: new Date().toISOString(),
      external_id: `pr:${t.number}`,
      output: { title: 'Scanning Go dependencies…', summary: 'ModWarden is checking the modules this pull request adds or changes.' },
    });
    const slug = (data as { app?: { slug?: string } | null }).app?.slug;
    return { id: data.id, url: data.html_url ?? null, botLogin: slug ? `${slug}[bot]` : null };
  }

  /** A check run created before (by a replica that stopped, or left in progress by a crash). */
  private async existingCheckRun(octokit: Octokit, t: PullTarget, id: number): Promise<StartedCheckRun> {
    try {
      const { data } = await octokit.rest.checks.get({ owner: t.owner, repo: t.repo, check_run_id: id });
      const slug = (data as { app?: { slug?: string } | null }).app?.slug;
      return { id, url: data.html_url ?? null, botLogin: slug ? `${slug}[bot]` : null };
    } catch {
      return { id, url: null, botLogin: null };
    }
  }

  /** Backoff of the completing update; tests shorten it. */
  completionRetry: CompletionRetry = { firstDelayMs: 1000, maxDelayMs: 60_000 };

  /**
   * Sends the output: annotation batches first (if any beyond the last), then the completing update,
   * retried with backoff until it succeeds or the process exits, so GitHub errors never leave the run
   * in_progress. A body GitHub rejects (4xx), or one that failed twice, is replaced by the completion
   * without annotations; a 4xx on that one (the run is gone, access revoked) ends the attempts.
   */
  private async finishCheckRun(octokit: Octokit, t: PullTarget, id: number, output: CheckRunOutput): Promise<void> {
    const updates = checkRunUpdates(output);
    const send = (body: Record<string, unknown>) =>
      octokit.rest.checks.update({ owner: t.owner, repo: t.repo, check_run_id: id, ...body } as Parameters<Octokit['rest']['checks']['update']>[0]);
    for (const [i, body] of updates.slice(0, -1).entries()) {
      try {
        await send(body);
      } catch (e) {
        this.options.log.error({ err: e, checkRun: id, batch: i }, 'check run annotations update failed');
      }
    }
    const complete = updates.at(-1)!;
    const bare = { status: 'completed', conclusion: output.conclusion, completed_at: complete.completed_at, output: { title: output.title, summary: output.summary } };
    let body: Record<string, unknown> = complete;
    let delay = this.completionRetry.firstDelayMs;
    for (let attempt = 1; ; attempt++) {
      try {
        await send(body);
        if (attempt > 1) this.options.log.info({ checkRun: id, attempt }, 'check run completed after retries');
        return;
      } catch (e) {
        const transient = retryable(e);
        this.options.log.error({ err: e, checkRun: id, attempt, retrying: transient || body !== bare }, 'check run completion failed');
        if (!transient && body === bare) throw e;
        // Rejected, or failing again: the completion matters more than the annotations.
        if (!transient || attempt >= 2) body = bare;
      }
      await sleep(delay);
      delay = Math.min(delay * 2, this.completionRetry.maxDelayMs);
    }
  }

  /**
   * The background part: read config and files, scan, always finish the check run, then review. The
   * engine stops at 85% of the scan deadline (modules still running become verify-failed, timeout) so the
   * findings so far are reported; a backstop at 95% completes the run even when a GitHub read hangs.
   * Returns the outcome for the metrics (the conclusion, `timeout` or `error`).
   */
  private async runScan(octokit: Octokit, job: ScanJobData, cr: StartedCheckRun, log: Log): Promise<string> {
    const t = job.target;
    const engineStop = new AbortController();
    const engineTimer = setTimeout(() => engineStop.abort(new Error('scan deadline')), Math.floor(this.scanDeadlineMs * 0.85));
    engineTimer.unref?.();
    let backstopTimer: NodeJS.Timeout | undefined;
    const backstop = new Promise<'timeout'>((resolve) => {
      backstopTimer = setTimeout(() => resolve('timeout'), Math.floor(this.scanDeadlineMs * 0.95));
      backstopTimer.unref?.();
    });
    let done: ScanOutcome | null = null;
    let outcome = 'pending';
    try {
      const raced = await Promise.race([this.scanPull(octokit, t, cr, engineStop.signal), backstop]);
      if (raced === 'timeout') {
        engineStop.abort(new Error('scan deadline'));
        outcome = 'timeout';
        log.error({ deadlineMs: this.scanDeadlineMs }, 'scan did not finish within the scan deadline');
      } else {
        done = raced;
      }
    } catch (e) {
      log.error({ err: e }, 'scan failed');
      outcome = 'error-reported';
      done = { output: brokenScanOutput(errorMessage(e)), result: null, config: null, files: [] };
    } finally {
      clearTimeout(engineTimer);
      clearTimeout(backstopTimer);
    }
    const final =
      done?.output ??
      brokenScanOutput(`the scan did not finish within ${Math.round(this.scanDeadlineMs / 1000)} s (the scan deadline): GitHub or a module source stopped answering`);
    if (done && outcome !== 'error-reported') outcome = final.conclusion;
    if (outcome === 'error-reported') outcome = 'error';
    try {
      await this.finishCheckRun(octokit, t, cr.id, final);
    } catch (e) {
      log.error({ err: e, checkRun: cr.id }, 'could not complete the check run');
    }
    if (job.reactTo) {
      const ok = !!done?.result && done.result.errors.length === 0;
      await octokit.rest.reactions
        .createForIssueComment({ owner: t.owner, repo: t.repo, comment_id: job.reactTo.commentId, content: ok ? 'rocket' : 'confused' })
        .catch((e) => log.warn({ err: e }, 'reaction failed'));
    }
    if (done?.result && done.config?.reviewComments) {
      try {
        await this.postReview(octokit, t, done.result, done.files, cr.url);
      } catch (e) {
        log.error({ err: e }, 'could not post the review');
      }
    }
    return outcome;
  }

  /** Reads the config and the PR's files, and scans; the output to post, with what the review needs. */
  private async scanPull(octokit: Octokit, t: PullTarget, cr: StartedCheckRun, signal: AbortSignal): Promise<ScanOutcome> {
    let config: RepoConfig;
    try {
      config = parseRepoConfig(await loadRepoConfigFile(octokit, t));
    } catch (e) {
      if (e instanceof ConfigError || isConfigLoaderError(e)) return { output: configErrorOutput(e as Error), result: null, config: null, files: [] };
      throw e;
    }
    const files = await listPullFiles(octokit, t);
    // A renamed go.mod changes two paths: the old one is gone from head, the new one is new.
    const touched = files.flatMap((f) => [f.filename, f.previous_filename ?? '']).filter((p) => p && isGoModuleFile(p));
    if (touched.length === 0) {
      const output: CheckRunOutput = { conclusion: 'success', title: NO_GO_FILES, summary: `### ModWarden: ${NO_GO_FILES}.\n\nNothing to check in this pull request.`, annotations: [] };
      return { output, result: null, config, files };
    }
    const [base, comments] = await Promise.all([
      mergeBase(octokit, t),
      octokit.paginate(octokit.rest.issues.listComments, { owner: t.owner, repo: t.repo, issue_number: t.number, per_page: 100 }),
    ]);
    const refs = { base, head: t.headSha };
    const result = await scan({
      files: touched,
      readFile: (ref, path) => readFileAt(octokit, t, path, refs[ref]),
      listGoModFiles: (ref) => listGoModPaths(octokit, t, refs[ref]),
      config,
      extraIgnores: readIgnores(comments, cr.botLogin),
      deps: this.options.scanDeps,
      signal,
      moduleDeadlineMs: this.moduleDeadlineMs,
    });
    return { output: buildCheckRunOutput(result, config), result, config, files };
  }

  /** Posts one review with the findings not reported before on this PR (nothing on a clean PR). */
  private async postReview(octokit: Octokit, t: PullTarget, result: ScanResult, files: PullFile[], checkRunUrl: string | null): Promise<void> {
    const reviews = await octokit.paginate(octokit.rest.pulls.listReviews, { owner: t.owner, repo: t.repo, pull_number: t.number, per_page: 100 });
    const ours = reviews.filter((r) => r.user?.type === 'Bot' && (r.body ?? '').includes('<!-- modwarden:review'));
    if (ours.some((r) => r.commit_id !== t.headSha)) await this.supersede(octokit, t, result);
    const plan = planReview({ findings: result.findings, files, headSha: t.headSha, posted: postedFingerprints(ours.map((r) => r.body)), checkRunUrl });
    if (!plan) return;
    const params = { owner: t.owner, repo: t.repo, pull_number: t.number, commit_id: plan.commit_id, event: plan.event, body: plan.body, comments: plan.comments };
    try {
      await octokit.rest.pulls.createReview(params);
    } catch (e) {
      // 422: a line moved out of the diff between listing files and posting; say everything in the body.
      if ((e as { status?: number }).status !== 422 || plan.comments.length === 0) throw e;
      const moved = plan.comments.map((c) => `**${code(`${c.path}:${c.line}`)}**\n\n${c.body}`).join('\n\n---\n\n');
      await octokit.rest.pulls.createReview({ ...params, comments: [], body: `${plan.body}\n\n${moved}` });
    }
  }

  /**
   * After a new commit, our earlier inline comments whose findings are all gone are minimised as
   * outdated (GraphQL minimizeComment), so the conversation shows only what still applies.
   */
  private async supersede(octokit: Octokit, t: PullTarget, result: ScanResult): Promise<void> {
    const current = new Set(reviewableFindings(result.findings).map(findingFingerprint));
    const comments = await octokit.paginate(octokit.rest.pulls.listReviewComments, { owner: t.owner, repo: t.repo, pull_number: t.number, per_page: 100 });
    for (const c of comments) {
      if (c.user?.type !== 'Bot' || c.commit_id === t.headSha) continue;
      const fps = postedFingerprints([c.body]);
      if (fps.size === 0 || [...fps].some((fp) => current.has(fp))) continue;
      try {
        await octokit.graphql('mutation($id: ID!) { minimizeComment(input: { subjectId: $id, classifier: OUTDATED }) { minimizedComment { isMinimized } } }', { id: c.node_id });
      } catch (e) {
        this.options.log.warn({ err: e, comment: c.id }, 'could not minimise an outdated comment');
      }
    }
  }

  /** Completes a check run a crash left in progress, saying so (the crash sweep, when a re-run crashed too). */
  async completeInterrupted(run: InflightRun): Promise<void> {
    const octokit = await this.options.auth(run.installationId);
    const output = brokenScanOutput('the scan was interrupted (the app stopped while it ran): re-run it with /rescan');
    await this.finishCheckRun(octokit, run.target, run.checkRunId, output);
    this.options.metrics?.outcomes.inc({ outcome: 'interrupted' });
  }

  /** Handles `/rescan` and `/ignore` on a PR: permission check, reactions, reply, re-run. */
  async handleCommand(input: {
    octokit: Octokit;
    owner: string;
    repo: string;
    number: number;
    comment: { id: number; user: string; userType: string };
    command: Command;
    installationId: number | null;
    deliveryId?: string | null;
  }): Promise<'ran' | 'refused' | 'ignored' | 'invalid'> {
    const { octokit, owner, repo, number, comment, command } = input;
    if (comment.userType === 'Bot') return 'ignored';
    const react = (content: 'eyes' | 'rocket' | 'confused' | '+1') =>
      octokit.rest.reactions.createForIssueComment({ owner, repo, comment_id: comment.id, content }).then(
        () => undefined,
        (e) => this.options.log.warn({ err: e }, 'reaction failed'),
      );
    const reply = (body: string) => octokit.rest.issues.createComment({ owner, repo, issue_number: number, body });
    // Permission first: the bot answers (even "malformed command") only people who may run the command, so
    // nobody else can make it post. The PR author may /rescan; everything else needs write access.
    const pr = command.kind === 'invalid' ? null : await getPullTarget(octokit, owner, repo, number);
    const isAuthor = pr !== null && pr.author !== null && pr.author === comment.user;
    const allowed = command.kind === 'rescan' && isAuthor ? true : await hasWriteAccess(octokit, owner, repo, comment.user);
    if (!allowed) {
      await react('confused');
      this.options.log.info({ user: comment.user, command: command.kind }, 'command refused: no permission');
      return 'refused';
    }
    if (command.kind === 'invalid') {
      await react('confused');
      await reply(`@${comment.user} ${inline(command.problem)}`);
      return 'invalid';
    }
    await react('eyes');
    if (command.kind === 'ignore') {
      const by = `@${comment.user}`;
      // The reason is the commenter's text: echoed inert, like every untrusted string.
      await reply(
        `Ignoring ${code(`${command.module}@${command.version}`)} on this pull request, as asked by ${by}: ${inlineLine(command.reason)}\n\n` +
          `It stays listed as ignored in the check run. To make it permanent, add it to \`ignore:\` in \`.github/modwarden.yml\`.\n\n${ignoreMarker({ ...command, by })}`,
      );
    }
    if (!pr || pr.state !== 'open') {
      await react('confused');
      return 'ignored';
    }
    const decision = await this.requestScan({
      target: pr,
      installationId: input.installationId,
      force: true,
      trigger: command.kind === 'rescan' ? 'rescan' : 'ignore',
      deliveryId: input.deliveryId ?? null,
      reactTo: { commentId: comment.id },
    });
    // Joined a queued scan: that one reads the new comment; say so now.
    if (decision === 'coalesced' || decision === 'duplicate') await react('rocket');
    return 'ran';
  }

  /**
   * Re-runs scans for the PRs a check run or check suite belongs to. The payload's `pull_requests` carry
   * each head and base, so no GitHub call is made before answering; PRs known only by number (fork PRs,
   * named by our check run's external_id) are read first.
   */
  async rescanPulls(input: {
    octokit: Octokit;
    owner: string;
    repo: string;
    pulls: { number: number; headSha?: string | null; baseSha?: string | null }[];
    installationId: number | null;
    force: boolean;
    trigger: Trigger;
    deliveryId?: string | null;
  }): Promise<Decision[]> {
    const decisions: Decision[] = [];
    const seen = new Set<number>();
    for (const p of input.pulls) {
      if (seen.has(p.number)) continue;
      seen.add(p.number);
      let target: PullTarget;
      if (p.headSha && p.baseSha) {
        target = { owner: input.owner, repo: input.repo, number: p.number, headSha: p.headSha, baseSha: p.baseSha, author: null };
      } else {
        const pr = await getPullTarget(input.octokit, input.owner, input.repo, p.number);
        if (pr.state !== 'open') continue;
        target = pr;
      }
      decisions.push(await this.requestScan({ target, installationId: input.installationId, force: input.force, trigger: input.trigger, deliveryId: input.deliveryId ?? null }));
    }
    return decisions;
  }
}

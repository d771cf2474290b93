/**
 * What the app does, as plain functions of (octokit, target): start a check run at once, scan in the
 * background queue, always finish the check run, post at most one review per head commit, and handle
 * `/rescan` and `/ignore`. Event handlers in index.ts only pull inputs out of payloads and call these.
 */
import { LRUCache } from 'lru-cache';
import { ConfigError, DEFAULT_REPO_CONFIG, parseRepoConfig, type RepoConfig } from '../config/repo.js';
import { isGoModuleFile, scan, type ScanDeps, type ScanResult } from '../engine/scan.js';
import { codeSpan, defaultSeverity, type Finding } from '../findings.js';
import { brokenScanOutput, buildCheckRunOutput, checkRunUpdates, truncateChars, CHECKS_LIMITS, type CheckRunOutput } from '../review/checkrun.js';
import { planReview, postedFingerprints, reviewableFindings, type PullFile } from '../review/comments.js';
import { findingFingerprint } from '../report/fingerprint.js';
import { code, inline, inlineLine } from '../report/markdown.js';
import type { Command } from './commands.js';
import { ignoreMarker, readIgnores } from './ignores.js';
import { ScanScheduler, type Decision } from './scheduler.js';
import { CHECK_NAME, getPullTarget, hasWriteAccess, listGoModPaths, listPullFiles, mergeBase, readFileAt, type Octokit, type PullTarget } from './github.js';

/** The logger Probot hands out (pino), reduced to what we call. */
export interface Log {
  info(obj: unknown, msg?: string): void;
  warn(obj: unknown, msg?: string): void;
  error(obj: unknown, msg?: string): void;
  debug(obj: unknown, msg?: string): void;
}

/** How the service is set up. */
export interface ServiceOptions {
  /** The engine's dependencies (created once: their caches live as long as the process). */
  scanDeps: ScanDeps;
  /** Scans running at once. */
  jobConcurrency: number;
  log: Log;
}

/** Why a scan was asked for (for logs and the rescan reactions). */
export type Trigger = 'pull_request' | 'check_suite' | 'check_run' | 'rescan' | 'ignore';

/** Inputs of one scan request. */
export interface ScanRequest {
  octokit: Octokit;
  target: PullTarget;
  /** Reads the repo config through Probot's loader (default branch, org `.github` repo fallback). */
  loadConfig: () => Promise<unknown>;
  force: boolean;
  trigger: Trigger;
  /** Called when the scan finished (true) or broke (false); used for `/rescan` reactions. */
  onDone?: (ok: boolean) => Promise<void>;
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

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** The app's behaviour, independent of how events arrive. */
export class ModWardenService {
  readonly scheduler: ScanScheduler;
  private readonly deliveries = new LRUCache<string, true>({ max: 10_000, ttl: 24 * 60 * 60 * 1000 });

  constructor(private readonly options: ServiceOptions) {
    this.scheduler = new ScanScheduler(options.jobConcurrency, (e) => options.log.error({ err: e }, 'scan job failed'));
  }

  /** True the first time a delivery id is seen; GitHub redelivers with the same X-GitHub-Delivery id. */
  firstDelivery(id: string | undefined): boolean {
    if (!id) return true;
    if (this.deliveries.has(id)) return false;
    this.deliveries.set(id, true);
    return true;
  }

  /** Waits for queued scans (tests, shutdown). */
  idle(): Promise<void> {
    return this.scheduler.idle();
  }

  /** Starts a check run at once and queues the scan; coalesces with a scan of the same head. */
  async requestScan(req: ScanRequest): Promise<Decision> {
    const t = req.target;
    const key = `${t.owner}/${t.repo}#${t.number}@${t.headSha}`;
    const decision = await this.scheduler.request<StartedCheckRun>(key, req.force, {
      begin: () => this.startCheckRun(req.octokit, t),
      run: (cr) => this.runScan(req, cr),
    });
    this.options.log.info({ key, trigger: req.trigger, decision }, 'scan requested');
    if (decision !== 'started' && decision !== 'rerun-scheduled' && req.onDone) await req.onDone(true);
    return decision;
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

  /** The background part: read config and files, scan, always finish the check run, then review. */
  private async runScan(req: ScanRequest, cr: StartedCheckRun): Promise<void> {
    const { octokit, target: t } = req;
    let output: CheckRunOutput | null = null;
    let result: ScanResult | null = null;
    let config: RepoConfig | null = null;
    let files: PullFile[] = [];
    try {
      try {
        config = parseRepoConfig(await req.loadConfig());
      } catch (e) {
        if (e instanceof ConfigError || isConfigLoaderError(e)) {
          output = configErrorOutput(e as Error);
          return;
        }
        throw e;
      }
      files = await listPullFiles(octokit, t);
      // A renamed go.mod changes two paths: the old one is gone from head, the new one is new.
      const touched = files.flatMap((f) => [f.filename, f.previous_filename ?? '']).filter((p) => p && isGoModuleFile(p));
      if (touched.length === 0) {
        output = { conclusion: 'success', title: NO_GO_FILES, summary: `### ModWarden: ${NO_GO_FILES}.\n\nNothing to check in this pull request.`, annotations: [] };
        return;
      }
      const [base, comments] = await Promise.all([
        mergeBase(octokit, t),
        octokit.paginate(octokit.rest.issues.listComments, { owner: t.owner, repo: t.repo, issue_number: t.number, per_page: 100 }),
      ]);
      const refs = { base, head: t.headSha };
      result = await scan({
        files: touched,
        readFile: (ref, path) => readFileAt(octokit, t, path, refs[ref]),
        listGoModFiles: (ref) => listGoModPaths(octokit, t, refs[ref]),
        config,
        extraIgnores: readIgnores(comments, cr.botLogin),
        deps: this.options.scanDeps,
      });
      output = buildCheckRunOutput(result, config);
    } catch (e) {
      this.options.log.error({ err: e, pr: `${t.owner}/${t.repo}#${t.number}` }, 'scan failed');
      output = brokenScanOutput(errorMessage(e));
    } finally {
      const final = output ?? brokenScanOutput('the scan stopped without a result');
      try {
        await this.finishCheckRun(octokit, t, cr.id, final);
      } catch (e) {
        this.options.log.error({ err: e, checkRun: cr.id }, 'could not complete the check run');
      }
      if (req.onDone) await req.onDone(!!result && result.errors.length === 0).catch(() => {});
    }
    if (result && config?.reviewComments) {
      try {
        await this.postReview(octokit, t, result, files, cr.url);
      } catch (e) {
        this.options.log.error({ err: e }, 'could not post the review');
      }
    }
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

  /** Handles `/rescan` and `/ignore` on a PR: permission check, reactions, reply, re-run. */
  async handleCommand(input: {
    octokit: Octokit;
    owner: string;
    repo: string;
    number: number;
    comment: { id: number; user: string; userType: string };
    command: Command;
    loadConfig: () => Promise<unknown>;
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
    await this.requestScan({
      octokit,
      target: pr,
      loadConfig: input.loadConfig,
      force: true,
      trigger: command.kind === 'rescan' ? 'rescan' : 'ignore',
      onDone: (ok) => react(ok ? 'rocket' : 'confused'),
    });
    return 'ran';
  }

  /** Re-runs scans for the PRs a check run or check suite belongs to. */
  async rescanPulls(octokit: Octokit, owner: string, repo: string, numbers: number[], loadConfig: () => Promise<unknown>, force: boolean, trigger: Trigger): Promise<void> {
    for (const number of [...new Set(numbers)]) {
      const pr = await getPullTarget(octokit, owner, repo, number);
      if (pr.state !== 'open') continue;
      await this.requestScan({ octokit, target: pr, loadConfig, force, trigger });
    }
  }
}

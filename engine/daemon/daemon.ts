import { readdir } from 'node:fs/promises';
import { relative, resolve } from 'node:path';
import type { TemplateInstallation } from '../templates/install.js';
import { formatMessage, loadEnvironments, type LoadedEnvironment, type ValidationMessage } from '../load/index.js';
import type { Logger } from '../log/logger.js';
import type { DaemonMetrics } from '../metrics/daemon-metrics.js';
import type { Notifier } from '../notify/notifier.js';
import { formatCounts } from '../report/format-reconcile.js';
import { reconcileEnvironment } from '../run/reconcile-environment.js';
import { resultFailed, systemClock, type Clock, type ReconcileResult, type Reconciler } from '../run/reconcile.js';
import type { BranchHeads, CommitInfo, GitSource } from '../source/git-source.js';
import type { DaemonStore } from '../store/daemon-store.js';
import type { Trigger } from '../model/index.js';
import type { RunStore } from '../store/run-store.js';
import { decideEnvironment, deployBranchOf, deployChangeBase, folderChanged, type ChangeBase } from './decide-environment.js';
import { DriftSchedules, type DriftCheck } from './drift-schedule.js';
import { buildPreviewReport, type EnvironmentPreview, type PreviewReport } from './preview-report.js';
import { reconcileNotifications, rejectionNotification } from './reconcile-notifications.js';
import { FailureStreaks } from './failure-streak.js';
import { WorkQueue } from './work-queue.js';

/** Why a sync runs. */
export type SyncTrigger = 'startup' | 'poll' | 'webhook';

/** Settings the daemon acts with (from the validated configuration). */
export interface DaemonSettings {
  environmentsPath: string;
  defaultDeployBranch: string;
  stateDir: string;
  backendBaseDir: string;
  awsEndpointOverride: string | undefined;
  /** The operator's template installation: what environments are validated and run with. */
  templates: TemplateInstallation;
}

/** Collaborators, wired in the daemon's main. */
export interface DaemonDeps {
  source: GitSource;
  reconciler: Reconciler;
  runs: RunStore;
  daemonStore: DaemonStore;
  metrics: DaemonMetrics;
  log: Logger;
  /** Destinations for an environment's notifications (its own plus the daemon's). */
  notifierFor(environment: LoadedEnvironment | undefined): Notifier;
  /** Sends a finished preview report somewhere (optional). */
  postReport?: (report: { json: PreviewReport; markdown: string }) => Promise<void>;
  drift?: DriftCheck;
  settings: DaemonSettings;
  clock?: Clock;
}

/**
 * The GitOps loop. Each sync fetches, then for every branch whose head moved: reads its
 * environments tree (files only, never code), validates it, and per environment either
 * applies it (its deploy branch), rejects it (invalid on its deploy branch), or previews
 * it (any other branch). Work runs one job at a time, so drift checks never race a reconcile.
 */
export class Daemon {
  private readonly queue: WorkQueue;
  private readonly abort = new AbortController();
  private readonly clock: Clock;
  private readonly drift: DriftSchedules | undefined;
  /** Heads handled by this process, so an unchanged branch is not even read again. */
  private readonly seenHeads = new Map<string, string>();
  /** Each environment at its last good deploy commit: drift checks and notifications use it. */
  private readonly lastGood = new Map<string, { environment: LoadedEnvironment; revision: string }>();
  /** Environments whose deploy branch head is invalid: drift is still detected, never remediated. */
  private readonly invalidHeads = new Set<string>();
  private readonly streaks = new FailureStreaks();
  private ready = false;
  private stopping = false;

  constructor(private readonly deps: DaemonDeps) {
    this.clock = deps.clock ?? systemClock;
    this.queue = new WorkQueue((d) => deps.metrics.queueDepth.set(d));
    this.drift = deps.drift
      ? new DriftSchedules(
          deps.drift,
          (label, job) => this.enqueue(label, job),
          (env) => !this.invalidHeads.has(env),
          this.abort.signal,
          deps.log,
        )
      : undefined;
  }

  /** True after the first sync completed (fetched and handled every branch). */
  isReady(): boolean {
    return this.ready;
  }

  /** Asks for a fetch and sync; a request while one already waits is merged into it. */
  requestSync(trigger: SyncTrigger): void {
    this.enqueue('sync', () => this.sync(trigger));
  }

  /** Queues a job behind the running one (drift checks use this). */
  enqueue(label: string, job: () => Promise<void>): void {
    this.queue.push(label, async () => {
      try {
        await job();
      } catch (e) {
        this.deps.log.error({ job: label, err: e instanceof Error ? (e.stack ?? e.message) : String(e) }, `${label} failed unexpectedly`);
      }
    });
  }

  /** Waits until nothing runs or waits (tests use this). */
  idle(): Promise<void> {
    return this.queue.idle();
  }

  /**
   * Stops taking work, lets the running job finish for `finishWithinMs`, then cancels it
   * through the AbortSignal every Pulumi operation carries, and waits until `deadlineMs`.
   * Resolves to whether everything stopped in time.
   */
  async stop(opts: { finishWithinMs: number; deadlineMs: number }): Promise<boolean> {
    this.stopping = true;
    this.queue.close();
    this.drift?.stopAll();
    const idle = this.queue.idle().then(() => true);
    const timeout = (ms: number) => new Promise<false>((r) => setTimeout(() => r(false), ms).unref());
    if (await Promise.race([idle, timeout(opts.finishWithinMs)])) return true;
    this.deps.log.warn('cancelling the running operation for shutdown');
    this.abort.abort();
    return Promise.race([idle, timeout(Math.max(0, opts.deadlineMs - opts.finishWithinMs))]);
  }

  private async sync(trigger: SyncTrigger): Promise<void> {
    const log = this.deps.log.child({ sync: trigger });
    const fetched = await this.deps.source.fetch();
    if (!fetched.ok) {
      this.deps.metrics.gitFetchFailures.inc();
      log.error(
        { repository: this.deps.source.displayUrl, err: fetched.message },
        'fetching the Git source failed; keeping the last state',
      );
      return;
    }
    const heads = fetched.heads;
    for (const branch of this.deps.daemonStore.reportBranches()) {
      if (heads.has(branch)) continue;
      this.deps.daemonStore.deleteReport(branch);
      log.info({ branch }, `branch ${branch} was deleted: its preview report is dropped (nothing else changes)`);
    }
    for (const [branch, head] of this.branchOrder(heads)) {
      if (this.stopping) return;
      if (this.seenHeads.get(branch) === head) continue;
      try {
        await this.processBranch(branch, head, heads, trigger);
        if (!this.abort.signal.aborted) this.seenHeads.set(branch, head);
      } catch (e) {
        // Git or file system trouble on one branch; the next sync tries it again.
        log.error({ branch, revision: head, err: e instanceof Error ? e.message : String(e) }, `handling branch ${branch} failed`);
      }
    }
    this.deps.metrics.lastSync.setToCurrentTime();
    if (!this.ready) log.info({ branches: heads.size }, 'first sync complete: ready');
    this.ready = true;
  }

  /** Deploy branches first, so previews compare against freshly applied state. */
  private branchOrder(heads: BranchHeads): [string, string][] {
    const deploy = new Set(this.deps.daemonStore.listEnvironments().map((e) => e.deployBranch));
    deploy.add(this.deps.settings.defaultDeployBranch);
    return [...heads].sort(([a], [b]) => Number(deploy.has(b)) - Number(deploy.has(a)) || a.localeCompare(b));
  }

  private async changeBase(
    branch: string,
    head: string,
    deployBranch: string,
    lastReconciled: string | undefined,
    heads: BranchHeads,
  ): Promise<ChangeBase> {
    if (branch === deployBranch)
      return deployChangeBase(lastReconciled, lastReconciled ? await this.deps.source.hasCommit(lastReconciled) : false);
    const deployHead = heads.get(deployBranch);
    const base = deployHead ? await this.deps.source.mergeBase(head, deployHead) : undefined;
    return base ? { kind: 'commit', revision: base } : { kind: 'everything', reason: `no common history with ${deployBranch}` };
  }

  private async processBranch(branch: string, head: string, heads: BranchHeads, trigger: SyncTrigger): Promise<void> {
    const { environmentsPath } = this.deps.settings;
    const log = this.deps.log.child({ branch, revision: head });
    const commit = await this.deps.source.commitInfo(head);
    const tree = await this.deps.source.checkoutEnvironments(head);
    try {
      const folders = await readdir(tree.environmentsDir, { withFileTypes: true }).then(
        (entries) =>
          entries
            .filter((e) => e.isDirectory() && !e.name.startsWith('.'))
            .map((e) => e.name)
            .sort(),
        () => [] as string[],
      );
      const load =
        folders.length > 0
          ? await loadEnvironments(tree.environmentsDir, this.deps.settings.templates.registry)
          : { environments: [], messages: [] };
      // Messages name files as the repository has them, not as the temporary copy does.
      const messages = load.messages.map((m) => ({ ...m, file: relative(tree.root, resolve(m.file)) }));
      const previews: EnvironmentPreview[] = [];
      for (const name of folders) {
        if (this.stopping) return;
        const env = load.environments.find((e) => e.name === name);
        const own = messages.filter((m) => m.file.startsWith(`${environmentsPath}/${name}/`) || m.file === `${environmentsPath}/${name}`);
        const recorded = this.deps.daemonStore.getEnvironment(name);
        const deployBranch = deployBranchOf(env?.spec.deployBranch, recorded?.deployBranch, this.deps.settings.defaultDeployBranch);
        const isDeploy = branch === deployBranch;
        const revision = isDeploy ? this.deps.daemonStore.getRevision(name, branch) : undefined;
        const base = await this.changeBase(branch, head, deployBranch, revision?.lastReconciled, heads);
        const changed =
          base.kind === 'everything' || folderChanged(await this.deps.source.changedPaths(base.revision, head), environmentsPath, name);
        const action = decideEnvironment({
          branch,
          revision: head,
          deployBranch,
          valid: env !== undefined,
          changed,
          lastAttempted: revision?.lastAttempted,
          deployBranchExists: heads.has(deployBranch),
        });
        log.info(
          { environment: name, action: action.kind, base: base.kind === 'commit' ? base.revision : base.reason },
          `${name} on ${branch}: ${action.kind === 'skip' ? `skip (${action.reason})` : action.kind}`,
        );
        if (isDeploy) {
          this.deps.daemonStore.saveEnvironment({
            environment: name,
            deployBranch,
            revision: head,
            valid: env !== undefined,
            messages: own,
            updatedAt: this.clock.now().toISOString(),
          });
        }
        switch (action.kind) {
          case 'reconcile':
            if (env && (await this.applyDeploy(env, branch, commit, trigger))) this.markGood(env, head);
            break;
          case 'reject':
            await this.reject(name, branch, commit, own, trigger);
            break;
          case 'preview':
            previews.push(
              env
                ? { environment: name, messages: own, result: await this.preview(env, head, trigger) }
                : { environment: name, messages: own },
            );
            break;
          case 'skip':
            if (isDeploy && env && !this.lastGood.has(name)) this.markGood(env, head);
            break;
        }
      }
      if (this.abort.signal.aborted) return;
      if (previews.length > 0) await this.saveReport(branch, commit, previews);
      else if (this.deps.daemonStore.getReport(branch)) {
        this.deps.daemonStore.deleteReport(branch);
        log.info(`branch ${branch} no longer changes any environment: its preview report is dropped`);
      }
    } finally {
      tree.dispose();
    }
  }

  /** Alerts once when reconciles of an environment keep failing, and once when one succeeds again. */
  private async notifyStreak(environment: string, commit: CommitInfo, failed: boolean): Promise<void> {
    const signal = this.streaks.record(environment, failed);
    if (!signal) return;
    const notifier = this.deps.notifierFor(this.lastGood.get(environment)?.environment);
    await notifier.notify({
      kind: signal.alert === 'failing-repeatedly' ? 'reconcile-failing-repeatedly' : 'reconcile-recovered',
      environment,
      revision: commit.revision,
      author: commit.author,
      summary:
        signal.alert === 'failing-repeatedly'
          ? `the last ${signal.failures} reconciles of ${environment} failed; the last good state stays live`
          : `${environment} reconciles again after ${signal.failures} failures`,
      at: this.clock.now().toISOString(),
    });
  }

  private markGood(env: LoadedEnvironment, revision: string): void {
    this.lastGood.set(env.name, { environment: env, revision });
    this.invalidHeads.delete(env.name);
    this.drift?.update(env, revision);
  }

  private trigger(t: SyncTrigger): Trigger {
    return t === 'webhook' ? 'webhook' : 'commit';
  }

  private run(env: LoadedEnvironment, revision: string, operation: 'up' | 'preview', trigger: SyncTrigger): Promise<ReconcileResult> {
    const s = this.deps.settings;
    return reconcileEnvironment(this.deps.reconciler, {
      environment: env,
      revision,
      operation,
      trigger: this.trigger(trigger),
      stateDir: s.stateDir,
      baseDir: s.backendBaseDir,
      awsEndpointOverride: s.awsEndpointOverride,
      signal: this.abort.signal,
      plugins: { plugins: s.templates.plugins, acquire: s.templates.acquirePlugins },
    });
  }

  /** Applies a deploy commit; true when it succeeded. A cancelled run records nothing, so the next start retries it. */
  private async applyDeploy(env: LoadedEnvironment, branch: string, commit: CommitInfo, trigger: SyncTrigger): Promise<boolean> {
    const { metrics } = this.deps;
    const log = this.deps.log.child({ environment: env.name, revision: commit.revision });
    const stopTimer = metrics.reconcileDuration.startTimer({ operation: 'up' });
    const result = await this.run(env, commit.revision, 'up', trigger);
    stopTimer();
    if (this.abort.signal.aborted) {
      log.warn(`reconcile of ${env.name} at ${commit.revision.slice(0, 12)} was cancelled by shutdown; the next start picks it up again`);
      return false;
    }
    const failed = resultFailed(result);
    metrics.reconciles.inc({ operation: 'up', result: failed ? 'failed' : 'succeeded' });
    for (const s of result.stacks)
      if (s.outcome === 'failed') metrics.failures.inc({ environment: env.name, kind: s.errorKind ?? 'internal' });
    this.deps.daemonStore.recordAttempt(env.name, branch, commit.revision, failed ? 'failed' : 'succeeded', this.clock.now());
    const summary = result.stacks
      .map((s) => `${s.stack} ${s.outcome}${s.outcome === 'applied' ? ` (${formatCounts(s.changes)})` : ''}`)
      .join(', ');
    log[failed ? 'error' : 'info'](
      { author: commit.author, pulumiOperations: result.pulumiOperations },
      `up ${env.name} @ ${commit.revision.slice(0, 12)}: ${summary}`,
    );
    const notifier = this.deps.notifierFor(env);
    for (const n of reconcileNotifications(result, commit.author, this.clock.now())) await notifier.notify(n);
    await this.notifyStreak(env.name, commit, failed);
    return !failed;
  }

  /** Refuses an invalid deploy commit: logged, recorded as a failed run, notified. The last good state stays. */
  private async reject(
    environment: string,
    branch: string,
    commit: CommitInfo,
    messages: ValidationMessage[],
    trigger: SyncTrigger,
  ): Promise<void> {
    const now = this.clock.now().toISOString();
    const errors = messages.filter((m) => m.severity === 'error').map(formatMessage);
    this.invalidHeads.add(environment);
    this.deps.log.error(
      { environment, revision: commit.revision, author: commit.author, errors },
      `commit ${commit.revision.slice(0, 12)} on ${branch} is invalid for ${environment}; nothing was applied:\n${errors.join('\n')}`,
    );
    this.deps.runs.recordRun({
      environment,
      // The whole environment was refused, before any stack was considered.
      stack: '*',
      revision: commit.revision,
      trigger: this.trigger(trigger),
      operation: 'up',
      result: 'failed',
      changes: {},
      durationMs: 0,
      errorKind: 'invalid',
      error: errors.join('\n'),
      reason: 'invalid commit: nothing applied',
      startedAt: now,
      finishedAt: now,
    });
    this.deps.daemonStore.recordAttempt(environment, branch, commit.revision, 'rejected', this.clock.now());
    this.deps.metrics.reconciles.inc({ operation: 'up', result: 'rejected' });
    this.deps.metrics.failures.inc({ environment, kind: 'invalid' });
    const notifier = this.deps.notifierFor(this.lastGood.get(environment)?.environment);
    await notifier.notify(rejectionNotification(environment, commit.revision, commit.author, messages, this.clock.now()));
    await this.notifyStreak(environment, commit, true);
  }

  private async preview(env: LoadedEnvironment, revision: string, trigger: SyncTrigger): Promise<ReconcileResult> {
    const stopTimer = this.deps.metrics.reconcileDuration.startTimer({ operation: 'preview' });
    const result = await this.run(env, revision, 'preview', trigger);
    stopTimer();
    this.deps.metrics.reconciles.inc({ operation: 'preview', result: resultFailed(result) ? 'failed' : 'succeeded' });
    return result;
  }

  private async saveReport(branch: string, commit: CommitInfo, environments: EnvironmentPreview[]): Promise<void> {
    const report = buildPreviewReport({ branch, revision: commit.revision, author: commit.author, at: this.clock.now(), environments });
    this.deps.daemonStore.saveReport({
      branch,
      revision: commit.revision,
      author: commit.author,
      markdown: report.markdown,
      json: report.json,
      createdAt: report.json.generatedAt,
    });
    this.deps.log.info(
      { branch, revision: commit.revision, environments: environments.map((e) => e.environment), changes: report.json.changes },
      `preview report of ${branch} saved`,
    );
    await this.deps.postReport?.(report);
  }
}

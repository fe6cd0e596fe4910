import { readdir } from 'node:fs/promises';
import { relative, resolve } from 'node:path';
import type { TemplateInstallation } from '../templates/install.js';
import { type CheckOptions, formatMessage, loadEnvironments, type LoadedEnvironment, type ValidationMessage } from '../load/index.js';
import type { Logger } from '../log/logger.js';
import type { DaemonMetrics } from '../metrics/daemon-metrics.js';
import type { Notification, Notifier } from '../notify/notifier.js';
import { formatCounts } from '../report/format-reconcile.js';
import { reconcileEnvironment } from '../run/reconcile-environment.js';
import { resultFailed, systemClock, type Clock, type ReconcileResult, type Reconciler, type StackDispatch } from '../run/reconcile.js';
import type { BranchHeads, CommitInfo, GitSource } from '../source/git-source.js';
import { describeVerification, verifyDeploy, type TrustMode, type TrustVerdict } from '../source/verify-commit.js';
import type { EnvironmentTrust } from '../store/daemon-store.js';
import type { DaemonStore } from '../store/daemon-store.js';
import type { CommitAudit, Trigger } from '../model/index.js';
import type { RunStore } from '../store/run-store.js';
import { decideEnvironment, deployBranchOf, deployChangeBase, folderChanged, type ChangeBase } from './decide-environment.js';
import { DriftSchedules, type DriftCheck, type DriftOutcome } from './drift-schedule.js';
import { buildPreviewReport, type EnvironmentPreview, type PreviewReport } from './preview-report.js';
import { reconcileNotifications, rejectionNotification, untrustedNotification } from './reconcile-notifications.js';
import { durationMs } from '../../schemas/environment.js';
import type { RetryPolicy } from './backoff.js';
import { headRejected, markEnvironmentStatus, retryDue, type StatusAlert, type StatusEvent } from './environment-status.js';
import { LaneScheduler, type LaneJob } from './lanes.js';

/** Why a sync runs. */
export type SyncTrigger = 'startup' | 'poll' | 'webhook' | 'retry';

/** Settings the daemon acts with (from the validated configuration). */
export interface DaemonSettings {
  environmentsPath: string;
  defaultDeployBranch: string;
  stateDir: string;
  backendBaseDir: string;
  awsEndpointOverride: string | undefined;
  /** The operator's template installation: what environments are validated and run with. */
  templates: TemplateInstallation;
  /** Which deploy commits must verify before they are applied (`off`: none). */
  trustMode?: TrustMode;
  /** Verify signatures for the audit trail even when trust is off (the operator configured keys). */
  verifySignatures?: boolean;
  /** Environments deploying or previewing at once, and drift checks at once (config `concurrency:`). */
  concurrency?: { environments: number; driftChecks: number };
}

/** The API's view of a verdict. */
function environmentTrust(v: TrustVerdict): EnvironmentTrust {
  const decided = v.failed ?? v.head;
  return {
    trusted: v.trusted,
    reason: v.reason,
    revision: decided.revision,
    ...(decided.signer ? { signer: decided.signer } : {}),
  };
}

/** Hooks for showing previews and deploys elsewhere (a forge); awaited where they are called, they must not reject. */
export interface DaemonReporting {
  previewStarted(p: { branch: string; revision: string; environment: string }): Promise<void>;
  deployed(p: { environment: string; branch: string; commit: CommitInfo; result: ReconcileResult }): Promise<void>;
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
  /** Told when a preview starts and when a deploy ends (merge-request statuses; engine/daemon/forge-reporter.ts). */
  reporting?: DaemonReporting;
  drift?: DriftCheck;
  settings: DaemonSettings;
  clock?: Clock;
  /** Jitter of retry delays, [0, 1) (Math.random unless a test fixes it). */
  random?: () => number;
  /**
   * Replicas (Postgres mode): where each environment operation sends the stacks that must
   * change — to the shared work queue, so any replica runs them. Absent: they run here.
   */
  dispatch?: (op: {
    environment: LoadedEnvironment;
    revision: string;
    trigger: Trigger;
    audit: CommitAudit | undefined;
  }) => Promise<StackDispatch>;
}

/** An environment's retry policy from its spec. */
export function retryPolicyOf(env: LoadedEnvironment): RetryPolicy {
  const r = env.spec.retry;
  return { intervalMs: durationMs(r.interval), maxIntervalMs: durationMs(r.maxInterval), stallAfter: r.stallAfter };
}

/**
 * The GitOps loop. Each sync fetches, then for every branch whose head moved: reads its
 * environments tree (files only, never code), validates it, and per environment either
 * applies it (its deploy branch), rejects it (invalid on its deploy branch), or previews
 * it (any other branch). Work runs in lanes (engine/daemon/lanes.ts): environments deploy
 * concurrently up to a bound, drift checks never hold a deploy back and never touch an
 * environment a deploy waits for. What the daemon knows of each environment is its
 * persisted EnvironmentStatus (engine/daemon/environment-status.ts), so it survives restarts.
 */
export class Daemon {
  private readonly lanes: LaneScheduler;
  private readonly abort = new AbortController();
  private readonly clock: Clock;
  private readonly drift: DriftSchedules | undefined;
  /** Heads handled by this process, so an unchanged branch is not even read again. */
  private readonly seenHeads = new Map<string, string>();
  /** Each environment at its last good deploy commit: drift checks and notifications use it. */
  private readonly lastGood = new Map<string, { environment: LoadedEnvironment; revision: string }>();
  /** Untrusted deploy heads skipped as unchanged (recomputed by every sync): drift is detected, never remediated. */
  private readonly untrustedHeads = new Set<string>();
  /** Armed from the persisted nextRetryAt of each failing environment. */
  private readonly retryTimers = new Map<string, NodeJS.Timeout>();
  /**
   * The queue of status writes: each mark reads the status the previous one wrote
   * (read-modify-write), in call order, as when the store was synchronous.
   */
  private statusWrites: Promise<unknown> = Promise.resolve();
  private ready = false;
  private stopping = false;

  constructor(private readonly deps: DaemonDeps) {
    this.clock = deps.clock ?? systemClock;
    const c = deps.settings.concurrency ?? { environments: 4, driftChecks: 1 };
    this.lanes = new LaneScheduler(
      { sync: 1, work: c.environments, drift: c.driftChecks },
      {
        signal: this.abort.signal,
        onDepth: (d) => deps.metrics.queueDepth.set(d),
        onEvent: (e) => {
          if (e.kind === 'preempted') deps.log.info({ job: e.job.key, by: e.by.key }, `${e.job.key} cancelled: ${e.by.key} comes first`);
        },
      },
    );
    this.drift = deps.drift
      ? new DriftSchedules(
          deps.drift,
          {
            enqueue: (key, environment, job) => this.push({ lane: 'drift', key, environments: [environment], run: job }),
            gitStateValid: async (env) => !headRejected(await this.deps.daemonStore.getStatus(env)) && !this.untrustedHeads.has(env),
            workIdle: () => this.lanes.workIdle(),
            // Called from synchronous code (a schedule's tick, markGood): queued, not awaited.
            scheduled: (env, next) => this.markQueued(env, { kind: 'drift-scheduled', nextAt: next?.toISOString() }),
            checked: async (env, outcome: DriftOutcome) => {
              await this.mark(env, { kind: 'drift-checked', ...outcome });
            },
          },
          deps.log,
        )
      : undefined;
  }

  /** Arms the retries of failing environments from their persisted statuses (retries survive restarts); once, before the first sync. */
  async restore(): Promise<void> {
    for (const s of await this.deps.daemonStore.listStatuses()) if (s.nextRetryAt) this.armRetry(s.environment, s.nextRetryAt);
  }

  /** Writes an event into an environment's persisted status (the one writer, markEnvironmentStatus), after the writes queued before it. */
  private mark(environment: string, event: StatusEvent): Promise<StatusAlert[]> {
    const now = this.clock.now();
    const write = this.statusWrites.then(async () => {
      const t = await markEnvironmentStatus(this.deps.daemonStore, environment, event, now);
      if (t.status.nextRetryAt) this.armRetry(environment, t.status.nextRetryAt);
      else this.disarmRetry(environment);
      return t.alerts;
    });
    this.statusWrites = write.catch(() => undefined);
    return write;
  }

  /** {@link mark} for a caller that cannot await it: queued in order like any other; a failure is logged. */
  private markQueued(environment: string, event: StatusEvent): void {
    this.mark(environment, event).catch((e: unknown) =>
      this.deps.log.error(
        { environment, event: event.kind, err: e instanceof Error ? e.message : String(e) },
        `recording the status of ${environment} failed`,
      ),
    );
  }

  /** At `at`, the deploy branch is handled again, so the failed commit is retried (unless a newer one came). */
  private armRetry(environment: string, at: string): void {
    if (this.stopping) return;
    this.disarmRetry(environment);
    const delay = Math.max(0, Date.parse(at) - this.clock.now().getTime());
    const timer = setTimeout(() => {
      this.retryTimers.delete(environment);
      this.retry(environment).catch((e: unknown) =>
        this.deps.log.error(
          { environment, err: e instanceof Error ? e.message : String(e) },
          `retrying the failed deploy of ${environment} failed`,
        ),
      );
    }, delay);
    timer.unref();
    this.retryTimers.set(environment, timer);
  }

  /** A retry is due: the deploy branch of `environment` is handled again on the next sync. */
  private async retry(environment: string): Promise<void> {
    const branch = (await this.deps.daemonStore.getEnvironment(environment))?.deployBranch ?? this.deps.settings.defaultDeployBranch;
    this.deps.log.info({ environment, branch }, `retrying the failed deploy of ${environment}`);
    this.seenHeads.delete(branch);
    this.requestSync('retry');
  }

  private disarmRetry(environment: string): void {
    const t = this.retryTimers.get(environment);
    if (t) clearTimeout(t);
    this.retryTimers.delete(environment);
  }

  /** Queues a job in its lane; failures are logged, never thrown. */
  private push(job: LaneJob): void {
    this.lanes.push({
      ...job,
      run: async (signal) => {
        try {
          await job.run(signal);
        } catch (e) {
          this.deps.log.error(
            { job: job.key, err: e instanceof Error ? (e.stack ?? e.message) : String(e) },
            `${job.key} failed unexpectedly`,
          );
        }
      },
    });
  }

  /** Queues a drift check of every stack now (all environments, or one), in the drift lane. */
  checkDriftNow(environment?: string): void {
    this.drift?.checkNow(environment);
  }

  /** What runs and waits, by job key (tests, diagnostics). */
  work(): { running: string[]; waiting: string[] } {
    return this.lanes.snapshot();
  }

  /** True after the first sync completed (fetched and handled every branch). */
  isReady(): boolean {
    return this.ready;
  }

  /** Asks for a fetch and sync; a request while one already waits is merged into it. */
  requestSync(trigger: SyncTrigger): void {
    this.push({ lane: 'sync', key: 'sync', environments: [], run: () => this.sync(trigger) });
  }

  /** Handles `branch` again on the next sync even if its head did not move (a merge request opened on it). */
  rehandle(branch: string): void {
    this.seenHeads.delete(branch);
    this.requestSync('webhook');
  }

  /** Waits until nothing runs or waits, status writes included (tests use this). */
  async idle(): Promise<void> {
    await this.lanes.idle();
    await this.statusWrites;
  }

  /**
   * Stops taking work, lets the running job finish for `finishWithinMs`, then cancels it
   * through the AbortSignal every Pulumi operation carries, and waits until `deadlineMs`.
   * Resolves to whether everything stopped in time.
   */
  async stop(opts: { finishWithinMs: number; deadlineMs: number }): Promise<boolean> {
    this.stopping = true;
    this.lanes.close();
    this.drift?.stopAll();
    for (const name of [...this.retryTimers.keys()]) this.disarmRetry(name);
    // Queued status writes land before the caller closes the store.
    const idle = this.lanes
      .idle()
      .then(() => this.statusWrites)
      .then(() => true);
    const timeout = (ms: number) => new Promise<false>((r) => setTimeout(() => r(false), ms).unref());
    if (await Promise.race([idle, timeout(opts.finishWithinMs)])) return true;
    this.deps.log.warn('cancelling the running operation for shutdown');
    this.abort.abort();
    return Promise.race([idle, timeout(Math.max(0, opts.deadlineMs - opts.finishWithinMs))]);
  }

  private async sync(trigger: SyncTrigger): Promise<void> {
    const log = this.deps.log.child({ sync: trigger });
    this.deps.metrics.syncs.inc({ trigger });
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
    for (const branch of await this.deps.daemonStore.reportBranches()) {
      if (heads.has(branch)) continue;
      await this.deps.daemonStore.deleteReport(branch);
      log.info({ branch }, `branch ${branch} was deleted: its preview report is dropped (nothing else changes)`);
    }
    for (const [branch, head] of await this.branchOrder(heads)) {
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
  private async branchOrder(heads: BranchHeads): Promise<[string, string][]> {
    const deploy = new Set((await this.deps.daemonStore.listEnvironments()).map((e) => e.deployBranch));
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
    /** Verdicts on this head, per last applied commit (range mode checks the commits in between). */
    const verdicts = new Map<string, TrustVerdict>();
    const tree = await this.deps.source.checkoutEnvironments(head);
    /** Jobs queued with this tree's environments: the tree is disposed when the last one ends. */
    const jobs: Promise<void>[] = [];
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
          ? await loadEnvironments(tree.environmentsDir, this.deps.settings.templates.registry, this.loadOptions())
          : { environments: [], messages: [] };
      // Messages name files as the repository has them, not as the temporary copy does.
      const messages = load.messages.map((m) => ({ ...m, file: relative(tree.root, resolve(m.file)) }));
      const previews: { name: string; env: LoadedEnvironment | undefined; messages: ValidationMessage[] }[] = [];
      for (const name of folders) {
        if (this.stopping) return;
        const env = load.environments.find((e) => e.name === name);
        const own = messages.filter((m) => m.file.startsWith(`${environmentsPath}/${name}/`) || m.file === `${environmentsPath}/${name}`);
        const recorded = await this.deps.daemonStore.getEnvironment(name);
        const deployBranch = deployBranchOf(env?.spec.deployBranch, recorded?.deployBranch, this.deps.settings.defaultDeployBranch);
        const isDeploy = branch === deployBranch;
        const revision = isDeploy ? await this.deps.daemonStore.getRevision(name, branch) : undefined;
        const base = await this.changeBase(branch, head, deployBranch, revision?.lastReconciled, heads);
        const changed =
          base.kind === 'everything' || folderChanged(await this.deps.source.changedPaths(base.revision, head), environmentsPath, name);
        const verdict = isDeploy ? await this.trustOf(head, revision?.lastReconciled, verdicts) : undefined;
        const gated = (this.deps.settings.trustMode ?? 'off') !== 'off';
        const untrusted = gated && verdict?.trusted === false;
        const status = isDeploy ? await this.deps.daemonStore.getStatus(name) : undefined;
        const action = decideEnvironment({
          branch,
          revision: head,
          deployBranch,
          valid: env !== undefined,
          changed,
          lastAttempted: revision?.lastAttempted,
          deployBranchExists: heads.has(deployBranch),
          trusted: gated ? verdict?.trusted : undefined,
          retryDue: isDeploy && retryDue(status, head, this.clock.now()),
          failing: isDeploy && revision?.lastResult === 'failed',
        });
        log.info(
          { environment: name, action: action.kind, base: base.kind === 'commit' ? base.revision : base.reason },
          `${name} on ${branch}: ${action.kind === 'skip' ? `skip (${action.reason})` : action.kind}`,
        );
        if (isDeploy) {
          await this.deps.daemonStore.saveEnvironment({
            environment: name,
            deployBranch,
            revision: head,
            valid: env !== undefined,
            messages: own,
            updatedAt: this.clock.now().toISOString(),
            ...(verdict ? { trust: environmentTrust(verdict) } : {}),
          });
          if (untrusted) this.untrustedHeads.add(name);
          else this.untrustedHeads.delete(name);
        }
        switch (action.kind) {
          case 'reconcile':
            if (env) jobs.push(this.scheduleDeploy(env, branch, commit, trigger, verdict));
            break;
          case 'reject':
            if (action.reason === 'untrusted' && verdict) await this.rejectUntrusted(name, branch, commit, verdict, trigger);
            else await this.reject(name, branch, commit, own, trigger);
            break;
          case 'preview':
            if (env) await this.deps.reporting?.previewStarted({ branch, revision: head, environment: name });
            previews.push({ name, env, messages: own });
            break;
          case 'skip':
            if (!isDeploy) break;
            // A head whose content is the last applied one, after a rejected commit (a revert): ready again.
            if (env && !untrusted && !changed && headRejected(status))
              await this.notifyAlerts(name, commit, await this.mark(name, { kind: 'deploy-succeeded', revision: head }));
            // An untrusted or invalid head (e.g. rejected before a restart) never becomes the good state drift checks use.
            if (!this.lastGood.has(name))
              await this.adoptGoodState(name, head, untrusted ? undefined : env, revision?.lastReconciled, !changed);
            break;
        }
      }
      if (this.abort.signal.aborted) return;
      if (previews.length > 0) jobs.push(this.schedulePreviews(branch, commit, trigger, previews));
      else if (await this.deps.daemonStore.getReport(branch)) {
        await this.deps.daemonStore.deleteReport(branch);
        log.info(`branch ${branch} no longer changes any environment: its preview report is dropped`);
      }
    } finally {
      if (jobs.length === 0) tree.dispose();
      else void Promise.allSettled(jobs).then(() => tree.dispose());
    }
  }

  /** Queues the up of a deploy commit in the deploy lane; resolves when it ran or was dropped (a newer commit replaced it). */
  private scheduleDeploy(
    env: LoadedEnvironment,
    branch: string,
    commit: CommitInfo,
    trigger: SyncTrigger,
    verdict: TrustVerdict | undefined,
  ): Promise<void> {
    return new Promise((resolve) => {
      this.push({
        lane: 'deploy',
        key: `deploy ${env.name}`,
        environments: [env.name],
        dropped: resolve,
        run: async (signal) => {
          try {
            // A webhook and a retry may both have queued this commit: the second finds it handled.
            const rec = await this.deps.daemonStore.getRevision(env.name, branch);
            const due = retryDue(await this.deps.daemonStore.getStatus(env.name), commit.revision, this.clock.now());
            if (rec?.lastAttempted === commit.revision && !due) return;
            if (await this.applyDeploy(env, branch, commit, trigger, verdict, signal)) {
              this.markGood(env, commit.revision);
              if (await this.previewsStale(env.name)) this.requestSync(trigger);
            }
          } finally {
            resolve();
          }
        },
      });
    });
  }

  /** Queues the previews of a branch (one report) in the preview lane, after any deploy of the same environments. */
  private schedulePreviews(
    branch: string,
    commit: CommitInfo,
    trigger: SyncTrigger,
    targets: { name: string; env: LoadedEnvironment | undefined; messages: ValidationMessage[] }[],
  ): Promise<void> {
    return new Promise((resolve) => {
      this.push({
        lane: 'preview',
        key: `preview ${branch}`,
        environments: targets.filter((t) => t.env).map((t) => t.name),
        dropped: resolve,
        run: async (signal) => {
          try {
            const previews: EnvironmentPreview[] = [];
            for (const t of targets) {
              if (signal.aborted) return;
              previews.push(
                t.env
                  ? { environment: t.name, messages: t.messages, result: await this.preview(t.env, commit.revision, trigger, signal) }
                  : { environment: t.name, messages: t.messages },
              );
            }
            if (!signal.aborted) await this.saveReport(branch, commit, previews);
          } finally {
            resolve();
          }
        },
      });
    });
  }

  /**
   * Schedules drift checks of an environment whose deploy head is not (or not yet) applied
   * in this process: at the head when it is the applied state (or equal to it), else at
   * the last applied commit, read from Git again — so a daemon restarted while its head is
   * invalid, untrusted or failing still checks drift against what is live.
   */
  private async adoptGoodState(
    name: string,
    head: string,
    env: LoadedEnvironment | undefined,
    lastReconciled: string | undefined,
    unchanged: boolean,
  ): Promise<void> {
    let applied = (await this.deps.daemonStore.getStatus(name))?.lastAppliedRevision;
    if (!applied && lastReconciled) {
      // Recorded by a daemon from before statuses: adopt its last reconciled commit.
      await this.mark(name, { kind: 'adopted', revision: lastReconciled });
      applied = lastReconciled;
    }
    if (env && (applied === head || (applied && unchanged))) return this.markGood(env, head);
    if (!applied) return;
    const tree = await this.deps.source.checkoutEnvironments(applied);
    try {
      const load = await loadEnvironments(tree.environmentsDir, this.deps.settings.templates.registry, this.loadOptions());
      const good = load.environments.find((e) => e.name === name);
      if (good) this.markGood(good, applied);
      else
        this.deps.log.warn({ environment: name, revision: applied }, `${name} does not load at its last applied commit: no drift checks`);
    } finally {
      tree.dispose();
    }
  }

  /** The status's alerts: once when the environment stalls (retries exhausted), once when it reconciles again. */
  private async notifyAlerts(environment: string, commit: CommitInfo, alerts: StatusAlert[]): Promise<void> {
    for (const alert of alerts) {
      const notifier = this.deps.notifierFor(this.lastGood.get(environment)?.environment);
      await notifier.notify({
        kind: alert.kind === 'stalled' ? 'reconcile-failing-repeatedly' : 'reconcile-recovered',
        environment,
        revision: commit.revision,
        author: commit.author,
        summary:
          alert.kind === 'stalled'
            ? `the last ${alert.failures} reconciles of ${environment} failed: Stalled; the last good state stays live, retries go on`
            : `${environment} reconciles again after ${alert.failures} failures`,
        at: this.clock.now().toISOString(),
      });
    }
  }

  /** The verdict on a deploy head, when trust is on or keys are configured for the audit trail. */
  private async trustOf(
    head: string,
    lastReconciled: string | undefined,
    cache: Map<string, TrustVerdict>,
  ): Promise<TrustVerdict | undefined> {
    const mode = this.deps.settings.trustMode ?? 'off';
    if (mode === 'off' && !this.deps.settings.verifySignatures) return undefined;
    const key = mode === 'range' ? (lastReconciled ?? '') : '';
    let verdict = cache.get(key);
    if (!verdict) {
      verdict = await verifyDeploy(this.deps.source, mode === 'range' ? 'range' : 'heads', head, lastReconciled);
      cache.set(key, verdict);
    }
    return verdict;
  }

  /** The deploy state of `environment` moved: branches whose report previews it are previewed again, against the new base. */
  private async previewsStale(environment: string): Promise<boolean> {
    let stale = false;
    for (const branch of await this.deps.daemonStore.reportBranches()) {
      const json = (await this.deps.daemonStore.getReport(branch))?.json as PreviewReport | undefined;
      if (json?.environments.some((e) => e.environment === environment)) {
        this.seenHeads.delete(branch);
        stale = true;
      }
    }
    return stale;
  }

  private markGood(env: LoadedEnvironment, revision: string): void {
    this.lastGood.set(env.name, { environment: env, revision });
    this.drift?.update(env, revision);
  }

  /** Replicas share Pulumi state only through a backend every one of them reaches: file:// is refused then. */
  private loadOptions(): CheckOptions {
    return { requireSharedBackend: this.deps.dispatch !== undefined };
  }

  private trigger(t: SyncTrigger): Trigger {
    return t === 'webhook' ? 'webhook' : t === 'retry' ? 'retry' : 'commit';
  }

  private async run(
    env: LoadedEnvironment,
    revision: string,
    operation: 'up' | 'preview',
    trigger: SyncTrigger,
    signal: AbortSignal,
    audit?: CommitAudit,
  ): Promise<ReconcileResult> {
    const s = this.deps.settings;
    const dispatch = await this.deps.dispatch?.({ environment: env, revision, trigger: this.trigger(trigger), audit });
    return reconcileEnvironment(this.deps.reconciler, {
      ...(dispatch ? { dispatch } : {}),
      environment: env,
      revision,
      operation,
      trigger: this.trigger(trigger),
      stateDir: s.stateDir,
      baseDir: s.backendBaseDir,
      awsEndpointOverride: s.awsEndpointOverride,
      signal,
      plugins: { plugins: s.templates.plugins, acquire: s.templates.acquirePlugins },
      ...(audit ? { audit } : {}),
    });
  }

  /** Applies a deploy commit; true when it succeeded. A cancelled run records nothing, so the next start retries it. */
  private async applyDeploy(
    env: LoadedEnvironment,
    branch: string,
    commit: CommitInfo,
    trigger: SyncTrigger,
    verdict: TrustVerdict | undefined,
    signal: AbortSignal,
  ): Promise<boolean> {
    const { metrics } = this.deps;
    const log = this.deps.log.child({ environment: env.name, revision: commit.revision });
    const audit = auditOf(commit, verdict);
    await this.mark(env.name, { kind: 'deploy-started', revision: commit.revision });
    const stopTimer = metrics.reconcileDuration.startTimer({ operation: 'up' });
    const result = await this.run(env, commit.revision, 'up', trigger, signal, audit);
    stopTimer();
    if (signal.aborted) {
      await this.mark(env.name, { kind: 'deploy-cancelled', revision: commit.revision });
      log.warn(`reconcile of ${env.name} at ${commit.revision.slice(0, 12)} was cancelled by shutdown; the next start picks it up again`);
      return false;
    }
    const failed = resultFailed(result);
    metrics.reconciles.inc({ operation: 'up', result: failed ? 'failed' : 'succeeded' });
    for (const s of result.stacks)
      if (s.outcome === 'failed') metrics.failures.inc({ environment: env.name, kind: s.errorKind ?? 'internal' });
    await this.deps.daemonStore.recordAttempt(env.name, branch, commit.revision, failed ? 'failed' : 'succeeded', this.clock.now());
    await this.deps.reporting?.deployed({ environment: env.name, branch, commit, result });
    const summary = result.stacks
      .map((s) => `${s.stack} ${s.outcome}${s.outcome === 'applied' ? ` (${formatCounts(s.changes)})` : ''}`)
      .join(', ');
    log[failed ? 'error' : 'info'](
      { author: commit.author, pulumiOperations: result.pulumiOperations },
      `up ${env.name} @ ${commit.revision.slice(0, 12)}: ${summary}`,
    );
    const notifier = this.deps.notifierFor(env);
    for (const n of reconcileNotifications(result, commit.author, this.clock.now(), audit)) await notifier.notify(n);
    const alerts = await this.mark(
      env.name,
      failed
        ? {
            kind: 'deploy-failed',
            revision: commit.revision,
            message: failureMessage(result),
            retry: retryPolicyOf(env),
            random: (this.deps.random ?? Math.random)(),
          }
        : { kind: 'deploy-succeeded', revision: commit.revision },
    );
    await this.notifyAlerts(env.name, commit, alerts);
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
    const errors = messages.filter((m) => m.severity === 'error').map(formatMessage);
    this.deps.log.error(
      { environment, revision: commit.revision, author: commit.author, errors },
      `commit ${commit.revision.slice(0, 12)} on ${branch} is invalid for ${environment}; nothing was applied:\n${errors.join('\n')}`,
    );
    const first = errors[0] ?? 'invalid';
    await this.recordRejection(environment, branch, commit, trigger, {
      kind: 'invalid',
      error: errors.join('\n'),
      message: errors.length > 1 ? `${first} (and ${errors.length - 1} more)` : first,
      notification: (at) => rejectionNotification(environment, commit.revision, commit.author, messages, at),
    });
  }

  /** Refuses a deploy commit not signed by a trusted key: logged, recorded as a failed run, notified. The last good state stays. */
  private async rejectUntrusted(
    environment: string,
    branch: string,
    commit: CommitInfo,
    verdict: TrustVerdict,
    trigger: SyncTrigger,
  ): Promise<void> {
    const decided = verdict.failed ?? verdict.head;
    const why = describeVerification(decided);
    this.deps.log.error(
      { environment, revision: commit.revision, author: commit.author, committer: commit.committer, trust: environmentTrust(verdict) },
      `commit ${commit.revision.slice(0, 12)} on ${branch} is untrusted for ${environment} (${verdict.mode}); nothing was applied: ${why}`,
    );
    await this.recordRejection(environment, branch, commit, trigger, {
      kind: 'untrusted',
      error: why,
      message: why,
      notification: (at) => untrustedNotification(environment, verdict, { author: commit.author, committer: commit.committer }, at),
    });
  }

  /**
   * What refusing a deploy commit (invalid or untrusted) records and sends once it is
   * logged: a failed run for the whole environment, a rejected attempt, the metrics, the
   * notification (built by `rejection.notification`) and the status alerts.
   */
  private async recordRejection(
    environment: string,
    branch: string,
    commit: CommitInfo,
    trigger: SyncTrigger,
    rejection: { kind: 'invalid' | 'untrusted'; error: string; message: string; notification: (at: Date) => Notification },
  ): Promise<void> {
    const now = this.clock.now().toISOString();
    await this.deps.runs.recordRun({
      environment,
      // The whole environment was refused, before any stack was considered.
      stack: '*',
      revision: commit.revision,
      trigger: this.trigger(trigger),
      operation: 'up',
      result: 'failed',
      changes: {},
      durationMs: 0,
      errorKind: rejection.kind,
      error: rejection.error,
      reason: `${rejection.kind} commit: nothing applied`,
      startedAt: now,
      finishedAt: now,
      author: commit.author,
      committer: commit.committer,
    });
    await this.deps.daemonStore.recordAttempt(environment, branch, commit.revision, 'rejected', this.clock.now());
    this.deps.metrics.reconciles.inc({ operation: 'up', result: 'rejected' });
    this.deps.metrics.failures.inc({ environment, kind: rejection.kind });
    const notifier = this.deps.notifierFor(this.lastGood.get(environment)?.environment);
    await notifier.notify(rejection.notification(this.clock.now()));
    await this.notifyAlerts(
      environment,
      commit,
      await this.mark(environment, { kind: 'rejected', revision: commit.revision, reason: rejection.kind, message: rejection.message }),
    );
  }

  private async preview(env: LoadedEnvironment, revision: string, trigger: SyncTrigger, signal: AbortSignal): Promise<ReconcileResult> {
    const stopTimer = this.deps.metrics.reconcileDuration.startTimer({ operation: 'preview' });
    const result = await this.run(env, revision, 'preview', trigger, signal);
    stopTimer();
    this.deps.metrics.reconciles.inc({ operation: 'preview', result: resultFailed(result) ? 'failed' : 'succeeded' });
    return result;
  }

  private async saveReport(branch: string, commit: CommitInfo, environments: EnvironmentPreview[]): Promise<void> {
    const report = buildPreviewReport({ branch, revision: commit.revision, author: commit.author, at: this.clock.now(), environments });
    await this.deps.daemonStore.saveReport({
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

/** The Ready condition's message of a failed up: each failed stack with its error kind and first error line. */
function failureMessage(result: ReconcileResult): string {
  const failed = result.stacks.filter((s) => s.outcome === 'failed');
  const blocked = result.stacks.filter((s) => s.outcome === 'blocked').length;
  const parts = failed.map((s) => `${s.stack}: [${s.errorKind ?? 'internal'}] ${s.error?.split('\n')[0] ?? s.reason}`);
  return `${parts.join('; ') || 'failed'}${blocked > 0 ? ` (${blocked} dependent stack(s) blocked)` : ''}`;
}

/** What a run records of its commit: author, committer, and the signer when it verified. */
function auditOf(commit: CommitInfo, verdict: TrustVerdict | undefined): CommitAudit {
  const signer = verdict?.head.trusted ? verdict.head.signer : undefined;
  return { author: commit.author, committer: commit.committer, ...(signer ? { signer } : {}) };
}

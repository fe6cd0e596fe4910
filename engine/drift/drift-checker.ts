import type { Logger } from '../log/logger.js';
import type { Notifier } from '../notify/notifier.js';
import { decideStack } from '../plan/decide.js';
import { decideRemediation, type RemediationPolicy } from '../plan/decide-remediation.js';
import type { Clock, ReconcileStack, Reconciler } from '../run/reconcile.js';
import { systemClock, runInDependencyOrder } from '../run/reconcile.js';
import type { StackRunner, StackTarget } from '../run/stack-runner.js';
import type { RecordedOutputs, Trigger } from '../model/index.js';
import type { RunStore } from '../store/run-store.js';
import { recordOf, recordOperation } from '../run/record-operation.js';
import { countedDrift, driftFingerprint, driftFromRefreshSteps, formatDrift, type DriftReport } from './drift-report.js';
import { applyIgnoreRules, ignoreCounts, type IgnoreRule } from './ignore-rules.js';
import type { PrescreenStats, PrescreenVerdict, StackPrescreen } from './prescreen/types.js';

/** Drift mode of a stack: its own override, else its environment's. */
export type DriftMode = 'detect' | 'remediate';

/** One drift check of some stacks of an environment. */
export interface DriftCheckRequest {
  environment: string;
  revision: string;
  trigger: Trigger;
  /** Each stack with its drift mode and its ignore rules (environment's and its own, merged). */
  stacks: { bound: ReconcileStack; mode: DriftMode; ignore?: readonly IgnoreRule[] }[];
  /**
   * Which drifted stacks are put back: `by-mode` (default; the daemon) those in remediate
   * mode, `all` (`driftless drift --remediate`) every one, `none` (`driftless drift`) none.
   * Each is still refused when unsafe (see engine/plan/decide-remediation.ts).
   */
  remediation?: RemediationPolicy;
  /**
   * False when Git's current state of the environment is invalid: drift is still
   * detected (against the last good apply) but never remediated.
   */
  allowRemediation: boolean;
  parallelism: number;
  signal?: AbortSignal;
  /**
   * Reads live state for all the stacks in-process first; only stacks where something
   * differs or could not be read get a previewRefresh. Without it, every stack does.
   */
  prescreen?: StackPrescreen;
  /**
   * Awaited before each stack's check starts (the daemon: until no deploy or preview waits
   * or runs), so a sweep yields the machine to a push between stacks.
   */
  yieldBeforeStack?: () => Promise<void>;
}

/** What a check found and did for one stack. */
export interface StackDriftOutcome {
  stack: string;
  status: 'in-sync' | 'drifted' | 'remediated' | 'remediation-failed' | 'not-remediated' | 'not-applied' | 'error';
  /** Why a drifted stack was not remediated, or what failed. */
  reason?: string;
  report?: DriftReport;
  /** The check after remediation. */
  after?: DriftReport;
  error?: string;
  /** Which path found the stack's state: the in-process pre-screen, or Pulumi's previewRefresh. */
  checkedBy?: 'prescreen' | 'refresh';
  /** Why the stack went to previewRefresh (what the pre-screen found, or that there was none). */
  refreshReason?: string;
}

/** The result of a drift check. */
export interface DriftCheckResult {
  environment: string;
  revision: string;
  stacks: StackDriftOutcome[];
  /** Counters of the pre-screen, when one ran. */
  prescreen?: PrescreenStats;
}

/** Whether any stack was found drifted (remediated or not); drift in ignored fields only is none. */
export function driftFound(r: DriftCheckResult): boolean {
  return r.stacks.some((s) => s.report?.drifted === true);
}

/** Whether a check failed for any stack (so the CLI exits 1). */
export function driftCheckFailed(r: DriftCheckResult): boolean {
  return r.stacks.some((s) => s.status === 'error' || s.status === 'remediation-failed');
}

/** One stack as a check sees it. */
interface CheckedStack {
  bound: ReconcileStack;
  mode: DriftMode;
  ignore: readonly IgnoreRule[];
}

/** Collaborators of the drift checker. */
export interface DriftCheckerDeps {
  store: RunStore;
  runner: StackRunner;
  /**
   * For its stack locks (a drift check never runs beside an `up` of the same stack) and its
   * StackApplier, the one path that applies a stack and writes its status (remediation too).
   */
  reconciler: Reconciler;
  notifier: Notifier;
  log: Logger;
  clock?: Clock;
}

/**
 * Detects drift with a refresh in preview mode (changes nothing), reports it as a
 * DriftReport, alerts once per distinct drift, and remediates where the stack's mode (or
 * the caller) asks and it is safe: the last `up` succeeded and Git's state is valid and
 * applied. Remediation is `up --refresh` followed by a second check.
 */
export class DriftChecker {
  private readonly clock: Clock;

  constructor(private readonly deps: DriftCheckerDeps) {
    this.clock = deps.clock ?? systemClock;
  }

  async check(req: DriftCheckRequest): Promise<DriftCheckResult> {
    const log = this.deps.log.child({ environment: req.environment, revision: req.revision, operation: 'drift' });
    const outcomes = new Map<string, StackDriftOutcome>();
    const modes = new Map(req.stacks.map((s) => [s.bound.desired.name, s.mode]));
    const ignores = new Map(req.stacks.map((s) => [s.bound.desired.name, s.ignore ?? []]));
    const screened = await this.prescreen(req, log);
    await runInDependencyOrder(
      req.stacks.map((s) => s.bound),
      req.parallelism,
      async (bound) => {
        const name = bound.desired.name;
        await req.yieldBeforeStack?.();
        const r = await this.deps.reconciler.locks.exclusive(req.environment, name, 'drift', log, () =>
          this.checkStack(
            req,
            { bound, mode: modes.get(name) ?? 'detect', ignore: ignores.get(name) ?? [] },
            log.child({ stack: name }),
            screened?.verdicts.get(name),
          ),
        );
        outcomes.set(
          name,
          r.ok ? r.value : { stack: name, status: 'error', error: `stack ${name} is locked by pid ${r.heldBy.pid} (${r.heldBy.purpose})` },
        );
      },
    );
    return {
      environment: req.environment,
      revision: req.revision,
      stacks: req.stacks.map((s) => outcomes.get(s.bound.desired.name)).filter((o): o is StackDriftOutcome => o !== undefined),
      ...(screened ? { prescreen: screened.stats } : {}),
    };
  }

  /** Runs the request's pre-screen over its applied stacks; a failure of the whole sweep only means refreshes. */
  private async prescreen(
    req: DriftCheckRequest,
    log: Logger,
  ): Promise<{ verdicts: Map<string, PrescreenVerdict>; stats?: PrescreenStats } | undefined> {
    if (!req.prescreen) return undefined;
    const applied: DriftCheckRequest['stacks'] = [];
    for (const s of req.stacks) if ((await this.deps.store.getStatus(req.environment, s.bound.desired.name))?.applied) applied.push(s);
    try {
      const targets: StackTarget[] = [];
      for (const s of applied) targets.push(s.bound.target(await this.dependencyOutputs(req.environment, s.bound)));
      const sweep = await req.prescreen.screen(targets, req.signal ? { signal: req.signal } : {});
      log.info(sweep.stats, `drift pre-screen: ${sweep.stats.inSync} in sync, ${sweep.stats.toRefresh} to refresh`);
      return sweep;
    } catch (err) {
      const reason = `pre-screen failed: ${err instanceof Error ? err.message : String(err)}`;
      log.warn({ err }, reason);
      return { verdicts: new Map(applied.map((s) => [s.bound.desired.name, { result: 'refresh', reason, resources: [] }])) };
    }
  }

  /**
   * A stack the pre-screen found in sync, as a check: valid only while its state is still
   * the one screened (asked under the stack lock); recorded in the run history like a refresh.
   */
  private async prescreened(
    req: DriftCheckRequest,
    bound: ReconcileStack,
    verdict: PrescreenVerdict | undefined,
  ): Promise<{ report: DriftReport } | { refreshReason: string }> {
    if (!req.prescreen) return { refreshReason: 'no pre-screen' };
    if (!verdict) return { refreshReason: 'not pre-screened' };
    if (verdict.result === 'refresh') return { refreshReason: verdict.reason };
    const started = this.clock.now();
    const target = bound.target(await this.dependencyOutputs(req.environment, bound));
    if (!(await req.prescreen.stillCurrent(target, verdict.fingerprint).catch(() => false)))
      return { refreshReason: 'the state changed after the pre-screen' };
    const now = this.clock.now();
    await recordOperation(this.deps.store, now, req, bound.desired.name, 'drift', 'drift check (pre-screen)', {
      ok: true,
      changes: { drifted: 0 },
      durationMs: now.getTime() - started.getTime(),
    });
    return {
      report: {
        environment: req.environment,
        stack: bound.desired.name,
        revision: req.revision,
        checkedAt: now.toISOString(),
        drifted: false,
        resources: [],
      },
    };
  }

  private async dependencyOutputs(environment: string, bound: ReconcileStack): Promise<Record<string, RecordedOutputs>> {
    const entries: [string, RecordedOutputs][] = [];
    for (const d of bound.desired.dependsOn) entries.push([d, (await this.deps.store.getStatus(environment, d))?.applied?.outputs ?? {}]);
    return Object.fromEntries(entries);
  }

  /**
   * A refresh in preview mode, recorded in the run history as a `drift` operation. Fields
   * the stack's ignore rules cover are marked ignored and do not count as drift.
   */
  private async detect(
    req: DriftCheckRequest,
    bound: ReconcileStack,
    ignore: readonly IgnoreRule[],
  ): Promise<{ ok: true; report: DriftReport } | { ok: false; error: string }> {
    const target = bound.target(await this.dependencyOutputs(req.environment, bound));
    const outcome = await this.deps.runner.previewRefresh(target, req.signal ? { signal: req.signal } : {});
    const resources = outcome.ok ? applyIgnoreRules(driftFromRefreshSteps(outcome.steps), ignore) : [];
    const counts = ignoreCounts(resources);
    await recordOperation(
      this.deps.store,
      this.clock.now(),
      req,
      bound.desired.name,
      'drift',
      'drift check',
      recordOf(outcome, { drifted: counts.drifted, ...(counts.ignoredFields > 0 ? { ignored: counts.ignoredFields } : {}) }),
    );
    if (!outcome.ok) return { ok: false, error: `[${outcome.kind}] ${outcome.message}` };
    return {
      ok: true,
      report: {
        environment: req.environment,
        stack: bound.desired.name,
        revision: req.revision,
        checkedAt: this.clock.now().toISOString(),
        drifted: counts.drifted > 0,
        resources,
        ...(counts.ignoredFields > 0 ? { ignoredFields: counts.ignoredFields } : {}),
      },
    };
  }

  private async checkStack(req: DriftCheckRequest, s: CheckedStack, log: Logger, verdict?: PrescreenVerdict): Promise<StackDriftOutcome> {
    const { bound } = s;
    const stack = bound.desired.name;
    const status = await this.deps.store.getStatus(req.environment, stack);
    if (!status?.applied) return { stack, status: 'not-applied', reason: 'never applied: nothing to compare with' };

    const screened = await this.prescreened(req, bound, verdict);
    const path: Pick<StackDriftOutcome, 'checkedBy' | 'refreshReason'> =
      'report' in screened ? { checkedBy: 'prescreen' } : { checkedBy: 'refresh', refreshReason: screened.refreshReason };
    const found = 'report' in screened ? { ok: true as const, report: screened.report } : await this.detect(req, bound, s.ignore);
    return { ...(await this.afterDetection(req, s, log, status.lastResult, found)), ...path };
  }

  /** What a check found, recorded, alerted and (where asked and safe) remediated. */
  private async afterDetection(
    req: DriftCheckRequest,
    { bound, mode, ignore }: CheckedStack,
    log: Logger,
    lastResult: 'succeeded' | 'failed' | undefined,
    found: { ok: true; report: DriftReport } | { ok: false; error: string },
  ): Promise<StackDriftOutcome> {
    const stack = bound.desired.name;
    if (!found.ok) {
      log.error({ err: found.error }, `drift check of ${stack} failed`);
      return { stack, status: 'error', error: found.error };
    }
    const report = found.report;
    await this.deps.store.recordDrift({
      environment: req.environment,
      stack,
      revision: req.revision,
      checkedAt: report.checkedAt,
      drifted: report.drifted,
      resourceCount: countedDrift(report.resources).length,
      remediated: false,
      report,
    });
    await this.alertDrift(req, stack, report);
    if (!report.drifted) return { stack, status: 'in-sync', report };
    log.warn({ drift: countedDrift(report.resources) }, `${stack} drifted: ${formatDrift(report).join('; ')}`);

    // Decided under the stack's drift lock, which the remediation below runs under too.
    const current = await this.deps.store.getStatus(req.environment, stack);
    const dependencyOutputs = await this.dependencyOutputs(req.environment, bound);
    const decision = decideRemediation({
      policy: req.remediation ?? 'by-mode',
      mode,
      gitStateValid: req.allowRemediation,
      lastResult,
      gitChangesPending: decideStack(bound.desired, current, dependencyOutputs).action !== 'skip',
    });
    if (!decision.remediate) {
      if (decision.status === 'not-remediated') log.warn({ reason: decision.reason }, `not remediating ${stack}: ${decision.reason}`);
      return { stack, status: decision.status, report, reason: decision.reason };
    }
    return this.remediate(req, bound, ignore, report, log);
  }

  /** `up --refresh` through the StackApplier (under the lock this check holds), then a second check. */
  private async remediate(
    req: DriftCheckRequest,
    bound: ReconcileStack,
    ignore: readonly IgnoreRule[],
    report: DriftReport,
    log: Logger,
  ): Promise<StackDriftOutcome> {
    const stack = bound.desired.name;
    const applied = await this.deps.reconciler.applier.applyHeld(
      {
        environment: req.environment,
        revision: req.revision,
        trigger: req.trigger,
        stack,
        kind: 'remediate',
        decide: async () => ({ run: true, reason: 'drift remediation' }),
        target: async () => bound.target(await this.dependencyOutputs(req.environment, bound)),
        options: { refresh: true, ...(req.signal ? { signal: req.signal } : {}) },
      },
      log,
    );
    const up = applied.operation;
    if (!up) return { stack, status: 'remediation-failed', report, error: applied.stack.error ?? applied.stack.reason };
    const failureKey = `remediation:${req.environment}/${stack}`;
    if (!up.ok) {
      await this.alertOnce(failureKey, up.message, {
        kind: 'remediation-failed',
        environment: req.environment,
        stack,
        revision: req.revision,
        summary: `remediating ${stack} failed: ${up.message.split('\n')[0]}`,
        details: { errorKind: up.kind, drift: report.resources },
        at: this.clock.now().toISOString(),
      });
      return { stack, status: 'remediation-failed', report, error: up.message };
    }
    await this.deps.store.clearAlert(failureKey);

    const again = await this.detect(req, bound, ignore);
    if (!again.ok) return { stack, status: 'remediation-failed', report, error: again.error };
    await this.deps.store.recordDrift({
      environment: req.environment,
      stack,
      revision: req.revision,
      checkedAt: again.report.checkedAt,
      drifted: again.report.drifted,
      resourceCount: countedDrift(again.report.resources).length,
      remediated: true,
      report: again.report,
    });
    await this.alertDrift(req, stack, again.report);
    if (again.report.drifted)
      return { stack, status: 'remediation-failed', report, after: again.report, error: 'drift remained after remediation' };
    log.info(`${stack} remediated: drift is gone`);
    return { stack, status: 'remediated', report, after: again.report };
  }

  /** Alerts when a stack's drift first appears or changes, and once when it is gone. */
  private async alertDrift(req: DriftCheckRequest, stack: string, report: DriftReport): Promise<void> {
    const key = `drift:${req.environment}/${stack}`;
    if (report.drifted) {
      await this.alertOnce(key, driftFingerprint(report.resources), {
        kind: 'drift-detected',
        environment: req.environment,
        stack,
        revision: req.revision,
        summary: `${countedDrift(report.resources).length} resource(s) drifted: ${formatDrift(report).join('; ')}`,
        details: report,
        at: report.checkedAt,
      });
      return;
    }
    if (await this.deps.store.getAlert(key)) {
      await this.deps.store.clearAlert(key);
      await this.deps.notifier.notify({
        kind: 'drift-resolved',
        environment: req.environment,
        stack,
        revision: req.revision,
        summary: `${stack} is back in sync with Git`,
        at: report.checkedAt,
      });
    }
  }

  /** Sends a notification unless the same condition (key + fingerprint) was already alerted. */
  private async alertOnce(key: string, fingerprint: string, n: Parameters<Notifier['notify']>[0]): Promise<void> {
    const prev = await this.deps.store.getAlert(key);
    if (prev?.fingerprint === fingerprint) return;
    await this.deps.store.setAlert({ key, fingerprint, since: prev?.since ?? n.at, lastAlertAt: n.at });
    await this.deps.notifier.notify(n);
  }
}

import type { Logger } from '../log/logger.js';
import type { Notifier } from '../notify/notifier.js';
import { decideStack } from '../plan/decide.js';
import type { Clock, ReconcileStack, Reconciler } from '../run/reconcile.js';
import { systemClock, runInDependencyOrder } from '../run/reconcile.js';
import type { OperationOutcome, StackRunner } from '../run/stack-runner.js';
import type { RecordedOutputs, Trigger } from '../model/index.js';
import type { RunStore } from '../store/run-store.js';
import { recordOf, recordOperation } from '../run/record-operation.js';
import { driftFingerprint, driftFromRefreshSteps, formatDrift, type DriftReport } from './drift-report.js';

/** Drift mode of a stack: its own override, else its environment's. */
export type DriftMode = 'detect' | 'remediate';

/** One drift check of some stacks of an environment. */
export interface DriftCheckRequest {
  environment: string;
  revision: string;
  trigger: Trigger;
  stacks: { bound: ReconcileStack; mode: DriftMode }[];
  /** CLI `--remediate`: remediate every drifted stack regardless of its mode. */
  forceRemediate?: boolean;
  /**
   * False when Git's current state of the environment is invalid: drift is still
   * detected (against the last good apply) but never remediated.
   */
  allowRemediation: boolean;
  parallelism: number;
  signal?: AbortSignal;
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
}

/** The result of a drift check. */
export interface DriftCheckResult {
  environment: string;
  revision: string;
  stacks: StackDriftOutcome[];
}

/** Whether any stack was found drifted (remediated or not). */
export function driftFound(r: DriftCheckResult): boolean {
  return r.stacks.some((s) => s.report?.drifted === true);
}

/** Whether a check failed for any stack (so the CLI exits 1). */
export function driftCheckFailed(r: DriftCheckResult): boolean {
  return r.stacks.some((s) => s.status === 'error' || s.status === 'remediation-failed');
}

/** Collaborators of the drift checker. */
export interface DriftCheckerDeps {
  store: RunStore;
  runner: StackRunner;
  /** For its stack locks: a drift check never runs beside an `up` of the same stack. */
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
    await runInDependencyOrder(
      req.stacks.map((s) => s.bound),
      req.parallelism,
      async (bound) => {
        const name = bound.desired.name;
        const r = await this.deps.reconciler.exclusive(req.environment, name, 'drift', log, () =>
          this.checkStack(req, bound, modes.get(name) ?? 'detect', log.child({ stack: name })),
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
    };
  }

  private dependencyOutputs(environment: string, bound: ReconcileStack): Record<string, RecordedOutputs> {
    return Object.fromEntries(bound.desired.dependsOn.map((d) => [d, this.deps.store.getStatus(environment, d)?.applied?.outputs ?? {}]));
  }

  /** A refresh in preview mode, recorded in the run history as a `drift` operation. */
  private async detect(
    req: DriftCheckRequest,
    bound: ReconcileStack,
  ): Promise<{ ok: true; report: DriftReport } | { ok: false; error: string }> {
    const target = bound.target(this.dependencyOutputs(req.environment, bound));
    const outcome = await this.deps.runner.previewRefresh(target, req.signal ? { signal: req.signal } : {});
    const resources = outcome.ok ? driftFromRefreshSteps(outcome.steps) : [];
    recordOperation(
      this.deps.store,
      this.clock.now(),
      req,
      bound.desired.name,
      'drift',
      'drift check',
      recordOf(outcome, { drifted: resources.length }),
    );
    if (!outcome.ok) return { ok: false, error: `[${outcome.kind}] ${outcome.message}` };
    return {
      ok: true,
      report: {
        environment: req.environment,
        stack: bound.desired.name,
        revision: req.revision,
        checkedAt: this.clock.now().toISOString(),
        drifted: resources.length > 0,
        resources,
      },
    };
  }

  private async checkStack(req: DriftCheckRequest, bound: ReconcileStack, mode: DriftMode, log: Logger): Promise<StackDriftOutcome> {
    const stack = bound.desired.name;
    const status = this.deps.store.getStatus(req.environment, stack);
    if (!status?.applied) return { stack, status: 'not-applied', reason: 'never applied: nothing to compare with' };

    const found = await this.detect(req, bound);
    if (!found.ok) {
      log.error({ err: found.error }, `drift check of ${stack} failed`);
      return { stack, status: 'error', error: found.error };
    }
    const report = found.report;
    this.deps.store.recordDrift({
      environment: req.environment,
      stack,
      revision: req.revision,
      checkedAt: report.checkedAt,
      drifted: report.drifted,
      resourceCount: report.resources.length,
      remediated: false,
      report,
    });
    await this.alertDrift(req, stack, report);
    if (!report.drifted) return { stack, status: 'in-sync', report };
    log.warn({ drift: report.resources }, `${stack} drifted: ${formatDrift(report).join('; ')}`);

    if (!(req.forceRemediate || mode === 'remediate')) return { stack, status: 'drifted', report, reason: 'drift mode is detect' };
    const refusal = this.remediationRefusal(req, bound, status.lastResult);
    if (refusal) {
      log.warn({ reason: refusal }, `not remediating ${stack}: ${refusal}`);
      return { stack, status: 'not-remediated', report, reason: refusal };
    }
    return this.remediate(req, bound, report, log);
  }

  /** Why remediation would be unsafe now, or undefined when it may go ahead. */
  private remediationRefusal(
    req: DriftCheckRequest,
    bound: ReconcileStack,
    lastResult: 'succeeded' | 'failed' | undefined,
  ): string | undefined {
    if (!req.allowRemediation) return "Git's current state of the environment is invalid";
    if (lastResult === 'failed') return 'its last up failed';
    const decision = decideStack(
      bound.desired,
      this.deps.store.getStatus(req.environment, bound.desired.name),
      this.dependencyOutputs(req.environment, bound),
    );
    if (decision.action !== 'skip') return 'Git has changes that are not applied yet; up will reconcile them';
    return undefined;
  }

  private async remediate(req: DriftCheckRequest, bound: ReconcileStack, report: DriftReport, log: Logger): Promise<StackDriftOutcome> {
    const stack = bound.desired.name;
    const up: OperationOutcome = await this.deps.runner.up(bound.target(this.dependencyOutputs(req.environment, bound)), {
      refresh: true,
      ...(req.signal ? { signal: req.signal } : {}),
    });
    recordOperation(this.deps.store, this.clock.now(), req, stack, 'remediate', 'drift remediation', recordOf(up));
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
    this.deps.store.clearAlert(failureKey);
    const status = this.deps.store.getStatus(req.environment, stack);
    if (status?.applied) this.deps.store.saveStatus({ ...status, applied: { ...status.applied, outputs: up.outputs } });

    const again = await this.detect(req, bound);
    if (!again.ok) return { stack, status: 'remediation-failed', report, error: again.error };
    this.deps.store.recordDrift({
      environment: req.environment,
      stack,
      revision: req.revision,
      checkedAt: again.report.checkedAt,
      drifted: again.report.drifted,
      resourceCount: again.report.resources.length,
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
        summary: `${report.resources.length} resource(s) drifted: ${formatDrift(report).join('; ')}`,
        details: report,
        at: report.checkedAt,
      });
      return;
    }
    if (this.deps.store.getAlert(key)) {
      this.deps.store.clearAlert(key);
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
    const prev = this.deps.store.getAlert(key);
    if (prev?.fingerprint === fingerprint) return;
    this.deps.store.setAlert({ key, fingerprint, since: prev?.since ?? n.at, lastAlertAt: n.at });
    await this.deps.notifier.notify(n);
  }
}

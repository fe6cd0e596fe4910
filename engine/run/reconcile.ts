import type { Logger } from '../log/logger.js';
import { decideStack, describeDecision, type DesiredStack, type StackDecision } from '../plan/decide.js';
import { planEnvironment, type EnvironmentPlan } from '../plan/plan-environment.js';
import type { ChangeCounts, ErrorKind, LockOwner, RecordedOutputs, StackStatus, Trigger } from '../model/index.js';
import type { RunStore } from '../store/run-store.js';
import { isRetryable } from '../model/index.js';
import type { OperationOutcome, ResourceStep, StackRunner, StackTarget } from './stack-runner.js';
import { hasChanges } from './stack-runner.js';
import { StackMutex } from './stack-mutex.js';
import { recordOf, recordOperation } from './record-operation.js';

/** A stack the reconciler may act on. */
export interface ReconcileStack {
  desired: DesiredStack;
  /** Binds the template program to its params, the revision and its dependencies' outputs. */
  target(dependencyOutputs: Record<string, RecordedOutputs>): StackTarget;
}

/** Injected effects: time and waiting, so retries are testable without real delays. */
export interface Clock {
  now(): Date;
  sleep(ms: number): Promise<void>;
}

/** The real clock. */
export const systemClock: Clock = {
  now: () => new Date(),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
};

/** One reconcile of one environment at one revision. */
export interface ReconcileRequest {
  environment: string;
  revision: string;
  trigger: Trigger;
  operation: 'up' | 'preview';
  /** In topological order of dependsOn. */
  stacks: ReconcileStack[];
  /** Restricts the run to these stacks (CLI `--stack`). */
  only?: string[];
  /** Destroy stacks removed from Git (else they are only reported). */
  prune: boolean;
  /** Builds a target for a removed stack, to destroy it when pruning. */
  removedTarget(name: string): StackTarget;
  /** Independent stacks run in parallel up to this bound. */
  parallelism: number;
  /** Refresh before preview/up, so drift is reverted too. */
  refresh?: boolean;
  signal?: AbortSignal;
}

/** What happened to one stack. */
export interface StackOutcome {
  stack: string;
  outcome: 'applied' | 'previewed' | 'unchanged' | 'failed' | 'blocked' | 'destroyed' | 'orphaned';
  reason: string;
  changes: ChangeCounts;
  steps: ResourceStep[];
  durationMs: number;
  errorKind?: ErrorKind;
  error?: string;
  /** Number of attempts made (retries of transient failures included). */
  attempts: number;
}

/** The result of a reconcile. */
export interface ReconcileResult {
  environment: string;
  revision: string;
  operation: 'up' | 'preview';
  plan: EnvironmentPlan;
  stacks: StackOutcome[];
  /** Pulumi operations started (0 when everything was unchanged). */
  pulumiOperations: number;
}

/** Whether the result holds changes (preview) or failures. */
export function resultHasChanges(r: ReconcileResult): boolean {
  return r.stacks.some((s) => hasChanges(s.changes));
}

export function resultFailed(r: ReconcileResult): boolean {
  return r.stacks.some((s) => s.outcome === 'failed' || s.outcome === 'blocked');
}

/** Dependencies and collaborators of the reconciler, wired in one main. */
export interface ReconcilerDeps {
  store: RunStore;
  runner: StackRunner;
  log: Logger;
  clock?: Clock;
  /** Retries of transient and locked failures, with exponential backoff. */
  retries?: { attempts: number; baseDelayMs: number };
  /** How long to wait for another process's lock on a stack. */
  lockWaitMs?: number;
}

/**
 * The reconcile loop: plan (pure) → run in dependency order → record. Unchanged stacks
 * start no Pulumi; a failing stack blocks its dependents but not its siblings.
 */
export class Reconciler {
  private readonly clock: Clock;
  private readonly mutex = new StackMutex();
  private readonly retries: { attempts: number; baseDelayMs: number };
  private readonly lockWaitMs: number;

  constructor(private readonly deps: ReconcilerDeps) {
    this.clock = deps.clock ?? systemClock;
    this.retries = deps.retries ?? { attempts: 3, baseDelayMs: 2000 };
    this.lockWaitMs = deps.lockWaitMs ?? 15 * 60_000;
  }

  /** Plans without running anything. */
  plan(req: ReconcileRequest): EnvironmentPlan {
    const statuses = this.deps.store.listStatuses(req.environment);
    const desired = this.selected(req).map((s) => s.desired);
    return planEnvironment(desired, statuses, { prune: req.prune && !req.only });
  }

  async reconcile(req: ReconcileRequest): Promise<ReconcileResult> {
    const log = this.deps.log.child({ environment: req.environment, revision: req.revision, operation: req.operation });
    const plan = this.plan(req);
    for (const p of plan.stacks) {
      log.info(
        { stack: p.name, decision: p.decision.action },
        `${p.name}: ${p.decision.action === 'pending' ? `waits for ${p.decision.dependencies.join(', ')}` : describeDecision(p.decision)}`,
      );
    }
    const stacks = this.selected(req);
    const outcomes = new Map<string, StackOutcome>();
    const freshOutputs = new Map<string, RecordedOutputs>();
    let pulumiOperations = 0;

    const runOne = async (s: ReconcileStack): Promise<void> => {
      const depOutputs = (): Record<string, RecordedOutputs> =>
        Object.fromEntries(
          s.desired.dependsOn.map((d) => [d, freshOutputs.get(d) ?? this.deps.store.getStatus(req.environment, d)?.applied?.outputs ?? {}]),
        );
      const failedDep = s.desired.dependsOn.find((d) => ['failed', 'blocked'].includes(outcomes.get(d)?.outcome ?? ''));
      if (failedDep) {
        outcomes.set(
          s.desired.name,
          this.blocked(s.desired.name, { action: 'blocked', reason: 'dependency-failed', dependency: failedDep }),
        );
        return;
      }
      const decide = () => decideStack(s.desired, this.deps.store.getStatus(req.environment, s.desired.name), depOutputs());
      const first = decide();
      if (first.action === 'skip') {
        outcomes.set(s.desired.name, unchanged(s.desired.name, 'unchanged'));
        return;
      }
      if (req.operation === 'preview') {
        pulumiOperations++;
        const outcome = await this.deps.runner.preview(s.target(depOutputs()), this.opOptions(req));
        outcomes.set(s.desired.name, this.toOutcome(s.desired.name, 'previewed', describeDecision(first), outcome, 1));
        return;
      }
      const result = await this.withStackLock(req, s.desired.name, log, async () => {
        // Decide again under the lock: another process may have applied it meanwhile.
        const decision = decide();
        if (decision.action !== 'apply') return unchanged(s.desired.name, 'unchanged (applied by another run)');
        const { outcome, attempts } = await this.withRetries(log.child({ stack: s.desired.name }), () => {
          pulumiOperations++;
          return this.deps.runner.up(s.target(depOutputs()), this.opOptions(req));
        });
        this.record(req, s.desired.name, 'up', describeDecision(decision), outcome);
        if (outcome.ok) {
          freshOutputs.set(s.desired.name, outcome.outputs);
          this.deps.store.saveStatus(appliedStatus(req, s.desired.name, decision, outcome.outputs, this.clock.now()));
        } else {
          const prev = this.deps.store.getStatus(req.environment, s.desired.name);
          this.deps.store.saveStatus({
            environment: req.environment,
            stack: s.desired.name,
            applied: prev?.applied,
            lastResult: 'failed',
            lastRevision: req.revision,
            lastError: outcome.message,
          });
        }
        return this.toOutcome(s.desired.name, outcome.ok ? 'applied' : 'failed', describeDecision(decision), outcome, attempts);
      });
      outcomes.set(s.desired.name, result);
    };

    await runInDependencyOrder(stacks, req.parallelism, async (s) => {
      try {
        await runOne(s);
      } catch (e) {
        // Not a Pulumi failure (those are values): a bug or a template that threw while
        // being bound. Record it as internal so dependents are blocked, not run.
        const message = e instanceof Error ? e.message : String(e);
        log.error({ stack: s.desired.name, err: message }, `internal error on ${s.desired.name}`);
        outcomes.set(s.desired.name, {
          ...unchanged(s.desired.name, 'internal error'),
          outcome: 'failed',
          errorKind: 'internal',
          error: message,
        });
      }
    });

    for (const removed of plan.removed) {
      outcomes.set(removed.name, await this.handleRemoved(req, removed.name, removed.action, log));
    }
    const ordered = [...stacks.map((s) => s.desired.name), ...plan.removed.map((r) => r.name)];
    return {
      environment: req.environment,
      revision: req.revision,
      operation: req.operation,
      plan,
      stacks: ordered.map((n) => outcomes.get(n)).filter((o): o is StackOutcome => o !== undefined),
      pulumiOperations,
    };
  }

  /** Destroys a stack (CLI `destroy`), under the same locks, and forgets its status. */
  async destroy(req: {
    environment: string;
    revision: string;
    trigger: Trigger;
    stack: string;
    target: StackTarget;
    signal?: AbortSignal;
  }): Promise<StackOutcome> {
    const log = this.deps.log.child({ environment: req.environment, stack: req.stack, operation: 'destroy' });
    return this.withStackLock(req, req.stack, log, async () => {
      const { outcome, attempts } = await this.withRetries(log, () =>
        this.deps.runner.destroy(req.target, req.signal ? { signal: req.signal } : {}),
      );
      this.record(req, req.stack, 'destroy', 'requested', outcome);
      if (outcome.ok) this.deps.store.deleteStatus(req.environment, req.stack);
      return this.toOutcome(req.stack, outcome.ok ? 'destroyed' : 'failed', 'requested', outcome, attempts);
    });
  }

  private selected(req: ReconcileRequest): ReconcileStack[] {
    return req.only ? req.stacks.filter((s) => req.only?.includes(s.desired.name)) : req.stacks;
  }

  private opOptions(req: ReconcileRequest) {
    return { refresh: req.refresh ?? false, ...(req.signal ? { signal: req.signal } : {}) };
  }

  private async handleRemoved(req: ReconcileRequest, name: string, action: 'destroy' | 'report', log: Logger): Promise<StackOutcome> {
    if (action === 'report' || req.operation === 'preview') {
      log.warn(
        { stack: name },
        `stack ${name} was removed from Git but still exists; set spec.prune: true on the environment to destroy it`,
      );
      return {
        ...unchanged(
          name,
          action === 'report' ? 'removed from Git; pruning is off, nothing destroyed' : 'removed from Git; up would destroy it',
        ),
        outcome: 'orphaned',
      };
    }
    return this.destroy({
      environment: req.environment,
      revision: req.revision,
      trigger: req.trigger,
      stack: name,
      target: req.removedTarget(name),
      ...(req.signal ? { signal: req.signal } : {}),
    });
  }

  /**
   * Runs fn holding the in-process mutex and the cross-process lock of one stack,
   * waiting for another holder up to the lock wait. A stale lock of a dead process is
   * cleared (and logged); a live holder that outlasts the wait yields `locked`.
   */
  async exclusive<T>(
    environment: string,
    stack: string,
    purpose: string,
    log: Logger,
    fn: () => Promise<T>,
  ): Promise<{ ok: true; value: T } | { ok: false; heldBy: LockOwner }> {
    return this.mutex.run(`${environment}/${stack}`, async () => {
      const deadline = this.clock.now().getTime() + this.lockWaitMs;
      let waited = false;
      for (;;) {
        const attempt = this.deps.store.tryLock(environment, stack, purpose);
        if (attempt.acquired) {
          if (attempt.clearedStale) {
            log.warn(
              { stack, staleHolder: attempt.clearedStale },
              `cleared a stale lock on ${stack} left by pid ${attempt.clearedStale.pid}, which is no longer running`,
            );
          }
          break;
        }
        if (this.clock.now().getTime() > deadline) return { ok: false as const, heldBy: attempt.heldBy };
        if (!waited)
          log.info(
            { stack, heldBy: attempt.heldBy },
            `waiting for the lock on ${stack} (held by pid ${attempt.heldBy.pid}: ${attempt.heldBy.purpose})`,
          );
        waited = true;
        await this.clock.sleep(500);
      }
      try {
        return { ok: true as const, value: await fn() };
      } finally {
        this.deps.store.unlock(environment, stack);
      }
    });
  }

  /** {@link exclusive} for operations that end in a StackOutcome: a lock timeout is a `locked` failure. */
  private async withStackLock(
    req: { environment: string },
    stack: string,
    log: Logger,
    fn: () => Promise<StackOutcome>,
  ): Promise<StackOutcome> {
    const r = await this.exclusive(req.environment, stack, 'up', log, fn);
    if (r.ok) return r.value;
    const h = r.heldBy;
    return {
      ...unchanged(stack, `locked by pid ${h.pid} on ${h.host} since ${h.acquiredAt}`),
      outcome: 'failed',
      errorKind: 'locked',
      error: `stack ${stack} is locked by pid ${h.pid} on ${h.host} (${h.purpose}) since ${h.acquiredAt}`,
    };
  }

  private async withRetries(log: Logger, op: () => Promise<OperationOutcome>): Promise<{ outcome: OperationOutcome; attempts: number }> {
    for (let attempt = 1; ; attempt++) {
      const outcome = await op();
      if (outcome.ok || !isRetryable(outcome.kind) || attempt >= this.retries.attempts) return { outcome, attempts: attempt };
      const delay = this.retries.baseDelayMs * 2 ** (attempt - 1) * (0.75 + Math.random() * 0.5);
      log.warn({ kind: outcome.kind, attempt, delayMs: Math.round(delay) }, `retrying after a ${outcome.kind} failure`);
      await this.clock.sleep(delay);
    }
  }

  private record(
    req: { environment: string; revision: string; trigger: Trigger },
    stack: string,
    operation: 'up' | 'destroy',
    reason: string,
    outcome: OperationOutcome,
  ): void {
    recordOperation(this.deps.store, this.clock.now(), req, stack, operation, reason, recordOf(outcome));
  }

  private toOutcome(stack: string, kind: StackOutcome['outcome'], reason: string, o: OperationOutcome, attempts: number): StackOutcome {
    return o.ok
      ? { stack, outcome: kind, reason, changes: o.changes, steps: o.steps, durationMs: o.durationMs, attempts }
      : {
          stack,
          outcome: 'failed',
          reason,
          changes: {},
          steps: [],
          durationMs: o.durationMs,
          errorKind: o.kind,
          error: o.message,
          attempts,
        };
  }

  private blocked(stack: string, d: StackDecision): StackOutcome {
    return { ...unchanged(stack, describeDecision(d)), outcome: 'blocked' };
  }
}

function unchanged(stack: string, reason: string): StackOutcome {
  return { stack, outcome: 'unchanged', reason, changes: {}, steps: [], durationMs: 0, attempts: 0 };
}

function appliedStatus(
  req: { environment: string; revision: string },
  stack: string,
  decision: Extract<StackDecision, { action: 'apply' }>,
  outputs: RecordedOutputs,
  now: Date,
): StackStatus {
  return {
    environment: req.environment,
    stack,
    applied: { ...decision.fingerprint, revision: req.revision, outputs, at: now.toISOString() },
    lastResult: 'succeeded',
    lastRevision: req.revision,
    lastError: undefined,
  };
}

/**
 * Runs each stack once all its dependencies (within the set) have finished, at most
 * `parallelism` at a time. Dependencies outside the set count as finished.
 */
export async function runInDependencyOrder(
  stacks: readonly ReconcileStack[],
  parallelism: number,
  run: (s: ReconcileStack) => Promise<void>,
): Promise<void> {
  const names = new Set(stacks.map((s) => s.desired.name));
  const done = new Set<string>();
  const started = new Set<string>();
  const running = new Map<string, Promise<string>>();
  while (done.size < stacks.length) {
    for (const s of stacks) {
      if (running.size >= Math.max(1, parallelism)) break;
      if (started.has(s.desired.name)) continue;
      if (!s.desired.dependsOn.every((d) => !names.has(d) || done.has(d))) continue;
      started.add(s.desired.name);
      running.set(
        s.desired.name,
        run(s).then(() => s.desired.name),
      );
    }
    if (running.size === 0)
      throw new Error(
        'dependency cycle among stacks: ' +
          stacks
            .filter((s) => !done.has(s.desired.name))
            .map((s) => s.desired.name)
            .join(', '),
      );
    const finished = await Promise.race(running.values());
    running.delete(finished);
    done.add(finished);
  }
}

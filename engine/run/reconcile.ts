import type { Logger } from '../log/logger.js';
import { decideStack, describeDecision, type DesiredStack, type StackDecision } from '../plan/decide.js';
import { planEnvironment, type EnvironmentPlan } from '../plan/plan-environment.js';
import type { CommitAudit, LockOwner, RecordedOutputs, Trigger } from '../model/index.js';
import type { RunStore } from '../store/run-store.js';
import type { StackRunner, StackTarget } from './stack-runner.js';
import { hasChanges } from './stack-runner.js';
import { type Clock, systemClock } from './clock.js';
import { StackLocks } from './stack-locks.js';
import { StackApplier, toStackOutcome, unchangedOutcome, type StackOutcome } from './stack-applier.js';

export { systemClock, type Clock } from './clock.js';
export type { StackOutcome } from './stack-applier.js';

/** A stack the reconciler may act on. */
export interface ReconcileStack {
  desired: DesiredStack;
  /** Binds the template program to its params, the revision and its dependencies' outputs. */
  target(dependencyOutputs: Record<string, RecordedOutputs>): StackTarget;
  /**
   * What is known to fail before Pulumi starts (an unset variable the template reads, an
   * output a dependency has not recorded), as a message placed in the YAML; undefined when
   * nothing is. A stack with a message fails as `invalid` and starts no Pulumi.
   */
  preflight?(dependencyOutputs: Record<string, RecordedOutputs>): string | undefined;
}

/** One stack's operation as the reconciler hands it to another replica (engine/replicas). */
export interface DispatchedStack {
  stack: string;
  operation: 'up' | 'preview';
  refresh: boolean;
}

/** What a dispatched operation came back with: the outcome, the outputs after an up, the Pulumi operations it started. */
export interface DispatchResult {
  outcome: StackOutcome;
  outputs?: RecordedOutputs | undefined;
  pulumiOperations: number;
}

/**
 * Runs one stack's operation elsewhere (a replica takes it from the work queue) and
 * resolves with its result; the reconciler still plans, orders by dependsOn and blocks
 * dependents of failures itself.
 */
export type StackDispatch = (stack: DispatchedStack, signal: AbortSignal | undefined) => Promise<DispatchResult>;

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
  /** Author, committer and signer of the revision, recorded with each run. */
  audit?: CommitAudit | undefined;
  /**
   * Hands each stack that must change to another replica instead of running it here
   * (Postgres mode); the stack is decided again there, under the shared lock.
   */
  dispatch?: StackDispatch | undefined;
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
 * The reconcile loop: plan (pure) → run in dependency order → apply through the
 * {@link StackApplier} (lock, decide again, run, record, save status). Unchanged stacks
 * start no Pulumi; a failing stack blocks its dependents but not its siblings.
 */
export class Reconciler {
  /** The stack locks every operation of this process shares (drift checks included). */
  readonly locks: StackLocks;
  /** The one path that applies or destroys a stack and writes its status (drift remediation included). */
  readonly applier: StackApplier;

  constructor(private readonly deps: ReconcilerDeps) {
    const clock: Clock = deps.clock ?? systemClock;
    this.locks = new StackLocks({ store: deps.store, clock, ...(deps.lockWaitMs !== undefined ? { lockWaitMs: deps.lockWaitMs } : {}) });
    this.applier = new StackApplier({
      store: deps.store,
      runner: deps.runner,
      locks: this.locks,
      clock,
      ...(deps.retries ? { retries: deps.retries } : {}),
    });
  }

  /** Plans without running anything. */
  async plan(req: ReconcileRequest): Promise<EnvironmentPlan> {
    const statuses = await this.deps.store.listStatuses(req.environment);
    const desired = this.selected(req).map((s) => s.desired);
    return planEnvironment(desired, statuses, { prune: req.prune && !req.only });
  }

  async reconcile(req: ReconcileRequest): Promise<ReconcileResult> {
    const log = this.deps.log.child({ environment: req.environment, revision: req.revision, operation: req.operation });
    const plan = await this.plan(req);
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
      const depOutputs = async (): Promise<Record<string, RecordedOutputs>> => {
        const entries: [string, RecordedOutputs][] = [];
        for (const d of s.desired.dependsOn)
          entries.push([d, freshOutputs.get(d) ?? (await this.deps.store.getStatus(req.environment, d))?.applied?.outputs ?? {}]);
        return Object.fromEntries(entries);
      };
      const failedDep = s.desired.dependsOn.find((d) => ['failed', 'blocked'].includes(outcomes.get(d)?.outcome ?? ''));
      if (failedDep) {
        outcomes.set(
          s.desired.name,
          this.blocked(s.desired.name, { action: 'blocked', reason: 'dependency-failed', dependency: failedDep }),
        );
        return;
      }
      const decide = async () =>
        decideStack(s.desired, await this.deps.store.getStatus(req.environment, s.desired.name), await depOutputs());
      const first = await decide();
      if (first.action === 'skip') {
        outcomes.set(s.desired.name, unchangedOutcome(s.desired.name, 'unchanged'));
        return;
      }
      const problem = s.preflight?.(await depOutputs());
      if (problem !== undefined) {
        log.error({ stack: s.desired.name, kind: 'invalid', err: problem }, `${s.desired.name}: not started: ${problem}`);
        outcomes.set(s.desired.name, {
          ...unchangedOutcome(s.desired.name, describeDecision(first)),
          outcome: 'failed',
          errorKind: 'invalid',
          error: problem,
        });
        return;
      }
      if (req.dispatch) {
        const r = await req.dispatch({ stack: s.desired.name, operation: req.operation, refresh: req.refresh ?? false }, req.signal);
        pulumiOperations += r.pulumiOperations;
        if (r.outputs && r.outcome.outcome !== 'failed') freshOutputs.set(s.desired.name, r.outputs);
        outcomes.set(s.desired.name, r.outcome);
        return;
      }
      if (req.operation === 'preview') {
        pulumiOperations++;
        const outcome = await this.deps.runner.preview(s.target(await depOutputs()), this.opOptions(req));
        outcomes.set(s.desired.name, toStackOutcome(s.desired.name, 'previewed', describeDecision(first), outcome, 1));
        return;
      }
      const applied = await this.applier.apply(
        {
          environment: req.environment,
          revision: req.revision,
          trigger: req.trigger,
          audit: req.audit,
          stack: s.desired.name,
          kind: 'up',
          // Decided again under the lock: another process may have applied it meanwhile.
          decide: async () => {
            const decision = await decide();
            return decision.action === 'apply'
              ? { run: true, reason: describeDecision(decision), fingerprint: decision.fingerprint }
              : { run: false, reason: 'unchanged (applied by another run)' };
          },
          target: async () => s.target(await depOutputs()),
          options: this.opOptions(req),
          onAttempt: () => void pulumiOperations++,
        },
        log,
      );
      if (applied.operation?.ok) freshOutputs.set(s.desired.name, applied.operation.outputs);
      outcomes.set(s.desired.name, applied.stack);
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
          ...unchangedOutcome(s.desired.name, 'internal error'),
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
    return this.applier.destroy(req, log);
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
        ...unchangedOutcome(
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

  /** {@link StackLocks.exclusive} of this reconciler's locks (kept for callers that hold a Reconciler). */
  exclusive<T>(
    environment: string,
    stack: string,
    purpose: string,
    log: Logger,
    fn: () => Promise<T>,
  ): Promise<{ ok: true; value: T } | { ok: false; heldBy: LockOwner }> {
    return this.locks.exclusive(environment, stack, purpose, log, fn);
  }

  private blocked(stack: string, d: StackDecision): StackOutcome {
    return { ...unchangedOutcome(stack, describeDecision(d)), outcome: 'blocked' };
  }
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

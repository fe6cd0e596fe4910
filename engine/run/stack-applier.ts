import type { Logger } from '../log/logger.js';
import type { Fingerprint } from '../plan/decide.js';
import type { ChangeCounts, CommitAudit, ErrorKind, LockOwner, RecordedOutputs, StackStatus, Trigger } from '../model/index.js';
import { isRetryable } from '../model/index.js';
import type { RunStore } from '../store/run-store.js';
import { type Clock, systemClock } from './clock.js';
import { recordOf, recordOperation } from './record-operation.js';
import type { StackLocks } from './stack-locks.js';
import type { OperationOptions, OperationOutcome, ResourceStep, StackRunner, StackTarget } from './stack-runner.js';

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

/** An outcome where nothing ran, with why. */
export function unchangedOutcome(stack: string, reason: string): StackOutcome {
  return { stack, outcome: 'unchanged', reason, changes: {}, steps: [], durationMs: 0, attempts: 0 };
}

/** A lock another process held past the wait, as a `locked` failure. */
export function lockedOutcome(stack: string, h: LockOwner): StackOutcome {
  return {
    ...unchangedOutcome(stack, `locked by pid ${h.pid} on ${h.host} since ${h.acquiredAt}`),
    outcome: 'failed',
    errorKind: 'locked',
    error: `stack ${stack} is locked by pid ${h.pid} on ${h.host} (${h.purpose}) since ${h.acquiredAt}`,
  };
}

/** A runner outcome as a stack outcome: `kind` when it succeeded, `failed` with the error otherwise. */
export function toStackOutcome(
  stack: string,
  kind: StackOutcome['outcome'],
  reason: string,
  o: OperationOutcome,
  attempts: number,
): StackOutcome {
  return o.ok
    ? { stack, outcome: kind, reason, changes: o.changes, steps: o.steps, durationMs: o.durationMs, attempts }
    : { stack, outcome: 'failed', reason, changes: {}, steps: [], durationMs: o.durationMs, errorKind: o.kind, error: o.message, attempts };
}

/** The run an operation belongs to, as the history records it. */
export interface StackRun {
  environment: string;
  revision: string;
  trigger: Trigger;
  audit?: CommitAudit | undefined;
  stack: string;
}

/** Whether to run, decided under the stack's lock (another process may have acted meanwhile). */
export type ApplyDecision =
  | {
      run: true;
      /** Recorded with the run: `spec changed`, `drift remediation`, … */
      reason: string;
      /** `up` only: the fingerprint of Git's desired state the status records as applied. */
      fingerprint?: Fingerprint;
    }
  | { run: false; reason: string };

/**
 * One `up` of one stack.
 *
 * - `up` (the reconcile): retried on transient and locked failures; on success the status
 *   records the decision's fingerprint, the revision and the outputs; on failure it keeps the
 *   last good apply and marks the last result failed (so the next reconcile tries again and
 *   drift is never remediated over it).
 * - `remediate` (drift remediation, `up --refresh`): one attempt; Git's applied fingerprint
 *   and revision stay as they are and only the outputs are refreshed; a failure leaves the
 *   status alone (it is alerted and recorded in the history instead).
 */
export interface ApplyRequest extends StackRun {
  kind: 'up' | 'remediate';
  /** Awaited under the lock: it may read the stack's status from the store. */
  decide(): Promise<ApplyDecision>;
  /** The bound target; asked again for each attempt (it may read dependencies' outputs from the store). */
  target(): Promise<StackTarget>;
  options: OperationOptions;
  /** Called before each Pulumi operation starts (the reconcile counts them). */
  onAttempt?: () => void;
}

/** What an apply did. */
export interface ApplyResult {
  /** As the reconcile reports it: applied, unchanged (not run), or failed (locked included). */
  stack: StackOutcome;
  /** The Pulumi operation's own result; absent when nothing ran. */
  operation?: OperationOutcome;
}

/** Collaborators of the applier. */
export interface StackApplierDeps {
  store: RunStore;
  runner: StackRunner;
  locks: StackLocks;
  clock?: Clock;
  /** Retries of transient and locked failures of `up` and `destroy`, with exponential backoff. */
  retries?: { attempts: number; baseDelayMs: number };
}

/**
 * The one path by which a stack is applied or destroyed, shared by the reconcile and drift
 * remediation: lock → decide under the lock → run → record in the history → save the
 * stack's status. It is the only writer of StackStatus.
 */
export class StackApplier {
  private readonly clock: Clock;
  private readonly retries: { attempts: number; baseDelayMs: number };

  constructor(private readonly deps: StackApplierDeps) {
    this.clock = deps.clock ?? systemClock;
    this.retries = deps.retries ?? { attempts: 3, baseDelayMs: 2000 };
  }

  /** {@link applyHeld} under the stack's locks; a lock held past the wait is a `locked` failure. */
  async apply(req: ApplyRequest, log: Logger): Promise<ApplyResult> {
    const r = await this.deps.locks.exclusive(req.environment, req.stack, 'up', log, (held) =>
      this.applyHeld(held.clearedStale ? { ...req, options: { ...req.options, deadHosts: [held.clearedStale.host] } } : req, log),
    );
    return r.ok ? r.value : { stack: lockedOutcome(req.stack, r.heldBy) };
  }

  /** Decides, runs, records and saves status, for a caller that already holds the stack's locks (a drift check). */
  async applyHeld(req: ApplyRequest, log: Logger): Promise<ApplyResult> {
    const decision = await req.decide();
    if (!decision.run) return { stack: unchangedOutcome(req.stack, decision.reason) };
    if (req.kind === 'up' && !decision.fingerprint) throw new Error(`up of ${req.stack} was decided without a fingerprint`);
    const run = async () => {
      req.onAttempt?.();
      return this.deps.runner.up(await req.target(), req.options);
    };
    const { outcome, attempts } =
      req.kind === 'up' ? await this.withRetries(log.child({ stack: req.stack }), run) : { outcome: await run(), attempts: 1 };
    await recordOperation(this.deps.store, this.clock.now(), req, req.stack, req.kind, decision.reason, recordOf(outcome));
    await this.saveStatus(req, decision, outcome);
    return { stack: toStackOutcome(req.stack, outcome.ok ? 'applied' : 'failed', decision.reason, outcome, attempts), operation: outcome };
  }

  /** Destroys a stack under its locks and, when that succeeded, forgets its status. */
  async destroy(req: StackRun & { target: StackTarget; signal?: AbortSignal }, log: Logger): Promise<StackOutcome> {
    const r = await this.deps.locks.exclusive(req.environment, req.stack, 'up', log, async () => {
      const { outcome, attempts } = await this.withRetries(log, () =>
        this.deps.runner.destroy(req.target, req.signal ? { signal: req.signal } : {}),
      );
      await recordOperation(this.deps.store, this.clock.now(), req, req.stack, 'destroy', 'requested', recordOf(outcome));
      if (outcome.ok) await this.deps.store.deleteStatus(req.environment, req.stack);
      return toStackOutcome(req.stack, outcome.ok ? 'destroyed' : 'failed', 'requested', outcome, attempts);
    });
    return r.ok ? r.value : lockedOutcome(req.stack, r.heldBy);
  }

  private async saveStatus(req: ApplyRequest, decision: Extract<ApplyDecision, { run: true }>, outcome: OperationOutcome): Promise<void> {
    const prev = await this.deps.store.getStatus(req.environment, req.stack);
    if (req.kind === 'remediate') {
      if (outcome.ok && prev?.applied)
        await this.deps.store.saveStatus({ ...prev, applied: { ...prev.applied, outputs: outcome.outputs } });
      return;
    }
    if (outcome.ok && decision.fingerprint) {
      await this.deps.store.saveStatus(appliedStatus(req, decision.fingerprint, outcome.outputs, this.clock.now()));
      return;
    }
    await this.deps.store.saveStatus({
      environment: req.environment,
      stack: req.stack,
      applied: prev?.applied,
      lastResult: 'failed',
      lastRevision: req.revision,
      lastError: outcome.ok ? undefined : outcome.message,
    });
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
}

function appliedStatus(req: StackRun, fingerprint: Fingerprint, outputs: RecordedOutputs, now: Date): StackStatus {
  return {
    environment: req.environment,
    stack: req.stack,
    applied: { ...fingerprint, revision: req.revision, outputs, at: now.toISOString() },
    lastResult: 'succeeded',
    lastRevision: req.revision,
    lastError: undefined,
  };
}

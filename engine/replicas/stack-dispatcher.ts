import type { LoadedEnvironment } from '../load/index.js';
import type { Logger } from '../log/logger.js';
import type { CommitAudit, StackJob, Trigger } from '../model/index.js';
import type { DispatchResult, StackDispatch, StackOutcome } from '../run/reconcile.js';
import { unchangedOutcome } from '../run/stack-applier.js';
import type { BudgetKeys } from './budget-key.js';
import type { FinishedStackJob, WorkQueue } from '../cluster/work-queue.js';
import type { StackJobResult } from './stack-worker.js';

/** The part of the work queue the leader dispatches through (engine/cluster/work-queue.ts). */
export type StackJobQueue = Pick<WorkQueue, 'enqueueStack' | 'awaitStacks'>;

/** How an ended job without a result reads in the stack's error. */
const WHAT_HAPPENED: Record<FinishedStackJob['state'], string> = {
  completed: 'completed without a result',
  failed: 'failed on every attempt',
  cancelled: 'was cancelled',
  missing: 'is gone from the queue',
};

/** What a stack job that ended without a result (its retries used up, cancelled) becomes. */
function lostOutcome(stack: string, job: FinishedStackJob): StackOutcome {
  const detail =
    job.output && typeof job.output === 'object' && 'message' in job.output ? String((job.output as { message: unknown }).message) : '';
  return {
    ...unchangedOutcome(stack, `stack job ${job.state}`),
    outcome: 'failed',
    errorKind: 'internal',
    error: `the stack job ${WHAT_HAPPENED[job.state]}${detail ? `: ${detail}` : ''}`,
  };
}

function isResult(v: unknown): v is StackJobResult {
  return typeof v === 'object' && v !== null && 'outcome' in v && 'replica' in v;
}

/**
 * The leader's side of the work queue: each stack the reconciler decides to change becomes
 * a leased stack job any replica may take; the leader waits for its result and gives it
 * back to the reconciler, which orders dependents after their dependencies and blocks
 * them when one fails. An abort (shutdown, lost leadership) stops the waiting only: the
 * job stays queued and runs, and its result lands in the shared store, where the next
 * leader's decisions see it.
 */
export class StackDispatcher {
  constructor(
    private readonly queue: StackJobQueue,
    private readonly budgets: BudgetKeys,
    private readonly log: Logger,
    private readonly pollMs = 500,
  ) {}

  /** The dispatch of one environment operation (the Daemon's `dispatch` dependency). */
  async forEnvironment(op: {
    environment: LoadedEnvironment;
    revision: string;
    trigger: Trigger;
    audit: CommitAudit | undefined;
  }): Promise<StackDispatch> {
    const budgetKey = await this.budgets.of(op.environment);
    return async (s, signal): Promise<DispatchResult> => {
      const job: StackJob = {
        environment: op.environment.name,
        stack: s.stack,
        revision: op.revision,
        operation: s.operation,
        trigger: op.trigger,
        budgetKey,
        refresh: s.refresh,
        ...(op.audit ? { audit: op.audit } : {}),
      };
      // A leader that stepped down (or shuts down) queues nothing more.
      signal?.throwIfAborted();
      const id = await this.queue.enqueueStack(job);
      this.log.debug({ environment: job.environment, stack: job.stack, job: id, budgetKey }, `${job.stack}: queued as stack job ${id}`);
      const finished = (await this.queue.awaitStacks([id], { pollMs: this.pollMs, ...(signal ? { signal } : {}) })).get(id) ?? {
        state: 'missing' as const,
        output: undefined,
      };
      if (finished.state === 'completed' && isResult(finished.output)) {
        const r = finished.output;
        return { outcome: r.outcome, pulumiOperations: r.pulumiOperations, ...(r.outputs ? { outputs: r.outputs } : {}) };
      }
      return { outcome: lostOutcome(s.stack, finished), pulumiOperations: 0 };
    };
  }
}

import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { pino } from 'pino';
import { beforeAll, describe, expect, it } from 'vitest';
import type { FinishedStackJob } from '../../../engine/cluster/work-queue.js';
import { type LoadedEnvironment, loadEnvironments } from '../../../engine/load/index.js';
import type { CommitAudit, StackJob } from '../../../engine/model/index.js';
import type { BudgetKeys } from '../../../engine/replicas/budget-key.js';
import { StackDispatcher, type StackJobQueue } from '../../../engine/replicas/stack-dispatcher.js';
import type { StackJobResult } from '../../../engine/replicas/stack-worker.js';
import type { StackOutcome } from '../../../engine/run/stack-applier.js';
import { builtinRegistry } from '../../../engine/templates/builtin.js';
import { tempDir } from '../../support/temp.js';
import { writeEnvironment } from './environment-tree.js';

const REVISION = 'a1b2c3d4e5f60718293a4b5c6d7e8f9012345678';
const BUDGET_KEY = '000000000000/us-east-1';
const log = pino({ level: 'silent' });

/**
 * The work queue as the dispatcher sees it: it records what is enqueued and the options
 * awaitStacks gets, and ends each job the way the test says. Like the real queue's
 * awaitStacks, it rejects when the signal aborts and otherwise waits for the end.
 */
class FakeQueue implements StackJobQueue {
  readonly enqueued: StackJob[] = [];
  readonly awaited: { ids: readonly string[]; pollMs: number | undefined; signal: AbortSignal | undefined }[] = [];
  /** How each job ends; `undefined` leaves it out of awaitStacks' answer; `'never'` never ends it. */
  ending: FinishedStackJob | undefined | 'never' = undefined;

  async enqueueStack(job: StackJob): Promise<string> {
    this.enqueued.push(job);
    return randomUUID();
  }

  awaitStacks(ids: readonly string[], opts: { signal?: AbortSignal; pollMs?: number } = {}): Promise<Map<string, FinishedStackJob>> {
    this.awaited.push({ ids, pollMs: opts.pollMs, signal: opts.signal });
    const signal = opts.signal;
    if (signal?.aborted) return Promise.reject(signal.reason);
    const ending = this.ending;
    if (ending === 'never')
      return new Promise((_resolve, reject) => signal?.addEventListener('abort', () => reject(signal.reason), { once: true }));
    return Promise.resolve(new Map(ending ? ids.map((id) => [id, ending]) : []));
  }
}

/** BudgetKeys without STS: one fixed account, counting how often it is asked. */
function fixedBudgets(): { budgets: BudgetKeys; asked: LoadedEnvironment[] } {
  const asked: LoadedEnvironment[] = [];
  const fake: Pick<BudgetKeys, 'of'> = {
    of: async (env) => {
      asked.push(env);
      return BUDGET_KEY;
    },
  };
  return { budgets: fake as BudgetKeys, asked };
}

function outcome(stack: string, over: Partial<StackOutcome> = {}): StackOutcome {
  return { stack, outcome: 'applied', reason: 'params changed', changes: { create: 2 }, steps: [], durationMs: 1234, attempts: 1, ...over };
}

let environment: LoadedEnvironment;

beforeAll(async () => {
  const dir = join(tempDir('dispatcher'), 'environments');
  writeEnvironment(dir, 'alpha', { stacks: ['orders', 'payments'] });
  const load = await loadEnvironments(dir, builtinRegistry(), { requireSharedBackend: true });
  expect(load.messages).toEqual([]);
  environment = load.environments[0] as LoadedEnvironment;
});

async function dispatchWith(queue: FakeQueue, opts: { audit?: CommitAudit; pollMs?: number } = {}) {
  const { budgets, asked } = fixedBudgets();
  const dispatcher = new StackDispatcher(queue, budgets, log, opts.pollMs);
  const dispatch = await dispatcher.forEnvironment({ environment, revision: REVISION, trigger: 'commit', audit: opts.audit });
  return { dispatch, asked };
}

describe('StackDispatcher: the leader runs a stack as a job on the queue', () => {
  it('enqueues a StackJob carrying the environment, stack, revision, operation, trigger, budget key, refresh and audit', async () => {
    const queue = new FakeQueue();
    queue.ending = { state: 'completed', output: { outcome: outcome('orders'), pulumiOperations: 1, replica: 'r1' } };
    const audit: CommitAudit = {
      author: 'Ada Ops <ada@example.com>',
      committer: 'Ada Ops <ada@example.com>',
      signer: { principal: 'ada@example.com', fingerprint: 'SHA256:abc', format: 'ssh' },
    };
    const { dispatch, asked } = await dispatchWith(queue, { audit, pollMs: 25 });
    await dispatch({ stack: 'orders', operation: 'up', refresh: true }, undefined);
    await dispatch({ stack: 'payments', operation: 'preview', refresh: false }, undefined);

    expect(queue.enqueued).toEqual([
      {
        environment: 'alpha',
        stack: 'orders',
        revision: REVISION,
        operation: 'up',
        trigger: 'commit',
        budgetKey: BUDGET_KEY,
        refresh: true,
        audit,
      },
      {
        environment: 'alpha',
        stack: 'payments',
        revision: REVISION,
        operation: 'preview',
        trigger: 'commit',
        budgetKey: BUDGET_KEY,
        refresh: false,
        audit,
      },
    ]);
    // The budget key is resolved once per environment operation, for the environment itself.
    expect(asked).toEqual([environment]);
    // It waits for exactly the job it queued, at the dispatcher's poll interval.
    expect(queue.awaited.map((a) => a.ids.length)).toEqual([1, 1]);
    expect(queue.awaited.map((a) => a.pollMs)).toEqual([25, 25]);
  });

  it('leaves the audit out of the job when the commit has none', async () => {
    const queue = new FakeQueue();
    queue.ending = { state: 'completed', output: { outcome: outcome('orders'), pulumiOperations: 1, replica: 'r1' } };
    const { dispatch } = await dispatchWith(queue);
    await dispatch({ stack: 'orders', operation: 'up', refresh: false }, undefined);
    expect(queue.enqueued[0]).not.toHaveProperty('audit');
  });

  it("gives back a completed job's StackJobResult as the DispatchResult: outcome, outputs, Pulumi operations", async () => {
    const queue = new FakeQueue();
    const result: StackJobResult = {
      outcome: outcome('orders'),
      outputs: { queueUrl: 'https://sqs.us-east-1.amazonaws.com/000000000000/alpha-orders', arn: 'arn:aws:sqs:us-east-1:0:alpha-orders' },
      pulumiOperations: 3,
      replica: 'replica-b',
    };
    queue.ending = { state: 'completed', output: result };
    const { dispatch } = await dispatchWith(queue);
    expect(await dispatch({ stack: 'orders', operation: 'up', refresh: false }, undefined)).toEqual({
      outcome: result.outcome,
      outputs: result.outputs,
      pulumiOperations: 3,
    });
  });

  it('gives back a completed preview without outputs as a result without outputs', async () => {
    const queue = new FakeQueue();
    const previewed = outcome('orders', { outcome: 'previewed', changes: { update: 1 } });
    queue.ending = { state: 'completed', output: { outcome: previewed, pulumiOperations: 1, replica: 'replica-a' } };
    const { dispatch } = await dispatchWith(queue);
    const r = await dispatch({ stack: 'orders', operation: 'preview', refresh: false }, undefined);
    expect(r).toEqual({ outcome: previewed, pulumiOperations: 1 });
    expect(r).not.toHaveProperty('outputs');
  });

  it.each<{ what: string; ending: FinishedStackJob | undefined; error: string }>([
    {
      what: 'a failed job (its retries used up)',
      ending: { state: 'failed', output: { name: 'Error', message: 'the replica lost its lease' } },
      error: 'the stack job failed on every attempt: the replica lost its lease',
    },
    { what: 'a cancelled job', ending: { state: 'cancelled', output: undefined }, error: 'the stack job was cancelled' },
    { what: 'a job gone from the queue', ending: { state: 'missing', output: undefined }, error: 'the stack job is gone from the queue' },
    { what: 'a job the queue does not report at all', ending: undefined, error: 'the stack job is gone from the queue' },
  ])('turns $what into a failed outcome of kind internal that says what happened', async ({ ending, error }) => {
    const queue = new FakeQueue();
    queue.ending = ending;
    const { dispatch } = await dispatchWith(queue);
    const r = await dispatch({ stack: 'payments', operation: 'up', refresh: false }, undefined);
    expect(r.pulumiOperations).toBe(0);
    expect(r).not.toHaveProperty('outputs');
    expect(r.outcome).toMatchObject({ stack: 'payments', outcome: 'failed', errorKind: 'internal', error, changes: {}, steps: [] });
  });

  it('turns a completed job without a StackJobResult into a failed outcome of kind internal', async () => {
    const queue = new FakeQueue();
    queue.ending = { state: 'completed', output: { something: 'else' } };
    const { dispatch } = await dispatchWith(queue);
    const r = await dispatch({ stack: 'orders', operation: 'up', refresh: false }, undefined);
    expect(r.outcome).toMatchObject({ stack: 'orders', outcome: 'failed', errorKind: 'internal', reason: 'stack job completed' });
    expect(r.pulumiOperations).toBe(0);
  });

  it('rejects when the signal aborts while the job runs, leaving the job queued', async () => {
    const queue = new FakeQueue();
    queue.ending = 'never';
    const { dispatch } = await dispatchWith(queue);
    const abort = new AbortController();
    const running = dispatch({ stack: 'orders', operation: 'up', refresh: false }, abort.signal);
    await expect.poll(() => queue.awaited.length).toBe(1);
    expect(queue.awaited[0]?.signal).toBe(abort.signal);
    abort.abort(new Error('leadership lost'));
    await expect(running).rejects.toThrow('leadership lost');
    expect(queue.enqueued.map((j) => j.stack)).toEqual(['orders']);
  });

  it('rejects when the signal is already aborted, and queues nothing (a leader that stepped down dispatches no more)', async () => {
    const queue = new FakeQueue();
    queue.ending = { state: 'completed', output: { outcome: outcome('orders'), pulumiOperations: 1, replica: 'r1' } };
    const { dispatch } = await dispatchWith(queue);
    await expect(dispatch({ stack: 'orders', operation: 'up', refresh: false }, AbortSignal.abort())).rejects.toThrow();
    expect(queue.enqueued).toEqual([]);
  });
});

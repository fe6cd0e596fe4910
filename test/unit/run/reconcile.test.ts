import { join } from 'node:path';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import type { DesiredStack } from '../../../engine/plan/decide.js';
import { Reconciler, runInDependencyOrder, type ReconcileStack, type StackDispatch } from '../../../engine/run/reconcile.js';
import type { OperationOutcome, StackRunner, StackTarget } from '../../../engine/run/stack-runner.js';
import { SqliteRunStore } from '../../../engine/store/sqlite-run-store.js';
import { tempDir } from '../../support/temp.js';
import { fakeTarget } from '../../support/fake-target.js';

/**
 * The reconciler's ordering, skipping, blocking and retry rules, with a scripted
 * StackRunner. (The real Pulumi adapter is exercised end to end in test/e2e.)
 */
class ScriptedRunner implements StackRunner {
  readonly calls: string[] = [];
  constructor(private readonly script: (stack: string, call: number) => OperationOutcome) {}
  private count = new Map<string, number>();
  private async op(kind: string, t: StackTarget): Promise<OperationOutcome> {
    const n = (this.count.get(t.stack) ?? 0) + 1;
    this.count.set(t.stack, n);
    this.calls.push(`${kind} ${t.stack}`);
    await new Promise((r) => setTimeout(r, 5));
    return this.script(t.stack, n);
  }
  preview = (t: StackTarget) => this.op('preview', t);
  up = (t: StackTarget) => this.op('up', t);
  destroy = (t: StackTarget) => this.op('destroy', t);
  previewRefresh = (t: StackTarget) => this.op('previewRefresh', t);
}

const ok = (outputs: Record<string, unknown> = {}): OperationOutcome => ({
  ok: true,
  changes: { create: 1 },
  steps: [],
  outputs,
  durationMs: 1,
});
const fail = (kind: 'transient' | 'provider'): OperationOutcome => ({ ok: false, kind, message: `${kind} failure`, durationMs: 1 });

function stack(name: string, dependsOn: string[] = [], spec: unknown = {}): ReconcileStack {
  const desired: DesiredStack = { name, template: 't', templateVersion: '1', spec, dependsOn };
  return {
    desired,
    target: () => fakeTarget(name),
  };
}

function setup(runner: StackRunner) {
  const dir = tempDir('reconcile');
  const store = new SqliteRunStore(join(dir, 'db.sqlite'));
  const reconciler = new Reconciler({
    store,
    runner,
    log: pino({ level: 'silent' }),
    clock: { now: () => new Date(), sleep: async () => undefined },
    retries: { attempts: 3, baseDelayMs: 1 },
  });
  const request = (stacks: ReconcileStack[], over: object = {}) => ({
    environment: 'dev',
    revision: 'r1',
    trigger: 'cli' as const,
    operation: 'up' as const,
    stacks,
    prune: false,
    removedTarget: (n: string) => stack(n).target({}),
    parallelism: 4,
    ...over,
  });
  return { store, reconciler, request };
}

describe('Reconciler', () => {
  it('applies in dependency order, then skips everything on a second run', async () => {
    const runner = new ScriptedRunner((s) => ok({ arn: `arn:${s}` }));
    const { reconciler, request, store } = setup(runner);
    const stacks = [stack('queue'), stack('topic', ['queue']), stack('bucket')];
    const first = await reconciler.reconcile(request(stacks));
    expect(first.stacks.map((s) => [s.stack, s.outcome])).toEqual([
      ['queue', 'applied'],
      ['topic', 'applied'],
      ['bucket', 'applied'],
    ]);
    expect(runner.calls.indexOf('up topic')).toBeGreaterThan(runner.calls.indexOf('up queue'));
    expect(await store.listRuns()).toHaveLength(3);

    runner.calls.length = 0;
    const second = await reconciler.reconcile(request(stacks, { revision: 'r2' }));
    expect(second.pulumiOperations).toBe(0);
    expect(runner.calls).toEqual([]);
    expect(second.stacks.every((s) => s.outcome === 'unchanged')).toBe(true);
  });

  it('re-applies a changed stack and a dependent whose inputs changed, nothing else', async () => {
    let version = 1;
    const runner = new ScriptedRunner((s) => ok(s === 'queue' ? { timeout: version } : {}));
    const { reconciler, request } = setup(runner);
    await reconciler.reconcile(request([stack('queue', [], { t: 1 }), stack('topic', ['queue']), stack('bucket')]));
    runner.calls.length = 0;
    version = 2;
    const r = await reconciler.reconcile(request([stack('queue', [], { t: 2 }), stack('topic', ['queue']), stack('bucket')]));
    expect(runner.calls).toEqual(['up queue', 'up topic']);
    expect(r.stacks.map((s) => [s.stack, s.outcome, s.reason])).toEqual([
      ['queue', 'applied', 'spec changed'],
      ['topic', 'applied', 'outputs of a dependency changed'],
      ['bucket', 'unchanged', 'unchanged'],
    ]);
  });

  it('a failing stack blocks its dependents but not its siblings, and is retried next time', async () => {
    let broken = true;
    const runner = new ScriptedRunner((s) => (s === 'queue' && broken ? fail('provider') : ok()));
    const { reconciler, request, store } = setup(runner);
    const stacks = [stack('queue'), stack('topic', ['queue']), stack('bucket')];
    const r = await reconciler.reconcile(request(stacks));
    expect(r.stacks.map((s) => [s.stack, s.outcome])).toEqual([
      ['queue', 'failed'],
      ['topic', 'blocked'],
      ['bucket', 'applied'],
    ]);
    expect(r.stacks[0]).toMatchObject({ errorKind: 'provider', attempts: 1 });
    expect((await store.listRuns({ stack: 'queue' }))[0]).toMatchObject({ result: 'failed', errorKind: 'provider' });

    broken = false;
    const again = await reconciler.reconcile(request(stacks));
    expect(again.stacks.map((s) => [s.stack, s.outcome])).toEqual([
      ['queue', 'applied'],
      ['topic', 'applied'],
      ['bucket', 'unchanged'],
    ]);
  });

  it('retries transient failures with backoff and records one run', async () => {
    const runner = new ScriptedRunner((_s, n) => (n < 3 ? fail('transient') : ok()));
    const { reconciler, request, store } = setup(runner);
    const r = await reconciler.reconcile(request([stack('queue')]));
    expect(r.stacks[0]).toMatchObject({ outcome: 'applied', attempts: 3 });
    expect(await store.listRuns()).toHaveLength(1);
  });

  it('reports a stack removed from Git, and destroys it only when pruning', async () => {
    const runner = new ScriptedRunner(() => ok());
    const { reconciler, request, store } = setup(runner);
    await reconciler.reconcile(request([stack('queue'), stack('old')]));
    const kept = await reconciler.reconcile(request([stack('queue')]));
    expect(kept.stacks.find((s) => s.stack === 'old')).toMatchObject({ outcome: 'orphaned' });
    expect(runner.calls).not.toContain('destroy old');
    const pruned = await reconciler.reconcile(request([stack('queue')], { prune: true }));
    expect(pruned.stacks.find((s) => s.stack === 'old')).toMatchObject({ outcome: 'destroyed' });
    expect(await store.getStatus('dev', 'old')).toBeUndefined();
  });

  it('preview runs only the stacks up would act on', async () => {
    const runner = new ScriptedRunner(() => ok());
    const { reconciler, request } = setup(runner);
    await reconciler.reconcile(request([stack('queue'), stack('bucket')]));
    runner.calls.length = 0;
    const r = await reconciler.reconcile(request([stack('queue', [], { changed: true }), stack('bucket')], { operation: 'preview' }));
    expect(runner.calls).toEqual(['preview queue']);
    expect(r.stacks.map((s) => s.outcome)).toEqual(['previewed', 'unchanged']);
  });
});

describe('runInDependencyOrder', () => {
  it('never runs more than the bound at once and respects dependencies', async () => {
    let running = 0;
    let peak = 0;
    const order: string[] = [];
    const stacks = ['a', 'b', 'c', 'd', 'e'].map((n) => stack(n, n === 'e' ? ['a', 'b'] : []));
    await runInDependencyOrder(stacks, 2, async (s) => {
      running++;
      peak = Math.max(peak, running);
      await new Promise((r) => setTimeout(r, 5));
      order.push(s.desired.name);
      running--;
    });
    expect(peak).toBe(2);
    expect(order.indexOf('e')).toBeGreaterThan(Math.max(order.indexOf('a'), order.indexOf('b')));
    expect(order).toHaveLength(5);
  });

  it('hands stacks that must change to dispatch, in dependency order; a failure blocks its dependents', async () => {
    const runner = new ScriptedRunner(() => ok());
    const { store, reconciler, request } = setup(runner);
    const dispatched: string[] = [];
    const dispatch: StackDispatch = async ({ stack: name, operation }) => {
      dispatched.push(`${operation} ${name}`);
      const outcome = {
        stack: name,
        outcome: name === 'broken' ? ('failed' as const) : ('applied' as const),
        reason: 'new stack',
        changes: { create: 1 },
        steps: [],
        durationMs: 1,
        attempts: 1,
        ...(name === 'broken' ? { errorKind: 'provider' as const, error: 'no' } : {}),
      };
      return { outcome, outputs: { url: `https://${name}` }, pulumiOperations: 1 };
    };
    // The worker that runs `consumer` reads queue's outputs from the shared store; here its turn comes after queue's.
    const consumer = stack('consumer', ['queue']);
    const result = await reconciler.reconcile(
      request([stack('queue'), stack('broken'), stack('after-broken', ['broken']), consumer], { dispatch }),
    );
    expect(runner.calls).toEqual([]);
    expect(dispatched.sort()).toEqual(['up broken', 'up consumer', 'up queue']);
    expect(Object.fromEntries(result.stacks.map((s) => [s.stack, s.outcome]))).toEqual({
      queue: 'applied',
      broken: 'failed',
      'after-broken': 'blocked',
      consumer: 'applied',
    });
    expect(result.pulumiOperations).toBe(3);
    // Nothing was recorded here: the replica that ran each stack records it.
    expect(await store.listRuns()).toEqual([]);
    await store.close();
  });
});

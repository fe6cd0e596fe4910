import { join } from 'node:path';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { Reconciler, type ReconcileStack } from '../../../engine/run/reconcile.js';
import type { OperationOutcome, StackRunner, StackTarget } from '../../../engine/run/stack-runner.js';
import { SqliteRunStore } from '../../../engine/store/sqlite-run-store.js';
import { tempDir } from '../../support/temp.js';
import { fakeTarget } from '../../support/fake-target.js';

/** A stack whose plan-time check fails is failed as `invalid`, alone, and starts no Pulumi. */
class CountingRunner implements StackRunner {
  readonly calls: string[] = [];
  private async op(kind: string, t: StackTarget): Promise<OperationOutcome> {
    this.calls.push(`${kind} ${t.stack}`);
    return { ok: true, changes: { create: 1 }, steps: [], outputs: { arn: `arn:${t.stack}` }, durationMs: 1 };
  }
  preview = (t: StackTarget) => this.op('preview', t);
  up = (t: StackTarget) => this.op('up', t);
  destroy = (t: StackTarget) => this.op('destroy', t);
  previewRefresh = (t: StackTarget) => this.op('previewRefresh', t);
}

function stack(name: string, dependsOn: string[] = [], preflight?: ReconcileStack['preflight']): ReconcileStack {
  return {
    desired: { name, template: 't', templateVersion: '1', spec: {}, dependsOn },
    target: () => fakeTarget(name),
    ...(preflight ? { preflight } : {}),
  };
}

describe('Reconciler plan-time checks', () => {
  const setup = () => {
    const runner = new CountingRunner();
    const store = new SqliteRunStore(join(tempDir('preflight'), 'db.sqlite'));
    const reconciler = new Reconciler({ store, runner, log: pino({ level: 'silent' }), retries: { attempts: 3, baseDelayMs: 1 } });
    const request = (stacks: ReconcileStack[], operation: 'up' | 'preview' = 'up') => ({
      environment: 'dev',
      revision: 'r1',
      trigger: 'cli' as const,
      operation,
      stacks,
      prune: false,
      removedTarget: (n: string) => stack(n).target({}),
      parallelism: 4,
    });
    return { runner, reconciler, request };
  };
  const unset = () => 'cfg.yaml:9:9 spec.params.parameters[0].fromEnv: environment variable X is not set';

  it.each(['up', 'preview'] as const)('%s: fails the stack as invalid, blocks its dependents, runs the rest', async (operation) => {
    const { runner, reconciler, request } = setup();
    const r = await reconciler.reconcile(request([stack('a'), stack('cfg', [], unset), stack('app', ['cfg']), stack('b')], operation));
    const by = Object.fromEntries(r.stacks.map((s) => [s.stack, s]));
    expect(by.cfg).toMatchObject({ outcome: 'failed', errorKind: 'invalid', error: unset(), attempts: 0 });
    expect(by.app).toMatchObject({ outcome: 'blocked' });
    expect(by.a?.outcome).toBe(operation === 'up' ? 'applied' : 'previewed');
    expect(by.b?.outcome).toBe(operation === 'up' ? 'applied' : 'previewed');
    expect(runner.calls.sort()).toEqual([`${operation} a`, `${operation} b`]);
    expect(r.pulumiOperations).toBe(2);
  });

  it('the check sees the outputs its dependencies recorded in this run', async () => {
    const { reconciler, request } = setup();
    const seen: unknown[] = [];
    await reconciler.reconcile(
      request([
        stack('q'),
        stack('role', ['q'], (deps) => {
          seen.push(deps);
          return undefined;
        }),
      ]),
    );
    expect(seen).toEqual([{ q: { arn: 'arn:q' } }]);
  });
});

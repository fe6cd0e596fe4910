import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { fingerprintOf, type DesiredStack } from '../../../engine/plan/decide.js';
import { StackApplier, type ApplyRequest } from '../../../engine/run/stack-applier.js';
import { StackLocks } from '../../../engine/run/stack-locks.js';
import type { OperationOutcome, StackRunner, StackTarget } from '../../../engine/run/stack-runner.js';
import { SqliteRunStore } from '../../../engine/store/sqlite-run-store.js';
import { tempDir } from '../../support/temp.js';
import { fakeTarget } from '../../support/fake-target.js';

const log = pino({ level: 'silent' });
const desired: DesiredStack = { name: 'q', template: 'queue', templateVersion: '1', spec: { t: 1 }, dependsOn: [] };
const target: StackTarget = fakeTarget('q');
const ok = (outputs: Record<string, unknown>): OperationOutcome => ({
  ok: true,
  changes: { update: 1 },
  steps: [],
  outputs,
  durationMs: 1,
});
const failed: OperationOutcome = { ok: false, kind: 'provider', message: 'boom', durationMs: 1 };

async function setup(result: () => OperationOutcome) {
  const store = new SqliteRunStore(join(tempDir('applier'), 'db.sqlite'));
  const runner: StackRunner = {
    preview: async () => result(),
    up: async () => result(),
    destroy: async () => result(),
    previewRefresh: async () => result(),
  };
  let now = Date.parse('2026-01-01T00:00:00Z');
  const clock = {
    now: () => new Date(now),
    sleep: async (ms: number) => {
      now += ms;
    },
  };
  const locks = new StackLocks({ store, clock, lockWaitMs: 0 });
  const applier = new StackApplier({ store, runner, locks, clock, retries: { attempts: 1, baseDelayMs: 1 } });
  const fingerprint = fingerprintOf(desired, {});
  const request = (kind: 'up' | 'remediate'): ApplyRequest => ({
    environment: 'dev',
    revision: 'r2',
    trigger: 'cli',
    stack: 'q',
    kind,
    decide: async () => ({ run: true, reason: kind === 'up' ? 'spec changed' : 'drift remediation', fingerprint }),
    target: async () => target,
    options: {},
  });
  await store.saveStatus({
    environment: 'dev',
    stack: 'q',
    applied: { ...fingerprint, specHash: 'old', revision: 'r1', outputs: { v: 1 }, at: 't' },
    lastResult: 'succeeded',
    lastRevision: 'r1',
    lastError: undefined,
  });
  return { store, applier, locks, request, fingerprint };
}

describe('StackApplier', () => {
  it('up: records the run and saves the new fingerprint, or keeps the last good apply on failure', async () => {
    const good = await setup(() => ok({ v: 2 }));
    const r = await good.applier.apply(good.request('up'), log);
    expect(r.stack).toMatchObject({ outcome: 'applied', reason: 'spec changed', attempts: 1 });
    expect(await good.store.getStatus('dev', 'q')).toMatchObject({
      lastResult: 'succeeded',
      lastRevision: 'r2',
      applied: { specHash: good.fingerprint.specHash, revision: 'r2', outputs: { v: 2 } },
    });
    expect((await good.store.listRuns()).map((x) => [x.operation, x.result])).toEqual([['up', 'succeeded']]);

    const bad = await setup(() => failed);
    expect((await bad.applier.apply(bad.request('up'), log)).stack).toMatchObject({ outcome: 'failed', errorKind: 'provider' });
    expect(await bad.store.getStatus('dev', 'q')).toMatchObject({
      lastResult: 'failed',
      lastError: 'boom',
      applied: { specHash: 'old', revision: 'r1' },
    });
  });

  it("remediate: keeps Git's fingerprint and revision, refreshes outputs; a failure leaves the status alone", async () => {
    const good = await setup(() => ok({ v: 3 }));
    await good.applier.applyHeld(good.request('remediate'), log);
    expect(await good.store.getStatus('dev', 'q')).toMatchObject({
      lastResult: 'succeeded',
      applied: { specHash: 'old', revision: 'r1', outputs: { v: 3 } },
    });
    expect((await good.store.listRuns()).map((x) => [x.operation, x.reason])).toEqual([['remediate', 'drift remediation']]);

    const bad = await setup(() => failed);
    const before = await bad.store.getStatus('dev', 'q');
    await bad.applier.applyHeld(bad.request('remediate'), log);
    expect(await bad.store.getStatus('dev', 'q')).toEqual(before);
  });

  it('runs nothing when the decision under the lock says no, and fails as locked when another holds the stack', async () => {
    const t = await setup(() => ok({}));
    const declined = await t.applier.apply(
      { ...t.request('up'), decide: async () => ({ run: false, reason: 'unchanged (applied by another run)' }) },
      log,
    );
    expect(declined).toEqual({ stack: expect.objectContaining({ outcome: 'unchanged', reason: 'unchanged (applied by another run)' }) });
    expect((await t.store.tryLock('dev', 'q', 'someone else')).acquired).toBe(true);
    // The same process holds it: not stale, so the applier waits (0 ms here) and gives up.
    const locked = await t.applier.apply(t.request('up'), log);
    expect(locked.stack).toMatchObject({ outcome: 'failed', errorKind: 'locked' });
    expect(await t.store.listRuns()).toEqual([]);
  });
});

describe('one writer of stack status', () => {
  // The run store and its decorators (engine/store, engine/http/events.ts) implement these
  // methods; the daemon's EnvironmentStatus store has its own saveStatus. Among the code that
  // applies stacks (reconcile, drift, the CLI and the wiring), only the applier calls them.
  it('only engine/run/stack-applier.ts saves or deletes a StackStatus', () => {
    const files = (dir: string): string[] =>
      readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
        e.isDirectory() ? files(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : [],
      );
    const writers = ['run', 'drift', 'plan', 'cli', 'main']
      .flatMap((d) => files(join('engine', d)))
      .filter((f) => /\.(saveStatus|deleteStatus)\(/.test(readFileSync(f, 'utf8')));
    expect(writers).toEqual([join('engine', 'run', 'stack-applier.ts')]);
  });
});

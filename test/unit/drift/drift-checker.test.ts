import { join } from 'node:path';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { DriftChecker, driftFound } from '../../../engine/drift/drift-checker.js';
import type { IgnoreRule } from '../../../engine/drift/ignore-rules.js';
import type { RemediationPolicy } from '../../../engine/plan/decide-remediation.js';
import { fingerprintOf } from '../../../engine/plan/decide.js';
import type { Notification } from '../../../engine/notify/notifier.js';
import { Reconciler, type ReconcileStack } from '../../../engine/run/reconcile.js';
import type { OperationOutcome, ResourceStep, StackRunner } from '../../../engine/run/stack-runner.js';
import { SqliteRunStore } from '../../../engine/store/sqlite-run-store.js';
import { tempDir } from '../../support/temp.js';
import { fakeTarget } from '../../support/fake-target.js';

/**
 * The checker's decisions — alert once per distinct drift, recover once, remediate
 * only when safe — with a scripted runner. Real refreshes run in test/e2e/drift.
 */
const drifted: ResourceStep = {
  urn: 'urn:q',
  type: 'driftless-aws:sqs:Queue',
  name: 'queue',
  op: 'update',
  oldInputs: { t: 30 },
  newInputs: { t: 120 },
  oldOutputs: undefined,
  newOutputs: undefined,
  diffs: undefined,
};
const refreshed = (steps: ResourceStep[]): OperationOutcome => ({ ok: true, changes: {}, steps, outputs: {}, durationMs: 1 });

function setup() {
  const store = new SqliteRunStore(join(tempDir('drift-checker'), 'db.sqlite'));
  let live: ResourceStep[] = [drifted];
  const calls: string[] = [];
  const runner: StackRunner = {
    preview: async () => refreshed([]),
    destroy: async () => refreshed([]),
    previewRefresh: async () => {
      calls.push('previewRefresh');
      return refreshed(live);
    },
    up: async (_t, opts) => {
      calls.push(`up refresh=${opts?.refresh}`);
      live = [];
      return refreshed([]);
    },
  };
  const log = pino({ level: 'silent' });
  const sent: Notification[] = [];
  const checker = new DriftChecker({
    store,
    runner,
    reconciler: new Reconciler({ store, runner, log }),
    notifier: { notify: async (n) => void sent.push(n) },
    log,
  });
  const bound: ReconcileStack = {
    desired: { name: 'q', template: 'queue', templateVersion: '1', spec: {}, dependsOn: [] },
    target: () => fakeTarget('q'),
  };
  const markApplied = (lastResult: 'succeeded' | 'failed') =>
    store.saveStatus({
      environment: 'dev',
      stack: 'q',
      applied: { ...fingerprintOf(bound.desired, {}), revision: 'r1', outputs: {}, at: 't' },
      lastResult,
      lastRevision: 'r1',
      lastError: undefined,
    });
  const check = (
    mode: 'detect' | 'remediate',
    allowRemediation = true,
    extra: { remediation?: RemediationPolicy; ignore?: IgnoreRule[] } = {},
  ) =>
    checker.check({
      environment: 'dev',
      revision: 'r1',
      trigger: 'schedule',
      stacks: [{ bound, mode, ...(extra.ignore ? { ignore: extra.ignore } : {}) }],
      allowRemediation,
      parallelism: 1,
      ...(extra.remediation ? { remediation: extra.remediation } : {}),
    });
  return { store, sent, calls, check, markApplied, setLive: (s: ResourceStep[]) => (live = s) };
}

describe('DriftChecker', () => {
  it('alerts once for the same drift on every tick, and sends one recovery', async () => {
    const t = setup();
    await t.markApplied('succeeded');
    for (let i = 0; i < 3; i++) expect((await t.check('detect')).stacks[0]?.status).toBe('drifted');
    expect(t.sent.map((n) => n.kind)).toEqual(['drift-detected']);
    t.setLive([]);
    expect((await t.check('detect')).stacks[0]?.status).toBe('in-sync');
    expect((await t.check('detect')).stacks[0]?.status).toBe('in-sync');
    expect(t.sent.map((n) => n.kind)).toEqual(['drift-detected', 'drift-resolved']);
    expect((await t.store.listDrift({ stack: 'q' })).map((d) => d.drifted)).toEqual([false, false, true, true, true]);
  });

  it('remediates in remediate mode with up --refresh, checks again and recovers', async () => {
    const t = setup();
    await t.markApplied('succeeded');
    const r = await t.check('remediate');
    expect(r.stacks[0]).toMatchObject({ status: 'remediated', after: { drifted: false } });
    expect(t.calls).toEqual(['previewRefresh', 'up refresh=true', 'previewRefresh']);
    expect(t.sent.map((n) => n.kind)).toEqual(['drift-detected', 'drift-resolved']);
    // newest first: the check after remediation is recorded too, proving the drift is gone
    expect((await t.store.listRuns({ stack: 'q' })).map((x) => x.operation)).toEqual(['drift', 'remediate', 'drift']);
  });

  it('never remediates a stack whose last up failed, or whose Git state is invalid', async () => {
    const t = setup();
    await t.markApplied('failed');
    expect((await t.check('remediate')).stacks[0]).toMatchObject({ status: 'not-remediated', reason: 'its last up failed' });
    await t.markApplied('succeeded');
    expect((await t.check('remediate', false)).stacks[0]).toMatchObject({
      status: 'not-remediated',
      reason: "Git's current state of the environment is invalid",
    });
    expect(t.calls.filter((c) => c.startsWith('up'))).toEqual([]);
  });

  it('a read-only check (driftless drift) never remediates, even in remediate mode; --remediate does in detect mode', async () => {
    const t = setup();
    await t.markApplied('succeeded');
    expect((await t.check('remediate', true, { remediation: 'none' })).stacks[0]).toMatchObject({
      status: 'drifted',
      reason: 'read-only check: run driftless drift --remediate to put it back',
    });
    expect(t.calls).toEqual(['previewRefresh']);
    expect((await t.check('detect', true, { remediation: 'all' })).stacks[0]?.status).toBe('remediated');
    expect(t.calls).toEqual(['previewRefresh', 'previewRefresh', 'up refresh=true', 'previewRefresh']);
  });

  it("remediation keeps Git's applied fingerprint and records the fresh outputs through the applier", async () => {
    const t = setup();
    await t.markApplied('succeeded');
    const before = await t.store.getStatus('dev', 'q');
    expect((await t.check('remediate')).stacks[0]?.status).toBe('remediated');
    const after = await t.store.getStatus('dev', 'q');
    expect(after).toMatchObject({ lastResult: 'succeeded', applied: { specHash: before?.applied?.specHash, revision: 'r1' } });
  });

  it('drift only in ignored fields is reported as ignored: no drift, no alert, no remediation', async () => {
    const t = setup();
    await t.markApplied('succeeded');
    const r = await t.check('remediate', true, { ignore: [{ path: 't' }] });
    expect(driftFound(r)).toBe(false);
    expect(r.stacks[0]).toMatchObject({
      status: 'in-sync',
      report: {
        drifted: false,
        ignoredFields: 1,
        resources: [{ ignored: true, fields: [{ path: 't', desired: 30, actual: 120, ignored: true }] }],
      },
    });
    expect(t.calls).toEqual(['previewRefresh']);
    expect(t.sent).toEqual([]);
    expect((await t.store.listDrift({ stack: 'q' }))[0]).toMatchObject({ drifted: false, resourceCount: 0 });
    // A rule for another resource type covers nothing: the same drift alerts.
    const other = await t.check('detect', true, { ignore: [{ path: 't', type: 'driftless-aws:s3:Bucket' }] });
    expect(other.stacks[0]?.status).toBe('drifted');
    expect(t.sent.map((n) => n.kind)).toEqual(['drift-detected']);
  });

  it('does not check a stack that was never applied', async () => {
    const t = setup();
    expect((await t.check('detect')).stacks[0]?.status).toBe('not-applied');
    expect(t.calls).toEqual([]);
  });
});

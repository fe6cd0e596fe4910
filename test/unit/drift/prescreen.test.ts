import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { DriftChecker } from '../../../engine/drift/drift-checker.js';
import { DriftPrescreen } from '../../../engine/drift/prescreen/prescreen.js';
import type { StackPrescreen } from '../../../engine/drift/prescreen/types.js';
import { fingerprintOf } from '../../../engine/plan/decide.js';
import { Reconciler, type ReconcileStack } from '../../../engine/run/reconcile.js';
import type { OperationOutcome, ResourceStep, StackRunner, StackTarget } from '../../../engine/run/stack-runner.js';
import { SqliteRunStore } from '../../../engine/store/sqlite-run-store.js';
import type { LiveComparison, RecordedResource } from '../../../provider/src/in-process.js';
import { tempDir } from '../../support/temp.js';
import { fakeTarget } from '../../support/fake-target.js';

/**
 * The drift pre-screen with its state reads on a real file-backend layout and its live
 * reads scripted: which stacks it lets skip previewRefresh, and every reason a stack
 * goes to previewRefresh instead (state unreadable, a type without reader, secrets,
 * a difference, a deletion). Live reads against LocalStack: test/e2e/drift.
 */
const QUEUE = 'driftless-aws:sqs:Queue';
const SECRET_SIG = '4dabf18193072939515e22adb298388d';

function resource(stack: string, type: string, name: string, inputs: Record<string, unknown> = { name }): Record<string, unknown> {
  return { urn: `urn:pulumi:dev.${stack}::driftless::${type}::${name}`, custom: true, id: `id-${name}`, type, inputs, outputs: inputs };
}

function checkpoint(stack: string, resources: Record<string, unknown>[], extra: Record<string, unknown> = {}): string {
  const engine = [
    { urn: `urn:pulumi:dev.${stack}::driftless::pulumi:pulumi:Stack::driftless-dev.${stack}`, custom: false, type: 'pulumi:pulumi:Stack' },
    {
      urn: `urn:pulumi:dev.${stack}::driftless::pulumi:providers:driftless-aws::default`,
      custom: true,
      id: 'p',
      type: 'pulumi:providers:driftless-aws',
    },
  ];
  return JSON.stringify({
    version: 3,
    checkpoint: { stack: `organization/driftless/dev.${stack}`, latest: { resources: [...engine, ...resources], ...extra } },
  });
}

function backend() {
  const root = tempDir('prescreen');
  const dir = join(root, '.pulumi', 'stacks', 'driftless');
  mkdirSync(dir, { recursive: true });
  const write = (stack: string, text: string) => writeFileSync(join(dir, `dev.${stack}.json`), text);
  const target = (stack: string): StackTarget => ({
    environment: 'dev',
    stack,
    program: async () => ({}),
    backend: { url: `file://${root}`, pulumiHome: join(root, 'home') },
    envVars: { AWS_REGION: 'us-east-1' },
    workDir: join(root, 'work'),
    secretsProvider: 'passphrase',
  });
  return { write, target };
}

/** Scripted live reads: by resource id; counts calls and the most in flight at once. */
function scripted(results: Record<string, LiveComparison>) {
  const seen: string[] = [];
  let inFlight = 0;
  let maxInFlight = 0;
  const compare = async (r: RecordedResource): Promise<LiveComparison> => {
    seen.push(r.id);
    inFlight++;
    maxInFlight = Math.max(maxInFlight, inFlight);
    await new Promise((resolve) => setTimeout(resolve, 2));
    inFlight--;
    return results[r.id] ?? { kind: 'same' };
  };
  return { compare, seen, maxInFlight: () => maxInFlight };
}

describe('DriftPrescreen', () => {
  it('passes stacks whose every resource matches, and sends every other stack to previewRefresh with the reason', async () => {
    const b = backend();
    b.write('same', checkpoint('same', [resource('same', QUEUE, 'a'), resource('same', QUEUE, 'b')]));
    b.write('changed', checkpoint('changed', [resource('changed', QUEUE, 'c')]));
    b.write('gone', checkpoint('gone', [resource('gone', QUEUE, 'g')]));
    b.write('classic', checkpoint('classic', [resource('classic', QUEUE, 'k'), resource('classic', 'aws:s3/bucket:Bucket', 'legacy')]));
    b.write('broken', '{"version": 3, "checkpoint": ');
    b.write('pending', checkpoint('pending', [resource('pending', QUEUE, 'p')], { pending_operations: [{ type: 'creating' }] }));
    b.write('failing', checkpoint('failing', [resource('failing', QUEUE, 'f')]));
    const live = scripted({
      'id-c': { kind: 'differs', properties: ['visibilityTimeoutSeconds'] },
      'id-g': { kind: 'deleted' },
      'id-f': { kind: 'unreadable', reason: 'read failed: AccessDenied' },
    });
    const prescreen = new DriftPrescreen({ compare: live.compare });
    const names = ['same', 'changed', 'gone', 'classic', 'broken', 'missing', 'pending', 'failing'];
    const { verdicts, stats } = await prescreen.screen(names.map(b.target));

    expect(verdicts.get('same')).toMatchObject({ result: 'in-sync' });
    const reasons = Object.fromEntries(names.filter((n) => n !== 'same').map((n) => [n, (verdicts.get(n) as { reason: string }).reason]));
    expect(reasons).toEqual({
      changed: `${QUEUE} c differs (visibilityTimeoutSeconds)`,
      gone: `${QUEUE} g is gone`,
      classic: 'no in-process reader for aws:s3/bucket:Bucket',
      broken: expect.stringMatching(/^state not read directly: the state at .*dev\.broken\.json is not readable JSON/),
      missing: expect.stringMatching(/^state not read directly: no state of dev\.missing under /),
      pending: 'state not read directly: the state has 1 pending operation(s) from an interrupted update',
      failing: `${QUEUE} f could not be compared: read failed: AccessDenied`,
    });
    for (const n of names) expect(verdicts.get(n)?.result, n).toBe(n === 'same' ? 'in-sync' : 'refresh');
    // A stack with a type that has no reader is not read at all: it is refreshed anyway.
    expect(live.seen.sort()).toEqual(['id-a', 'id-b', 'id-c', 'id-f', 'id-g']);
    expect(stats).toMatchObject({ stacks: 8, inSync: 1, toRefresh: 7, resourcesRead: 5 });
  });

  it('never compares encrypted secret inputs: the resource is unreadable (real in-process reader, no AWS call)', async () => {
    const b = backend();
    const secret = { [SECRET_SIG]: '1b47061264138c4ac30d75fd1eb44270', ciphertext: 'v1:abc:def' };
    b.write(
      's',
      checkpoint('s', [resource('s', 'driftless-aws:ssm:Parameter', 'cfg', { name: '/x', type: 'String', value: secret, tags: {} })]),
    );
    const { verdicts, stats } = await new DriftPrescreen().screen([b.target('s')]);
    expect(verdicts.get('s')).toMatchObject({
      result: 'refresh',
      reason: 'driftless-aws:ssm:Parameter cfg could not be compared: secret inputs (value) cannot be compared without decrypting them',
    });
    expect(stats.awsRequests).toBe(0);
  });

  it('keeps at most `concurrency` live reads in flight over all stacks, and skips the rest of a stack once one resource differs', async () => {
    const b = backend();
    const many = Array.from({ length: 20 }, (_, i) => `s${i}`);
    for (const s of many)
      b.write(
        s,
        checkpoint(
          s,
          [1, 2, 3].map((i) => resource(s, QUEUE, `${s}-${i}`)),
        ),
      );
    const live = scripted({});
    const { stats } = await new DriftPrescreen({ compare: live.compare, concurrency: 4 }).screen(many.map(b.target));
    expect(stats.inSync).toBe(20);
    expect(live.seen).toHaveLength(60);
    expect(live.maxInFlight()).toBeLessThanOrEqual(4);

    const one = scripted({ 'id-x-1': { kind: 'deleted' } });
    b.write(
      'x',
      checkpoint(
        'x',
        [1, 2, 3].map((i) => resource('x', QUEUE, `x-${i}`)),
      ),
    );
    const r = await new DriftPrescreen({ compare: one.compare, concurrency: 1 }).screen([b.target('x')]);
    expect(r.verdicts.get('x')?.result).toBe('refresh');
    expect(one.seen).toEqual(['id-x-1']);
  });

  it('says whether a state is still the one screened', async () => {
    const b = backend();
    b.write('q', checkpoint('q', [resource('q', QUEUE, 'q')]));
    const prescreen = new DriftPrescreen({ compare: scripted({}).compare });
    const v = (await prescreen.screen([b.target('q')])).verdicts.get('q');
    if (v?.result !== 'in-sync') throw new Error('expected in-sync');
    expect(await prescreen.stillCurrent(b.target('q'), v.fingerprint)).toBe(true);
    b.write('q', checkpoint('q', [resource('q', QUEUE, 'q', { name: 'q', visibilityTimeoutSeconds: 60 })]));
    expect(await prescreen.stillCurrent(b.target('q'), v.fingerprint)).toBe(false);
  });
});

describe('DriftChecker with a pre-screen', () => {
  const ok = (steps: ResourceStep[]): OperationOutcome => ({
    ok: true,
    changes: {},
    steps,
    outputs: {},
    durationMs: 1,
  });

  async function setup(prescreen: StackPrescreen) {
    const store = new SqliteRunStore(join(tempDir('prescreen-checker'), 'db.sqlite'));
    const refreshed: string[] = [];
    const runner: StackRunner = {
      preview: async () => ok([]),
      destroy: async () => ok([]),
      up: async () => ok([]),
      previewRefresh: async (t) => {
        refreshed.push(t.stack);
        return ok([]);
      },
    };
    const log = pino({ level: 'silent' });
    const checker = new DriftChecker({
      store,
      runner,
      reconciler: new Reconciler({ store, runner, log }),
      notifier: { notify: async () => {} },
      log,
    });
    const bound = (name: string): ReconcileStack => ({
      desired: { name, template: 'queue', templateVersion: '1', spec: {}, dependsOn: [] },
      target: () => fakeTarget(name),
    });
    const stacks = ['calm', 'odd', 'moved', 'new'].map(bound);
    for (const s of stacks.slice(0, 3))
      await store.saveStatus({
        environment: 'dev',
        stack: s.desired.name,
        applied: { ...fingerprintOf(s.desired, {}), revision: 'r1', outputs: {}, at: 't' },
        lastResult: 'succeeded',
        lastRevision: 'r1',
        lastError: undefined,
      });
    const check = () =>
      checker.check({
        environment: 'dev',
        revision: 'r1',
        trigger: 'schedule',
        stacks: stacks.map((s) => ({ bound: s, mode: 'detect' as const })),
        allowRemediation: true,
        parallelism: 2,
        prescreen,
      });
    return { store, refreshed, check };
  }

  it('refreshes only the stacks the pre-screen could not clear, and says which path each took', async () => {
    const screened: string[][] = [];
    const prescreen: StackPrescreen = {
      screen: async (targets) => {
        screened.push(targets.map((t) => t.stack));
        return {
          verdicts: new Map([
            ['calm', { result: 'in-sync', fingerprint: 'f1', resources: [] }],
            ['odd', { result: 'refresh', reason: 'no in-process reader for aws:s3/bucket:Bucket', resources: [] }],
            ['moved', { result: 'in-sync', fingerprint: 'old', resources: [] }],
          ]),
          stats: { stacks: 3, inSync: 2, toRefresh: 1, resourcesRead: 2, awsRequests: 4, stateRequests: 0, durationMs: 1 },
        };
      },
      stillCurrent: async (t, fingerprint) => t.stack === 'calm' && fingerprint === 'f1',
    };
    const t = await setup(prescreen);
    const r = await t.check();
    expect(screened).toEqual([['calm', 'odd', 'moved']]); // only applied stacks are screened
    expect(t.refreshed.sort()).toEqual(['moved', 'odd']);
    expect(r.stacks).toEqual([
      expect.objectContaining({
        stack: 'calm',
        status: 'in-sync',
        checkedBy: 'prescreen',
        report: expect.objectContaining({ drifted: false }),
      }),
      expect.objectContaining({
        stack: 'odd',
        status: 'in-sync',
        checkedBy: 'refresh',
        refreshReason: 'no in-process reader for aws:s3/bucket:Bucket',
      }),
      expect.objectContaining({ stack: 'moved', checkedBy: 'refresh', refreshReason: 'the state changed after the pre-screen' }),
      { stack: 'new', status: 'not-applied', reason: 'never applied: nothing to compare with' },
    ]);
    expect(r.prescreen).toMatchObject({ inSync: 2, awsRequests: 4 });
    // Every check is in the run history and the drift records, whichever path found it.
    expect((await t.store.listRuns({ stack: 'calm' })).map((x) => [x.operation, x.reason])).toEqual([
      ['drift', 'drift check (pre-screen)'],
    ]);
    expect((await t.store.listDrift({ stack: 'calm' })).map((d) => d.drifted)).toEqual([false]);
  });

  it('refreshes every stack when the sweep itself fails', async () => {
    const t = await setup({
      screen: async () => {
        throw new Error('boom');
      },
      stillCurrent: async () => true,
    });
    const r = await t.check();
    expect(t.refreshed.sort()).toEqual(['calm', 'moved', 'odd']);
    expect(r.stacks[0]).toMatchObject({ checkedBy: 'refresh', refreshReason: 'pre-screen failed: boom' });
  });
});

// The behaviour every store implementation owes its callers, written once and run against
// each implementation (SQLite in test/integration/store/sqlite-stores-contract.test.ts,
// PostgreSQL in test/integration/store/postgres-stores.test.ts), so the two cannot drift
// apart. Only what both promise is here; what one backend adds (lock expiry across
// replicas, dead-pid clearing) is tested beside that backend.
import { hostname } from 'node:os';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ValidationMessage } from '../../engine/load/index.js';
import type { AlertState, DriftRecord, EnvironmentStatus, NewRunRecord, StackStatus } from '../../engine/model/index.js';
import type { DaemonStore, EnvironmentRecord } from '../../engine/store/daemon-store.js';
import type { DashboardStore } from '../../engine/store/dashboard-store.js';
import type { ForgeOutbox } from '../../engine/store/forge-outbox.js';
import type { RunStore } from '../../engine/store/run-store.js';

/** A fresh, empty store for one test, and how to get rid of it (close it and its backing). */
export interface StoreHarness<S> {
  store: S;
  dispose(): Promise<void>;
}

/** A run store harness that can also open a second store on the same backing, as another process (replica) would. */
export interface RunStoreHarness extends StoreHarness<RunStore> {
  /** Another store on the same data; closed by dispose(). */
  another(): Promise<RunStore>;
}

/** Opens the harness before each test and disposes of it after; returns the current one. */
function perTest<H extends StoreHarness<unknown>>(open: () => Promise<H>): () => H {
  let current: H | undefined;
  beforeEach(async () => {
    current = await open();
  });
  afterEach(async () => {
    await current?.dispose();
    current = undefined;
  });
  return () => {
    if (!current) throw new Error('no store: the harness did not open');
    return current;
  };
}

const baseRun: NewRunRecord = {
  environment: 'dev',
  stack: 'web',
  revision: 'r1',
  trigger: 'commit',
  operation: 'up',
  result: 'succeeded',
  changes: { create: 2, same: 1 },
  durationMs: 1234,
  errorKind: undefined,
  error: undefined,
  reason: 'spec changed',
  startedAt: '2030-01-01T00:00:00.000Z',
  finishedAt: '2030-01-01T00:00:01.234Z',
};

const baseDrift: Omit<DriftRecord, 'id'> = {
  environment: 'dev',
  stack: 'web',
  revision: 'r1',
  checkedAt: '2030-01-01T00:00:00.000Z',
  drifted: true,
  resourceCount: 2,
  remediated: false,
  report: { resources: [{ urn: 'urn:x', fields: ['tags.owner'] }] },
};

/** Records runs one after another (ids must follow the order). */
async function recordAll(store: RunStore, runs: NewRunRecord[]): Promise<number[]> {
  const ids: number[] = [];
  for (const run of runs) ids.push((await store.recordRun(run)).id);
  return ids;
}

/** The RunStore contract: run history and paging, stack statuses, drift history, alerts, stack locks. */
export function describeRunStoreContract(name: string, open: () => Promise<RunStoreHarness>): void {
  describe(`RunStore contract: ${name}`, () => {
    const h = perTest(open);

    it('records runs with increasing ids and returns what was recorded', async () => {
      const { store } = h();
      const first = await store.recordRun(baseRun);
      const second = await store.recordRun({ ...baseRun, stack: 'api' });
      expect(first).toMatchObject({ ...baseRun, id: expect.any(Number) });
      expect(second.id).toBeGreaterThan(first.id);
      expect((await store.listRuns()).map((r) => [r.id, r.stack])).toEqual([
        [second.id, 'api'],
        [first.id, 'web'],
      ]);
    });

    it('round-trips every field of a run, and leaves unknown audit fields out', async () => {
      const { store } = h();
      const failed: NewRunRecord = {
        ...baseRun,
        stack: 'failed',
        trigger: 'retry',
        operation: 'destroy',
        result: 'failed',
        changes: {},
        errorKind: 'provider',
        error: 'AccessDenied: not allowed',
        reason: undefined,
      };
      const ssh = { principal: 'ada@example.com', fingerprint: 'SHA256:abc', format: 'ssh' } as const;
      const gpg = { principal: 'Bob <bob@x>', fingerprint: 'ABCDEF0123', format: 'gpg' } as const;
      await recordAll(store, [
        failed,
        { ...baseRun, stack: 'ssh', author: 'Ada <ada@x>', committer: 'Bob <bob@x>', signer: ssh },
        { ...baseRun, stack: 'gpg', author: 'Ada <ada@x>', signer: gpg },
        { ...baseRun, stack: 'plain' },
      ]);
      const byStack = new Map((await store.listRuns()).map((r) => [r.stack, r]));
      expect(byStack.get('failed')).toMatchObject({ ...failed });
      expect(byStack.get('failed')?.reason).toBeUndefined();
      expect(byStack.get('ssh')).toMatchObject({ author: 'Ada <ada@x>', committer: 'Bob <bob@x>', signer: ssh });
      expect(byStack.get('gpg')).toMatchObject({ author: 'Ada <ada@x>', signer: gpg });
      expect(byStack.get('gpg')).not.toHaveProperty('committer');
      const plain = byStack.get('plain');
      expect(plain).toMatchObject({ ...baseRun, stack: 'plain' });
      // Key order of the change counts survives too (reports show them as recorded).
      expect(Object.keys(plain?.changes ?? {})).toEqual(['create', 'same']);
      for (const field of ['author', 'committer', 'signer']) expect(plain).not.toHaveProperty(field);
    });

    it('filters runs by environment, stack and revision, combined', async () => {
      const { store } = h();
      await recordAll(store, [
        { ...baseRun, environment: 'dev', stack: 'a', revision: 'r1' },
        { ...baseRun, environment: 'dev', stack: 'b', revision: 'r1' },
        { ...baseRun, environment: 'prod', stack: 'a', revision: 'r1' },
        { ...baseRun, environment: 'dev', stack: 'a', revision: 'r2' },
      ]);
      const ids = async (q: Parameters<RunStore['listRuns']>[0]) =>
        (await store.listRuns(q)).map((r) => `${r.environment}/${r.stack}@${r.revision}`);
      expect(await ids({ environment: 'dev' })).toEqual(['dev/a@r2', 'dev/b@r1', 'dev/a@r1']);
      expect(await ids({ stack: 'a' })).toEqual(['dev/a@r2', 'prod/a@r1', 'dev/a@r1']);
      expect(await ids({ revision: 'r1' })).toEqual(['prod/a@r1', 'dev/b@r1', 'dev/a@r1']);
      expect(await ids({ environment: 'dev', stack: 'a', revision: 'r1' })).toEqual(['dev/a@r1']);
      expect(await ids({ environment: 'nope' })).toEqual([]);
    });

    it('pages runs newest first: 100 by default, `before` the last id of the previous page, a negative limit is none', async () => {
      const { store } = h();
      const ids = await recordAll(
        store,
        Array.from({ length: 105 }, (_, i) => ({ ...baseRun, stack: i % 2 === 0 ? 'even' : 'odd' })),
      );
      const newestFirst = [...ids].reverse();
      expect((await store.listRuns()).map((r) => r.id)).toEqual(newestFirst.slice(0, 100));
      expect(await store.listRuns({ limit: -1 })).toHaveLength(105);
      expect(await store.listRuns({ limit: 0 })).toEqual([]);
      const paged: number[] = [];
      let before: number | undefined;
      for (;;) {
        const page = await store.listRuns({ limit: 40, ...(before !== undefined ? { before } : {}) });
        paged.push(...page.map((r) => r.id));
        if (page.length < 40) break;
        before = page.at(-1)?.id;
      }
      expect(paged).toEqual(newestFirst);
      const middle = ids[50] ?? 0;
      expect((await store.listRuns({ before: middle, stack: 'even', limit: 3 })).map((r) => r.id)).toEqual(
        newestFirst.filter((id, i) => id < middle && (104 - i) % 2 === 0).slice(0, 3),
      );
      // The dashboard looks a run up by id this way.
      expect((await store.listRuns({ before: middle + 1, limit: 1 }))[0]?.id).toBe(middle);
    });

    it('keeps one status per stack: upserts, lists an environment by stack name, deletes', async () => {
      const { store } = h();
      const status: StackStatus = {
        environment: 'dev',
        stack: 'b',
        applied: {
          specHash: 's1',
          templateVersion: '1.2.3',
          dependenciesHash: 'd1',
          revision: 'r1',
          outputs: { zeta: 1, alpha: { nested: ['x', null, true] }, 'odd key ü': '\u0000 and "quotes"' },
          at: '2030-01-01T00:00:00.000Z',
        },
        lastResult: 'succeeded',
        lastRevision: 'r1',
        lastError: undefined,
      };
      expect(await store.getStatus('dev', 'b')).toBeUndefined();
      await store.saveStatus(status);
      expect(await store.getStatus('dev', 'b')).toEqual(status);
      // Outputs read back with their keys in the order written (fingerprints and pages rely on nothing else).
      expect(Object.keys((await store.getStatus('dev', 'b'))?.applied?.outputs ?? {})).toEqual(['zeta', 'alpha', 'odd key ü']);
      const failed = { ...status, lastResult: 'failed' as const, lastRevision: 'r2', lastError: 'boom' };
      await store.saveStatus(failed);
      expect(await store.getStatus('dev', 'b')).toEqual(failed);
      await store.saveStatus({ ...status, stack: 'a' });
      await store.saveStatus({ ...status, stack: 'B' });
      await store.saveStatus({ ...status, environment: 'prod' });
      // Byte order, as SQLite sorts: upper case first.
      expect((await store.listStatuses('dev')).map((s) => s.stack)).toEqual(['B', 'a', 'b']);
      expect(await store.listStatuses('prod')).toEqual([{ ...status, environment: 'prod' }]);
      expect(await store.listStatuses('none')).toEqual([]);
      await store.deleteStatus('dev', 'b');
      await store.deleteStatus('dev', 'missing');
      expect(await store.getStatus('dev', 'b')).toBeUndefined();
      expect(await store.getStatus('prod', 'b')).toBeDefined();
    });

    it('records drift checks and lists them newest first, filtered and paged', async () => {
      const { store } = h();
      const first = await store.recordDrift(baseDrift);
      expect(first).toEqual({ ...baseDrift, id: expect.any(Number) });
      const rest: number[] = [];
      for (const d of [
        { ...baseDrift, stack: 'api', drifted: false, resourceCount: 0, report: null },
        { ...baseDrift, environment: 'prod', remediated: true },
        { ...baseDrift, revision: 'r2', report: { list: [3, 2, 1] } },
      ])
        rest.push((await store.recordDrift(d)).id);
      const all = await store.listDrift();
      expect(all.map((d) => d.id)).toEqual([...rest].reverse().concat(first.id));
      expect(all.find((d) => d.stack === 'api')).toEqual({
        ...baseDrift,
        id: rest[0],
        stack: 'api',
        drifted: false,
        resourceCount: 0,
        report: null,
      });
      expect(all.find((d) => d.environment === 'prod')).toMatchObject({ drifted: true, remediated: true });
      expect((await store.listDrift({ environment: 'dev', stack: 'web' })).map((d) => d.revision)).toEqual(['r2', 'r1']);
      expect((await store.listDrift({ environment: 'dev', limit: 2 })).map((d) => d.id)).toEqual([rest[2], rest[0]]);
      expect((await store.listDrift({ before: rest[1] ?? 0 })).map((d) => d.id)).toEqual([rest[0], first.id]);
      expect(await store.listDrift({ stack: 'none' })).toEqual([]);
      expect(await store.listDrift({ limit: -1 })).toHaveLength(4);
    });

    it('lists at most 100 drift checks unless told otherwise', async () => {
      const { store } = h();
      for (let i = 0; i < 101; i++) await store.recordDrift(baseDrift);
      expect(await store.listDrift()).toHaveLength(100);
      expect(await store.listDrift({ limit: 500 })).toHaveLength(101);
    });

    it('keeps one alert state per key: set, replace, clear', async () => {
      const { store } = h();
      const alert: AlertState = {
        key: 'drift:dev/web',
        fingerprint: 'f1',
        since: '2030-01-01T00:00:00.000Z',
        lastAlertAt: '2030-01-01T00:00:00.000Z',
      };
      expect(await store.getAlert(alert.key)).toBeUndefined();
      await store.setAlert(alert);
      await store.setAlert({ ...alert, key: 'other' });
      expect(await store.getAlert(alert.key)).toEqual(alert);
      await store.setAlert({ ...alert, fingerprint: 'f2', lastAlertAt: '2030-01-02T00:00:00.000Z' });
      expect(await store.getAlert(alert.key)).toEqual({ ...alert, fingerprint: 'f2', lastAlertAt: '2030-01-02T00:00:00.000Z' });
      await store.clearAlert(alert.key);
      await store.clearAlert('never-set');
      expect(await store.getAlert(alert.key)).toBeUndefined();
      expect(await store.getAlert('other')).toEqual({ ...alert, key: 'other' });
    });

    it('locks a stack against every other taker until unlocked, per stack', async () => {
      const { store, another } = h();
      const other = await another();
      const before = Date.now();
      expect(await store.tryLock('dev', 'web', 'up')).toEqual({ acquired: true, clearedStale: undefined });
      const refused = await other.tryLock('dev', 'web', 'drift');
      expect(refused).toMatchObject({ acquired: false, heldBy: { pid: process.pid, host: hostname(), purpose: 'up' } });
      if (!refused.acquired) {
        // acquiredAt is an ISO time of the taking (a little slack for a database clock that is not ours).
        expect(new Date(refused.heldBy.acquiredAt).toISOString()).toBe(refused.heldBy.acquiredAt);
        expect(Math.abs(new Date(refused.heldBy.acquiredAt).getTime() - before)).toBeLessThan(60_000);
        expect(typeof refused.heldBy.processStart).toBe('string');
      }
      // The holder itself cannot take it twice either.
      expect(await store.tryLock('dev', 'web', 'up')).toMatchObject({ acquired: false, heldBy: { purpose: 'up' } });
      // Another stack, or the same stack name in another environment, is another lock.
      expect(await other.tryLock('dev', 'api', 'up')).toEqual({ acquired: true, clearedStale: undefined });
      expect(await other.tryLock('prod', 'web', 'up')).toEqual({ acquired: true, clearedStale: undefined });
      await store.unlock('dev', 'web');
      expect(await other.tryLock('dev', 'web', 'up')).toEqual({ acquired: true, clearedStale: undefined });
      expect(await store.tryLock('dev', 'web', 'up')).toMatchObject({ acquired: false });
      await other.unlock('dev', 'web');
      await other.unlock('dev', 'api');
      await other.unlock('prod', 'web');
      // Unlocking what nobody holds is a no-op.
      await store.unlock('dev', 'nothing');
      expect(await store.tryLock('dev', 'api', 'up')).toEqual({ acquired: true, clearedStale: undefined });
      await store.unlock('dev', 'api');
    });

    it('lets exactly one of two simultaneous takers have a lock', async () => {
      const { store, another } = h();
      const other = await another();
      const attempts = await Promise.all([store.tryLock('dev', 'web', 'up'), other.tryLock('dev', 'web', 'up')]);
      expect(attempts.filter((a) => a.acquired)).toHaveLength(1);
      const winner = attempts[0]?.acquired ? store : other;
      await winner.unlock('dev', 'web');
    });

    it('closes idempotently', async () => {
      const { store } = h();
      await store.close();
      await store.close();
    });
  });
}

const messages: ValidationMessage[] = [
  { file: 'dev/environment.yaml', line: 3, col: 5, path: 'stacks[0]', message: 'unknown template', severity: 'error' },
];

const environment: EnvironmentRecord = {
  environment: 'dev',
  deployBranch: 'main',
  revision: 'r1',
  valid: true,
  messages: [],
  updatedAt: '2030-01-01T00:00:00.000Z',
};

function envStatus(name: string, failureCount = 0): EnvironmentStatus {
  return {
    environment: name,
    conditions: [
      { type: 'Ready', status: 'True', reason: 'Succeeded', message: 'applied r1', lastTransitionTime: '2030-01-01T00:00:00.000Z' },
      { type: 'Reconciling', status: 'False', reason: 'Idle', message: '', lastTransitionTime: '2030-01-01T00:00:00.000Z' },
      { type: 'Stalled', status: 'False', reason: 'Healthy', message: '', lastTransitionTime: '2030-01-01T00:00:00.000Z' },
      { type: 'Drifted', status: 'Unknown', reason: 'NotChecked', message: '', lastTransitionTime: '2030-01-01T00:00:00.000Z' },
    ],
    lastAttemptedRevision: 'r1',
    lastAppliedRevision: 'r1',
    failureCount,
    driftedStacks: [],
    updatedAt: '2030-01-01T00:00:00.000Z',
  };
}

/** The DaemonStore contract: revisions per (environment, branch), environments, branch reports, environment statuses. */
export function describeDaemonStoreContract(name: string, open: () => Promise<StoreHarness<DaemonStore>>): void {
  describe(`DaemonStore contract: ${name}`, () => {
    const h = perTest(open);

    it('records attempts per environment and branch; only a success moves the reconciled base', async () => {
      const { store } = h();
      const t = (s: number) => new Date(Date.UTC(2030, 0, 1, 0, 0, s, 123));
      expect(await store.getRevision('dev', 'main')).toBeUndefined();
      await store.recordAttempt('dev', 'main', 'r0', 'failed', t(0));
      expect(await store.getRevision('dev', 'main')).toEqual({
        environment: 'dev',
        branch: 'main',
        lastReconciled: undefined,
        lastAttempted: 'r0',
        lastResult: 'failed',
        updatedAt: t(0).toISOString(),
      });
      await store.recordAttempt('dev', 'main', 'r1', 'succeeded', t(1));
      await store.recordAttempt('dev', 'main', 'r2', 'failed', t(2));
      expect(await store.getRevision('dev', 'main')).toMatchObject({
        lastReconciled: 'r1',
        lastAttempted: 'r2',
        lastResult: 'failed',
        updatedAt: t(2).toISOString(),
      });
      await store.recordAttempt('dev', 'main', 'r3', 'rejected', t(3));
      expect(await store.getRevision('dev', 'main')).toMatchObject({ lastReconciled: 'r1', lastAttempted: 'r3', lastResult: 'rejected' });
      await store.recordAttempt('dev', 'main', 'r4', 'succeeded', t(4));
      expect(await store.getRevision('dev', 'main')).toMatchObject({ lastReconciled: 'r4', lastAttempted: 'r4', lastResult: 'succeeded' });
      await store.recordAttempt('dev', 'feature', 'f1', 'succeeded', t(5));
      await store.recordAttempt('prod', 'main', 'p1', 'failed', t(6));
      expect(await store.getRevision('dev', 'main')).toMatchObject({ lastReconciled: 'r4' });
      expect(await store.getRevision('dev', 'feature')).toMatchObject({ lastReconciled: 'f1' });
      expect(await store.getRevision('prod', 'main')).toMatchObject({ lastReconciled: undefined, lastAttempted: 'p1' });
      expect(await store.getRevision('prod', 'feature')).toBeUndefined();
    });

    it('keeps one deploy-branch view per environment, listed by name, with trust only when checked', async () => {
      const { store } = h();
      expect(await store.getEnvironment('dev')).toBeUndefined();
      expect(await store.listEnvironments()).toEqual([]);
      await store.saveEnvironment(environment);
      const got = await store.getEnvironment('dev');
      expect(got).toEqual(environment);
      expect(got).not.toHaveProperty('trust');
      const trust = {
        trusted: true,
        reason: 'signed',
        revision: 'r2',
        signer: { principal: 'ada', fingerprint: 'SHA256:x', format: 'ssh' },
      };
      const invalid = { ...environment, revision: 'r2', valid: false, messages, updatedAt: '2030-01-02T00:00:00.000Z', trust };
      await store.saveEnvironment(invalid);
      expect(await store.getEnvironment('dev')).toEqual(invalid);
      // Saved again without a verdict: the old verdict does not linger.
      await store.saveEnvironment({ ...environment, revision: 'r3' });
      expect(await store.getEnvironment('dev')).not.toHaveProperty('trust');
      await store.saveEnvironment({ ...environment, environment: 'a' });
      await store.saveEnvironment({ ...environment, environment: 'Z' });
      expect((await store.listEnvironments()).map((e) => [e.environment, e.revision])).toEqual([
        ['Z', 'r1'],
        ['a', 'r1'],
        ['dev', 'r3'],
      ]);
    });

    it('keeps one preview report per branch: replace, list branches by name, delete', async () => {
      const { store } = h();
      const report = {
        branch: 'feature/x',
        revision: 'r1',
        author: 'Ada <ada@x>',
        markdown: '## Preview\n\n| stack | change |',
        json: { stacks: [{ name: 'web', changes: { update: 1 } }] },
        createdAt: '2030-01-01T00:00:00.000Z',
      };
      expect(await store.getReport('feature/x')).toBeUndefined();
      await store.saveReport(report);
      expect(await store.getReport('feature/x')).toEqual(report);
      const newer = { ...report, revision: 'r2', markdown: 'again', json: [], createdAt: '2030-01-02T00:00:00.000Z' };
      await store.saveReport(newer);
      expect(await store.getReport('feature/x')).toEqual(newer);
      await store.saveReport({ ...report, branch: 'a' });
      await store.saveReport({ ...report, branch: 'Main' });
      expect(await store.reportBranches()).toEqual(['Main', 'a', 'feature/x']);
      await store.deleteReport('feature/x');
      await store.deleteReport('never');
      expect(await store.getReport('feature/x')).toBeUndefined();
      expect(await store.reportBranches()).toEqual(['Main', 'a']);
    });

    it('keeps one status per environment, listed by name', async () => {
      const { store } = h();
      expect(await store.getStatus('dev')).toBeUndefined();
      expect(await store.listStatuses()).toEqual([]);
      await store.saveStatus(envStatus('dev'));
      expect(await store.getStatus('dev')).toEqual(envStatus('dev'));
      const failing = { ...envStatus('dev', 3), nextRetryAt: '2030-01-01T00:05:00.000Z', driftedStacks: ['web'] };
      await store.saveStatus(failing);
      expect(await store.getStatus('dev')).toEqual(failing);
      await store.saveStatus(envStatus('a'));
      await store.saveStatus(envStatus('Prod'));
      expect((await store.listStatuses()).map((s) => [s.environment, s.failureCount])).toEqual([
        ['Prod', 0],
        ['a', 0],
        ['dev', 3],
      ]);
    });

    it('closes idempotently', async () => {
      const { store } = h();
      await store.close();
      await store.close();
    });
  });
}

/** The ForgeOutbox contract: the latest wish per key, versions (seq), due times, delivery and failure, prefix drops. */
export function describeForgeOutboxContract(name: string, open: () => Promise<StoreHarness<ForgeOutbox>>): void {
  describe(`ForgeOutbox contract: ${name}`, () => {
    const h = perTest(open);
    const t = (s: number) => new Date(Date.UTC(2030, 0, 1, 0, 0, s, 250));

    it('stores the latest wish per key, due at once; a new wish replaces the payload and resets the attempts', async () => {
      const { store } = h();
      expect(await store.get('status:main:dev')).toBeUndefined();
      await store.put('status:main:dev', { state: 'pending', note: ['a', 1] }, t(0));
      const first = await store.get('status:main:dev');
      expect(first).toEqual({
        key: 'status:main:dev',
        payload: { state: 'pending', note: ['a', 1] },
        seq: expect.any(Number),
        attempts: 0,
        nextAttemptAt: t(0).toISOString(),
        lastError: undefined,
        createdAt: t(0).toISOString(),
      });
      await store.failed('status:main:dev', first?.seq ?? 0, t(30), 'HTTP 502');
      expect(await store.get('status:main:dev')).toMatchObject({ attempts: 1, nextAttemptAt: t(30).toISOString(), lastError: 'HTTP 502' });
      await store.put('status:main:dev', { state: 'success' }, t(5));
      const second = await store.get('status:main:dev');
      expect(second).toEqual({
        key: 'status:main:dev',
        payload: { state: 'success' },
        seq: expect.any(Number),
        attempts: 0,
        nextAttemptAt: t(5).toISOString(),
        lastError: undefined,
        // The key's first wish keeps its creation time.
        createdAt: t(0).toISOString(),
      });
      expect(second?.seq).toBeGreaterThan(first?.seq ?? Number.POSITIVE_INFINITY);
    });

    it('lists every entry oldest wish first, and the due ones at a time', async () => {
      const { store } = h();
      await store.put('a', 1, t(0));
      await store.put('b', 2, t(0));
      await store.put('c', 3, t(0));
      await store.put('a', 4, t(1));
      expect((await store.list()).map((e) => [e.key, e.payload])).toEqual([
        ['b', 2],
        ['c', 3],
        ['a', 4],
      ]);
      const b = await store.get('b');
      await store.failed('b', b?.seq ?? 0, t(60), 'timeout');
      expect((await store.due(t(0))).map((e) => e.key)).toEqual(['c']);
      expect((await store.due(t(1))).map((e) => e.key)).toEqual(['c', 'a']);
      // Due at exactly its time.
      expect((await store.due(t(60))).map((e) => e.key)).toEqual(['b', 'c', 'a']);
      expect(await store.due(new Date(t(0).getTime() - 1))).toEqual([]);
    });

    it('tells the earliest due time, or nothing when empty', async () => {
      const { store } = h();
      expect(await store.nextDue()).toBeUndefined();
      await store.put('later', {}, t(40));
      await store.put('sooner', {}, t(10));
      expect(await store.nextDue()).toEqual(t(10));
      const sooner = await store.get('sooner');
      await store.delivered('sooner', sooner?.seq ?? 0);
      expect(await store.nextDue()).toEqual(t(40));
    });

    it('removes or counts against only the version it delivered or failed: a newer wish stays', async () => {
      const { store } = h();
      await store.put('comment:feature/x', { body: 'old' }, t(0));
      const old = await store.get('comment:feature/x');
      await store.put('comment:feature/x', { body: 'new' }, t(1));
      await store.delivered('comment:feature/x', old?.seq ?? 0);
      await store.failed('comment:feature/x', old?.seq ?? 0, t(99), 'stale');
      const current = await store.get('comment:feature/x');
      expect(current).toMatchObject({ payload: { body: 'new' }, attempts: 0, lastError: undefined, nextAttemptAt: t(1).toISOString() });
      await store.delivered('comment:feature/x', current?.seq ?? 0);
      expect(await store.get('comment:feature/x')).toBeUndefined();
      expect(await store.list()).toEqual([]);
      // Unknown keys and versions are no-ops.
      await store.delivered('nothing', 1);
      await store.failed('nothing', 1, t(2), 'x');
    });

    it('drops the entries whose key starts with a prefix, taken literally', async () => {
      const { store } = h();
      for (const key of ['comment:feat_x', 'comment:feat_x:2', 'comment:featYx', 'status:feat_x:dev', 'comment:feat%'])
        await store.put(key, {}, t(0));
      await store.dropPrefix('comment:feat_x');
      expect((await store.list()).map((e) => e.key)).toEqual(['comment:featYx', 'status:feat_x:dev', 'comment:feat%']);
      await store.dropPrefix('%');
      await store.dropPrefix('comment:feat%');
      expect((await store.list()).map((e) => e.key)).toEqual(['comment:featYx', 'status:feat_x:dev']);
    });

    it('closes idempotently', async () => {
      const { store } = h();
      await store.close();
      await store.close();
    });
  });
}

/** The DashboardStore contract: one graph per environment, one step list per run. */
export function describeDashboardStoreContract(name: string, open: () => Promise<StoreHarness<DashboardStore>>): void {
  describe(`DashboardStore contract: ${name}`, () => {
    const h = perTest(open);

    it('keeps one graph per environment', async () => {
      const { store } = h();
      const graph = {
        environment: 'dev',
        revision: 'r1',
        stacks: [
          { name: 'net', template: 'vpc', dependsOn: [] },
          { name: 'web', template: 'service', dependsOn: ['net'] },
        ],
        updatedAt: '2030-01-01T00:00:00.000Z',
      };
      expect(await store.getGraph('dev')).toBeUndefined();
      await store.saveGraph(graph);
      await store.saveGraph({ ...graph, environment: 'prod', stacks: [] });
      expect(await store.getGraph('dev')).toEqual(graph);
      const next = {
        ...graph,
        revision: 'r2',
        stacks: [{ name: 'web', template: 'service', dependsOn: [] }],
        updatedAt: '2030-01-02T00:00:00.000Z',
      };
      await store.saveGraph(next);
      expect(await store.getGraph('dev')).toEqual(next);
      expect(await store.getGraph('prod')).toMatchObject({ stacks: [] });
    });

    it('keeps one step list per run, replaced when saved again', async () => {
      const { store } = h();
      const steps = [
        { op: 'update', type: 'aws:s3/bucket:Bucket', name: 'assets', fields: [{ path: 'tags.owner', before: 'ada', after: 'bob' }] },
        { op: 'create', type: 'aws:sqs/queue:Queue', name: 'jobs', fields: [{ path: 'delaySeconds', after: 5 }] },
      ];
      expect(await store.getSteps(1)).toBeUndefined();
      await store.saveSteps(1, steps);
      await store.saveSteps(2, []);
      expect(await store.getSteps(1)).toEqual(steps);
      expect(await store.getSteps(2)).toEqual([]);
      await store.saveSteps(1, steps.slice(1));
      expect(await store.getSteps(1)).toEqual(steps.slice(1));
    });

    it('closes idempotently', async () => {
      const { store } = h();
      await store.close();
      await store.close();
    });
  });
}

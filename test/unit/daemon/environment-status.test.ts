import { describe, expect, it } from 'vitest';
import {
  headRejected,
  initialStatus,
  markEnvironmentStatus,
  retryDue,
  transitionStatus,
  type StatusEvent,
} from '../../../engine/daemon/environment-status.js';
import { conditionOf, type EnvironmentStatus } from '../../../engine/model/index.js';
import { formatStatusTable } from '../../../engine/report/format-status.js';

const t0 = new Date('2026-03-01T10:00:00.000Z');
const at = (s: number) => new Date(t0.getTime() + s * 1000);
const retry = { intervalMs: 1000, maxIntervalMs: 4000, stallAfter: 3 };
const A = 'a'.repeat(40);
const B = 'b'.repeat(40);
const failed = (revision: string): StatusEvent => ({
  kind: 'deploy-failed',
  revision,
  message: 'q: [network] connect ECONNREFUSED',
  retry,
  random: 0.5,
});

/** Runs events one second apart from the initial status; returns every intermediate step. */
function run(events: StatusEvent[]) {
  let s = initialStatus('dev', t0);
  return events.map((e, i) => {
    const t = transitionStatus(s, e, at(i + 1));
    s = t.status;
    return t;
  });
}
const summary = (s: EnvironmentStatus) =>
  Object.fromEntries(s.conditions.map((c) => [c.type, `${c.status}/${c.reason}`])) as Record<string, string>;

describe('transitionStatus', () => {
  it.each<[string, StatusEvent[], Record<string, string>, Partial<EnvironmentStatus>, string[]]>([
    [
      'starts unknown',
      [{ kind: 'drift-scheduled', nextAt: undefined }],
      { Ready: 'Unknown/NeverReconciled', Reconciling: 'False/Idle', Stalled: 'False/Healthy', Drifted: 'Unknown/NotChecked' },
      { failureCount: 0 },
      [],
    ],
    [
      'an up in progress',
      [{ kind: 'deploy-started', revision: A }],
      { Ready: 'Unknown/NeverReconciled', Reconciling: 'True/Progressing', Stalled: 'False/Healthy', Drifted: 'Unknown/NotChecked' },
      { failureCount: 0 },
      [],
    ],
    [
      'a success',
      [
        { kind: 'deploy-started', revision: A },
        { kind: 'deploy-succeeded', revision: A },
      ],
      { Ready: 'True/Succeeded', Reconciling: 'False/Idle', Stalled: 'False/Healthy', Drifted: 'Unknown/NotChecked' },
      { failureCount: 0, lastAppliedRevision: A, lastAttemptedRevision: A, nextRetryAt: undefined },
      [],
    ],
    [
      'a failure schedules a retry after interval (jitter 0.5 = exact)',
      [failed(A)],
      { Ready: 'False/ReconcileFailed', Reconciling: 'True/RetryScheduled', Stalled: 'False/Healthy', Drifted: 'Unknown/NotChecked' },
      { failureCount: 1, lastAttemptedRevision: A, lastAppliedRevision: undefined, nextRetryAt: at(2).toISOString() },
      [],
    ],
    [
      'the backoff doubles',
      [failed(A), failed(A)],
      { Ready: 'False/ReconcileFailed', Reconciling: 'True/RetryScheduled', Stalled: 'False/Healthy', Drifted: 'Unknown/NotChecked' },
      { failureCount: 2, nextRetryAt: at(4).toISOString() },
      [],
    ],
    [
      'stalls at stallAfter, alerting once, and retries go on at maxInterval',
      [failed(A), failed(A), failed(A), failed(A)],
      {
        Ready: 'False/ReconcileFailed',
        Reconciling: 'True/RetryScheduled',
        Stalled: 'True/RetriesExhausted',
        Drifted: 'Unknown/NotChecked',
      },
      { failureCount: 4, nextRetryAt: at(8).toISOString() },
      ['stalled 3'],
    ],
    [
      'recovers once after a stall',
      [failed(A), failed(A), failed(A), { kind: 'deploy-succeeded', revision: A }, { kind: 'deploy-succeeded', revision: B }],
      { Ready: 'True/Succeeded', Reconciling: 'False/Idle', Stalled: 'False/Healthy', Drifted: 'Unknown/NotChecked' },
      { failureCount: 0, lastAppliedRevision: B, nextRetryAt: undefined },
      ['stalled 3', 'recovered 3'],
    ],
    [
      'a success before stalling sends nothing',
      [failed(A), failed(A), { kind: 'deploy-succeeded', revision: A }],
      { Ready: 'True/Succeeded', Reconciling: 'False/Idle', Stalled: 'False/Healthy', Drifted: 'Unknown/NotChecked' },
      { failureCount: 0 },
      [],
    ],
    [
      'an invalid commit stalls at once and is never retried',
      [
        { kind: 'deploy-succeeded', revision: A },
        failed(B),
        { kind: 'rejected', revision: B, reason: 'invalid', message: 'q.yaml:3:3 bad' },
      ],
      { Ready: 'False/InvalidCommit', Reconciling: 'False/Idle', Stalled: 'True/InvalidCommit', Drifted: 'Unknown/NotChecked' },
      { failureCount: 2, lastAppliedRevision: A, lastAttemptedRevision: B, nextRetryAt: undefined },
      [],
    ],
    [
      'an untrusted commit likewise',
      [{ kind: 'rejected', revision: B, reason: 'untrusted', message: 'unsigned' }],
      { Ready: 'False/UntrustedCommit', Reconciling: 'False/Idle', Stalled: 'True/UntrustedCommit', Drifted: 'Unknown/NotChecked' },
      { failureCount: 1, nextRetryAt: undefined },
      [],
    ],
    [
      'a cancelled up keeps the pending retry (killed or stopped during a retry)',
      [failed(A), { kind: 'deploy-started', revision: A }, { kind: 'deploy-cancelled', revision: A }],
      { Ready: 'False/ReconcileFailed', Reconciling: 'False/Idle', Stalled: 'False/Healthy', Drifted: 'Unknown/NotChecked' },
      { failureCount: 1, nextRetryAt: at(2).toISOString() },
      [],
    ],
    [
      'adopting an older daemon’s reconciled commit',
      [{ kind: 'adopted', revision: A }],
      { Ready: 'True/Succeeded', Reconciling: 'False/Idle', Stalled: 'False/Healthy', Drifted: 'Unknown/NotChecked' },
      { lastAppliedRevision: A, lastAttemptedRevision: A },
      [],
    ],
    [
      'drift in one schedule group stays while another group is checked clean',
      [
        { kind: 'drift-checked', checked: ['a', 'b'], drifted: ['b'], failed: [] },
        { kind: 'drift-checked', checked: ['c'], drifted: [], failed: [] },
      ],
      { Ready: 'Unknown/NeverReconciled', Reconciling: 'False/Idle', Stalled: 'False/Healthy', Drifted: 'True/DriftDetected' },
      { driftedStacks: ['b'] },
      [],
    ],
    [
      'drift resolved',
      [
        { kind: 'drift-checked', checked: ['a', 'b'], drifted: ['b'], failed: [] },
        { kind: 'drift-checked', checked: ['b'], drifted: [], failed: [] },
      ],
      { Ready: 'Unknown/NeverReconciled', Reconciling: 'False/Idle', Stalled: 'False/Healthy', Drifted: 'False/NoDrift' },
      { driftedStacks: [] },
      [],
    ],
    [
      'a drift check that failed says Unknown',
      [{ kind: 'drift-checked', checked: ['a'], drifted: [], failed: ['a'] }],
      { Ready: 'Unknown/NeverReconciled', Reconciling: 'False/Idle', Stalled: 'False/Healthy', Drifted: 'Unknown/DriftCheckFailed' },
      {},
      [],
    ],
    [
      'the next drift check',
      [{ kind: 'drift-scheduled', nextAt: at(60).toISOString() }],
      { Ready: 'Unknown/NeverReconciled', Reconciling: 'False/Idle', Stalled: 'False/Healthy', Drifted: 'Unknown/NotChecked' },
      { nextDriftCheckAt: at(60).toISOString() },
      [],
    ],
  ])('%s', (_name, events, conditions, fields, alerts) => {
    const steps = run(events);
    const last = steps[steps.length - 1]?.status as EnvironmentStatus;
    expect(summary(last)).toEqual(conditions);
    expect(last).toMatchObject(Object.fromEntries(Object.entries(fields).filter(([, v]) => v !== undefined)));
    for (const [k, v] of Object.entries(fields)) if (v === undefined) expect(last[k as keyof EnvironmentStatus]).toBeUndefined();
    expect(steps.flatMap((s) => s.alerts.map((a) => `${a.kind} ${a.failures}`))).toEqual(alerts);
    expect(last.conditions.map((c) => c.type)).toEqual(['Ready', 'Reconciling', 'Stalled', 'Drifted']);
  });

  it('moves lastTransitionTime only when a condition’s status changes', () => {
    const steps = run([failed(A), failed(A), { kind: 'deploy-succeeded', revision: A }]);
    const ready = steps.map((s) => conditionOf(s.status, 'Ready')?.lastTransitionTime);
    expect(ready).toEqual([at(1).toISOString(), at(1).toISOString(), at(3).toISOString()]);
    // Reconciling True (retry scheduled) since the first failure, reason changed or not
    expect(conditionOf(steps[1]?.status as EnvironmentStatus, 'Reconciling')?.lastTransitionTime).toBe(at(1).toISOString());
  });

  it('markEnvironmentStatus reads, transitions and writes through the store', async () => {
    const rows = new Map<string, EnvironmentStatus>();
    const store = {
      getStatus: async (e: string) => rows.get(e),
      saveStatus: async (s: EnvironmentStatus) => void rows.set(s.environment, s),
    };
    for (let i = 0; i < 3; i++) await markEnvironmentStatus(store, 'dev', failed(A), at(i));
    expect(rows.get('dev')).toMatchObject({ failureCount: 3 });
    expect((await markEnvironmentStatus(store, 'dev', { kind: 'deploy-succeeded', revision: A }, at(9))).alerts).toEqual([
      { kind: 'recovered', failures: 3 },
    ]);
  });

  it.each([
    ['due', [failed(A)], A, 2, true],
    ['not yet', [failed(A)], A, 1.5, false],
    ['another head', [failed(A)], B, 10, false],
    ['a rejected commit is never due', [{ kind: 'rejected', revision: A, reason: 'invalid', message: 'x' } as StatusEvent], A, 1000, false],
    ['a success clears it', [failed(A), { kind: 'deploy-succeeded', revision: A } as StatusEvent], A, 1000, false],
  ])('retryDue: %s', (_n, events, head, seconds, due) => {
    const s = run(events as StatusEvent[]).at(-1)?.status;
    expect(retryDue(s, head as string, at(seconds as number))).toBe(due);
  });

  it('headRejected is true only for invalid and untrusted heads', () => {
    expect(headRejected(run([{ kind: 'rejected', revision: A, reason: 'invalid', message: 'x' }])[0]?.status)).toBe(true);
    expect(headRejected(run([failed(A)])[0]?.status)).toBe(false);
    expect(headRejected(undefined)).toBe(false);
  });

  it('formats a flux-style table', () => {
    const s = run([{ kind: 'deploy-succeeded', revision: A }, failed(B), { kind: 'drift-scheduled', nextAt: at(60).toISOString() }]).at(-1)
      ?.status as EnvironmentStatus;
    const lines = formatStatusTable([s]).trimEnd().split('\n');
    expect(lines[0]).toMatch(/^NAME\s+REVISION\s+READY\s+REASON\s+MESSAGE\s+NEXT-RETRY\s+NEXT-DRIFT$/);
    expect(lines[1]).toMatch(
      /^dev\s+bbbbbbbbbbbb\s+False\s+RetryScheduled\s+attempt 1 at bbbbbbbbbbbb failed; .*2026-03-01T10:00:03Z\s+2026-03-01T10:01:00Z$/,
    );
  });
});

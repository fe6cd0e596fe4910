import { describe, expect, it } from 'vitest';
import { type HealthState, nextHealth, type PingResult } from '../../../engine/cluster/postgres-health.js';

const t0 = new Date('2026-01-01T00:00:00Z');
const t1 = new Date('2026-01-01T00:00:01Z');
const healthy: HealthState = { healthy: true, reason: 'ok', failures: 0, since: t0 };
const down = (failures: number, reason = 'ECONNREFUSED: connect ECONNREFUSED'): HealthState => ({
  healthy: false,
  reason,
  failures,
  since: t0,
});
const timedOut = 'TimeoutError: PostgreSQL ping timed out after 2000 ms';
const fail: PingResult = { ok: false, reason: timedOut };

describe('nextHealth', () => {
  it.each<[string, HealthState, PingResult, number, HealthState]>([
    ['a success keeps healthy', healthy, { ok: true }, 1, healthy],
    ['a failure turns unhealthy at threshold 1', healthy, fail, 1, { healthy: false, reason: timedOut, failures: 1, since: t1 }],
    ['a failure below the threshold stays healthy (counted)', healthy, fail, 3, { ...healthy, failures: 1 }],
    [
      'the threshold-th failure turns unhealthy',
      { ...healthy, failures: 2 },
      fail,
      3,
      { healthy: false, reason: timedOut, failures: 3, since: t1 },
    ],
    ['a further failure keeps the since, updates the reason', down(1), fail, 1, { ...down(2), reason: timedOut }],
    ['one success heals at once', down(5), { ok: true }, 3, { healthy: true, reason: 'ok', failures: 0, since: t1 }],
    ['a success resets the failure count', { ...healthy, failures: 2 }, { ok: true }, 3, healthy],
  ])('%s', (_name, before, ping, threshold, after) => {
    expect(nextHealth(before, ping, threshold, t1)).toEqual(after);
  });
});

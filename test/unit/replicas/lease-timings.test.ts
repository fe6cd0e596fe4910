import { describe, expect, it } from 'vitest';
import { leaseTimings } from '../../../engine/replicas/lease-timings.js';

describe('leaseTimings: a dead replica’s job is taken over within the configured lease', () => {
  it.each([20, 30, 60, 300, 3600])('lease %i s', (lease) => {
    const t = leaseTimings(lease);
    expect(t.heartbeatSeconds).toBeGreaterThanOrEqual(10); // pg-boss's minimum
    // the job is declared dead, noticed by the next supervise pass, retried 1 s later, fetched within a 0.5 s poll
    const takeover = t.heartbeatSeconds + t.superviseSeconds + 1 + 0.5;
    expect(takeover).toBeLessThanOrEqual(lease);
    // the stack lock outlives the holder's job lease by the margin its Pulumi cancellation gets ...
    expect(t.lockTtlMs / 1000).toBeGreaterThanOrEqual(t.heartbeatSeconds + 5);
    // ... and has lapsed within the lease, so the new worker (retrying the lock every 0.5 s) starts in time
    expect(t.lockTtlMs / 1000 + 0.5 + 0.5).toBeLessThanOrEqual(lease);
  });
});

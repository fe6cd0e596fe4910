/**
 * How the configured lease L splits into the parts a takeover waits for, so a dead
 * replica's job runs elsewhere within L: pg-boss declares a job dead after its heartbeat
 * interval (≥ 10 s, pg-boss's minimum) and notices at its next supervise pass; the
 * retry starts a second later, and the stack lock (ttl L/2) has lapsed by then.
 */
export function leaseTimings(leaseSeconds: number): { heartbeatSeconds: number; superviseSeconds: number; lockTtlMs: number } {
  return {
    heartbeatSeconds: Math.max(10, Math.floor(leaseSeconds / 3)),
    superviseSeconds: Math.max(2, Math.floor(leaseSeconds / 6)),
    lockTtlMs: Math.floor((leaseSeconds * 1000) / 2),
  };
}

/**
 * How the configured lease L splits into the parts a takeover waits for, so a dead
 * replica's job runs elsewhere within L: pg-boss declares a job dead after its heartbeat
 * interval (≥ 10 s, pg-boss's minimum) and notices at its next supervise pass; the retry
 * starts a second later. The stack lock outlives the job's lease by a cancellation margin:
 * a replica cut off from PostgreSQL aborts its operation when its job lease lapses, and the
 * lock must still be its own while Pulumi cancels; the taking-over worker waits for the
 * lock to lapse, still within L.
 */
export function leaseTimings(leaseSeconds: number): {
  heartbeatSeconds: number;
  superviseSeconds: number;
  lockTtlMs: number;
  cancelMarginSeconds: number;
} {
  const heartbeatSeconds = Math.max(10, Math.floor(leaseSeconds / 3));
  const cancelMarginSeconds = Math.max(5, Math.floor(leaseSeconds / 6));
  return {
    heartbeatSeconds,
    superviseSeconds: Math.max(2, Math.floor(leaseSeconds / 6)),
    cancelMarginSeconds,
    lockTtlMs: (heartbeatSeconds + cancelMarginSeconds) * 1000,
  };
}

/**
 * The leader lease's decisions, pure: what one attempt's answer (or a timer) does to this
 * replica's belief that it leads. Times are this process's monotonic clock in ms.
 *
 * The safety argument: the row's expiry is `now() + ttl` by the database's clock, and the
 * database reads `now()` after the request left this process, so the row cannot expire
 * before `sentAt + ttl` by this process's clock. Stepping down at `sentAt + ttl` of the
 * last confirmed attempt therefore ends this leadership no later than the row expires,
 * which is the earliest moment another replica can take it: two leaders never overlap as
 * long as both clocks run at the same rate (no assumption about their offsets).
 */

/** What this replica believes about the lease. */
export interface LeaseState {
  leader: boolean;
  /** While leading: when the last confirmed expiry passes (monotonic ms). */
  deadlineMs: number | undefined;
}

/** Something that happened to the lease. */
export type LeaseEvent =
  /** The take-or-renew statement returned our row; `sentAtMs` is when it was sent. */
  | { kind: 'taken'; sentAtMs: number; nowMs: number }
  /** The statement returned no row: another replica holds an unexpired lease. */
  | { kind: 'refused'; nowMs: number }
  /** The statement failed or timed out: nothing was confirmed. */
  | { kind: 'unreachable'; nowMs: number }
  /** The step-down timer fired. */
  | { kind: 'tick'; nowMs: number };

/** Why leadership ended. */
export type DeposeReason = 'expired' | 'taken-over' | 'released';

export type LeaseTransition = { kind: 'elected' } | { kind: 'renewed' } | { kind: 'deposed'; reason: DeposeReason } | { kind: 'none' };

export const NOT_LEADER: LeaseState = { leader: false, deadlineMs: undefined };

/** Whether `state` still leads at `nowMs` (false from the deadline on, even before a timer fires). */
export function leadsAt(state: LeaseState, nowMs: number): boolean {
  return state.leader && state.deadlineMs !== undefined && nowMs < state.deadlineMs;
}

/** The next state and what changed, after `event`, for a lease of `ttlMs`. */
export function decideLease(state: LeaseState, event: LeaseEvent, ttlMs: number): { state: LeaseState; transition: LeaseTransition } {
  const expired = (): { state: LeaseState; transition: LeaseTransition } =>
    state.leader && !leadsAt(state, event.nowMs)
      ? { state: NOT_LEADER, transition: { kind: 'deposed', reason: 'expired' } }
      : { state, transition: { kind: 'none' } };
  switch (event.kind) {
    case 'taken': {
      const deadlineMs = event.sentAtMs + ttlMs;
      // An answer so slow that the expiry it confirms has already passed confirms nothing.
      if (deadlineMs <= event.nowMs) return expired();
      // Attempts never overlap, so a later answer never confirms an earlier expiry; max() keeps that true anyway.
      const next = { leader: true, deadlineMs: Math.max(deadlineMs, state.leader ? (state.deadlineMs ?? 0) : 0) };
      return { state: next, transition: { kind: leadsAt(state, event.nowMs) ? 'renewed' : 'elected' } };
    }
    case 'refused':
      // Someone else holds the row, so our lease expired in the database's view: step down at once.
      return state.leader
        ? { state: NOT_LEADER, transition: { kind: 'deposed', reason: 'taken-over' } }
        : { state, transition: { kind: 'none' } };
    case 'unreachable':
    case 'tick':
      return expired();
  }
}

/**
 * How long to wait between attempts, and how long one attempt may take: a third of the
 * ttl, so that two attempts in a row can fail (or time out) and the third still renews
 * before the expiry the last success confirmed.
 */
export function attemptIntervalMs(ttlMs: number): number {
  return Math.max(1, Math.floor(ttlMs / 3));
}

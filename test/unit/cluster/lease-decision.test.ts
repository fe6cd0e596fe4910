import { describe, expect, it } from 'vitest';
import {
  attemptIntervalMs,
  decideLease,
  type LeaseEvent,
  type LeaseState,
  leadsAt,
  NOT_LEADER,
} from '../../../engine/cluster/lease-decision.js';

const TTL = 3000;
const leading = (deadlineMs: number): LeaseState => ({ leader: true, deadlineMs });

describe('decideLease', () => {
  it.each<[string, LeaseState, LeaseEvent, LeaseState, string]>([
    // name, before, event, after, transition
    ['taking a free lease elects', NOT_LEADER, { kind: 'taken', sentAtMs: 100, nowMs: 120 }, leading(3100), 'elected'],
    [
      'a renewal moves the deadline to sentAt + ttl',
      leading(3100),
      { kind: 'taken', sentAtMs: 1100, nowMs: 1110 },
      leading(4100),
      'renewed',
    ],
    ['a refusal while not leading changes nothing', NOT_LEADER, { kind: 'refused', nowMs: 500 }, NOT_LEADER, 'none'],
    ['a refusal while leading deposes at once', leading(3100), { kind: 'refused', nowMs: 1200 }, NOT_LEADER, 'deposed:taken-over'],
    [
      'an unreachable attempt before the deadline keeps leading',
      leading(3100),
      { kind: 'unreachable', nowMs: 2000 },
      leading(3100),
      'none',
    ],
    ['an unreachable attempt at the deadline deposes', leading(3100), { kind: 'unreachable', nowMs: 3100 }, NOT_LEADER, 'deposed:expired'],
    ['the timer at the deadline deposes', leading(3100), { kind: 'tick', nowMs: 3100 }, NOT_LEADER, 'deposed:expired'],
    ['a timer that fired early changes nothing', leading(3100), { kind: 'tick', nowMs: 3099 }, leading(3100), 'none'],
    ['a tick while not leading changes nothing', NOT_LEADER, { kind: 'tick', nowMs: 3099 }, NOT_LEADER, 'none'],
    // An answer so late that the expiry it confirms has passed confirms nothing.
    ['a late answer while not leading does not elect', NOT_LEADER, { kind: 'taken', sentAtMs: 100, nowMs: 3100 }, NOT_LEADER, 'none'],
    [
      'a late answer after the deadline deposes',
      leading(3100),
      { kind: 'taken', sentAtMs: 100, nowMs: 3200 },
      NOT_LEADER,
      'deposed:expired',
    ],
    // A lease that lapsed locally (deadline passed, timer not yet run) and is then renewed: elected again.
    ['a renewal after a lapse re-elects', leading(3100), { kind: 'taken', sentAtMs: 3150, nowMs: 3160 }, leading(6150), 'elected'],
    ['a renewal never moves the deadline back', leading(5000), { kind: 'taken', sentAtMs: 1000, nowMs: 1010 }, leading(5000), 'renewed'],
  ])('%s', (_name, before, event, after, transition) => {
    const result = decideLease(before, event, TTL);
    expect(result.state).toEqual(after);
    const t = result.transition;
    expect(t.kind === 'deposed' ? `deposed:${t.reason}` : t.kind).toBe(transition);
  });

  it('never leads past sentAt + ttl of the last confirmed attempt, whatever the events', () => {
    // A walk through random events: the belief to lead must always end at the confirmed expiry.
    let state = NOT_LEADER;
    let confirmed = Number.NEGATIVE_INFINITY;
    let now = 0;
    let seed = 42;
    const random = () => {
      seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
      return seed / 2 ** 31;
    };
    for (let i = 0; i < 10_000; i++) {
      now += Math.floor(random() * 1500);
      const r = random();
      const sentAtMs = now - Math.floor(random() * 4000);
      const event: LeaseEvent =
        r < 0.4
          ? { kind: 'taken', sentAtMs, nowMs: now }
          : r < 0.5
            ? { kind: 'refused', nowMs: now }
            : r < 0.8
              ? { kind: 'unreachable', nowMs: now }
              : { kind: 'tick', nowMs: now };
      if (event.kind === 'taken') confirmed = Math.max(confirmed, event.sentAtMs + TTL);
      if (event.kind === 'refused') confirmed = Number.NEGATIVE_INFINITY;
      state = decideLease(state, event, TTL).state;
      if (leadsAt(state, now)) expect(now).toBeLessThan(confirmed);
      if (state.leader) expect(state.deadlineMs).toBeLessThanOrEqual(confirmed);
    }
  });
});

describe('leadsAt', () => {
  it.each([
    [NOT_LEADER, 0, false],
    [leading(1000), 999, true],
    [leading(1000), 1000, false],
  ])('%j at %i → %s', (state, now, expected) => {
    expect(leadsAt(state, now)).toBe(expected);
  });
});

describe('attemptIntervalMs', () => {
  it.each([
    [3000, 1000],
    [30_000, 10_000],
    [1000, 333],
  ])('ttl %i → every %i ms', (ttl, interval) => {
    expect(attemptIntervalMs(ttl)).toBe(interval);
  });
});

import { describe, expect, it } from 'vitest';
import { FailureStreaks } from '../../../engine/daemon/failure-streak.js';

describe('FailureStreaks', () => {
  it('alerts once at the threshold, stays quiet while failing, and recovers once', () => {
    const s = new FailureStreaks(3);
    const signals = [true, true, true, true, true, false, false].map((failed) => s.record('dev', failed));
    expect(signals).toEqual([
      undefined,
      undefined,
      { alert: 'failing-repeatedly', failures: 3 },
      undefined,
      undefined,
      { alert: 'recovered', failures: 5 },
      undefined,
    ]);
  });

  it('does not call a short streak a recovery, and keeps environments apart', () => {
    const s = new FailureStreaks(3);
    expect([s.record('dev', true), s.record('prod', true), s.record('dev', false)]).toEqual([undefined, undefined, undefined]);
    expect([s.record('prod', true), s.record('prod', true)]).toEqual([undefined, { alert: 'failing-repeatedly', failures: 3 }]);
  });
});

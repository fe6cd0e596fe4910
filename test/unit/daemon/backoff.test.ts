import { describe, expect, it } from 'vitest';
import { retryDelayMs } from '../../../engine/daemon/backoff.js';

const policy = { intervalMs: 30_000, maxIntervalMs: 600_000 };

describe('retryDelayMs', () => {
  it.each([
    // failures, random, delay: interval·2^(n-1), ±20 % jitter, never above maxInterval
    [1, 0.5, 30_000],
    [1, 0, 24_000],
    [1, 0.999_999, 36_000],
    [2, 0.5, 60_000],
    [3, 0.5, 120_000],
    [5, 0.5, 480_000],
    [5, 0.999_999, 576_000],
    [6, 0.5, 600_000],
    [6, 0, 480_000],
    [6, 0.999_999, 600_000],
    [50, 0.5, 600_000],
    [10_000, 0.5, 600_000],
    [0, 0.5, 30_000],
  ])('after %i failure(s) with random %d waits %i ms', (failures, r, expected) => {
    expect(retryDelayMs(failures, policy, () => r)).toBe(expected);
  });

  it('stays within [0.8·base, maxInterval] for any random value, and clamps a random source out of range', () => {
    for (let n = 1; n <= 12; n++)
      for (const r of [0, 0.1, 0.37, 0.5, 0.9, 0.999]) {
        const d = retryDelayMs(n, { intervalMs: 1000, maxIntervalMs: 4000 }, () => r);
        expect(d).toBeGreaterThanOrEqual(Math.min(4000, 1000 * 2 ** (n - 1)) * 0.8);
        expect(d).toBeLessThanOrEqual(4000);
      }
    expect(retryDelayMs(1, policy, () => -3)).toBe(24_000);
    expect(retryDelayMs(1, policy, () => 7)).toBe(36_000);
  });
});

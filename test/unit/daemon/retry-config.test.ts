import { describe, expect, it } from 'vitest';
import { DaemonConfig } from '../../../engine/config/daemon-config.js';
import { durationMs, EnvironmentRetry } from '../../../schemas/environment.js';

describe('spec.retry and concurrency', () => {
  it('defaults to 30s → 10m, stalled after 5', () => {
    expect(EnvironmentRetry.parse({})).toEqual({ interval: '30s', maxInterval: '10m', stallAfter: 5 });
  });

  it.each([
    ['500ms', 500],
    ['30s', 30_000],
    ['10m', 600_000],
    ['2h', 7_200_000],
  ])('reads %s as %i ms', (d, ms) => {
    expect(durationMs(d)).toBe(ms);
  });

  it.each([
    [{ interval: '30' }, 'must be a duration'],
    [{ interval: '1.5s' }, 'must be a duration'],
    [{ interval: '0s' }, 'must be a duration'],
    [{ interval: '10m', maxInterval: '1m' }, 'must not be shorter than interval'],
    [{ intervall: '1s' }, 'intervall'],
  ])('refuses %j', (value, message) => {
    const r = EnvironmentRetry.safeParse(value);
    expect(r.success).toBe(false);
    expect(JSON.stringify(r.error?.issues)).toContain(message);
  });

  it('bounds how many environments reconcile at once', () => {
    expect(DaemonConfig.parse({}).concurrency).toEqual({ environments: 4, driftChecks: 1 });
    expect(DaemonConfig.safeParse({ concurrency: { environments: 0 } }).success).toBe(false);
  });
});

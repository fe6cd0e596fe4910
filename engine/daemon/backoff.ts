/** How a failed deploy is retried (from an environment's `spec.retry`, in milliseconds). */
export interface RetryPolicy {
  intervalMs: number;
  maxIntervalMs: number;
  /** Failures in a row after which the environment is Stalled (one alert). */
  stallAfter: number;
}

/** Share of the delay that jitter may add or take away (±20 %). */
export const JITTER = 0.2;

/**
 * The wait before the next try after `failures` failures in a row (1 = the first one):
 * `interval · 2^(failures-1)`, capped at `maxInterval`, with ±20 % jitter so that many
 * environments failing together (a cloud outage) do not retry in lockstep; never above
 * `maxInterval`. Pure: `random` returns [0, 1) (Math.random in the daemon, fixed in tests).
 */
export function retryDelayMs(failures: number, policy: Pick<RetryPolicy, 'intervalMs' | 'maxIntervalMs'>, random: () => number): number {
  const n = Math.max(1, Math.floor(failures));
  // 2^(n-1) overflows to Infinity long after the cap: clamp the exponent first.
  const base = Math.min(policy.maxIntervalMs, policy.intervalMs * 2 ** Math.min(n - 1, 52));
  const r = Math.min(Math.max(random(), 0), 1);
  const jittered = base * (1 - JITTER + 2 * JITTER * r);
  return Math.max(1, Math.min(policy.maxIntervalMs, Math.round(jittered)));
}

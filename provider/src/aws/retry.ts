import { setTimeout as sleepMs } from 'node:timers/promises';
import { AwsCallError, classifyAwsError, errorCode, type AwsErrorKind } from './errors.js';

/** How one AWS call is retried. */
export interface RetryPolicy {
  /** Kinds retried besides Throttling and Transient (e.g. NotFound right after a create). */
  alsoRetry?: readonly AwsErrorKind[];
  maxAttempts?: number;
  baseDelayMs?: number;
  maxDelayMs?: number;
  /** Injected for tests. */
  sleep?: (ms: number) => Promise<unknown>;
  random?: () => number;
}

/** Kinds that are retried for every call: they say nothing about the request itself. */
const ALWAYS_RETRIED: readonly AwsErrorKind[] = ['Throttling', 'Transient'];

/** Exponential backoff with full jitter: a random delay in [0, min(max, base·2^attempt)). */
export function backoffDelay(attempt: number, base: number, max: number, random: () => number): number {
  return Math.floor(random() * Math.min(max, base * 2 ** attempt));
}

/**
 * Runs one AWS call, retrying throttling, transient failures and the caller's
 * eventual-consistency kinds with exponential backoff and jitter. Any failure that
 * escapes is an `AwsCallError` naming the operation and the kind.
 */
export async function awsCall<T>(operation: string, fn: () => Promise<T>, policy: RetryPolicy = {}): Promise<T> {
  const maxAttempts = policy.maxAttempts ?? 8;
  const base = policy.baseDelayMs ?? 100;
  const max = policy.maxDelayMs ?? 5_000;
  const sleep = policy.sleep ?? sleepMs;
  const random = policy.random ?? Math.random;
  const retried = new Set([...ALWAYS_RETRIED, ...(policy.alsoRetry ?? [])]);
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn();
    } catch (err) {
      const kind = classifyAwsError(err);
      if (!retried.has(kind) || attempt >= maxAttempts) {
        throw new AwsCallError(operation, kind, errorCode(err), attempt, err);
      }
      await sleep(backoffDelay(attempt, base, max, random));
    }
  }
}

/**
 * Runs a call whose NotFound means "nothing to do" (deletes, reads): returns
 * `undefined` for NotFound and lets every other failure through.
 */
export async function unlessNotFound<T>(operation: string, fn: () => Promise<T>, policy: RetryPolicy = {}): Promise<T | undefined> {
  try {
    return await awsCall(operation, fn, policy);
  } catch (err) {
    if (err instanceof AwsCallError && err.kind === 'NotFound') return undefined;
    throw err;
  }
}

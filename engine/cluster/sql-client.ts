import { redactCredentials } from '../source/redact-url.js';

/**
 * What the cluster primitives send SQL through: satisfied by a `pg.Pool` (and a `pg.Client`).
 * Pass the raw pool, not a wrapper that retries through an outage: the lease and the health
 * check keep their own schedule and must hear of a failure when it happens.
 */
export interface SqlClient {
  query(text: string, values?: unknown[]): Promise<{ rows: unknown[] }>;
}

/** Rejects with `TimeoutError` when `promise` has not settled within `ms` (the promise itself keeps running). */
export async function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(Object.assign(new Error(`${what} timed out after ${ms} ms`), { name: 'TimeoutError' })), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
    // A late rejection of the abandoned promise is nobody's to handle: keep it from surfacing as unhandled.
    promise.catch(() => undefined);
  }
}

/**
 * A short, log-safe description of an error: its name, code and message with any URL's
 * credentials redacted — never the whole object, which may carry the connection config.
 */
export function describeError(error: unknown): { name: string; message: string; code?: string } {
  if (error instanceof Error) {
    const code = (error as { code?: unknown }).code;
    return { name: error.name, message: redactCredentials(error.message), ...(typeof code === 'string' ? { code } : {}) };
  }
  if (typeof error === 'object' && error !== null && typeof (error as { message?: unknown }).message === 'string') {
    // pg-boss re-emits worker errors as plain objects ({ ...error, message, stack, queue }).
    const { message, code } = error as { message: string; code?: unknown };
    return { name: 'Error', message: redactCredentials(message), ...(typeof code === 'string' ? { code } : {}) };
  }
  return { name: 'Error', message: redactCredentials(String(error)) };
}

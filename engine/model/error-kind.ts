// Error kinds are the engine's vocabulary for failures: adapters classify what went wrong
// once, at the edge, and everything after works with the kind, never with message text.

/**
 * Kinds of failure, classified once at the edge. They decide retry (transient, locked)
 * or alert (invalid, provider, internal).
 */
export type ErrorKind = 'invalid' | 'provider' | 'locked' | 'transient' | 'cancelled' | 'internal';

/** Kinds worth retrying after a pause. */
export function isRetryable(kind: ErrorKind): boolean {
  return kind === 'transient' || kind === 'locked';
}

// Error kinds are the engine's vocabulary for failures: adapters classify what went wrong
// once, at the edge, and everything after works with the kind, never with message text.

/**
 * Kinds of failure, classified once at the edge. They decide retry (transient, locked)
 * or alert (invalid, conflict, provider, internal).
 *
 * `conflict`: the cloud holds something that contradicts the stack (a parameter or queue of
 * that name already exists outside its state, a bucket is not empty, a resource is being
 * changed by someone else). Not retried: a retry meets the same resource and fails the
 * same way, only later, delaying the alert a person must act on (import or remove it).
 * A call whose conflict is known to pass (eventual consistency) is retried inside the
 * provider (awsCall's `alsoRetry: ['Conflict']`), where it is known which call it is.
 */
export type ErrorKind = 'invalid' | 'untrusted' | 'conflict' | 'provider' | 'locked' | 'transient' | 'cancelled' | 'internal';

/** Kinds worth retrying after a pause. */
export function isRetryable(kind: ErrorKind): boolean {
  return kind === 'transient' || kind === 'locked';
}

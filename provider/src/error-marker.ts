/**
 * The one machine-readable form in which driftless-aws states what kind of failure an
 * operation ended in. Pulumi carries a provider's failure to the engine only as text, so
 * every error the provider raises for an AWS call carries this marker in its message:
 *
 *     SSM PutParameter failed [driftless-aws:kind=conflict code=ParameterAlreadyExists]: …
 *
 * `kind` is one of {@link PROVIDER_ERROR_KINDS}; `code` is the AWS error code (letters,
 * digits, `.`, `_`, `-`, `:`). The engine reads it in one place
 * (engine/pulumi/classify-error.ts); the contract test
 * (test/unit/provider/error-kinds-contract.test.ts) pins every kind to an engine kind.
 */

/** Every kind the marker can name, in the provider's words. */
export const PROVIDER_ERROR_KINDS = ['access-denied', 'not-found', 'throttling', 'validation', 'conflict', 'transient', 'unknown'] as const;
/** A kind the marker names. */
export type ProviderErrorKind = (typeof PROVIDER_ERROR_KINDS)[number];

/** `[driftless-aws:kind=<kind> code=<code>]`. */
export function errorMarker(kind: ProviderErrorKind, code: string): string {
  return `[driftless-aws:kind=${kind} code=${code.replace(/[^A-Za-z0-9._:-]/g, '_') || 'Error'}]`;
}

/** Matches a marker anywhere in a text; group 1 is the kind, group 2 the code. */
export const ERROR_MARKER_PATTERN = /\[driftless-aws:kind=([a-z-]+) code=([A-Za-z0-9._:-]+)\]/g;

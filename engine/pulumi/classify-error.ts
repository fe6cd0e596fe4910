import { ERROR_MARKER_PATTERN, PROVIDER_ERROR_KINDS, type ProviderErrorKind } from '../../provider/src/error-marker.js';
import type { ErrorKind } from '../model/index.js';

/**
 * The engine kind of each kind the driftless-aws provider names in its error marker
 * (`[driftless-aws:kind=… code=…]`, provider/src/error-marker.ts). Access denied and
 * not found need a person (credentials, a resource deleted behind Git's back), so they
 * are `provider`; throttling that outlasted the provider's own retries is `transient`.
 */
export const PROVIDER_KIND_TO_ERROR_KIND: Readonly<Record<ProviderErrorKind, ErrorKind>> = {
  'access-denied': 'provider',
  'not-found': 'provider',
  throttling: 'transient',
  validation: 'invalid',
  conflict: 'conflict',
  transient: 'transient',
  unknown: 'provider',
};

/**
 * When several resources failed with different kinds, the one that decides: a failure a
 * retry cannot fix outranks one it can, so the stack is not retried in vain.
 */
const MARKER_PRECEDENCE: readonly ErrorKind[] = ['invalid', 'conflict', 'provider', 'transient'];

/** A typed failure the driftless-aws provider reported. */
export interface ProviderFailure {
  kind: ErrorKind;
  providerKind: ProviderErrorKind;
  code: string;
}

/**
 * The provider's typed failures in a text, in order: the only place the marker is read.
 * Unknown kinds (a newer plugin) count as `provider`.
 */
export function providerFailures(text: string): ProviderFailure[] {
  const found: ProviderFailure[] = [];
  for (const m of text.matchAll(ERROR_MARKER_PATTERN)) {
    const providerKind = m[1] as ProviderErrorKind;
    const known = (PROVIDER_ERROR_KINDS as readonly string[]).includes(providerKind);
    found.push({ kind: known ? PROVIDER_KIND_TO_ERROR_KIND[providerKind] : 'provider', providerKind, code: m[2] ?? 'Error' });
  }
  return found;
}

const CANCELLED = /update (was )?canceled|operation canceled|context canceled|received interrupt|SIGINT|SIGTERM/i;

/**
 * Patterns of Pulumi CLI and provider output, in precedence order. The CLI reports
 * failures only as text, so this table is the one place where text is read; everything
 * after it works with the kind.
 */
const PATTERNS: readonly (readonly [ErrorKind, RegExp])[] = [
  ['locked', /currently locked by \d+ lock|ConcurrentUpdateError|conflict: Another update is currently in progress/i],
  ['cancelled', CANCELLED],
  [
    'transient',
    /Throttl|RequestLimitExceeded|TooManyRequests|SlowDown|ServiceUnavailable|InternalFailure|ECONNREFUSED|ECONNRESET|ETIMEDOUT|EAI_AGAIN|socket hang up|connection reset|i\/o timeout|\[transient\]/i,
  ],
  [
    'invalid',
    /check failed|failed to validate|\[invalid\]|ValidationError|InvalidParameter|MalformedPolicy|invalid (value|input|name|argument)|is not a valid|template .* not found/i,
  ],
];

/** What is known about a failed operation. */
export interface FailureEvidence {
  /** Name of the thrown error class (e.g. `ConcurrentUpdateError`). */
  errorName: string;
  /** Error diagnostics the engine emitted, plus the error's text. */
  text: string;
}

/**
 * Maps a failed Pulumi operation to an error kind. The provider's typed marker decides
 * when there is one; the text patterns are for the CLI's own failures and other
 * plugins. Pure and table-tested.
 */
export function classifyPulumiFailure(evidence: FailureEvidence): ErrorKind {
  if (evidence.errorName === 'ConcurrentUpdateError') return 'locked';
  // A cancelled operation is cancelled whatever the resources it interrupted reported.
  if (CANCELLED.test(evidence.text)) return 'cancelled';
  const typed = new Set(providerFailures(evidence.text).map((f) => f.kind));
  if (typed.size > 0) return MARKER_PRECEDENCE.find((k) => typed.has(k)) ?? 'provider';
  for (const [kind, pattern] of PATTERNS) if (pattern.test(evidence.text)) return kind;
  return 'provider';
}

/**
 * A short, readable failure message: the engine's error diagnostics when there are
 * any (they name the resource and the provider's reason), else the first lines of the
 * error. Pulumi's own boilerplate ("Command failed with exit code…") is dropped.
 */
export function summarizeFailure(diagnostics: string[], errorText: string): string {
  const useful = diagnostics.map((d) => d.trim()).filter((d) => d.length > 0 && !/^update failed$/i.test(d));
  if (useful.length > 0) return [...new Set(useful)].join('\n');
  const lines = errorText
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l.startsWith('error:') || l.includes('error:'));
  return [...new Set(lines.length > 0 ? lines : errorText.split('\n').slice(0, 5))].join('\n').slice(0, 2000);
}

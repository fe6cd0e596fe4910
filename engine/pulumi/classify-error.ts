import type { ErrorKind } from '../model/index.js';

/**
 * Patterns of Pulumi CLI and provider output, in precedence order. The CLI reports
 * failures only as text, so this table is the one place where text is read; everything
 * after it works with the kind.
 */
const PATTERNS: readonly (readonly [ErrorKind, RegExp])[] = [
  ['locked', /currently locked by \d+ lock|ConcurrentUpdateError|conflict: Another update is currently in progress/i],
  ['cancelled', /update (was )?canceled|operation canceled|context canceled|received interrupt|SIGINT|SIGTERM/i],
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

/** Maps a failed Pulumi operation to an error kind. Pure and table-tested. */
export function classifyPulumiFailure(evidence: FailureEvidence): ErrorKind {
  if (evidence.errorName === 'ConcurrentUpdateError') return 'locked';
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

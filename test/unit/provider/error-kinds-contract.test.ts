import { describe, expect, it } from 'vitest';
import { type ErrorKind, isRetryable } from '../../../engine/model/index.js';
import { classifyPulumiFailure, PROVIDER_KIND_TO_ERROR_KIND, providerFailures } from '../../../engine/pulumi/classify-error.js';
import { AwsCallError, type AwsErrorKind, classifyAwsError, errorCode, MARKER_KIND } from '../../../provider/src/aws/errors.js';
import { PROVIDER_ERROR_KINDS } from '../../../provider/src/error-marker.js';

/** An AWS SDK v3-shaped error. */
function awsError(name: string, status: number, message = `${name} happened`): Error {
  return Object.assign(new Error(message), { name, $metadata: { httpStatusCode: status } });
}

/**
 * How a provider failure reaches the engine: the Pulumi CLI prints the provider's message in
 * an error diagnostic (indented, after the resource) and the Automation API throws a
 * CommandError whose text holds the CLI's output.
 */
function asTheEngineSeesIt(err: Error): { errorName: string; text: string } {
  const diagnostic = `  driftless-aws:ssm:Parameter (parameter:/orders/db):\n    error: ${err.message}`;
  const thrown = `Command failed with exit code 255: pulumi up --yes\nstdout:\n${diagnostic}\n\nstderr:\n`;
  return { errorName: 'CommandError', text: `${diagnostic}\n${thrown}` };
}

/** The contract: each provider kind, a code AWS uses for it, and the engine kind it must become. */
const CONTRACT: readonly [AwsErrorKind, string, number, ErrorKind, 'retried' | 'not retried'][] = [
  ['AccessDenied', 'AccessDeniedException', 400, 'provider', 'not retried'],
  ['NotFound', 'ParameterNotFound', 400, 'provider', 'not retried'],
  ['Throttling', 'ThrottlingException', 400, 'transient', 'retried'],
  ['Validation', 'ValidationException', 400, 'invalid', 'not retried'],
  ['Conflict', 'ParameterAlreadyExists', 400, 'conflict', 'not retried'],
  ['Transient', 'InternalError', 500, 'transient', 'retried'],
  ['Unknown', 'SomethingNew', 400, 'provider', 'not retried'],
];

describe('provider error kinds → engine error kinds (contract)', () => {
  it('covers every kind the provider can raise, and every kind its marker can name', () => {
    expect(new Set(CONTRACT.map(([k]) => k))).toEqual(new Set(Object.keys(MARKER_KIND)));
    expect(new Set(Object.values(MARKER_KIND))).toEqual(new Set(PROVIDER_ERROR_KINDS));
    expect(new Set(Object.keys(PROVIDER_KIND_TO_ERROR_KIND))).toEqual(new Set(PROVIDER_ERROR_KINDS));
  });

  it.each(CONTRACT)('%s (%s) → %s, %s', (awsKind, code, status, engineKind, retry) => {
    const cause = awsError(code, status);
    expect(classifyAwsError(cause)).toBe(awsKind);
    const err = new AwsCallError('SSM PutParameter', awsKind, errorCode(cause), 3, cause);
    expect(err.message).toContain(`[driftless-aws:kind=${MARKER_KIND[awsKind]} code=${code}]`);
    const seen = asTheEngineSeesIt(err);
    expect(providerFailures(seen.text)).toContainEqual({ kind: engineKind, providerKind: MARKER_KIND[awsKind], code });
    expect(classifyPulumiFailure(seen)).toBe(engineKind);
    expect(isRetryable(classifyPulumiFailure(seen))).toBe(retry === 'retried');
  });

  it('reads the marker, not the words around it', () => {
    // "InternalFailure" and "is not a valid" in the AWS message must not out-vote the marker.
    const err = new AwsCallError(
      'SSM PutParameter',
      'Conflict',
      'ParameterAlreadyExists',
      1,
      awsError('ParameterAlreadyExists', 400, 'InternalFailure? no: the value is not a valid new parameter, it exists'),
    );
    expect(classifyPulumiFailure(asTheEngineSeesIt(err))).toBe('conflict');
  });

  it('when resources failed with several kinds, one a retry cannot fix decides', () => {
    const transient = new AwsCallError('SQS CreateQueue', 'Transient', 'InternalError', 8, awsError('InternalError', 500));
    const conflict = new AwsCallError('SSM PutParameter', 'Conflict', 'ParameterAlreadyExists', 1, awsError('ParameterAlreadyExists', 400));
    const text = `${asTheEngineSeesIt(transient).text}\n${asTheEngineSeesIt(conflict).text}`;
    expect(classifyPulumiFailure({ errorName: 'CommandError', text })).toBe('conflict');
  });

  it('a kind a newer provider names and this engine does not know is a provider failure', () => {
    expect(
      classifyPulumiFailure({ errorName: 'CommandError', text: 'x failed [driftless-aws:kind=quota-exceeded code=LimitExceeded]: …' }),
    ).toBe('provider');
  });
});

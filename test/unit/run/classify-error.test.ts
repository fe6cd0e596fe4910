import { describe, expect, it } from 'vitest';
import { isRetryable } from '../../../engine/model/index.js';
import { classifyPulumiFailure, summarizeFailure } from '../../../engine/pulumi/classify-error.js';

describe('classifyPulumiFailure', () => {
  it.each([
    ['ConcurrentUpdateError', 'anything', 'locked'],
    ['CommandError', 'error: the stack is currently locked by 1 lock(s). Either wait for the other process(es) to end', 'locked'],
    ['CommandError', 'error: update canceled', 'cancelled'],
    ['CommandError', 'ThrottlingException: Rate exceeded', 'transient'],
    ['CommandError', 'connect ECONNREFUSED 127.0.0.1:4566', 'transient'],
    [
      'CommandError',
      "driftless-aws:sqs:Queue resource 'q': property visibilityTimeoutSeconds value {} has a problem: check failed",
      'invalid',
    ],
    ['CommandError', 'MalformedPolicyDocument: Syntax errors in policy', 'invalid'],
    ['CommandError', 'AccessDenied: User is not authorized to perform sqs:CreateQueue', 'provider'],
    ['Error', 'something unexpected', 'provider'],
    // The driftless-aws provider's typed marker decides over the text patterns.
    ['CommandError', 'error: SQS CreateQueue failed [driftless-aws:kind=transient code=InternalError]: boom', 'transient'],
    ['CommandError', 'error: SSM PutParameter failed [driftless-aws:kind=conflict code=ParameterAlreadyExists]: exists', 'conflict'],
    ['CommandError', 'error: SQS CreateQueue failed [driftless-aws:kind=validation code=InvalidAttributeValue]: bad', 'invalid'],
    [
      'CommandError',
      'error: SQS CreateQueue failed [driftless-aws:kind=access-denied code=AccessDenied]: ThrottlingException?',
      'provider',
    ],
    ['CommandError', 'error: update canceled\nerror: x failed [driftless-aws:kind=transient code=RequestTimeout]: …', 'cancelled'],
  ])('%s "%s" → %s', (errorName, text, kind) => {
    expect(classifyPulumiFailure({ errorName, text })).toBe(kind);
  });

  it('retries only transient and locked failures', () => {
    expect(
      ['transient', 'locked', 'invalid', 'conflict', 'provider', 'cancelled', 'internal'].filter((k) => isRetryable(k as never)),
    ).toEqual(['transient', 'locked']);
  });
});

describe('summarizeFailure', () => {
  it('prefers the engine diagnostics, deduplicated', () => {
    expect(summarizeFailure(['  queue: AccessDenied ', 'queue: AccessDenied', 'update failed'], 'Command failed with exit code 255')).toBe(
      'queue: AccessDenied',
    );
  });
  it('falls back to the error lines of the CLI output', () => {
    expect(summarizeFailure([], 'Command failed with exit code 255\nstdout:\n  error: no stack named x')).toBe('error: no stack named x');
  });
});

import { describe, expect, it } from 'vitest';
import { AwsCallError, classifyAwsError } from '../../../provider/src/aws/errors.js';
import { awsCall, backoffDelay, unlessNotFound } from '../../../provider/src/aws/retry.js';
import { awsClientSettings } from '../../../provider/src/aws/clients.js';

/** An error shaped like an AWS SDK v3 service exception. */
function awsError(name: string, status?: number, message = 'some text that must not matter'): Error {
  return Object.assign(new Error(message), { name, $metadata: { httpStatusCode: status } });
}

describe('classifyAwsError', () => {
  it.each([
    [awsError('AccessDenied', 403), 'AccessDenied'],
    [awsError('AuthorizationError', 403), 'AccessDenied'],
    [awsError('QueueDoesNotExist', 400), 'NotFound'],
    [awsError('AWS.SimpleQueueService.NonExistentQueue', 400), 'NotFound'],
    [awsError('NoSuchBucket', 404), 'NotFound'],
    [awsError('ThrottlingException', 400), 'Throttling'],
    [awsError('SlowDown', 503), 'Throttling'],
    [awsError('InvalidParameterValue', 400), 'Validation'],
    [awsError('MalformedPolicyDocument', 400), 'Validation'],
    [awsError('BucketAlreadyExists', 409), 'Conflict'],
    [awsError('ServiceUnavailable', 503), 'Transient'],
    [awsError('SomethingNew', 404), 'NotFound'],
    [awsError('SomethingNew', 429), 'Throttling'],
    [awsError('SomethingNew', 500), 'Transient'],
    [Object.assign(new Error('x'), { code: 'ECONNREFUSED' }), 'Transient'],
    [awsError('SomethingNew', 400), 'Unknown'],
    ['not even an error', 'Unknown'],
  ])('%s -> %s', (err, kind) => {
    expect(classifyAwsError(err)).toBe(kind);
  });

  it('never reads the message text', () => {
    expect(classifyAwsError(awsError('SomethingNew', 400, 'Access Denied: throttling, not found'))).toBe('Unknown');
  });
});

describe('awsCall', () => {
  const noSleep = { sleep: async () => undefined, random: () => 0.5 };

  it('retries throttling, then succeeds', async () => {
    let calls = 0;
    const delays: number[] = [];
    const out = await awsCall(
      'SQS CreateQueue',
      async () => {
        calls++;
        if (calls < 3) throw awsError('ThrottlingException', 400);
        return 'ok';
      },
      { sleep: async (ms) => delays.push(ms), random: () => 1 },
    );
    expect(out).toBe('ok');
    expect(calls).toBe(3);
    expect(delays).toEqual([200, 400]);
  });

  it('does not retry validation errors and says what failed', async () => {
    let calls = 0;
    const err = await awsCall(
      'SQS CreateQueue',
      async () => {
        calls++;
        throw awsError('InvalidAttributeValue', 400, 'VisibilityTimeout is invalid');
      },
      noSleep,
    ).catch((e: unknown) => e);
    expect(calls).toBe(1);
    expect(err).toBeInstanceOf(AwsCallError);
    expect(err).toMatchObject({ kind: 'Validation', code: 'InvalidAttributeValue', operation: 'SQS CreateQueue' });
    expect((err as Error).message).toMatch(
      /^SQS CreateQueue failed \[driftless-aws:kind=validation code=InvalidAttributeValue\]: VisibilityTimeout is invalid/,
    );
  });

  it('retries eventual-consistency kinds only when asked, up to maxAttempts', async () => {
    let calls = 0;
    const fail = async () => {
      calls++;
      throw awsError('NoSuchBucket', 404);
    };
    await expect(awsCall('S3 PutBucketTagging', fail, { ...noSleep, alsoRetry: ['NotFound'], maxAttempts: 4 })).rejects.toMatchObject({
      kind: 'NotFound',
      attempts: 4,
    });
    expect(calls).toBe(4);
  });

  it('unlessNotFound turns NotFound into undefined and lets other kinds through', async () => {
    await expect(
      unlessNotFound(
        'SQS DeleteQueue',
        async () => {
          throw awsError('QueueDoesNotExist', 400);
        },
        noSleep,
      ),
    ).resolves.toBeUndefined();
    await expect(
      unlessNotFound(
        'SQS DeleteQueue',
        async () => {
          throw awsError('AccessDenied', 403);
        },
        noSleep,
      ),
    ).rejects.toMatchObject({ kind: 'AccessDenied' });
  });

  it('backs off exponentially with full jitter, capped', () => {
    expect(backoffDelay(1, 100, 5_000, () => 0.999)).toBe(199);
    expect(backoffDelay(10, 100, 5_000, () => 0.999)).toBe(4_995);
    expect(backoffDelay(3, 100, 5_000, () => 0)).toBe(0);
  });
});

describe('awsClientSettings', () => {
  it('takes region and endpoint from the environment', () => {
    expect(awsClientSettings({ AWS_REGION: 'eu-west-1', AWS_ENDPOINT_URL: 'http://127.0.0.1:4566' })).toEqual({
      region: 'eu-west-1',
      endpoint: 'http://127.0.0.1:4566',
      forcePathStyle: true,
      maxAttempts: 1,
    });
    expect(awsClientSettings({ AWS_DEFAULT_REGION: 'us-west-2' })).toEqual({ region: 'us-west-2', maxAttempts: 1 });
  });
});

import { describe, expect, it } from 'vitest';
import { expectedTags, mockTemplate } from '../../../sdk/testing/index.js';
import { bucketTemplate } from '../../../stacks/bucket/template.js';

describe('bucket template (Pulumi mocks)', () => {
  it('is private, versioned and AES256-encrypted by default, with a lower-case deterministic name', async () => {
    const run = await mockTemplate(bucketTemplate, {}, { stack: 'Reports_Bucket' });

    expect(run.resources.map((r) => r.type)).toEqual(['driftless-aws:s3:Bucket']);
    expect(run.resources[0]!.inputs).toEqual({
      name: 'dev-reports-bucket',
      versioning: true,
      serverSideEncryption: { algorithm: 'AES256', bucketKeyEnabled: false },
      publicAccessBlock: { blockPublicAcls: true, ignorePublicAcls: true, blockPublicPolicy: true, restrictPublicBuckets: true },
      lifecycleRules: [],
      forceDestroy: false,
      tags: expectedTags('Reports_Bucket'),
    });
    expect(run.outputs).toEqual({ name: 'dev-reports-bucket', arn: 'arn:aws:s3:us-east-1:000000000000:dev-reports-bucket' });
  });

  it('encrypts with the key of another stack and writes the policy for this bucket only', async () => {
    const params = {
      encryption: { algorithm: 'aws:kms', kmsKey: { fromStack: 'data-key', output: 'arn' } },
      policy: [
        {
          principals: ['arn:aws:iam::000000000000:role/reader', { fromStack: 'worker-role', output: 'arn' }],
          actions: ['s3:GetObject'],
          objects: ['reports/*'],
        },
      ],
    };
    const run = await mockTemplate(bucketTemplate, params, {
      stack: 'archive',
      dependencies: {
        'data-key': { arn: 'arn:aws:kms:us-east-1:000000000000:key/k1' },
        'worker-role': { arn: 'arn:aws:iam::000000000000:role/worker' },
      },
    });

    expect(run.resources[0]!.inputs).toMatchObject({
      serverSideEncryption: { algorithm: 'aws:kms', kmsKeyId: 'arn:aws:kms:us-east-1:000000000000:key/k1', bucketKeyEnabled: true },
      policy: {
        Version: '2012-10-17',
        Statement: [
          {
            Effect: 'Allow',
            Principal: { AWS: ['arn:aws:iam::000000000000:role/reader', 'arn:aws:iam::000000000000:role/worker'] },
            Action: ['s3:GetObject'],
            Resource: ['arn:aws:s3:::dev-archive/reports/*'],
          },
        ],
      },
    });
  });

  it('passes lifecycle rules and forceDestroy to the bucket', async () => {
    const params = {
      forceDestroy: true,
      lifecycleRules: [
        { id: 'expire-reports', prefix: 'reports/', expireAfterDays: 30 },
        { id: 'tidy', noncurrentVersionExpireAfterDays: 7, abortIncompleteUploadAfterDays: 1 },
      ],
    };
    const run = await mockTemplate(bucketTemplate, params, { stack: 'reports' });

    expect(run.resources[0]!.inputs).toMatchObject({
      forceDestroy: true,
      lifecycleRules: [
        { id: 'expire-reports', prefix: 'reports/', expirationDays: 30 },
        { id: 'tidy', prefix: '', noncurrentVersionExpirationDays: 7, abortIncompleteMultipartUploadDays: 1 },
      ],
    });
  });
});

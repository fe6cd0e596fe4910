import { expectedTags, mockTemplate, oneOfType } from 'driftless/testing';
import { describe, expect, it } from 'vitest';
import { awsBucketTemplate } from '../src/index.js';

/**
 * The `aws` plugin cannot be installed on every machine, so this template is proven through
 * Pulumi mocks (driftless/testing): the resources it registers and the inputs it gives them.
 */
describe('aws-classic/bucket template on @pulumi/aws (Pulumi mocks)', () => {
  it('builds a private, versioned, encrypted bucket with lifecycle rules and a policy', async () => {
    const params = {
      encryption: { algorithm: 'aws:kms', kmsKey: { fromStack: 'data-key', output: 'arn' } },
      lifecycleRules: [{ id: 'expire-reports', prefix: 'reports/', expireAfterDays: 30, abortIncompleteUploadAfterDays: 2 }],
      policy: [
        {
          sid: 'ReadReports',
          principals: [{ fromStack: 'worker-role', output: 'arn' }],
          actions: ['s3:GetObject'],
          objects: ['reports/*'],
        },
      ],
    };
    const run = await mockTemplate(awsBucketTemplate, params, {
      stack: 'Reports_Bucket',
      dependencies: {
        'data-key': { arn: 'arn:aws:kms:us-east-1:000000000000:key/k1' },
        'worker-role': { arn: 'arn:aws:iam::000000000000:role/worker' },
      },
    });
    const one = (type: string) => oneOfType(run, type);

    expect(run.resources.map((r) => r.type).sort()).toEqual([
      'aws:s3/bucket:Bucket',
      'aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration',
      'aws:s3/bucketPolicy:BucketPolicy',
      'aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock',
      'aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration',
      'aws:s3/bucketVersioning:BucketVersioning',
    ]);
    const bucket = one('aws:s3/bucket:Bucket');
    // S3 names are lower case without underscores.
    expect(bucket.inputs).toMatchObject({ bucket: 'dev-reports-bucket', forceDestroy: false, tags: expectedTags('Reports_Bucket') });
    expect(one('aws:s3/bucketVersioning:BucketVersioning').inputs).toMatchObject({
      bucket: 'dev-reports-bucket',
      versioningConfiguration: { status: 'Enabled' },
    });
    expect(one('aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration').inputs.rules).toEqual([
      {
        applyServerSideEncryptionByDefault: { sseAlgorithm: 'aws:kms', kmsMasterKeyId: 'arn:aws:kms:us-east-1:000000000000:key/k1' },
        bucketKeyEnabled: true,
      },
    ]);
    expect(one('aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock').inputs).toMatchObject({
      blockPublicAcls: true,
      blockPublicPolicy: true,
      ignorePublicAcls: true,
      restrictPublicBuckets: true,
    });
    expect(one('aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration').inputs.rules).toEqual([
      {
        id: 'expire-reports',
        status: 'Enabled',
        filter: { prefix: 'reports/' },
        expiration: { days: 30 },
        abortIncompleteMultipartUpload: { daysAfterInitiation: 2 },
      },
    ]);
    const policy = JSON.parse(one('aws:s3/bucketPolicy:BucketPolicy').inputs.policy as string);
    expect(policy.Statement).toEqual([
      {
        Sid: 'ReadReports',
        Effect: 'Allow',
        Principal: { AWS: ['arn:aws:iam::000000000000:role/worker'] },
        Action: ['s3:GetObject'],
        Resource: ['arn:aws:s3:us-east-1:000000000000:dev-reports-bucket/reports/*'],
      },
    ]);
    expect(run.outputs).toEqual({ name: 'dev-reports-bucket', arn: 'arn:aws:s3:us-east-1:000000000000:dev-reports-bucket' });
  });

  it('declares the aws plugin its resources need', () => {
    expect(awsBucketTemplate.plugins).toEqual([{ name: 'aws', version: '7.48.0' }]);
  });
});

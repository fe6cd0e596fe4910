import { describe, expect, it } from 'vitest';
import { expectedTags, ofType, runProgram, testContext } from '../../support/pulumi-mocks.js';
import { BucketParams } from '../../../stacks/bucket/params.js';
import { awsBucketProgram } from '../../../stacks/aws-bucket/program.js';

/**
 * @pulumi/aws's plugin cannot be installed on these machines, so this template is proven
 * through Pulumi mocks only: the resources it registers and the inputs it gives them.
 */
describe('aws-bucket template on @pulumi/aws (Pulumi mocks)', () => {
  it('builds a private, versioned, encrypted bucket with lifecycle rules and a policy', async () => {
    const params = BucketParams.parse({
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
    });
    const ctx = testContext('Reports_Bucket', {
      'data-key': { arn: 'arn:aws:kms:us-east-1:000000000000:key/k1' },
      'worker-role': { arn: 'arn:aws:iam::000000000000:role/worker' },
    });
    const run = await runProgram(() => awsBucketProgram(params, ctx));
    const byType = (type: string) => ofType(run, type);

    expect(run.resources.map((r) => r.type).sort()).toEqual([
      'aws:s3/bucket:Bucket',
      'aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration',
      'aws:s3/bucketPolicy:BucketPolicy',
      'aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock',
      'aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration',
      'aws:s3/bucketVersioning:BucketVersioning',
    ]);
    const bucket = byType('aws:s3/bucket:Bucket')[0]!;
    // S3 names are lower case without underscores.
    expect(bucket.inputs).toMatchObject({ bucket: 'dev-reports-bucket', forceDestroy: false, tags: expectedTags('Reports_Bucket') });
    expect(byType('aws:s3/bucketVersioning:BucketVersioning')[0]!.inputs).toMatchObject({
      bucket: 'dev-reports-bucket',
      versioningConfiguration: { status: 'Enabled' },
    });
    expect(byType('aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration')[0]!.inputs.rules).toEqual([
      {
        applyServerSideEncryptionByDefault: { sseAlgorithm: 'aws:kms', kmsMasterKeyId: 'arn:aws:kms:us-east-1:000000000000:key/k1' },
        bucketKeyEnabled: true,
      },
    ]);
    expect(byType('aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock')[0]!.inputs).toMatchObject({
      blockPublicAcls: true,
      blockPublicPolicy: true,
      ignorePublicAcls: true,
      restrictPublicBuckets: true,
    });
    expect(byType('aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration')[0]!.inputs.rules).toEqual([
      {
        id: 'expire-reports',
        status: 'Enabled',
        filter: { prefix: 'reports/' },
        expiration: { days: 30 },
        abortIncompleteMultipartUpload: { daysAfterInitiation: 2 },
      },
    ]);
    const policy = JSON.parse(byType('aws:s3/bucketPolicy:BucketPolicy')[0]!.inputs.policy as string);
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
});

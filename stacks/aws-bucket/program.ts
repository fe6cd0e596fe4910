import * as aws from '@pulumi/aws';
import type { TemplateProgram } from '../contract.js';
import type { BucketParams } from '../bucket/params.js';
import { bucketPolicyDocument } from '../support/bucket-policy.js';
import { bucketNameRule, physicalName } from '../support/naming.js';
import { dependencyString } from '../support/refs.js';
import { resourceTags } from '../support/tags.js';

/**
 * The `bucket` template written against @pulumi/aws, proof that templates are not tied to
 * the driftless-aws provider. The `aws` plugin cannot be installed on these machines, so
 * this program is exercised through Pulumi mocks only.
 */
export const awsBucketProgram: TemplateProgram<BucketParams> = (params, ctx) => {
  const bucket = new aws.s3.Bucket('bucket', {
    bucket: physicalName(ctx, bucketNameRule),
    forceDestroy: params.forceDestroy,
    tags: resourceTags(ctx),
  });
  new aws.s3.BucketVersioning('versioning', {
    bucket: bucket.id,
    versioningConfiguration: { status: params.versioning ? 'Enabled' : 'Suspended' },
  });
  const kms = params.encryption.algorithm === 'aws:kms';
  new aws.s3.BucketServerSideEncryptionConfiguration('encryption', {
    bucket: bucket.id,
    rules: [
      {
        applyServerSideEncryptionByDefault: {
          sseAlgorithm: params.encryption.algorithm,
          kmsMasterKeyId: params.encryption.kmsKey && dependencyString(params.encryption.kmsKey, ctx),
        },
        bucketKeyEnabled: kms,
      },
    ],
  });
  const publicAccess = params.blockPublicAccess
    ? new aws.s3.BucketPublicAccessBlock('public-access', {
        bucket: bucket.id,
        blockPublicAcls: true,
        blockPublicPolicy: true,
        ignorePublicAcls: true,
        restrictPublicBuckets: true,
      })
    : undefined;
  if (params.lifecycleRules.length > 0) {
    new aws.s3.BucketLifecycleConfiguration('lifecycle', {
      bucket: bucket.id,
      rules: params.lifecycleRules.map((r) => ({
        id: r.id,
        status: 'Enabled',
        filter: { prefix: r.prefix },
        expiration: r.expireAfterDays === undefined ? undefined : { days: r.expireAfterDays },
        noncurrentVersionExpiration:
          r.noncurrentVersionExpireAfterDays === undefined ? undefined : { noncurrentDays: r.noncurrentVersionExpireAfterDays },
        abortIncompleteMultipartUpload:
          r.abortIncompleteUploadAfterDays === undefined ? undefined : { daysAfterInitiation: r.abortIncompleteUploadAfterDays },
      })),
    });
  }
  if (params.policy) {
    const statements = params.policy;
    new aws.s3.BucketPolicy(
      'policy',
      { bucket: bucket.id, policy: bucket.arn.apply((arn) => JSON.stringify(bucketPolicyDocument(arn, statements, ctx))) },
      // S3 answers OperationAborted when the policy and the public access block are written at once.
      { dependsOn: publicAccess ? [publicAccess] : [] },
    );
  }
  return { name: bucket.bucket, arn: bucket.arn };
};

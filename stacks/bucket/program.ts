import { Bucket } from '../../sdk/aws.js';
import { bucketNameRule, dependencyString, physicalName, resourceTags, type TemplateProgram } from '../../sdk/template/index.js';
import { bucketPolicyDocument } from '../support/bucket-policy.js';
import type { BucketParams } from './params.js';

/**
 * An S3 bucket through the driftless-aws provider: versioning, default encryption, the
 * public access block, the policy and the lifecycle rules are properties of the one
 * Bucket resource; forceDestroy lets destroy empty it first.
 */
export const bucketProgram: TemplateProgram<BucketParams> = (params, ctx) => {
  const name = physicalName(ctx, bucketNameRule);
  const kmsKey = params.encryption.kmsKey;
  const block = params.blockPublicAccess;
  const bucket = new Bucket('bucket', {
    name,
    versioning: params.versioning,
    serverSideEncryption: {
      algorithm: params.encryption.algorithm,
      ...(kmsKey ? { kmsKeyId: dependencyString(kmsKey, ctx) } : {}),
      bucketKeyEnabled: params.encryption.algorithm === 'aws:kms',
    },
    publicAccessBlock: { blockPublicAcls: block, ignorePublicAcls: block, blockPublicPolicy: block, restrictPublicBuckets: block },
    // The name is fixed, so the ARN is known before the bucket exists (aws partition).
    policy: params.policy && bucketPolicyDocument(`arn:aws:s3:::${name}`, params.policy, ctx),
    lifecycleRules: params.lifecycleRules.map((r) => ({
      id: r.id,
      prefix: r.prefix,
      expirationDays: r.expireAfterDays,
      noncurrentVersionExpirationDays: r.noncurrentVersionExpireAfterDays,
      abortIncompleteMultipartUploadDays: r.abortIncompleteUploadAfterDays,
    })),
    forceDestroy: params.forceDestroy,
    tags: resourceTags(ctx),
  });
  return { name: bucket.name, arn: bucket.arn };
};

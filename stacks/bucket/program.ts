import { Bucket } from '../../provider/sdk/index.js';
import type { TemplateProgram } from '../contract.js';
import { bucketPolicyDocument } from '../support/bucket-policy.js';
import { bucketNameRule, physicalName } from '../support/naming.js';
import { dependencyString } from '../support/refs.js';
import { resourceTags } from '../support/tags.js';
import type { BucketParams } from './params.js';

/**
 * An S3 bucket through the driftless-aws provider: versioning, default encryption, the
 * public access block and the policy are properties of the one Bucket resource.
 */
export const bucketProgram: TemplateProgram<BucketParams> = (params, ctx) => {
  if (params.lifecycleRules.length > 0)
    // The provider's Bucket has no lifecycle configuration yet; ignoring the rules would
    // let data live longer than the YAML says, so the run stops instead.
    throw new Error(`stack ${ctx.stack}: lifecycleRules are not supported by the driftless-aws provider's Bucket yet (aws-bucket supports them)`);
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
    tags: resourceTags(ctx),
  });
  return { name: bucket.name, arn: bucket.arn };
};

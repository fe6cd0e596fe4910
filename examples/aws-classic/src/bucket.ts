import * as aws from '@pulumi/aws';
import {
  bucketNameRule,
  defineTemplate,
  dependencyString,
  physicalName,
  pulumi,
  resourceTags,
  type TemplateProgram,
  type z,
} from 'driftless/template';
import { bucketPolicyDocument, bucketTemplate } from 'driftless/builtins';

// The built-in bucket's params, so the same YAML works with either template.
const BucketParams = bucketTemplate.params;
type BucketParams = z.output<typeof BucketParams>;

/**
 * The built-in `bucket` template written against @pulumi/aws, one resource per S3
 * sub-resource as that provider models them: proof that templates are not tied to the
 * driftless-aws provider. Running it needs the `aws` plugin, which the template declares.
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
      { bucket: bucket.id, policy: pulumi.jsonStringify(bucket.arn.apply((arn) => bucketPolicyDocument(arn, statements, ctx))) },
      // S3 answers OperationAborted when the policy and the public access block are written at once.
      { dependsOn: publicAccess ? [publicAccess] : [] },
    );
  }
  return { name: bucket.bucket, arn: bucket.arn };
};

/** `aws-classic/bucket`: the built-in `bucket` template's params and outputs, built with @pulumi/aws. */
export const awsBucketTemplate = defineTemplate({
  name: 'aws-classic/bucket',
  version: '1.0.0',
  description: 'S3 bucket built with @pulumi/aws: versioned, encrypted and private by default; same params and outputs as bucket',
  params: BucketParams,
  outputs: [
    { name: 'name', description: 'bucket name' },
    { name: 'arn', description: 'bucket ARN' },
  ],
  plugins: [{ name: 'aws', version: '7.48.0' }],
  program: awsBucketProgram,
});

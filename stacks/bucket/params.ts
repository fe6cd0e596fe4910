import { z } from 'zod';
import { OutputRef, type TemplateParamsDefinition } from '../contract.js';

/** One lifecycle rule; at least one expiry must be set or the rule does nothing. */
export const LifecycleRule = z
  .strictObject({
    id: z.string().regex(/^[A-Za-z0-9._-]{1,255}$/, 'must be 1-255 letters, digits, ".", "_" or "-"'),
    prefix: z.string().default(''),
    expireAfterDays: z.int().min(1).optional(),
    noncurrentVersionExpireAfterDays: z.int().min(1).optional(),
    abortIncompleteUploadAfterDays: z.int().min(1).optional(),
  })
  .refine(
    (r) =>
      r.expireAfterDays !== undefined ||
      r.noncurrentVersionExpireAfterDays !== undefined ||
      r.abortIncompleteUploadAfterDays !== undefined,
    'a lifecycle rule needs expireAfterDays, noncurrentVersionExpireAfterDays or abortIncompleteUploadAfterDays',
  );

/** One bucket policy statement; the bucket's ARN is prefixed to each `objects` pattern. */
export const BucketPolicyStatement = z.strictObject({
  sid: z.string().regex(/^[A-Za-z0-9]+$/, 'must be letters and digits only').optional(),
  effect: z.enum(['Allow', 'Deny']).default('Allow'),
  principals: z.array(z.union([z.string().startsWith('arn:', 'must be an ARN'), OutputRef])).min(1),
  actions: z.array(z.string().regex(/^s3:[A-Za-z*]+$/, 'must be an S3 action such as s3:GetObject')).min(1),
  /** Object key patterns inside this bucket, e.g. `reports/*`; empty means the bucket itself. */
  objects: z.array(z.string()).default([]),
});

/** Params of the `bucket` and `aws-bucket` templates: private, versioned and encrypted unless told. */
export const BucketParams = z.strictObject({
  versioning: z.boolean().default(true),
  encryption: z
    .strictObject({
      algorithm: z.enum(['AES256', 'aws:kms']).default('AES256'),
      kmsKey: OutputRef.optional(),
    })
    .refine((e) => e.kmsKey === undefined || e.algorithm === 'aws:kms', {
      message: 'kmsKey is only used with algorithm aws:kms',
      path: ['kmsKey'],
    })
    .default({ algorithm: 'AES256' }),
  /** Block every form of public access; switching it off is the exception, so it must be said. */
  blockPublicAccess: z.boolean().default(true),
  forceDestroy: z.boolean().default(false),
  lifecycleRules: z.array(LifecycleRule).default([]),
  policy: z.array(BucketPolicyStatement).optional(),
});
/** Validated bucket params. */
export type BucketParams = z.infer<typeof BucketParams>;

/** Outputs shared by both bucket templates. */
export const bucketOutputs = [
  { name: 'name', description: 'bucket name' },
  { name: 'arn', description: 'bucket ARN' },
] as const;

/** The `bucket` template: an S3 bucket through the driftless AWS provider. */
export const bucketDefinition: TemplateParamsDefinition<typeof BucketParams> = {
  name: 'bucket',
  version: '1',
  description: 'S3 bucket: versioned, encrypted and private by default, optional lifecycle rules and policy',
  params: BucketParams,
  outputs: bucketOutputs,
};

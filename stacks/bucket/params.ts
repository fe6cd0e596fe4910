import { OutputRef, z } from '../../sdk/template/index.js';

/** One lifecycle rule; at least one expiry must be set or the rule does nothing. */
export const LifecycleRule = z
  .strictObject({
    id: z
      .string()
      .regex(/^[A-Za-z0-9._-]{1,255}$/, 'must be 1-255 letters, digits, ".", "_" or "-"')
      .describe('rule name'),
    prefix: z.string().default('').describe('object key prefix the rule applies to; empty for all objects'),
    expireAfterDays: z.int().min(1).optional().describe('days after creation when current objects expire'),
    noncurrentVersionExpireAfterDays: z.int().min(1).optional().describe('days after which old versions are deleted'),
    abortIncompleteUploadAfterDays: z.int().min(1).optional().describe('days after which unfinished multipart uploads are aborted'),
  })
  .refine(
    (r) =>
      r.expireAfterDays !== undefined || r.noncurrentVersionExpireAfterDays !== undefined || r.abortIncompleteUploadAfterDays !== undefined,
    'a lifecycle rule needs expireAfterDays, noncurrentVersionExpireAfterDays or abortIncompleteUploadAfterDays',
  );

/** One bucket policy statement; the bucket's ARN is prefixed to each `objects` pattern. */
export const BucketPolicyStatement = z.strictObject({
  sid: z
    .string()
    .regex(/^[A-Za-z0-9]+$/, 'must be letters and digits only')
    .optional()
    .describe('statement id'),
  effect: z.enum(['Allow', 'Deny']).default('Allow').describe('Allow or Deny'),
  principals: z
    .array(z.union([z.string().startsWith('arn:', 'must be an ARN'), OutputRef]))
    .min(1)
    .describe('IAM principal ARNs, or ARN outputs of other stacks'),
  actions: z
    .array(z.string().regex(/^s3:[A-Za-z*]+$/, 'must be an S3 action such as s3:GetObject'))
    .min(1)
    .describe('S3 actions, e.g. s3:GetObject'),
  /** Object key patterns inside this bucket, e.g. `reports/*`; empty means the bucket itself. */
  objects: z.array(z.string()).default([]).describe('object key patterns in this bucket, e.g. reports/*; empty for the bucket itself'),
});

/** Params of the `bucket` template: private, versioned and encrypted unless told. */
export const BucketParams = z.strictObject({
  versioning: z.boolean().default(true).describe('keep every version of every object'),
  encryption: z
    .strictObject({
      algorithm: z.enum(['AES256', 'aws:kms']).default('AES256').describe('default server-side encryption'),
      kmsKey: OutputRef.optional().describe('the arn output of a kms-key stack; with aws:kms only (else the AWS-managed key)'),
    })
    .refine((e) => e.kmsKey === undefined || e.algorithm === 'aws:kms', {
      message: 'kmsKey is only used with algorithm aws:kms',
      path: ['kmsKey'],
    })
    .default({ algorithm: 'AES256' })
    .describe('server-side encryption of new objects'),
  /** Block every form of public access; switching it off is the exception, so it must be said. */
  blockPublicAccess: z.boolean().default(true).describe('block every form of public access'),
  forceDestroy: z.boolean().default(false).describe('let destroy delete a bucket that still holds objects'),
  lifecycleRules: z.array(LifecycleRule).default([]).describe('expiry rules; each needs at least one of the three expiries'),
  policy: z.array(BucketPolicyStatement).optional().describe('bucket policy statements'),
});
/** Validated bucket params. */
export type BucketParams = z.infer<typeof BucketParams>;

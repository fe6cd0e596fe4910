import type { LifecycleRule as ApiLifecycleRule, S3Client } from '@aws-sdk/client-s3';
import { z } from 'zod';
import { awsClientSettings, awsService } from '../aws/clients.js';
import { awsCall, unlessNotFound, type RetryPolicy } from '../aws/retry.js';
import { defineHandler } from '../handler.js';
import { generatedName } from '../naming.js';
import { liveInputs, PolicyDocument, Tags } from '../schema-helpers.js';
import { BUCKET_TOKEN } from '../../sdk/tokens.js';

const s3 = awsService(
  () => import('@aws-sdk/client-s3'),
  (sdk, settings): S3Client => new sdk.S3Client(settings),
);

/** Right after CreateBucket the bucket may not answer everywhere yet (eventual consistency). */
const FRESH: RetryPolicy = { alsoRetry: ['NotFound'] };

const BUCKET_NAME = /^(?!xn--)(?!.*\.\.)(?!\d+\.\d+\.\d+\.\d+$)[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;

/** Default encryption: S3 encrypts every bucket with SSE-S3 (AES256) unless told otherwise. */
const Encryption = z
  .strictObject({
    algorithm: z.enum(['AES256', 'aws:kms', 'aws:kms:dsse']).default('AES256'),
    kmsKeyId: z.string().min(1).optional(),
    bucketKeyEnabled: z.boolean().default(false),
  })
  .superRefine((e, ctx) => {
    if (e.kmsKeyId !== undefined && e.algorithm === 'AES256') {
      ctx.addIssue({ code: 'custom', path: ['kmsKeyId'], message: 'needs algorithm "aws:kms" or "aws:kms:dsse"' });
    }
  });

/** Public access block; all four on is what S3 does for new buckets. */
const PublicAccessBlock = z.strictObject({
  blockPublicAcls: z.boolean().default(true),
  ignorePublicAcls: z.boolean().default(true),
  blockPublicPolicy: z.boolean().default(true),
  restrictPublicBuckets: z.boolean().default(true),
});

/** One lifecycle rule: expiries by object key prefix. */
const LifecycleRule = z
  .strictObject({
    id: z.string().regex(/^[A-Za-z0-9._-]{1,255}$/, 'must be 1-255 letters, digits, ".", "_" or "-"'),
    /** Object key prefix; empty for every object. */
    prefix: z.string().default(''),
    enabled: z.boolean().default(true),
    expirationDays: z.number().int().min(1).optional(),
    noncurrentVersionExpirationDays: z.number().int().min(1).optional(),
    abortIncompleteMultipartUploadDays: z.number().int().min(1).optional(),
  })
  .refine(
    (r) =>
      r.expirationDays !== undefined ||
      r.noncurrentVersionExpirationDays !== undefined ||
      r.abortIncompleteMultipartUploadDays !== undefined,
    'needs expirationDays, noncurrentVersionExpirationDays or abortIncompleteMultipartUploadDays (a rule without one does nothing)',
  );
type LifecycleRule = z.output<typeof LifecycleRule>;

/**
 * Lifecycle rules sorted by id: S3 treats them as a set, so the order they were
 * written in must not show up as a diff.
 */
const LifecycleRules = z
  .array(LifecycleRule)
  .default([])
  .superRefine((rules, ctx) => {
    const seen = new Set<string>();
    rules.forEach((r, i) => {
      if (seen.has(r.id)) ctx.addIssue({ code: 'custom', path: [i, 'id'], message: `"${r.id}" is used by two rules; ids must be unique` });
      seen.add(r.id);
    });
  })
  .transform((rules) => [...rules].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0)));

/** A bucket's inputs after check, in the form `read` returns too. */
export const BucketInputs = z.strictObject({
  name: z
    .string()
    .regex(BUCKET_NAME, 'is not a bucket name: 3-63 lowercase letters, digits, "." or "-", starting and ending with a letter or digit'),
  versioning: z.boolean().default(false),
  serverSideEncryption: Encryption.default({ algorithm: 'AES256', bucketKeyEnabled: false }),
  publicAccessBlock: PublicAccessBlock.default({
    blockPublicAcls: true,
    ignorePublicAcls: true,
    blockPublicPolicy: true,
    restrictPublicBuckets: true,
  }),
  policy: PolicyDocument.optional(),
  lifecycleRules: LifecycleRules,
  /**
   * Not a property of the live bucket: tells delete to empty the bucket first (every
   * object version and delete marker). `read` carries the current value over.
   */
  forceDestroy: z.boolean().default(false),
  tags: Tags,
});
/** A bucket's inputs after check. */
export type BucketInputs = z.output<typeof BucketInputs>;

type Sdk = typeof import('@aws-sdk/client-s3');
type Configurable = 'versioning' | 'serverSideEncryption' | 'publicAccessBlock' | 'policy' | 'lifecycleRules' | 'tags';

/** A rule as the S3 API spells it (a prefix filter, one expiry object per kind). */
function apiLifecycleRule(r: LifecycleRule) {
  return {
    ID: r.id,
    Filter: { Prefix: r.prefix },
    Status: r.enabled ? ('Enabled' as const) : ('Disabled' as const),
    Expiration: r.expirationDays === undefined ? undefined : { Days: r.expirationDays },
    NoncurrentVersionExpiration:
      r.noncurrentVersionExpirationDays === undefined ? undefined : { NoncurrentDays: r.noncurrentVersionExpirationDays },
    AbortIncompleteMultipartUpload:
      r.abortIncompleteMultipartUploadDays === undefined ? undefined : { DaysAfterInitiation: r.abortIncompleteMultipartUploadDays },
  };
}

/** A live rule in input form; the legacy top-level Prefix and an empty Filter both mean "every object". */
function inputLifecycleRule(r: ApiLifecycleRule) {
  return {
    id: r.ID ?? '',
    prefix: r.Filter?.Prefix ?? r.Prefix ?? '',
    enabled: r.Status === 'Enabled',
    expirationDays: r.Expiration?.Days,
    noncurrentVersionExpirationDays: r.NoncurrentVersionExpiration?.NoncurrentDays,
    abortIncompleteMultipartUploadDays: r.AbortIncompleteMultipartUpload?.DaysAfterInitiation,
  };
}

/** Applies one configurable property of a bucket (each has its own S3 API). */
async function apply(sdk: Sdk, client: S3Client, b: BucketInputs, property: Configurable, policy: RetryPolicy = {}): Promise<void> {
  const Bucket = b.name;
  switch (property) {
    case 'versioning':
      await awsCall(
        'S3 PutBucketVersioning',
        () =>
          client.send(
            new sdk.PutBucketVersioningCommand({ Bucket, VersioningConfiguration: { Status: b.versioning ? 'Enabled' : 'Suspended' } }),
          ),
        policy,
      );
      return;
    case 'serverSideEncryption': {
      const e = b.serverSideEncryption;
      await awsCall(
        'S3 PutBucketEncryption',
        () =>
          client.send(
            new sdk.PutBucketEncryptionCommand({
              Bucket,
              ServerSideEncryptionConfiguration: {
                Rules: [
                  {
                    ApplyServerSideEncryptionByDefault: { SSEAlgorithm: e.algorithm, KMSMasterKeyID: e.kmsKeyId },
                    BucketKeyEnabled: e.bucketKeyEnabled,
                  },
                ],
              },
            }),
          ),
        policy,
      );
      return;
    }
    case 'publicAccessBlock': {
      const p = b.publicAccessBlock;
      await awsCall(
        'S3 PutPublicAccessBlock',
        () =>
          client.send(
            new sdk.PutPublicAccessBlockCommand({
              Bucket,
              PublicAccessBlockConfiguration: {
                BlockPublicAcls: p.blockPublicAcls,
                IgnorePublicAcls: p.ignorePublicAcls,
                BlockPublicPolicy: p.blockPublicPolicy,
                RestrictPublicBuckets: p.restrictPublicBuckets,
              },
            }),
          ),
        policy,
      );
      return;
    }
    case 'policy':
      if (b.policy === undefined) {
        await unlessNotFound('S3 DeleteBucketPolicy', () => client.send(new sdk.DeleteBucketPolicyCommand({ Bucket })), policy);
      } else {
        const text = b.policy;
        await awsCall('S3 PutBucketPolicy', () => client.send(new sdk.PutBucketPolicyCommand({ Bucket, Policy: text })), policy);
      }
      return;
    case 'lifecycleRules':
      if (b.lifecycleRules.length === 0) {
        await unlessNotFound('S3 DeleteBucketLifecycle', () => client.send(new sdk.DeleteBucketLifecycleCommand({ Bucket })), policy);
      } else {
        const Rules = b.lifecycleRules.map(apiLifecycleRule);
        await awsCall(
          'S3 PutBucketLifecycleConfiguration',
          () => client.send(new sdk.PutBucketLifecycleConfigurationCommand({ Bucket, LifecycleConfiguration: { Rules } })),
          policy,
        );
      }
      return;
    case 'tags': {
      const TagSet = Object.entries(b.tags).map(([Key, Value]) => ({ Key, Value }));
      if (TagSet.length === 0) {
        await unlessNotFound('S3 DeleteBucketTagging', () => client.send(new sdk.DeleteBucketTaggingCommand({ Bucket })), policy);
      } else {
        await awsCall('S3 PutBucketTagging', () => client.send(new sdk.PutBucketTaggingCommand({ Bucket, Tagging: { TagSet } })), policy);
      }
      return;
    }
  }
}

/** Order matters: the public access block must allow a public policy before the policy is put. */
const APPLY_ORDER: readonly Configurable[] = [
  'publicAccessBlock',
  'policy',
  'versioning',
  'serverSideEncryption',
  'lifecycleRules',
  'tags',
];

/** What a new bucket already is, so create need not put it: unversioned, no lifecycle. */
function isNewBucketDefault(b: BucketInputs, p: Configurable): boolean {
  return (p === 'versioning' && !b.versioning) || (p === 'lifecycleRules' && b.lifecycleRules.length === 0);
}

/**
 * Deletes every object version and delete marker, a page (at most 1,000, the limit of
 * one DeleteObjects) at a time. Each round lists from the start again: what the last
 * round deleted is gone, so no marker can point at a deleted key.
 */
async function emptyBucket(sdk: Sdk, client: S3Client, Bucket: string): Promise<void> {
  for (;;) {
    const page = await awsCall('S3 ListObjectVersions', () => client.send(new sdk.ListObjectVersionsCommand({ Bucket, MaxKeys: 1000 })));
    const Objects = [...(page.Versions ?? []), ...(page.DeleteMarkers ?? [])].map((v) => ({ Key: v.Key ?? '', VersionId: v.VersionId }));
    if (Objects.length === 0) return;
    const out = await awsCall('S3 DeleteObjects', () =>
      client.send(new sdk.DeleteObjectsCommand({ Bucket, Delete: { Objects, Quiet: true } })),
    );
    const failed = out.Errors ?? [];
    if (failed.length > 0) {
      const first = failed[0];
      throw new Error(
        `S3 DeleteObjects could not delete ${failed.length} object version(s) of ${Bucket}, e.g. ${first?.Key} [${first?.Code}]: ${first?.Message}`,
      );
    }
  }
}

function bucketAttributes(name: string) {
  return { arn: `arn:aws:s3:::${name}`, region: awsClientSettings().region };
}

/** S3 bucket: versioning, default encryption, public access block, bucket policy, lifecycle rules, tags. */
export const s3Bucket = defineHandler({
  token: BUCKET_TOKEN,
  schema: BucketInputs,
  rules: {
    name: 'replace',
    versioning: 'update',
    serverSideEncryption: 'update',
    publicAccessBlock: 'update',
    policy: 'update',
    lifecycleRules: 'update',
    forceDestroy: 'update',
    tags: 'update',
  },
  naming: {
    property: 'name',
    generate: (logical, suffix) => generatedName(logical, suffix, { maxLength: 63, allowed: /[a-z0-9-]/, lowerCase: true }),
  },

  async create(b) {
    const { sdk, client } = await s3();
    const region = awsClientSettings().region;
    await awsCall('S3 CreateBucket', () =>
      client.send(
        new sdk.CreateBucketCommand({
          Bucket: b.name,
          CreateBucketConfiguration: region === 'us-east-1' ? undefined : { LocationConstraint: region as never },
        }),
      ),
    );
    try {
      // Every property is put explicitly, so the live bucket matches the inputs whatever
      // the service's defaults for new buckets are (they differ between AWS and LocalStack).
      for (const p of APPLY_ORDER) if (!isNewBucketDefault(b, p)) await apply(sdk, client, b, p, FRESH);
    } catch (err) {
      // create is transactional: a half-configured bucket must not be left behind.
      await unlessNotFound('S3 DeleteBucket', () => client.send(new sdk.DeleteBucketCommand({ Bucket: b.name })));
      throw err;
    }
    return { id: b.name, attributes: bucketAttributes(b.name) };
  },

  async read(name, current) {
    const { sdk, client } = await s3();
    const Bucket = name;
    const exists = await unlessNotFound('S3 HeadBucket', () => client.send(new sdk.HeadBucketCommand({ Bucket })));
    if (!exists) return undefined;
    const [versioning, encryption, pab, policy, lifecycle, tagging] = await Promise.all([
      awsCall('S3 GetBucketVersioning', () => client.send(new sdk.GetBucketVersioningCommand({ Bucket }))),
      unlessNotFound('S3 GetBucketEncryption', () => client.send(new sdk.GetBucketEncryptionCommand({ Bucket }))),
      unlessNotFound('S3 GetPublicAccessBlock', () => client.send(new sdk.GetPublicAccessBlockCommand({ Bucket }))),
      unlessNotFound('S3 GetBucketPolicy', () => client.send(new sdk.GetBucketPolicyCommand({ Bucket }))),
      unlessNotFound('S3 GetBucketLifecycleConfiguration', () => client.send(new sdk.GetBucketLifecycleConfigurationCommand({ Bucket }))),
      unlessNotFound('S3 GetBucketTagging', () => client.send(new sdk.GetBucketTaggingCommand({ Bucket }))),
    ]);
    const rule = encryption?.ServerSideEncryptionConfiguration?.Rules?.[0];
    const p = pab?.PublicAccessBlockConfiguration;
    const live = {
      name,
      versioning: versioning.Status === 'Enabled',
      serverSideEncryption: {
        algorithm: rule?.ApplyServerSideEncryptionByDefault?.SSEAlgorithm ?? 'AES256',
        kmsKeyId: rule?.ApplyServerSideEncryptionByDefault?.KMSMasterKeyID,
        bucketKeyEnabled: rule?.BucketKeyEnabled ?? false,
      },
      // No configuration at all means nothing is blocked.
      publicAccessBlock: {
        blockPublicAcls: p?.BlockPublicAcls ?? false,
        ignorePublicAcls: p?.IgnorePublicAcls ?? false,
        blockPublicPolicy: p?.BlockPublicPolicy ?? false,
        restrictPublicBuckets: p?.RestrictPublicBuckets ?? false,
      },
      policy: policy?.Policy,
      lifecycleRules: (lifecycle?.Rules ?? []).map(inputLifecycleRule),
      forceDestroy: current.forceDestroy,
      tags: Object.fromEntries((tagging?.TagSet ?? []).map((t) => [t.Key ?? '', t.Value ?? ''])),
    };
    return { inputs: liveInputs(BucketInputs, live, `bucket ${name}`), attributes: bucketAttributes(name) };
  },

  async update(name, _olds, news, changed) {
    const { sdk, client } = await s3();
    for (const p of APPLY_ORDER) if (changed.includes(p)) await apply(sdk, client, news, p);
    return bucketAttributes(name);
  },

  async delete(name, current) {
    const { sdk, client } = await s3();
    if (current.forceDestroy) {
      const exists = await unlessNotFound('S3 HeadBucket', () => client.send(new sdk.HeadBucketCommand({ Bucket: name })));
      if (exists) await emptyBucket(sdk, client, name);
    }
    await unlessNotFound('S3 DeleteBucket', () => client.send(new sdk.DeleteBucketCommand({ Bucket: name })));
  },
});

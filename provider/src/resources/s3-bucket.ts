import type { S3Client } from '@aws-sdk/client-s3';
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

/** A bucket's inputs after check, in the form `read` returns too. */
export const BucketInputs = z
  .strictObject({
    name: z
      .string()
      .regex(BUCKET_NAME, 'is not a bucket name: 3-63 lowercase letters, digits, "." or "-", starting and ending with a letter or digit'),
    versioning: z.boolean().default(false),
    serverSideEncryption: Encryption.default({ algorithm: 'AES256', bucketKeyEnabled: false }),
    publicAccessBlock: PublicAccessBlock.default({
      blockPublicAcls: true, ignorePublicAcls: true, blockPublicPolicy: true, restrictPublicBuckets: true,
    }),
    policy: PolicyDocument.optional(),
    tags: Tags,
  });
/** A bucket's inputs after check. */
export type BucketInputs = z.output<typeof BucketInputs>;

type Sdk = typeof import('@aws-sdk/client-s3');
type Configurable = 'versioning' | 'serverSideEncryption' | 'publicAccessBlock' | 'policy' | 'tags';

/** Applies one configurable property of a bucket (each has its own S3 API). */
async function apply(sdk: Sdk, client: S3Client, b: BucketInputs, property: Configurable, policy: RetryPolicy = {}): Promise<void> {
  const Bucket = b.name;
  switch (property) {
    case 'versioning':
      await awsCall('S3 PutBucketVersioning', () =>
        client.send(new sdk.PutBucketVersioningCommand({ Bucket, VersioningConfiguration: { Status: b.versioning ? 'Enabled' : 'Suspended' } })), policy);
      return;
    case 'serverSideEncryption': {
      const e = b.serverSideEncryption;
      await awsCall('S3 PutBucketEncryption', () =>
        client.send(new sdk.PutBucketEncryptionCommand({
          Bucket,
          ServerSideEncryptionConfiguration: {
            Rules: [{
              ApplyServerSideEncryptionByDefault: { SSEAlgorithm: e.algorithm, KMSMasterKeyID: e.kmsKeyId },
              BucketKeyEnabled: e.bucketKeyEnabled,
            }],
          },
        })), policy);
      return;
    }
    case 'publicAccessBlock': {
      const p = b.publicAccessBlock;
      await awsCall('S3 PutPublicAccessBlock', () =>
        client.send(new sdk.PutPublicAccessBlockCommand({
          Bucket,
          PublicAccessBlockConfiguration: {
            BlockPublicAcls: p.blockPublicAcls, IgnorePublicAcls: p.ignorePublicAcls,
            BlockPublicPolicy: p.blockPublicPolicy, RestrictPublicBuckets: p.restrictPublicBuckets,
          },
        })), policy);
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
const APPLY_ORDER: readonly Configurable[] = ['publicAccessBlock', 'policy', 'versioning', 'serverSideEncryption', 'tags'];

function bucketAttributes(name: string) {
  return { arn: `arn:aws:s3:::${name}`, region: awsClientSettings().region };
}

/** S3 bucket: versioning, default encryption, public access block, bucket policy, tags. */
export const s3Bucket = defineHandler({
  token: BUCKET_TOKEN,
  schema: BucketInputs,
  rules: {
    name: 'replace',
    versioning: 'update',
    serverSideEncryption: 'update',
    publicAccessBlock: 'update',
    policy: 'update',
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
      client.send(new sdk.CreateBucketCommand({
        Bucket: b.name,
        CreateBucketConfiguration: region === 'us-east-1' ? undefined : { LocationConstraint: region as never },
      })));
    try {
      // Every property is put explicitly, so the live bucket matches the inputs whatever
      // the service's defaults for new buckets are (they differ between AWS and LocalStack).
      for (const p of APPLY_ORDER) if (p !== 'versioning' || b.versioning) await apply(sdk, client, b, p, FRESH);
    } catch (err) {
      // create is transactional: a half-configured bucket must not be left behind.
      await unlessNotFound('S3 DeleteBucket', () => client.send(new sdk.DeleteBucketCommand({ Bucket: b.name })));
      throw err;
    }
    return { id: b.name, attributes: bucketAttributes(b.name) };
  },

  async read(name) {
    const { sdk, client } = await s3();
    const Bucket = name;
    const exists = await unlessNotFound('S3 HeadBucket', () => client.send(new sdk.HeadBucketCommand({ Bucket })));
    if (!exists) return undefined;
    const [versioning, encryption, pab, policy, tagging] = await Promise.all([
      awsCall('S3 GetBucketVersioning', () => client.send(new sdk.GetBucketVersioningCommand({ Bucket }))),
      unlessNotFound('S3 GetBucketEncryption', () => client.send(new sdk.GetBucketEncryptionCommand({ Bucket }))),
      unlessNotFound('S3 GetPublicAccessBlock', () => client.send(new sdk.GetPublicAccessBlockCommand({ Bucket }))),
      unlessNotFound('S3 GetBucketPolicy', () => client.send(new sdk.GetBucketPolicyCommand({ Bucket }))),
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
      tags: Object.fromEntries((tagging?.TagSet ?? []).map((t) => [t.Key ?? '', t.Value ?? ''])),
    };
    return { inputs: liveInputs(BucketInputs, live, `bucket ${name}`), attributes: bucketAttributes(name) };
  },

  async update(name, _olds, news, changed) {
    const { sdk, client } = await s3();
    for (const p of APPLY_ORDER) if (changed.includes(p)) await apply(sdk, client, news, p);
    return bucketAttributes(name);
  },

  async delete(name) {
    const { sdk, client } = await s3();
    await unlessNotFound('S3 DeleteBucket', () => client.send(new sdk.DeleteBucketCommand({ Bucket: name })));
  },
});

import * as pulumi from '@pulumi/pulumi';
import { resourceProps, type JsonInput } from './resource-props.js';
import { BUCKET_TOKEN } from './tokens.js';

/** Default encryption of new objects. */
export interface BucketEncryption {
  /** Default `AES256` (SSE-S3), which S3 applies to every bucket anyway. */
  algorithm?: 'AES256' | 'aws:kms' | 'aws:kms:dsse';
  kmsKeyId?: string;
  bucketKeyEnabled?: boolean;
}

/** Public access block; every flag defaults to true, as S3 does for new buckets. */
export interface BucketPublicAccessBlock {
  blockPublicAcls?: boolean;
  ignorePublicAcls?: boolean;
  blockPublicPolicy?: boolean;
  restrictPublicBuckets?: boolean;
}

/** One lifecycle rule; at least one of the three expiries must be set. */
export interface BucketLifecycleRule {
  /** Unique within the bucket. */
  id: string;
  /** Object key prefix; default empty (every object). */
  prefix?: string;
  /** Default true. */
  enabled?: boolean;
  /** Days after creation when current objects expire. */
  expirationDays?: number;
  /** Days after becoming noncurrent when old versions are deleted. */
  noncurrentVersionExpirationDays?: number;
  /** Days after which unfinished multipart uploads are aborted. */
  abortIncompleteMultipartUploadDays?: number;
}

/** Arguments of an S3 bucket. */
export interface BucketArgs {
  /** Physical name; generated (lowercase) from the logical name when absent. Changing it replaces the bucket. */
  name?: pulumi.Input<string>;
  /** Default false. Turning it off suspends versioning (S3 cannot un-version a bucket). */
  versioning?: pulumi.Input<boolean>;
  serverSideEncryption?: pulumi.Input<pulumi.Unwrap<BucketEncryption>>;
  publicAccessBlock?: pulumi.Input<pulumi.Unwrap<BucketPublicAccessBlock>>;
  /** Bucket policy; absent removes it. */
  policy?: pulumi.Input<JsonInput>;
  /** Lifecycle rules (order does not matter); empty or absent removes the lifecycle configuration. */
  lifecycleRules?: pulumi.Input<pulumi.Input<pulumi.Unwrap<BucketLifecycleRule>>[]>;
  /** Default false. When true, destroy first deletes every object version and delete marker. */
  forceDestroy?: pulumi.Input<boolean>;
  tags?: pulumi.Input<Record<string, pulumi.Input<string>>>;
}

const OUTPUTS = [
  'name',
  'versioning',
  'serverSideEncryption',
  'publicAccessBlock',
  'policy',
  'lifecycleRules',
  'forceDestroy',
  'tags',
  'arn',
  'region',
] as const;

/** An S3 bucket managed by the driftless-aws provider. Its id is the bucket name. */
export class Bucket extends pulumi.CustomResource {
  declare readonly name: pulumi.Output<string>;
  declare readonly versioning: pulumi.Output<boolean>;
  declare readonly serverSideEncryption: pulumi.Output<Required<Omit<BucketEncryption, 'kmsKeyId'>> & { kmsKeyId?: string }>;
  declare readonly publicAccessBlock: pulumi.Output<Required<BucketPublicAccessBlock>>;
  /** Canonical JSON text of the bucket policy. */
  declare readonly policy: pulumi.Output<string | undefined>;
  /** Sorted by id. */
  declare readonly lifecycleRules: pulumi.Output<
    Array<Required<Pick<BucketLifecycleRule, 'id' | 'prefix' | 'enabled'>> & BucketLifecycleRule>
  >;
  declare readonly forceDestroy: pulumi.Output<boolean>;
  declare readonly tags: pulumi.Output<Record<string, string>>;
  declare readonly arn: pulumi.Output<string>;
  declare readonly region: pulumi.Output<string>;

  constructor(name: string, args: BucketArgs = {}, opts?: pulumi.CustomResourceOptions) {
    super(BUCKET_TOKEN, name, resourceProps(args, OUTPUTS), opts);
  }
}

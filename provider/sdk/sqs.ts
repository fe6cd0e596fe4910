import * as pulumi from '@pulumi/pulumi';
import { resourceProps, type JsonInput } from './resource-props.js';
import { QUEUE_TOKEN } from './tokens.js';

/** Arguments of an SQS queue. Absent numbers take the SQS defaults. */
export interface QueueArgs {
  /** Physical name; generated from the logical name when absent. Changing it replaces the queue. */
  name?: pulumi.Input<string>;
  /** FIFO queue (its name ends in `.fifo`). Changing it replaces the queue. */
  fifoQueue?: pulumi.Input<boolean>;
  contentBasedDeduplication?: pulumi.Input<boolean>;
  /** Default 30. Updated in place. */
  visibilityTimeoutSeconds?: pulumi.Input<number>;
  /** Default 345600 (4 days). */
  messageRetentionSeconds?: pulumi.Input<number>;
  /** Default 0. */
  delaySeconds?: pulumi.Input<number>;
  /** Long-polling wait, default 0. */
  receiveWaitTimeSeconds?: pulumi.Input<number>;
  /** Left to SQS when absent. */
  maximumMessageSize?: pulumi.Input<number>;
  /** Moves messages received `maxReceiveCount` times to the dead-letter queue. */
  redrivePolicy?: pulumi.Input<{ deadLetterTargetArn: pulumi.Input<string>; maxReceiveCount: pulumi.Input<number> }>;
  /** Queue access policy. */
  policy?: pulumi.Input<JsonInput>;
  kmsMasterKeyId?: pulumi.Input<string>;
  tags?: pulumi.Input<Record<string, pulumi.Input<string>>>;
}

const OUTPUTS = [
  'name',
  'fifoQueue',
  'contentBasedDeduplication',
  'visibilityTimeoutSeconds',
  'messageRetentionSeconds',
  'delaySeconds',
  'receiveWaitTimeSeconds',
  'maximumMessageSize',
  'redrivePolicy',
  'policy',
  'kmsMasterKeyId',
  'tags',
  'arn',
  'url',
] as const;

/** An SQS queue managed by the driftless-aws provider. Its id is the queue URL. */
export class Queue extends pulumi.CustomResource {
  declare readonly name: pulumi.Output<string>;
  declare readonly fifoQueue: pulumi.Output<boolean>;
  declare readonly contentBasedDeduplication: pulumi.Output<boolean>;
  declare readonly visibilityTimeoutSeconds: pulumi.Output<number>;
  declare readonly messageRetentionSeconds: pulumi.Output<number>;
  declare readonly delaySeconds: pulumi.Output<number>;
  declare readonly receiveWaitTimeSeconds: pulumi.Output<number>;
  declare readonly maximumMessageSize: pulumi.Output<number | undefined>;
  declare readonly redrivePolicy: pulumi.Output<{ deadLetterTargetArn: string; maxReceiveCount: number } | undefined>;
  /** Canonical JSON text of the queue policy. */
  declare readonly policy: pulumi.Output<string | undefined>;
  declare readonly kmsMasterKeyId: pulumi.Output<string | undefined>;
  declare readonly tags: pulumi.Output<Record<string, string>>;
  declare readonly arn: pulumi.Output<string>;
  declare readonly url: pulumi.Output<string>;

  constructor(name: string, args: QueueArgs = {}, opts?: pulumi.CustomResourceOptions) {
    super(QUEUE_TOKEN, name, resourceProps(args, OUTPUTS), opts);
  }
}

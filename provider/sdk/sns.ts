import * as pulumi from '@pulumi/pulumi';
import { resourceProps, type JsonInput } from './resource-props.js';
import { SUBSCRIPTION_TOKEN, TOPIC_TOKEN } from './tokens.js';

/** Arguments of an SNS topic. */
export interface TopicArgs {
  /** Physical name; generated from the logical name when absent. Changing it replaces the topic. */
  name?: pulumi.Input<string>;
  /** FIFO topic (its name ends in `.fifo`). Changing it replaces the topic. */
  fifoTopic?: pulumi.Input<boolean>;
  contentBasedDeduplication?: pulumi.Input<boolean>;
  /** Default ''. */
  displayName?: pulumi.Input<string>;
  /** Access policy; when absent SNS keeps its own default policy (not managed). */
  policy?: pulumi.Input<JsonInput>;
  kmsMasterKeyId?: pulumi.Input<string>;
  tags?: pulumi.Input<Record<string, pulumi.Input<string>>>;
}

const TOPIC_OUTPUTS = ['name', 'fifoTopic', 'contentBasedDeduplication', 'displayName', 'policy', 'kmsMasterKeyId', 'tags', 'arn'] as const;

/** An SNS topic managed by the driftless-aws provider. Its id is the topic ARN. */
export class Topic extends pulumi.CustomResource {
  declare readonly name: pulumi.Output<string>;
  declare readonly fifoTopic: pulumi.Output<boolean>;
  declare readonly contentBasedDeduplication: pulumi.Output<boolean>;
  declare readonly displayName: pulumi.Output<string>;
  declare readonly policy: pulumi.Output<string | undefined>;
  declare readonly kmsMasterKeyId: pulumi.Output<string | undefined>;
  declare readonly tags: pulumi.Output<Record<string, string>>;
  declare readonly arn: pulumi.Output<string>;

  constructor(name: string, args: TopicArgs = {}, opts?: pulumi.CustomResourceOptions) {
    super(TOPIC_TOKEN, name, resourceProps(args, TOPIC_OUTPUTS), opts);
  }
}

/** Arguments of an SNS subscription. Topic, protocol and endpoint are its identity: changing one replaces it. */
export interface SubscriptionArgs {
  topicArn: pulumi.Input<string>;
  protocol: pulumi.Input<'sqs' | 'lambda' | 'firehose' | 'application' | 'http' | 'https' | 'email' | 'email-json' | 'sms'>;
  endpoint: pulumi.Input<string>;
  /** Default false. */
  rawMessageDelivery?: pulumi.Input<boolean>;
  /** Filter policy (JSON text or object). */
  filterPolicy?: pulumi.Input<JsonInput>;
  /** Default `MessageAttributes`. */
  filterPolicyScope?: pulumi.Input<'MessageAttributes' | 'MessageBody'>;
  /** Dead-letter queue for messages SNS cannot deliver. */
  redrivePolicy?: pulumi.Input<{ deadLetterTargetArn: pulumi.Input<string> }>;
}

const SUBSCRIPTION_OUTPUTS = [
  'topicArn',
  'protocol',
  'endpoint',
  'rawMessageDelivery',
  'filterPolicy',
  'filterPolicyScope',
  'redrivePolicy',
  'arn',
] as const;

/** An SNS subscription managed by the driftless-aws provider. Its id is the subscription ARN. */
export class Subscription extends pulumi.CustomResource {
  declare readonly topicArn: pulumi.Output<string>;
  declare readonly protocol: pulumi.Output<string>;
  declare readonly endpoint: pulumi.Output<string>;
  declare readonly rawMessageDelivery: pulumi.Output<boolean>;
  declare readonly filterPolicy: pulumi.Output<string | undefined>;
  declare readonly filterPolicyScope: pulumi.Output<'MessageAttributes' | 'MessageBody'>;
  declare readonly redrivePolicy: pulumi.Output<{ deadLetterTargetArn: string } | undefined>;
  declare readonly arn: pulumi.Output<string>;

  constructor(name: string, args: SubscriptionArgs, opts?: pulumi.CustomResourceOptions) {
    super(SUBSCRIPTION_TOKEN, name, resourceProps(args, SUBSCRIPTION_OUTPUTS), opts);
  }
}

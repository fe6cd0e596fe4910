import { OutputRef, z } from '../../sdk/template/index.js';

/** A subscription of a queue of another stack, e.g. `queue: { fromStack: orders-queue, output: arn }`. */
export const TopicSubscription = z.strictObject({
  queue: OutputRef.describe('the arn output of a queue stack'),
  rawMessageDelivery: z.boolean().default(false).describe('deliver the message body without the SNS envelope'),
  /** SNS filter policy, applied to message attributes. */
  filterPolicy: z.record(z.string(), z.unknown()).optional().describe('SNS filter policy on message attributes'),
});

/** Params of the `topic` template. */
export const TopicParams = z.strictObject({
  displayName: z.string().max(100).optional().describe('display name (SMS sender)'),
  fifo: z.boolean().default(false).describe('FIFO topic; the name gets .fifo'),
  subscriptions: z.array(TopicSubscription).default([]).describe('queues of other stacks that receive every message'),
  allowEnvironmentPublishers: z
    .boolean()
    .default(true)
    .describe(
      "topic policy lets this environment's EventBridge rules (same account and region) publish; the account's own grant is always kept",
    ),
});
/** Validated topic params. */
export type TopicParams = z.infer<typeof TopicParams>;

import { z } from '../../sdk/template/index.js';

/** Params of the `queue` template; limits are SQS's own. */
export const QueueParams = z
  .strictObject({
    visibilityTimeoutSeconds: z
      .int()
      .min(0)
      .max(43_200)
      .default(30)
      .describe('seconds a received message stays invisible to other consumers'),
    messageRetentionSeconds: z.int().min(60).max(1_209_600).default(345_600).describe('seconds SQS keeps a message'),
    delaySeconds: z.int().min(0).max(900).default(0).describe('seconds each new message is delayed'),
    fifo: z.boolean().default(false).describe('FIFO queue (exactly-once, ordered); the name gets .fifo'),
    contentBasedDeduplication: z.boolean().optional().describe('deduplicate by message body hash; FIFO queues only'),
    /** A second queue that receives messages after maxReceiveCount failed receives. */
    deadLetter: z
      .strictObject({
        maxReceiveCount: z.int().min(1).max(1000).describe('receives before a message moves to the dead-letter queue'),
        messageRetentionSeconds: z
          .int()
          .min(60)
          .max(1_209_600)
          .default(1_209_600)
          .describe('seconds the dead-letter queue keeps a message'),
      })
      .optional()
      .describe('a second queue, named <queue>-dlq, for messages that keep failing'),
    allowEnvironmentPublishers: z
      .boolean()
      .default(true)
      .describe(
        "queue policy letting this environment's SNS topics and EventBridge rules (same account and region) send to the queue; off = no queue policy",
      ),
  })
  .refine((q) => q.contentBasedDeduplication === undefined || q.fifo, {
    message: 'contentBasedDeduplication needs fifo: true',
    path: ['contentBasedDeduplication'],
  });
/** Validated queue params. */
export type QueueParams = z.infer<typeof QueueParams>;

import { Queue } from '../../sdk/aws.js';
import { physicalName, queueNameRule, resourceTags, type TemplateProgram } from '../../sdk/template/index.js';
import { arnScope, queuePublishersPolicy } from '../support/publishers.js';
import type { QueueParams } from './params.js';

/**
 * An SQS queue and, when asked, its dead-letter queue (FIFO when the queue is). Outputs
 * carry what alarms need besides the names: the visibility timeout and maxReceiveCount.
 * The queue's policy lets the environment's topics and rules send to it (see
 * support/publishers.ts), so their stacks never write this stack's queue.
 */
export const queueProgram: TemplateProgram<QueueParams> = (params, ctx) => {
  const tags = resourceTags(ctx);
  const rule = queueNameRule(params.fifo);
  const dlq = params.deadLetter
    ? new Queue('dead-letter', {
        name: physicalName(ctx, rule, 'dlq'),
        fifoQueue: params.fifo,
        messageRetentionSeconds: params.deadLetter.messageRetentionSeconds,
        tags,
      })
    : undefined;
  const name = physicalName(ctx, rule);
  const queue = new Queue('queue', {
    name,
    fifoQueue: params.fifo,
    contentBasedDeduplication: params.contentBasedDeduplication ?? false,
    visibilityTimeoutSeconds: params.visibilityTimeoutSeconds,
    messageRetentionSeconds: params.messageRetentionSeconds,
    delaySeconds: params.delaySeconds,
    redrivePolicy:
      dlq && params.deadLetter ? { deadLetterTargetArn: dlq.arn, maxReceiveCount: params.deadLetter.maxReceiveCount } : undefined,
    policy: params.allowEnvironmentPublishers ? arnScope(ctx).apply((scope) => queuePublishersPolicy(scope, ctx, name)) : undefined,
    tags,
  });
  return {
    name: queue.name,
    arn: queue.arn,
    url: queue.url,
    deadLetterName: dlq?.name ?? '',
    deadLetterArn: dlq?.arn ?? '',
    visibilityTimeoutSeconds: params.visibilityTimeoutSeconds,
    maxReceiveCount: params.deadLetter?.maxReceiveCount ?? 0,
  };
};

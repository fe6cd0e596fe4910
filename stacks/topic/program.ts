import { Subscription, Topic } from '../../sdk/aws.js';
import { dependencyString, physicalName, resourceTags, type TemplateProgram, topicNameRule } from '../../sdk/template/index.js';
import { arnScope, topicPolicy } from '../support/publishers.js';
import type { TopicParams } from './params.js';

/**
 * An SNS topic and one SQS subscription per queue of another stack. Subscriptions are
 * named by the reference they come from, so reordering the YAML list changes nothing.
 * The queues' own stacks allow the environment's topics to send (support/publishers.ts);
 * the topic's policy in turn lets the environment's EventBridge rules publish.
 */
export const topicProgram: TemplateProgram<TopicParams> = (params, ctx) => {
  const name = physicalName(ctx, topicNameRule(params.fifo));
  const topic = new Topic('topic', {
    name,
    fifoTopic: params.fifo,
    displayName: params.displayName,
    policy: arnScope(ctx).apply((scope) => topicPolicy(scope, ctx, name, params.allowEnvironmentPublishers)),
    tags: resourceTags(ctx),
  });
  for (const s of params.subscriptions) {
    new Subscription(`queue:${s.queue.fromStack}.${s.queue.output}`, {
      topicArn: topic.arn,
      protocol: 'sqs',
      endpoint: dependencyString(s.queue, ctx),
      rawMessageDelivery: s.rawMessageDelivery,
      filterPolicy: s.filterPolicy,
    });
  }
  return { arn: topic.arn, name: topic.name };
};

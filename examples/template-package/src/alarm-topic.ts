import { Subscription, Topic } from 'driftless/aws';
import { defineTemplate, physicalName, resourceTags, type TemplateProgram, topicNameRule, z } from 'driftless/template';

/** Params of `acme/alarm-topic`. */
export const AlarmTopicParams = z.strictObject({
  displayName: z.string().max(100).optional().describe('display name, shown as the sender of alarm e-mails'),
  emails: z
    .array(z.email())
    .max(20)
    .default([])
    .refine((list) => new Set(list.map((e) => e.toLowerCase())).size === list.length, 'each address once')
    .describe('addresses that receive every alarm; each must confirm the subscription mail AWS sends it'),
});
/** Validated alarm-topic params. */
export type AlarmTopicParams = z.infer<typeof AlarmTopicParams>;

/**
 * An SNS topic for the account's CloudWatch alarms to notify, with e-mail subscriptions.
 * No topic policy is written: SNS's default grants the topic's own account, which is where
 * the alarms live. Subscriptions are named by address, so reordering the list changes nothing.
 */
export const alarmTopicProgram: TemplateProgram<AlarmTopicParams> = (params, ctx) => {
  const topic = new Topic('topic', {
    name: physicalName(ctx, topicNameRule(false)),
    displayName: params.displayName,
    tags: resourceTags(ctx),
  });
  // SNS subscriptions take no tags.
  for (const email of params.emails)
    new Subscription(`email:${email.toLowerCase()}`, { topicArn: topic.arn, protocol: 'email', endpoint: email });
  return { arn: topic.arn, name: topic.name };
};

/** `acme/alarm-topic`: where CloudWatch alarms send their notifications. */
export const alarmTopicTemplate = defineTemplate({
  name: 'acme/alarm-topic',
  version: '2.0.0',
  description: 'SNS topic for CloudWatch alarm notifications, with e-mail subscriptions',
  params: AlarmTopicParams,
  outputs: [
    { name: 'arn', description: 'topic ARN, for alarm actions' },
    { name: 'name', description: 'topic name' },
  ],
  program: alarmTopicProgram,
});

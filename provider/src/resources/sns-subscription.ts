import { z } from 'zod';
import { awsCall, unlessNotFound } from '../aws/retry.js';
import { defineHandler } from '../handler.js';
import { JsonDocument, liveInputs } from '../schema-helpers.js';
import { sns } from './sns-topic.js';
import { SUBSCRIPTION_TOKEN } from '../../sdk/tokens.js';

const ARN = /^arn:[^:]+:[^:]+:[^:]*:[^:]*:.+$/;

/** A subscription's inputs after check, in the form `read` returns too. */
export const SubscriptionInputs = z
  .strictObject({
    topicArn: z.string().regex(/^arn:[^:]+:sns:[^:]*:[^:]*:[^:]+$/, 'must be the ARN of an SNS topic'),
    protocol: z.enum(['sqs', 'lambda', 'firehose', 'application', 'http', 'https', 'email', 'email-json', 'sms']),
    endpoint: z.string().min(1),
    rawMessageDelivery: z.boolean().default(false),
    filterPolicy: JsonDocument.optional(),
    filterPolicyScope: z.enum(['MessageAttributes', 'MessageBody']).default('MessageAttributes'),
    redrivePolicy: z.strictObject({ deadLetterTargetArn: z.string().regex(ARN, 'must be the ARN of an SQS queue') }).optional(),
  })
  .superRefine((s, ctx) => {
    if (['sqs', 'lambda', 'firehose', 'application'].includes(s.protocol) && !ARN.test(s.endpoint)) {
      ctx.addIssue({ code: 'custom', path: ['endpoint'], message: `must be an ARN for protocol "${s.protocol}"` });
    }
  });
/** A subscription's inputs after check. */
export type SubscriptionInputs = z.output<typeof SubscriptionInputs>;

/** The settable attributes as SNS spells them ('' clears an optional one). */
function apiAttributes(s: SubscriptionInputs): Record<string, string> {
  return {
    RawMessageDelivery: String(s.rawMessageDelivery),
    FilterPolicy: s.filterPolicy ?? '',
    FilterPolicyScope: s.filterPolicyScope,
    RedrivePolicy: s.redrivePolicy ? JSON.stringify(s.redrivePolicy) : '',
  };
}

const ATTRIBUTE_OF: Record<string, string> = {
  rawMessageDelivery: 'RawMessageDelivery',
  filterPolicy: 'FilterPolicy',
  filterPolicyScope: 'FilterPolicyScope',
  redrivePolicy: 'RedrivePolicy',
};

/**
 * SNS subscription of an endpoint to a topic. Its identity is topic+protocol+endpoint
 * (subscribing the same triple again returns the same subscription), so a replacement
 * deletes the old one first: created first, the new one would be the old one.
 */
export const snsSubscription = defineHandler({
  token: SUBSCRIPTION_TOKEN,
  schema: SubscriptionInputs,
  rules: {
    topicArn: 'replace',
    protocol: 'replace',
    endpoint: 'replace',
    rawMessageDelivery: 'update',
    filterPolicy: 'update',
    filterPolicyScope: 'update',
    redrivePolicy: 'update',
  },
  deleteBeforeReplace: true,

  async create(s) {
    const { sdk, client } = await sns();
    const attributes = Object.fromEntries(Object.entries(apiAttributes(s)).filter(([, v]) => v !== ''));
    if (s.filterPolicy === undefined) delete attributes.FilterPolicyScope;
    const out = await awsCall('SNS Subscribe', () =>
      client.send(
        new sdk.SubscribeCommand({
          TopicArn: s.topicArn,
          Protocol: s.protocol,
          Endpoint: s.endpoint,
          Attributes: attributes,
          ReturnSubscriptionArn: true,
        }),
      ),
    );
    const arn = out.SubscriptionArn ?? '';
    return { id: arn, attributes: { arn } };
  },

  async read(arn, current) {
    const { sdk, client } = await sns();
    const got = await unlessNotFound('SNS GetSubscriptionAttributes', () =>
      client.send(new sdk.GetSubscriptionAttributesCommand({ SubscriptionArn: arn })),
    );
    if (!got) return undefined;
    const a = got.Attributes ?? {};
    const redrive = a.RedrivePolicy ? (JSON.parse(a.RedrivePolicy) as { deadLetterTargetArn?: string }) : undefined;
    const live = {
      topicArn: a.TopicArn ?? current.topicArn,
      protocol: a.Protocol ?? current.protocol,
      endpoint: a.Endpoint ?? current.endpoint,
      rawMessageDelivery: a.RawMessageDelivery === 'true',
      filterPolicy: a.FilterPolicy || undefined,
      filterPolicyScope: a.FilterPolicyScope || 'MessageAttributes',
      redrivePolicy: redrive?.deadLetterTargetArn ? { deadLetterTargetArn: redrive.deadLetterTargetArn } : undefined,
    };
    return { inputs: liveInputs(SubscriptionInputs, live, `subscription ${arn}`), attributes: { arn } };
  },

  async update(arn, _olds, news, changed) {
    const { sdk, client } = await sns();
    const attributes = apiAttributes(news);
    for (const p of changed) {
      const name = ATTRIBUTE_OF[p];
      if (name === undefined) continue;
      const value = attributes[name] ?? '';
      await awsCall(`SNS SetSubscriptionAttributes ${name}`, () =>
        client.send(new sdk.SetSubscriptionAttributesCommand({ SubscriptionArn: arn, AttributeName: name, AttributeValue: value })),
      );
    }
    return { arn };
  },

  async delete(arn) {
    const { sdk, client } = await sns();
    await unlessNotFound('SNS Unsubscribe', () => client.send(new sdk.UnsubscribeCommand({ SubscriptionArn: arn })));
  },
});

import type { SNSClient } from '@aws-sdk/client-sns';
import { z } from 'zod';
import { awsService } from '../aws/clients.js';
import { awsCall, unlessNotFound } from '../aws/retry.js';
import { defineHandler } from '../handler.js';
import { generatedName } from '../naming.js';
import { checkFifoAwareName, liveInputs, PolicyDocument, Tags } from '../schema-helpers.js';
import { tagChanges } from './tag-changes.js';
import { TOPIC_TOKEN } from '../../sdk/tokens.js';

/** The SNS client and SDK module, loaded on first use. */
export const sns = awsService(
  () => import('@aws-sdk/client-sns'),
  (sdk, settings): SNSClient => new sdk.SNSClient(settings),
);

/** A topic's inputs after check, in the form `read` returns too. */
export const TopicInputs = z
  .strictObject({
    name: z.string(),
    fifoTopic: z.boolean().default(false),
    contentBasedDeduplication: z.boolean().default(false),
    displayName: z.string().max(100, 'has at most 100 characters').default(''),
    /**
     * SNS writes a default access policy when none is given, so an absent policy is
     * left to SNS (not managed) rather than compared against that default.
     */
    policy: PolicyDocument.optional(),
    kmsMasterKeyId: z.string().min(1).optional(),
    tags: Tags,
  })
  .superRefine((t, ctx) =>
    checkFifoAwareName(
      ctx,
      { name: t.name, fifo: t.fifoTopic, contentBasedDeduplication: t.contentBasedDeduplication },
      { kind: 'topic', maxLength: 256, fifoFlag: 'fifoTopic' },
    ),
  );
/** A topic's inputs after check. */
export type TopicInputs = z.output<typeof TopicInputs>;

/** The settable attributes as SNS spells them; on update, absent KMS key is cleared with ''. */
function apiAttributes(t: TopicInputs): Record<string, string> {
  const a: Record<string, string> = { DisplayName: t.displayName, KmsMasterKeyId: t.kmsMasterKeyId ?? '' };
  if (t.policy !== undefined) a.Policy = t.policy;
  if (t.fifoTopic) a.ContentBasedDeduplication = String(t.contentBasedDeduplication);
  return a;
}

/** SNS topic: display name, access policy, encryption, FIFO, tags. */
export const snsTopic = defineHandler({
  token: TOPIC_TOKEN,
  schema: TopicInputs,
  rules: {
    name: 'replace',
    fifoTopic: 'replace',
    contentBasedDeduplication: 'update',
    displayName: 'update',
    policy: 'update',
    kmsMasterKeyId: 'update',
    tags: 'update',
  },
  naming: {
    property: 'name',
    generate: (logical, suffix, raw) =>
      generatedName(logical, suffix, { maxLength: 256, allowed: /[A-Za-z0-9_-]/, ending: raw.fifoTopic === true ? '.fifo' : '' }),
  },

  async create(t) {
    const { sdk, client } = await sns();
    const attributes = apiAttributes(t);
    if (!t.kmsMasterKeyId) delete attributes.KmsMasterKeyId;
    if (t.fifoTopic) attributes.FifoTopic = 'true';
    const out = await awsCall('SNS CreateTopic', () =>
      client.send(
        new sdk.CreateTopicCommand({
          Name: t.name,
          Attributes: attributes,
          Tags: Object.entries(t.tags).map(([Key, Value]) => ({ Key, Value })),
        }),
      ),
    );
    const arn = out.TopicArn ?? '';
    return { id: arn, attributes: { arn } };
  },

  async read(arn, current) {
    const { sdk, client } = await sns();
    const got = await unlessNotFound('SNS GetTopicAttributes', () => client.send(new sdk.GetTopicAttributesCommand({ TopicArn: arn })));
    if (!got) return undefined;
    const tags = await unlessNotFound('SNS ListTagsForResource', () =>
      client.send(new sdk.ListTagsForResourceCommand({ ResourceArn: arn })),
    );
    if (!tags) return undefined;
    const a = got.Attributes ?? {};
    const live = {
      name: arn.slice(arn.lastIndexOf(':') + 1),
      fifoTopic: a.FifoTopic === 'true',
      contentBasedDeduplication: a.ContentBasedDeduplication === 'true',
      displayName: a.DisplayName ?? '',
      policy: current.policy === undefined ? undefined : a.Policy,
      kmsMasterKeyId: a.KmsMasterKeyId || undefined,
      tags: Object.fromEntries((tags.Tags ?? []).map((t) => [t.Key ?? '', t.Value ?? ''])),
    };
    return { inputs: liveInputs(TopicInputs, live, `topic ${arn}`), attributes: { arn } };
  },

  async update(arn, olds, news, changed) {
    const { sdk, client } = await sns();
    const attributes = apiAttributes(news);
    const byProperty: Record<string, string> = {
      displayName: 'DisplayName',
      kmsMasterKeyId: 'KmsMasterKeyId',
      policy: 'Policy',
      contentBasedDeduplication: 'ContentBasedDeduplication',
    };
    for (const p of changed) {
      const name = byProperty[p];
      const value = name === undefined ? undefined : attributes[name];
      if (name === undefined || value === undefined) continue;
      await awsCall(`SNS SetTopicAttributes ${name}`, () =>
        client.send(new sdk.SetTopicAttributesCommand({ TopicArn: arn, AttributeName: name, AttributeValue: value })),
      );
    }
    const t = tagChanges(olds.tags, news.tags);
    if (t.remove.length) {
      await awsCall('SNS UntagResource', () => client.send(new sdk.UntagResourceCommand({ ResourceArn: arn, TagKeys: t.remove })));
    }
    const set = Object.entries(t.set).map(([Key, Value]) => ({ Key, Value }));
    if (set.length) {
      await awsCall('SNS TagResource', () => client.send(new sdk.TagResourceCommand({ ResourceArn: arn, Tags: set })));
    }
    return { arn };
  },

  async delete(arn) {
    const { sdk, client } = await sns();
    await unlessNotFound('SNS DeleteTopic', () => client.send(new sdk.DeleteTopicCommand({ TopicArn: arn })));
  },
});

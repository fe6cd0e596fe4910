import type { SQSClient } from '@aws-sdk/client-sqs';
import { z } from 'zod';
import { parseJson } from '../canonical.js';
import { awsService } from '../aws/clients.js';
import { awsCall, unlessNotFound } from '../aws/retry.js';
import { defineHandler } from '../handler.js';
import { generatedName } from '../naming.js';
import { checkFifoAwareName, liveInputs, PolicyDocument, Tags } from '../schema-helpers.js';
import { tagChanges } from './tag-changes.js';
import { QUEUE_TOKEN } from '../../sdk/tokens.js';

const sqs = awsService(
  () => import('@aws-sdk/client-sqs'),
  (sdk, settings): SQSClient => new sdk.SQSClient(settings),
);

/** A queue's inputs after check, in the form `read` returns too. */
export const QueueInputs = z
  .strictObject({
    name: z.string(),
    fifoQueue: z.boolean().default(false),
    contentBasedDeduplication: z.boolean().default(false),
    visibilityTimeoutSeconds: z.number().int().min(0).max(43_200).default(30),
    messageRetentionSeconds: z.number().int().min(60).max(1_209_600).default(345_600),
    delaySeconds: z.number().int().min(0).max(900).default(0),
    receiveWaitTimeSeconds: z.number().int().min(0).max(20).default(0),
    /** Left to the service when absent (its default has changed over time). */
    maximumMessageSize: z.number().int().min(1_024).max(1_048_576).optional(),
    redrivePolicy: z
      .strictObject({
        deadLetterTargetArn: z.string().regex(/^arn:[^:]+:sqs:[^:]*:[^:]*:.+$/, 'must be the ARN of an SQS queue'),
        maxReceiveCount: z.number().int().min(1).max(1_000),
      })
      .optional(),
    policy: PolicyDocument.optional(),
    kmsMasterKeyId: z.string().min(1).optional(),
    tags: Tags,
  })
  .superRefine((q, ctx) =>
    checkFifoAwareName(
      ctx,
      { name: q.name, fifo: q.fifoQueue, contentBasedDeduplication: q.contentBasedDeduplication },
      { kind: 'queue', maxLength: 80, fifoFlag: 'fifoQueue' },
    ),
  );
/** A queue's inputs after check. */
export type QueueInputs = z.output<typeof QueueInputs>;

/** Computed attributes of a queue. */
export interface QueueAttributes extends Record<string, unknown> {
  arn: string;
  url: string;
}

type Spelling = (q: QueueInputs) => readonly [name: string, value: string] | undefined;

/** How each settable property is spelled in the SQS API ('' clears an optional one). */
const API_ATTRIBUTE: Partial<Record<keyof QueueInputs, Spelling>> = {
  visibilityTimeoutSeconds: (q) => ['VisibilityTimeout', String(q.visibilityTimeoutSeconds)],
  messageRetentionSeconds: (q) => ['MessageRetentionPeriod', String(q.messageRetentionSeconds)],
  delaySeconds: (q) => ['DelaySeconds', String(q.delaySeconds)],
  receiveWaitTimeSeconds: (q) => ['ReceiveMessageWaitTimeSeconds', String(q.receiveWaitTimeSeconds)],
  // Unset means "left to SQS": there is nothing to send.
  maximumMessageSize: (q) => (q.maximumMessageSize === undefined ? undefined : ['MaximumMessageSize', String(q.maximumMessageSize)]),
  // Only FIFO queues have the attribute; SQS rejects it on standard queues.
  contentBasedDeduplication: (q) => (q.fifoQueue ? ['ContentBasedDeduplication', String(q.contentBasedDeduplication)] : undefined),
  redrivePolicy: (q) => ['RedrivePolicy', q.redrivePolicy ? JSON.stringify(q.redrivePolicy) : ''],
  policy: (q) => ['Policy', q.policy ?? ''],
  kmsMasterKeyId: (q) => ['KmsMasterKeyId', q.kmsMasterKeyId ?? ''],
};

/** The API attributes for the given properties; `''` values clear on update and are left out on create. */
function apiAttributes(q: QueueInputs, properties: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const p of properties) {
    const spelled = API_ATTRIBUTE[p as keyof QueueInputs]?.(q);
    if (spelled) out[spelled[0]] = spelled[1];
  }
  return out;
}

function queueName(url: string): string {
  return url.slice(url.lastIndexOf('/') + 1);
}

/** The live attributes in input form (numbers as numbers, JSON canonicalised). */
function inputsFromApi(url: string, a: Record<string, string>, tags: Record<string, string>, current: QueueInputs): QueueInputs {
  const redrive = a.RedrivePolicy ? parseJson(a.RedrivePolicy) : undefined;
  const r = redrive?.ok ? (redrive.value as { deadLetterTargetArn?: string; maxReceiveCount?: string | number }) : undefined;
  const live = {
    name: queueName(url),
    fifoQueue: a.FifoQueue === 'true',
    contentBasedDeduplication: a.ContentBasedDeduplication === 'true',
    visibilityTimeoutSeconds: Number(a.VisibilityTimeout),
    messageRetentionSeconds: Number(a.MessageRetentionPeriod),
    delaySeconds: Number(a.DelaySeconds ?? 0),
    receiveWaitTimeSeconds: Number(a.ReceiveMessageWaitTimeSeconds ?? 0),
    maximumMessageSize: current.maximumMessageSize === undefined ? undefined : Number(a.MaximumMessageSize),
    redrivePolicy: r && { deadLetterTargetArn: String(r.deadLetterTargetArn), maxReceiveCount: Number(r.maxReceiveCount) },
    policy: a.Policy || undefined,
    kmsMasterKeyId: a.KmsMasterKeyId || undefined,
    tags,
  };
  return liveInputs(QueueInputs, live, `queue ${url}`);
}

/** SQS queue: common attributes, a redrive policy to a dead-letter queue, a queue policy, tags. */
export const sqsQueue = defineHandler({
  token: QUEUE_TOKEN,
  schema: QueueInputs,
  rules: {
    name: 'replace',
    fifoQueue: 'replace',
    contentBasedDeduplication: 'update',
    visibilityTimeoutSeconds: 'update',
    messageRetentionSeconds: 'update',
    delaySeconds: 'update',
    receiveWaitTimeSeconds: 'update',
    maximumMessageSize: 'update',
    redrivePolicy: 'update',
    policy: 'update',
    kmsMasterKeyId: 'update',
    tags: 'update',
  },
  naming: {
    property: 'name',
    generate: (logical, suffix, raw) =>
      generatedName(logical, suffix, { maxLength: 80, allowed: /[A-Za-z0-9_-]/, ending: raw.fifoQueue === true ? '.fifo' : '' }),
  },

  async create(q) {
    const { sdk, client } = await sqs();
    const attributes = Object.fromEntries(Object.entries(apiAttributes(q, Object.keys(API_ATTRIBUTE))).filter(([, v]) => v !== ''));
    if (q.fifoQueue) attributes.FifoQueue = 'true';
    const out = await awsCall('SQS CreateQueue', () =>
      client.send(new sdk.CreateQueueCommand({ QueueName: q.name, Attributes: attributes, tags: q.tags })),
    );
    const url = out.QueueUrl ?? '';
    return { id: url, attributes: await queueAttributes(url) };
  },

  async read(url, current) {
    const { sdk, client } = await sqs();
    const got = await unlessNotFound('SQS GetQueueAttributes', () =>
      client.send(new sdk.GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['All'] })),
    );
    if (!got) return undefined;
    const tags = await unlessNotFound('SQS ListQueueTags', () => client.send(new sdk.ListQueueTagsCommand({ QueueUrl: url })));
    if (!tags) return undefined;
    const a = got.Attributes ?? {};
    return {
      inputs: inputsFromApi(url, a, tags.Tags ?? {}, current),
      attributes: { arn: a.QueueArn ?? '', url },
    };
  },

  async update(url, olds, news, changed) {
    const { sdk, client } = await sqs();
    const attributes = apiAttributes(news, changed);
    if (Object.keys(attributes).length) {
      await awsCall('SQS SetQueueAttributes', () =>
        client.send(new sdk.SetQueueAttributesCommand({ QueueUrl: url, Attributes: attributes })),
      );
    }
    const t = tagChanges(olds.tags, news.tags);
    if (t.remove.length) {
      await awsCall('SQS UntagQueue', () => client.send(new sdk.UntagQueueCommand({ QueueUrl: url, TagKeys: t.remove })));
    }
    if (Object.keys(t.set).length) {
      await awsCall('SQS TagQueue', () => client.send(new sdk.TagQueueCommand({ QueueUrl: url, Tags: t.set })));
    }
    return queueAttributes(url);
  },

  async delete(url) {
    const { sdk, client } = await sqs();
    await unlessNotFound('SQS DeleteQueue', () => client.send(new sdk.DeleteQueueCommand({ QueueUrl: url })));
  },
});

async function queueAttributes(url: string): Promise<QueueAttributes> {
  const { sdk, client } = await sqs();
  // A queue just created can take a moment to answer (eventual consistency): retry NotFound.
  const got = await awsCall(
    'SQS GetQueueAttributes',
    () => client.send(new sdk.GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['QueueArn'] })),
    { alsoRetry: ['NotFound'] },
  );
  return { arn: got.Attributes?.QueueArn ?? '', url };
}

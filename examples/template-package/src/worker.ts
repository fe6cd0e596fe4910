import { type CallerIdentity, getCallerIdentity, Parameter, Queue, Role, Subscription } from 'driftless/aws';
import {
  defineTemplate,
  dependencyString,
  OutputRef,
  physicalName,
  pulumi,
  queueNameRule,
  resourceTags,
  roleNameRule,
  type TemplateContext,
  type TemplateProgram,
  z,
} from 'driftless/template';

/** SSM's Standard tier holds at most 4 KB per parameter value. */
export const MAX_CONFIG_BYTES = 4096;

/** Name of the worker role's one inline policy. */
export const WORKER_POLICY_NAME = 'worker';

/** What the role may do with the queue: a worker receives, extends and deletes messages. */
export const QUEUE_ACTIONS = ['sqs:ChangeMessageVisibility', 'sqs:DeleteMessage', 'sqs:GetQueueAttributes', 'sqs:ReceiveMessage'];

/** What the role may do with its config parameter: read it, nothing else. */
export const PARAMETER_ACTIONS = ['ssm:GetParameter', 'ssm:GetParameters'];

const ConfigKey = z.string().regex(/^[A-Za-z][A-Za-z0-9_.-]{0,127}$/, 'must be a config key such as batchSize or LOG_LEVEL');

/** The config map with its keys sorted, so reordering the YAML never changes the parameter's value. */
function sortedConfig(config: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(config).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

/** The value the config parameter holds: the config map as JSON, keys sorted. */
export function configJson(config: Record<string, string>): string {
  return JSON.stringify(sortedConfig(config));
}

/** Params of `acme/worker`; limits are SQS's, SSM's and IAM's own. */
export const WorkerParams = z
  .strictObject({
    topic: OutputRef.describe(
      'the arn output of the SNS topic stack the queue subscribes to, e.g. { fromStack: orders-topic, output: arn }; a standard (not FIFO) topic',
    ),
    filterPolicy: z
      .record(z.string(), z.unknown())
      .optional()
      .describe('SNS filter policy on message attributes: only matching messages reach the queue; every message without one'),
    rawMessageDelivery: z.boolean().default(false).describe('deliver the message body without the SNS envelope'),
    visibilityTimeoutSeconds: z
      .int()
      .min(0)
      .max(43_200)
      .default(30)
      .describe('seconds a received message stays invisible to other workers; longer than the slowest message takes'),
    messageRetentionSeconds: z.int().min(60).max(1_209_600).default(345_600).describe('seconds the queue keeps a message'),
    maxReceiveCount: z.int().min(1).max(1000).default(5).describe('receives before a message moves to the dead-letter queue'),
    deadLetterRetentionSeconds: z
      .int()
      .min(60)
      .max(1_209_600)
      .default(1_209_600)
      .describe("seconds the dead-letter queue keeps a message; at least the queue's own retention"),
    config: z
      .record(ConfigKey, z.string().max(MAX_CONFIG_BYTES))
      .refine((c) => Buffer.byteLength(configJson(c), 'utf8') <= MAX_CONFIG_BYTES, {
        message: `config as JSON must fit SSM's ${MAX_CONFIG_BYTES} bytes`,
      })
      .default({})
      .describe('worker configuration, stored as JSON in the SSM String parameter /<environment>/<stack>/config'),
    servicePrincipal: z
      .string()
      .regex(/^[a-z0-9.-]+\.amazonaws\.com$/, 'must be a service principal such as ecs-tasks.amazonaws.com')
      .default('ecs-tasks.amazonaws.com')
      .describe('AWS service that may assume the worker role, e.g. ecs-tasks.amazonaws.com or lambda.amazonaws.com'),
  })
  // SQS counts a moved message's age from its first enqueue: a shorter dead-letter retention
  // would delete failed messages as soon as they arrive there.
  .refine((p) => p.deadLetterRetentionSeconds >= p.messageRetentionSeconds, {
    message: "deadLetterRetentionSeconds must be at least messageRetentionSeconds: SQS keeps a message's first enqueue time",
    path: ['deadLetterRetentionSeconds'],
  });
/** Validated worker params. */
export type WorkerParams = z.infer<typeof WorkerParams>;

/** Where an ARN lives: partition, region and account. */
interface ArnScope {
  partition: string;
  region: string;
  accountId: string;
}

/**
 * The scope of the ARNs this stack writes: the account and partition of the provider's
 * credentials and the stack's region. Known at preview, so the queue's policy can name the
 * queue before it exists.
 */
function arnScope(ctx: TemplateContext): pulumi.Output<ArnScope> {
  return getCallerIdentity().apply((id: CallerIdentity) => ({ partition: id.partition, region: ctx.region, accountId: id.accountId }));
}

/** The queue's access policy: only the subscribed topic may send to it. */
export function topicSendPolicy(s: ArnScope, queueName: string, topicArn: string): Record<string, unknown> {
  return {
    Version: '2012-10-17',
    Statement: [
      {
        Sid: 'SubscribedTopic',
        Effect: 'Allow',
        Principal: { Service: 'sns.amazonaws.com' },
        Action: 'sqs:SendMessage',
        Resource: `arn:${s.partition}:sqs:${s.region}:${s.accountId}:${queueName}`,
        Condition: { ArnEquals: { 'aws:SourceArn': topicArn } },
      },
    ],
  };
}

/** The SSM parameter holding a worker's config. */
export function configParameterName(ctx: TemplateContext): string {
  return `/${ctx.environment}/${ctx.stack}/config`;
}

/**
 * A queue worker: its SQS queue (with a dead-letter queue) subscribed to a topic of another
 * stack, the queue policy letting that topic send, its config in SSM and the IAM role it runs
 * as, allowed to consume the queue and read the config and nothing else.
 */
export const workerProgram: TemplateProgram<WorkerParams> = (params, ctx) => {
  const tags = resourceTags(ctx);
  const topicArn = dependencyString(params.topic, ctx);
  const rule = queueNameRule(false);

  const deadLetter = new Queue('dead-letter', {
    name: physicalName(ctx, rule, 'dlq'),
    messageRetentionSeconds: params.deadLetterRetentionSeconds,
    tags,
  });
  const queueName = physicalName(ctx, rule);
  const queue = new Queue('queue', {
    name: queueName,
    visibilityTimeoutSeconds: params.visibilityTimeoutSeconds,
    messageRetentionSeconds: params.messageRetentionSeconds,
    redrivePolicy: { deadLetterTargetArn: deadLetter.arn, maxReceiveCount: params.maxReceiveCount },
    policy: arnScope(ctx).apply((scope) => topicSendPolicy(scope, queueName, topicArn)),
    tags,
  });
  // SNS subscriptions take no tags.
  const subscription = new Subscription('subscription', {
    topicArn,
    protocol: 'sqs',
    endpoint: queue.arn,
    rawMessageDelivery: params.rawMessageDelivery,
    filterPolicy: params.filterPolicy,
  });
  const parameter = new Parameter('config', {
    name: configParameterName(ctx),
    type: 'String',
    value: configJson(params.config),
    description: `configuration of worker ${ctx.stack} (JSON)`,
    tags,
  });
  const role = new Role('role', {
    name: physicalName(ctx, roleNameRule),
    description: `worker ${ctx.stack} of environment ${ctx.environment}`,
    assumeRolePolicy: {
      Version: '2012-10-17',
      Statement: [{ Effect: 'Allow', Principal: { Service: params.servicePrincipal }, Action: 'sts:AssumeRole' }],
    },
    inlinePolicies: {
      [WORKER_POLICY_NAME]: pulumi.all([queue.arn, parameter.arn]).apply(([queueArn, parameterArn]) => ({
        Version: '2012-10-17',
        Statement: [
          { Sid: 'ConsumeQueue', Effect: 'Allow', Action: QUEUE_ACTIONS, Resource: queueArn },
          { Sid: 'ReadConfig', Effect: 'Allow', Action: PARAMETER_ACTIONS, Resource: parameterArn },
        ],
      })),
    },
    tags,
  });

  return {
    queueArn: queue.arn,
    queueUrl: queue.url,
    queueName: queue.name,
    deadLetterArn: deadLetter.arn,
    subscriptionArn: subscription.arn,
    configParameter: parameter.name,
    roleArn: role.arn,
    roleName: role.name,
  };
};

/** `acme/worker`: everything a queue worker fed by an SNS topic needs, in one stack. */
export const workerTemplate = defineTemplate({
  name: 'acme/worker',
  version: '2.0.0',
  description:
    'SQS worker: queue with dead-letter queue subscribed to an SNS topic of another stack, its config in SSM and an IAM role to consume it',
  params: WorkerParams,
  outputs: [
    { name: 'queueArn', description: 'worker queue ARN' },
    { name: 'queueUrl', description: 'worker queue URL, for the worker to receive from' },
    { name: 'queueName', description: 'worker queue name' },
    { name: 'deadLetterArn', description: 'dead-letter queue ARN, for alarms on failed messages' },
    { name: 'subscriptionArn', description: 'ARN of the subscription of the queue to the topic' },
    { name: 'configParameter', description: 'name of the SSM String parameter holding the config as JSON' },
    { name: 'roleArn', description: 'ARN of the role the worker runs as' },
    { name: 'roleName', description: 'name of the role the worker runs as' },
  ],
  program: workerProgram,
});

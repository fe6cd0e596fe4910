import { expectedTags, MOCK_ACCOUNT_ID, MOCK_REGION, mockTemplate, oneOfType, resourceNamed, secretInput } from 'driftless/testing';
import { describe, expect, it } from 'vitest';
import { MAX_CONFIG_BYTES, PARAMETER_ACTIONS, QUEUE_ACTIONS, WORKER_POLICY_NAME, workerTemplate } from '../src/worker.js';

const STACK = 'orders-worker';
const TOPIC_ARN = `arn:aws:sns:${MOCK_REGION}:${MOCK_ACCOUNT_ID}:dev-orders-topic`;
/** The params a Stack document gives at least: the topic, as `{ fromStack, output }`. */
const minimal = { topic: { fromStack: 'orders-topic', output: 'arn' } };
/** The context of a worker stack that dependsOn orders-topic, which has recorded its arn. */
const ctx = { stack: STACK, dependencies: { 'orders-topic': { arn: TOPIC_ARN } } };

/** The ARN the mocks give a resource of `service` with physical name `name`. */
const mockArn = (service: string, name: string): string => `arn:aws:${service}:${MOCK_REGION}:${MOCK_ACCOUNT_ID}:${name}`;

describe('acme/worker params', () => {
  it('needs only the topic and fills in the defaults', () => {
    expect(workerTemplate.params.parse(minimal)).toEqual({
      topic: { fromStack: 'orders-topic', output: 'arn' },
      rawMessageDelivery: false,
      visibilityTimeoutSeconds: 30,
      messageRetentionSeconds: 345_600,
      maxReceiveCount: 5,
      deadLetterRetentionSeconds: 1_209_600,
      config: {},
      servicePrincipal: 'ecs-tasks.amazonaws.com',
    });
    expect(workerTemplate.params.safeParse({}).success).toBe(false);
  });

  it('refuses a typo instead of ignoring it (strict objects)', async () => {
    const typo = workerTemplate.params.safeParse({ ...minimal, maxRecieveCount: 3 });
    expect(typo.success).toBe(false);
    expect(typo.error?.issues).toEqual([expect.objectContaining({ code: 'unrecognized_keys', keys: ['maxRecieveCount'] })]);
    // The topic reference is strict too, and mockTemplate parses as the engine does.
    await expect(mockTemplate(workerTemplate, { topic: { fromStack: 'orders-topic', ouput: 'arn' } }, ctx)).rejects.toThrow(/ouput/);
  });

  it("refuses values outside SQS's, SSM's and IAM's limits", () => {
    const refused = (params: Record<string, unknown>): boolean => !workerTemplate.params.safeParse({ ...minimal, ...params }).success;
    expect(refused({ maxReceiveCount: 0 })).toBe(true);
    expect(refused({ maxReceiveCount: 1001 })).toBe(true);
    expect(refused({ visibilityTimeoutSeconds: 43_201 })).toBe(true);
    expect(refused({ messageRetentionSeconds: 59 })).toBe(true);
    expect(refused({ maxReceiveCount: 2.5 })).toBe(true);
    expect(refused({ servicePrincipal: 'arn:aws:iam::123456789012:root' })).toBe(true);
    expect(refused({ config: { 'not a key': 'x' } })).toBe(true);
    expect(refused({ config: { port: 8080 } })).toBe(true);
    expect(refused({ config: { a: 'x'.repeat(MAX_CONFIG_BYTES / 2), b: 'y'.repeat(MAX_CONFIG_BYTES / 2) } })).toBe(true);
    expect(refused({ topic: 'arn:aws:sns:us-east-1:000000000000:orders' })).toBe(true);
    // A dead-letter queue that keeps messages shorter than the queue would drop them on arrival.
    expect(refused({ messageRetentionSeconds: 1_209_600, deadLetterRetentionSeconds: 86_400 })).toBe(true);
    expect(refused({ servicePrincipal: 'lambda.amazonaws.com', config: { LOG_LEVEL: 'debug' } })).toBe(false);
  });
});

describe('acme/worker program (Pulumi mocks)', () => {
  it('registers the queues, the subscription, the config parameter and the role with deterministic names and tags', async () => {
    const run = await mockTemplate(workerTemplate, minimal, ctx);

    // Sorted: a resource reaches the mocks once its inputs resolve, so the order varies.
    expect(run.resources.map((r) => `${r.type} ${r.name}`).sort()).toEqual([
      'driftless-aws:iam:Role role',
      'driftless-aws:sns:Subscription subscription',
      'driftless-aws:sqs:Queue dead-letter',
      'driftless-aws:sqs:Queue queue',
      'driftless-aws:ssm:Parameter config',
    ]);
    expect(resourceNamed(run, 'dead-letter').inputs).toMatchObject({ name: 'dev-orders-worker-dlq', messageRetentionSeconds: 1_209_600 });
    expect(resourceNamed(run, 'queue').inputs).toMatchObject({
      name: 'dev-orders-worker',
      visibilityTimeoutSeconds: 30,
      messageRetentionSeconds: 345_600,
    });
    expect(oneOfType(run, 'driftless-aws:ssm:Parameter').inputs).toMatchObject({ name: '/dev/orders-worker/config', type: 'String' });
    expect(oneOfType(run, 'driftless-aws:iam:Role').inputs).toMatchObject({ name: 'dev-orders-worker' });

    // Every taggable resource carries the stack's tags; SNS subscriptions take none.
    for (const r of run.resources) {
      if (r.type === 'driftless-aws:sns:Subscription') expect(r.inputs.tags).toBeUndefined();
      else expect(r.inputs.tags, `${r.name} tags`).toEqual(expectedTags(STACK));
    }
  });

  it('moves a message to the dead-letter queue after maxReceiveCount receives', async () => {
    const run = await mockTemplate(workerTemplate, { ...minimal, maxReceiveCount: 3 }, ctx);
    expect(resourceNamed(run, 'queue').inputs.redrivePolicy).toEqual({
      deadLetterTargetArn: mockArn('sqs', 'dev-orders-worker-dlq'),
      maxReceiveCount: 3,
    });
    // SQS itself moves messages there: the dead-letter queue needs no policy and no redrive.
    expect(resourceNamed(run, 'dead-letter').inputs.policy).toBeUndefined();
    expect(resourceNamed(run, 'dead-letter').inputs.redrivePolicy).toBeUndefined();
  });

  it('subscribes the queue to the topic ARN its dependency recorded, and lets only that topic send', async () => {
    const filterPolicy = { eventType: ['order.created', 'order.paid'] };
    const run = await mockTemplate(workerTemplate, { ...minimal, filterPolicy, rawMessageDelivery: true }, ctx);

    expect(oneOfType(run, 'driftless-aws:sns:Subscription').inputs).toEqual({
      topicArn: TOPIC_ARN,
      protocol: 'sqs',
      endpoint: mockArn('sqs', 'dev-orders-worker'),
      rawMessageDelivery: true,
      filterPolicy,
    });
    expect(resourceNamed(run, 'queue').inputs.policy).toEqual({
      Version: '2012-10-17',
      Statement: [
        {
          Sid: 'SubscribedTopic',
          Effect: 'Allow',
          Principal: { Service: 'sns.amazonaws.com' },
          Action: 'sqs:SendMessage',
          Resource: mockArn('sqs', 'dev-orders-worker'),
          Condition: { ArnEquals: { 'aws:SourceArn': TOPIC_ARN } },
        },
      ],
    });

    const unfiltered = await mockTemplate(workerTemplate, minimal, ctx);
    expect(oneOfType(unfiltered, 'driftless-aws:sns:Subscription').inputs).not.toHaveProperty('filterPolicy');
  });

  it('stops with a message naming both stacks when the topic has recorded no arn', async () => {
    await expect(mockTemplate(workerTemplate, minimal, { stack: STACK })).rejects.toThrow(
      'stack orders-worker: output "arn" of stack orders-topic is missing: has that stack been applied?',
    );
  });

  it('stores the config as JSON with sorted keys in a String parameter', async () => {
    const config = { LOG_LEVEL: 'info', batchSize: '10', 'db.host': 'orders.internal' };
    const run = await mockTemplate(workerTemplate, { ...minimal, config }, ctx);
    const parameter = oneOfType(run, 'driftless-aws:ssm:Parameter');
    // The provider keeps every parameter value a secret.
    expect(parameter.inputs.value).toEqual(secretInput('{"LOG_LEVEL":"info","batchSize":"10","db.host":"orders.internal"}'));

    const reordered = await mockTemplate(
      workerTemplate,
      { ...minimal, config: { 'db.host': 'orders.internal', batchSize: '10', LOG_LEVEL: 'info' } },
      ctx,
    );
    expect(oneOfType(reordered, 'driftless-aws:ssm:Parameter').inputs.value).toEqual(parameter.inputs.value);

    const empty = await mockTemplate(workerTemplate, minimal, ctx);
    expect(oneOfType(empty, 'driftless-aws:ssm:Parameter').inputs.value).toEqual(secretInput('{}'));
  });

  it('gives the role, assumable by the service principal, exactly the queue and parameter it needs', async () => {
    const run = await mockTemplate(workerTemplate, { ...minimal, servicePrincipal: 'lambda.amazonaws.com' }, ctx);
    const role = oneOfType(run, 'driftless-aws:iam:Role').inputs;

    expect(role.assumeRolePolicy).toEqual({
      Version: '2012-10-17',
      Statement: [{ Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' }, Action: 'sts:AssumeRole' }],
    });
    expect(role.inlinePolicies).toEqual({
      [WORKER_POLICY_NAME]: {
        Version: '2012-10-17',
        Statement: [
          { Sid: 'ConsumeQueue', Effect: 'Allow', Action: QUEUE_ACTIONS, Resource: mockArn('sqs', 'dev-orders-worker') },
          { Sid: 'ReadConfig', Effect: 'Allow', Action: PARAMETER_ACTIONS, Resource: mockArn('ssm', '/dev/orders-worker/config') },
        ],
      },
    });
    expect(QUEUE_ACTIONS).toEqual(expect.arrayContaining(['sqs:ReceiveMessage', 'sqs:DeleteMessage']));
    expect(PARAMETER_ACTIONS).toContain('ssm:GetParameter');
    expect([...QUEUE_ACTIONS, ...PARAMETER_ACTIONS].filter((a) => a.includes('*'))).toEqual([]);

    const byDefault = await mockTemplate(workerTemplate, minimal, ctx);
    expect(oneOfType(byDefault, 'driftless-aws:iam:Role').inputs.assumeRolePolicy).toMatchObject({
      Statement: [{ Principal: { Service: 'ecs-tasks.amazonaws.com' } }],
    });
  });

  it('returns exactly the declared outputs', async () => {
    const { outputs } = await mockTemplate(workerTemplate, minimal, ctx);

    expect(Object.keys(outputs).sort()).toEqual(workerTemplate.outputs.map((o) => o.name).sort());
    expect(workerTemplate.outputs.map((o) => o.name)).toEqual([
      'queueArn',
      'queueUrl',
      'queueName',
      'deadLetterArn',
      'subscriptionArn',
      'configParameter',
      'roleArn',
      'roleName',
    ]);
    for (const o of workerTemplate.outputs) expect(o.description, o.name).not.toBe('');
    expect(outputs).toEqual({
      queueArn: mockArn('sqs', 'dev-orders-worker'),
      queueUrl: 'https://mock/dev-orders-worker',
      queueName: 'dev-orders-worker',
      deadLetterArn: mockArn('sqs', 'dev-orders-worker-dlq'),
      subscriptionArn: mockArn('sns', 'subscription'),
      configParameter: '/dev/orders-worker/config',
      roleArn: mockArn('iam', 'dev-orders-worker'),
      roleName: 'dev-orders-worker',
    });
  });

  it('shortens names that exceed the SQS and IAM limits and keeps the two queues distinct', async () => {
    const stack = `orders-${'x'.repeat(70)}`;
    const run = await mockTemplate(workerTemplate, minimal, { ...ctx, stack });
    const queue = String(resourceNamed(run, 'queue').inputs.name);
    const dlq = String(resourceNamed(run, 'dead-letter').inputs.name);
    const role = String(oneOfType(run, 'driftless-aws:iam:Role').inputs.name);
    expect(queue.length).toBeLessThanOrEqual(80);
    expect(dlq.length).toBeLessThanOrEqual(80);
    expect(dlq).not.toBe(queue);
    expect(role.length).toBeLessThanOrEqual(64);
  });
});

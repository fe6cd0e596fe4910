import { describe, expect, it } from 'vitest';
import { expectedTags, mockTemplate } from '../../../sdk/testing/index.js';
import { queueTemplate } from '../../../stacks/queue/template.js';

describe('queue template (Pulumi mocks)', () => {
  it('creates the queue and its dead-letter queue with deterministic names, tags and alarm-ready outputs', async () => {
    const params = { visibilityTimeoutSeconds: 45, deadLetter: { maxReceiveCount: 5 } };
    const { outputs, resources } = await mockTemplate(queueTemplate, params, { stack: 'orders-queue' });

    expect(resources.map((r) => [r.type, r.name])).toEqual([
      ['driftless-aws:sqs:Queue', 'dead-letter'],
      ['driftless-aws:sqs:Queue', 'queue'],
    ]);
    const [dlq, queue] = resources;
    expect(dlq!.inputs).toMatchObject({ name: 'dev-orders-queue-dlq', fifoQueue: false, messageRetentionSeconds: 1_209_600 });
    expect(queue!.inputs).toMatchObject({
      name: 'dev-orders-queue',
      visibilityTimeoutSeconds: 45,
      messageRetentionSeconds: 345_600,
      delaySeconds: 0,
      redrivePolicy: { deadLetterTargetArn: 'arn:aws:sqs:us-east-1:000000000000:dev-orders-queue-dlq', maxReceiveCount: 5 },
    });
    for (const r of resources) expect(r.inputs.tags).toEqual(expectedTags('orders-queue'));

    expect(outputs).toEqual({
      name: 'dev-orders-queue',
      arn: 'arn:aws:sqs:us-east-1:000000000000:dev-orders-queue',
      url: 'https://mock/dev-orders-queue',
      deadLetterName: 'dev-orders-queue-dlq',
      deadLetterArn: 'arn:aws:sqs:us-east-1:000000000000:dev-orders-queue-dlq',
      visibilityTimeoutSeconds: 45,
      maxReceiveCount: 5,
    });
  });

  it("lets this environment's topics and rules send to the queue unless turned off", async () => {
    const run = await mockTemplate(queueTemplate, { deadLetter: { maxReceiveCount: 3 } }, { stack: 'orders-queue' });
    const [dlq, queue] = run.resources;
    expect(queue!.inputs.policy).toEqual({
      Version: '2012-10-17',
      Statement: [
        {
          Sid: 'EnvironmentPublishers',
          Effect: 'Allow',
          Principal: { Service: ['events.amazonaws.com', 'sns.amazonaws.com'] },
          Action: 'sqs:SendMessage',
          Resource: 'arn:aws:sqs:us-east-1:000000000000:dev-orders-queue',
          Condition: {
            ArnLike: {
              'aws:SourceArn': ['arn:aws:events:us-east-1:000000000000:rule/dev-*', 'arn:aws:sns:us-east-1:000000000000:dev-*'],
            },
          },
        },
      ],
    });
    // Only publishers write to the main queue; SQS itself moves messages to the dead-letter queue.
    expect(dlq!.inputs.policy).toBeUndefined();

    const off = await mockTemplate(queueTemplate, { allowEnvironmentPublishers: false }, { stack: 'orders-queue' });
    expect(off.resources[0]!.inputs.policy).toBeUndefined();
  });

  it('names FIFO queues with .fifo and leaves the dead-letter outputs empty without one', async () => {
    const params = { fifo: true, contentBasedDeduplication: true };
    const { outputs, resources } = await mockTemplate(queueTemplate, params, { stack: 'payments' });

    expect(resources).toHaveLength(1);
    expect(resources[0]!.inputs).toMatchObject({ name: 'dev-payments.fifo', fifoQueue: true, contentBasedDeduplication: true });
    expect(resources[0]!.inputs.redrivePolicy).toBeUndefined();
    expect(outputs).toMatchObject({ deadLetterName: '', deadLetterArn: '', maxReceiveCount: 0 });
  });
});

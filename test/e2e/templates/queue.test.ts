import { GetQueueAttributesCommand, GetQueueUrlCommand, ListQueueTagsCommand, SQSClient } from '@aws-sdk/client-sqs';
import { describe, expect, it } from 'vitest';
import { awsTestConfig } from '../../support/aws.js';
import { expectedTemplateTags, expectStableThenDestroy, templateStack } from '../../support/template-e2e.js';

const yaml = `apiVersion: driftless/v1
kind: Stack
metadata: { name: orders-queue }
spec:
  template: queue
  params:
    visibilityTimeoutSeconds: 45
    messageRetentionSeconds: 86400
    deadLetter: { maxReceiveCount: 5 }
  tags: { data-class: internal }
`;

describe('queue template on LocalStack', () => {
  it('creates the queue and dead-letter queue from YAML, is stable on a second up, and destroys cleanly', async () => {
    const sqs = new SQSClient(awsTestConfig());
    const t = await templateStack({ name: 'orders-queue', documents: { 'orders-queue': yaml } });
    const { context } = t;
    const name = `${context.environment}-orders-queue`;

    const outputs = t.outputs;
    expect(outputs).toMatchObject({ name, deadLetterName: `${name}-dlq`, visibilityTimeoutSeconds: 45, maxReceiveCount: 5 });

    const { QueueUrl } = await sqs.send(new GetQueueUrlCommand({ QueueName: name }));
    expect(QueueUrl).toBe(outputs.url);
    const { Attributes } = await sqs.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['All'] }));
    expect(Attributes).toMatchObject({ VisibilityTimeout: '45', MessageRetentionPeriod: '86400', QueueArn: outputs.arn });
    expect(JSON.parse(Attributes!.RedrivePolicy!)).toEqual({ deadLetterTargetArn: outputs.deadLetterArn, maxReceiveCount: 5 });
    // The publishers' policy names this environment's topics and rules in the queue's own account.
    const account = String(outputs.arn).split(':')[4];
    expect(JSON.parse(Attributes!.Policy!).Statement).toEqual([
      expect.objectContaining({
        Sid: 'EnvironmentPublishers',
        Resource: outputs.arn,
        Condition: {
          ArnLike: {
            'aws:SourceArn': [
              `arn:aws:events:us-east-1:${account}:rule/${context.environment}-*`,
              `arn:aws:sns:us-east-1:${account}:${context.environment}-*`,
            ],
          },
        },
      }),
    ]);
    const { Tags } = await sqs.send(new ListQueueTagsCommand({ QueueUrl }));
    expect(Tags).toEqual(expectedTemplateTags(t, { 'data-class': 'internal' }));

    await expectStableThenDestroy(t);
    await expect(sqs.send(new GetQueueUrlCommand({ QueueName: name }))).rejects.toMatchObject({ name: 'QueueDoesNotExist' });
    await expect(sqs.send(new GetQueueUrlCommand({ QueueName: `${name}-dlq` }))).rejects.toMatchObject({ name: 'QueueDoesNotExist' });
  });
});

import { ListSubscriptionsByTopicCommand, ListTagsForResourceCommand, PublishCommand, SNSClient, GetTopicAttributesCommand } from '@aws-sdk/client-sns';
import { CreateQueueCommand, DeleteQueueCommand, GetQueueAttributesCommand, ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { describe, expect, it, onTestFinished } from 'vitest';
import { awsTestConfig, uniqueName } from '../../support/aws.js';
import { changesOf, plainOutputs, templateStack } from '../../support/template-e2e.js';

const queueYaml = `apiVersion: driftless/v1
kind: Stack
metadata: { name: orders-queue }
spec:
  template: queue
`;
const topicYaml = `apiVersion: driftless/v1
kind: Stack
metadata: { name: orders-topic }
spec:
  template: topic
  dependsOn: [orders-queue]
  params:
    displayName: Orders
    subscriptions:
      - queue: { fromStack: orders-queue, output: arn }
        rawMessageDelivery: true
`;

describe('topic template on LocalStack', () => {
  it('creates the topic subscribed to a queue of another stack from YAML, delivers, is stable, and destroys cleanly', async () => {
    const sns = new SNSClient(awsTestConfig());
    const sqs = new SQSClient(awsTestConfig());
    // The queue stands in for the queue stack's resources (one Pulumi stack per file).
    const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: uniqueName('e2e-topic-target') }));
    onTestFinished(async () => {
      await sqs.send(new DeleteQueueCommand({ QueueUrl }));
    });
    const queueArn = (await sqs.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['QueueArn'] }))).Attributes!.QueueArn!;
    const { stack, context } = await templateStack({
      name: 'orders-topic',
      documents: { 'orders-queue': queueYaml, 'orders-topic': topicYaml },
      dependencies: { 'orders-queue': { arn: queueArn } },
    });

    const up = await stack.up();
    expect(up.summary.result).toBe('succeeded');
    const outputs = plainOutputs(up.outputs);
    expect(outputs.name).toBe(`${context.environment}-orders-topic`);
    const topicArn = outputs.arn as string;

    const { Attributes } = await sns.send(new GetTopicAttributesCommand({ TopicArn: topicArn }));
    expect(Attributes?.DisplayName).toBe('Orders');
    const { Subscriptions } = await sns.send(new ListSubscriptionsByTopicCommand({ TopicArn: topicArn }));
    expect(Subscriptions?.map((s) => [s.Protocol, s.Endpoint])).toEqual([['sqs', queueArn]]);
    const { Tags } = await sns.send(new ListTagsForResourceCommand({ ResourceArn: topicArn }));
    expect(Object.fromEntries((Tags ?? []).map((t) => [t.Key, t.Value]))).toEqual({
      team: 'templates-e2e',
      environment: context.environment,
      stack: 'orders-topic',
      'managed-by': 'driftless',
      revision: context.revision,
    });

    // Raw delivery: the queue receives the body itself, not the SNS envelope.
    await sns.send(new PublishCommand({ TopicArn: topicArn, Message: 'order-42' }));
    const received = await sqs.send(new ReceiveMessageCommand({ QueueUrl, WaitTimeSeconds: 10, MaxNumberOfMessages: 1 }));
    expect(received.Messages?.map((m) => m.Body)).toEqual(['order-42']);

    const again = await stack.up();
    expect(changesOf(again.summary)).toEqual({});

    const destroy = await stack.destroy();
    expect(destroy.summary.result).toBe('succeeded');
    await expect(sns.send(new GetTopicAttributesCommand({ TopicArn: topicArn }))).rejects.toMatchObject({ name: 'NotFoundException' });
  });
});

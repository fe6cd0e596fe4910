import {
  GetTopicAttributesCommand,
  ListSubscriptionsByTopicCommand,
  ListTagsForResourceCommand,
  PublishCommand,
  SNSClient,
} from '@aws-sdk/client-sns';
import { ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { describe, expect, it } from 'vitest';
import { awsTestConfig, uniqueName } from '../../support/aws.js';
import {
  appliedOrdersQueue,
  expectedTemplateTags,
  expectStableThenDestroy,
  ORDERS_QUEUE_YAML,
  tagMap,
  templateStack,
} from '../../support/template-e2e.js';

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
  it("subscribes the queue of a queue stack from YAML, delivers through both stacks' policies, is stable, and destroys cleanly", async () => {
    const sns = new SNSClient(awsTestConfig());
    const sqs = new SQSClient(awsTestConfig());
    // Both stacks of one environment: the queue stack's policy lets the topic send, no cross-stack write.
    const environment = uniqueName('e2e');
    const queue = await appliedOrdersQueue(environment);
    const t = await templateStack({
      name: 'orders-topic',
      environment,
      documents: { 'orders-queue': ORDERS_QUEUE_YAML, 'orders-topic': topicYaml },
      dependencies: { 'orders-queue': queue },
    });

    const outputs = t.outputs;
    expect(outputs.name).toBe(`${environment}-orders-topic`);
    const topicArn = outputs.arn as string;

    const { Attributes } = await sns.send(new GetTopicAttributesCommand({ TopicArn: topicArn }));
    expect(Attributes?.DisplayName).toBe('Orders');
    expect(JSON.parse(Attributes!.Policy!).Statement.map((s: { Sid: string }) => s.Sid)).toEqual(['OwnerAccount', 'EnvironmentRules']);
    const { Subscriptions } = await sns.send(new ListSubscriptionsByTopicCommand({ TopicArn: topicArn }));
    expect(Subscriptions?.map((s) => [s.Protocol, s.Endpoint])).toEqual([['sqs', queue.arn]]);
    const { Tags } = await sns.send(new ListTagsForResourceCommand({ ResourceArn: topicArn }));
    expect(tagMap(Tags, 'Key', 'Value')).toEqual(expectedTemplateTags(t));

    // Raw delivery: the queue receives the body itself, not the SNS envelope.
    await sns.send(new PublishCommand({ TopicArn: topicArn, Message: 'order-42' }));
    const received = await sqs.send(
      new ReceiveMessageCommand({ QueueUrl: queue.url as string, WaitTimeSeconds: 10, MaxNumberOfMessages: 1 }),
    );
    expect(received.Messages?.map((m) => m.Body)).toEqual(['order-42']);

    await expectStableThenDestroy(t);
    await expect(sns.send(new GetTopicAttributesCommand({ TopicArn: topicArn }))).rejects.toMatchObject({ name: 'NotFoundException' });
  });
});

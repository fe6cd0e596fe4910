import {
  DescribeRuleCommand,
  EventBridgeClient,
  ListTagsForResourceCommand,
  ListTargetsByRuleCommand,
  PutEventsCommand,
} from '@aws-sdk/client-eventbridge';
import { ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { describe, expect, it } from 'vitest';
import { awsTestConfig, uniqueName } from '../../support/aws.js';
import {
  appliedOrdersQueue,
  expectedTemplateTags,
  expectStableThenDestroy,
  ORDERS_QUEUE_YAML,
  standInQueue,
  tagMap,
  templateStack,
} from '../../support/template-e2e.js';

const ruleYaml = `apiVersion: driftless/v1
kind: Stack
metadata: { name: nightly-report }
spec:
  template: event-rule
  dependsOn: [orders-queue]
  params:
    description: Ask the report worker for the nightly report
    schedule: cron(0 2 * * ? *)
    target: { fromStack: orders-queue, output: arn }
`;
const patternYaml = `apiVersion: driftless/v1
kind: Stack
metadata: { name: order-placed }
spec:
  template: event-rule
  dependsOn: [orders-queue]
  params:
    eventPattern: { source: [shop.orders], detail-type: [OrderPlaced] }
    target: { fromStack: orders-queue, output: arn }
`;

describe('event-rule template on LocalStack', () => {
  it('creates a scheduled rule targeting a queue of another stack from YAML, is stable, and destroys cleanly', async () => {
    const events = new EventBridgeClient(awsTestConfig());
    // The target queue stands in for the queue stack's resources (one Pulumi stack here).
    const queue = await standInQueue('e2e-rule-target');
    const t = await templateStack({
      name: 'nightly-report',
      documents: { 'orders-queue': ORDERS_QUEUE_YAML, 'nightly-report': ruleYaml },
      dependencies: { 'orders-queue': { arn: queue.arn } },
    });
    const name = `${t.context.environment}-nightly-report`;

    const outputs = t.outputs;
    expect(outputs.name).toBe(name);

    const rule = await events.send(new DescribeRuleCommand({ Name: name }));
    expect(rule).toMatchObject({
      Arn: outputs.arn,
      ScheduleExpression: 'cron(0 2 * * ? *)',
      State: 'ENABLED',
      Description: 'Ask the report worker for the nightly report',
    });
    const { Targets } = await events.send(new ListTargetsByRuleCommand({ Rule: name }));
    expect(Targets?.map((x) => [x.Id, x.Arn])).toEqual([['target', queue.arn]]);
    const { Tags } = await events.send(new ListTagsForResourceCommand({ ResourceARN: outputs.arn as string }));
    expect(tagMap(Tags, 'Key', 'Value')).toEqual(expectedTemplateTags(t));

    await expectStableThenDestroy(t);
    await expect(events.send(new DescribeRuleCommand({ Name: name }))).rejects.toMatchObject({ name: 'ResourceNotFoundException' });
  });

  it("delivers matching events to the queue of a queue stack, whose policy admits the environment's rules", async () => {
    const events = new EventBridgeClient(awsTestConfig());
    const sqs = new SQSClient(awsTestConfig());
    const environment = uniqueName('e2e');
    const queue = await appliedOrdersQueue(environment);
    const t = await templateStack({
      name: 'order-placed',
      environment,
      documents: { 'orders-queue': ORDERS_QUEUE_YAML, 'order-placed': patternYaml },
      dependencies: { 'orders-queue': queue },
    });
    expect(t.lastUp.changes.create).toBeGreaterThan(0);

    const put = await events.send(
      new PutEventsCommand({
        Entries: [{ Source: 'shop.orders', DetailType: 'OrderPlaced', Detail: JSON.stringify({ order: 42 }) }],
      }),
    );
    expect(put.FailedEntryCount).toBe(0);
    const received = await sqs.send(
      new ReceiveMessageCommand({ QueueUrl: queue.url as string, WaitTimeSeconds: 10, MaxNumberOfMessages: 1 }),
    );
    expect(received.Messages?.map((m) => JSON.parse(m.Body ?? '{}').detail)).toEqual([{ order: 42 }]);

    await t.destroy();
    expect(t.destroyed).toBe(true);
  });
});

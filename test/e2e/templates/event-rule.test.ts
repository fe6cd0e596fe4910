import { DescribeRuleCommand, EventBridgeClient, ListTagsForResourceCommand, ListTargetsByRuleCommand } from '@aws-sdk/client-eventbridge';
import { CreateQueueCommand, DeleteQueueCommand, GetQueueAttributesCommand, SQSClient } from '@aws-sdk/client-sqs';
import { describe, expect, it, onTestFinished } from 'vitest';
import { awsTestConfig, uniqueName } from '../../support/aws.js';
import { changesOf, plainOutputs, templateStack } from '../../support/template-e2e.js';

const queueYaml = `apiVersion: driftless/v1
kind: Stack
metadata: { name: orders-queue }
spec:
  template: queue
`;
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

describe('event-rule template on LocalStack', () => {
  it('creates a scheduled rule targeting a queue of another stack from YAML, is stable, and destroys cleanly', async () => {
    const events = new EventBridgeClient(awsTestConfig());
    const sqs = new SQSClient(awsTestConfig());
    // The target queue stands in for the queue stack's resources (one Pulumi stack per file).
    const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: uniqueName('e2e-rule-target') }));
    onTestFinished(async () => {
      await sqs.send(new DeleteQueueCommand({ QueueUrl }));
    });
    const queueArn = (await sqs.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['QueueArn'] }))).Attributes!.QueueArn!;
    const { stack, context } = await templateStack({
      name: 'nightly-report',
      documents: { 'orders-queue': queueYaml, 'nightly-report': ruleYaml },
      dependencies: { 'orders-queue': { arn: queueArn } },
    });
    const name = `${context.environment}-nightly-report`;

    const up = await stack.up();
    expect(up.summary.result).toBe('succeeded');
    const outputs = plainOutputs(up.outputs);
    expect(outputs.name).toBe(name);

    const rule = await events.send(new DescribeRuleCommand({ Name: name }));
    expect(rule).toMatchObject({
      Arn: outputs.arn,
      ScheduleExpression: 'cron(0 2 * * ? *)',
      State: 'ENABLED',
      Description: 'Ask the report worker for the nightly report',
    });
    const { Targets } = await events.send(new ListTargetsByRuleCommand({ Rule: name }));
    expect(Targets?.map((t) => [t.Id, t.Arn])).toEqual([['target', queueArn]]);
    const { Tags } = await events.send(new ListTagsForResourceCommand({ ResourceARN: outputs.arn as string }));
    expect(Object.fromEntries((Tags ?? []).map((t) => [t.Key, t.Value]))).toEqual({
      team: 'templates-e2e',
      environment: context.environment,
      stack: 'nightly-report',
      'managed-by': 'driftless',
      revision: context.revision,
    });

    const again = await stack.up();
    expect(changesOf(again.summary)).toEqual({});

    const destroy = await stack.destroy();
    expect(destroy.summary.result).toBe('succeeded');
    await expect(events.send(new DescribeRuleCommand({ Name: name }))).rejects.toMatchObject({ name: 'ResourceNotFoundException' });
  });
});

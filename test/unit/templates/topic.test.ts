import { describe, expect, it } from 'vitest';
import { expectedTags, mockTemplate } from '../../../sdk/testing/index.js';
import { topicTemplate } from '../../../stacks/topic/template.js';

const ordersArn = 'arn:aws:sqs:us-east-1:000000000000:dev-orders-queue';
const auditArn = 'arn:aws:sqs:us-east-1:000000000000:dev-audit-queue';

describe('topic template (Pulumi mocks)', () => {
  it('creates the topic and subscribes the queues of the stacks it depends on', async () => {
    const params = {
      displayName: 'Orders',
      subscriptions: [
        { queue: { fromStack: 'orders-queue', output: 'arn' }, rawMessageDelivery: true },
        { queue: { fromStack: 'audit-queue', output: 'arn' }, filterPolicy: { kind: ['audit'] } },
      ],
    };
    const run = await mockTemplate(topicTemplate, params, {
      stack: 'orders-topic',
      dependencies: { 'orders-queue': { arn: ordersArn }, 'audit-queue': { arn: auditArn } },
    });

    const topic = run.resources.find((r) => r.type === 'driftless-aws:sns:Topic')!;
    const { policy, ...rest } = topic.inputs;
    expect(rest).toEqual({ name: 'dev-orders-topic', fifoTopic: false, displayName: 'Orders', tags: expectedTags('orders-topic') });
    expect(policy).toMatchObject({ Statement: [{ Sid: 'OwnerAccount' }, { Sid: 'EnvironmentRules' }] });
    const subs = run.resources.filter((r) => r.type === 'driftless-aws:sns:Subscription').sort((a, b) => a.name.localeCompare(b.name));
    const topicArn = 'arn:aws:sns:us-east-1:000000000000:dev-orders-topic';
    expect(subs.map((s) => [s.name, s.inputs])).toEqual([
      [
        'queue:audit-queue.arn',
        { topicArn, protocol: 'sqs', endpoint: auditArn, rawMessageDelivery: false, filterPolicy: { kind: ['audit'] } },
      ],
      ['queue:orders-queue.arn', { topicArn, protocol: 'sqs', endpoint: ordersArn, rawMessageDelivery: true }],
    ]);
    expect(run.outputs).toEqual({ arn: topicArn, name: 'dev-orders-topic' });
  });

  it("lets this environment's EventBridge rules publish, and keeps the account's own grant", async () => {
    const run = await mockTemplate(topicTemplate, {}, { stack: 'alerts' });
    const topicArn = 'arn:aws:sns:us-east-1:000000000000:dev-alerts';
    expect(run.resources[0]!.inputs.policy).toEqual({
      Version: '2012-10-17',
      Statement: [
        expect.objectContaining({
          Sid: 'OwnerAccount',
          Principal: { AWS: '*' },
          Resource: topicArn,
          Condition: { StringEquals: { 'AWS:SourceOwner': '000000000000' } },
        }),
        {
          Sid: 'EnvironmentRules',
          Effect: 'Allow',
          Principal: { Service: 'events.amazonaws.com' },
          Action: 'sns:Publish',
          Resource: topicArn,
          Condition: { ArnLike: { 'aws:SourceArn': 'arn:aws:events:us-east-1:000000000000:rule/dev-*' } },
        },
      ],
    });

    const off = await mockTemplate(topicTemplate, { allowEnvironmentPublishers: false }, { stack: 'alerts' });
    expect(off.resources[0]!.inputs.policy).toMatchObject({ Statement: [{ Sid: 'OwnerAccount' }] });
    expect((off.resources[0]!.inputs.policy as { Statement: unknown[] }).Statement).toHaveLength(1);
  });

  it('names a FIFO topic with .fifo', async () => {
    const run = await mockTemplate(topicTemplate, { fifo: true }, { stack: 'orders-topic' });
    expect(run.resources.map((r) => r.inputs.name)).toEqual(['dev-orders-topic.fifo']);
  });
});

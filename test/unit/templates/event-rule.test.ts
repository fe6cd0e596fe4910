import { describe, expect, it } from 'vitest';
import { expectedTags, mockTemplate } from '../../../sdk/testing/index.js';
import { eventRuleTemplate } from '../../../stacks/event-rule/template.js';

const queueArn = 'arn:aws:sqs:us-east-1:000000000000:dev-orders-queue';

describe('event-rule template (Pulumi mocks)', () => {
  it('creates a scheduled rule targeting the queue of another stack', async () => {
    const params = {
      description: 'nightly report',
      schedule: 'cron(0 2 * * ? *)',
      target: { fromStack: 'orders-queue', output: 'arn' },
    };
    const run = await mockTemplate(eventRuleTemplate, params, {
      stack: 'nightly-report',
      dependencies: { 'orders-queue': { arn: queueArn } },
    });

    expect(run.resources.map((r) => [r.type, r.name])).toEqual([
      ['driftless-aws:events:Rule', 'rule'],
      ['driftless-aws:events:Target', 'target'],
    ]);
    const [rule, target] = run.resources;
    expect(rule!.inputs).toEqual({
      name: 'dev-nightly-report',
      description: 'nightly report',
      scheduleExpression: 'cron(0 2 * * ? *)',
      state: 'ENABLED',
      tags: expectedTags('nightly-report'),
    });
    expect(target!.inputs).toEqual({ rule: 'dev-nightly-report', targetId: 'target', arn: queueArn });
    expect(run.outputs).toEqual({ arn: 'arn:aws:events:us-east-1:000000000000:dev-nightly-report', name: 'dev-nightly-report' });
  });

  it('takes an event pattern instead of a schedule, disabled when asked', async () => {
    const pattern = { source: ['orders'], 'detail-type': ['OrderPlaced'] };
    const params = { eventPattern: pattern, enabled: false, target: { fromStack: 'orders-topic', output: 'arn' } };
    const topicArn = 'arn:aws:sns:us-east-1:000000000000:dev-orders-topic';
    const run = await mockTemplate(eventRuleTemplate, params, {
      stack: 'order-events',
      dependencies: { 'orders-topic': { arn: topicArn } },
    });

    expect(run.resources[0]!.inputs).toMatchObject({ eventPattern: pattern, state: 'DISABLED' });
    expect(run.resources[0]!.inputs.scheduleExpression).toBeUndefined();
    expect(run.resources[1]!.inputs.arn).toBe(topicArn);
  });
});

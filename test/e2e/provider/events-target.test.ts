import { EventBridgeClient, ListRulesCommand, PutTargetsCommand, RemoveTargetsCommand } from '@aws-sdk/client-eventbridge';
import { GetQueueAttributesCommand, ListQueuesCommand, SQSClient } from '@aws-sdk/client-sqs';
import { Queue, Rule, Target } from '../../../provider/sdk/index.js';
import { awsTestConfig, uniqueName } from '../../support/aws.js';
import { conformanceSuite, type Phase } from './conformance.js';

const events = new EventBridgeClient(awsTestConfig());
const sqs = new SQSClient(awsTestConfig());
const prefix = uniqueName('conf-target');
const ruleName = `${prefix}-orders`;

/** The target's id is `<bus>/<rule>/<targetId>`. */
const targetIdOf = (id: string) => id.split('/').pop() ?? '';

conformanceSuite({
  name: 'events-target',
  token: 'driftless-aws:events:Target',
  program: (phase: Phase) => async () => {
    const queue = new Queue('inbox', { name: `${prefix}-inbox` });
    const rule = new Rule('orders', { name: ruleName, eventPattern: { source: ['shop.orders'] } });
    const target = new Target('to-inbox', {
      rule: rule.name,
      targetId: phase === 'replace' ? 'inbox-v2' : 'inbox',
      arn: queue.arn,
      input: phase === 'create' ? '{ "kind": "order" }' : { kind: 'order', version: 2 },
    });
    return { id: target.id };
  },
  changeOutOfBand: async (id) => {
    const queueUrl = (await sqs.send(new ListQueuesCommand({ QueueNamePrefix: `${prefix}-inbox` }))).QueueUrls?.[0];
    const attrs = await sqs.send(new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['QueueArn'] }));
    const queueArn = attrs.Attributes?.QueueArn;
    await events.send(
      new PutTargetsCommand({ Rule: ruleName, Targets: [{ Id: targetIdOf(id), Arn: queueArn, Input: '{"kind":"refund"}' }] }),
    );
    return { field: 'input', actual: '{"kind":"refund"}' };
  },
  deleteOutOfBand: async (id) => {
    await events.send(new RemoveTargetsCommand({ Rule: ruleName, Ids: [targetIdOf(id)] }));
  },
  leftovers: async () => [
    ...((await events.send(new ListRulesCommand({ NamePrefix: prefix }))).Rules ?? []).map((r) => `rule ${r.Name}`),
    ...((await sqs.send(new ListQueuesCommand({ QueueNamePrefix: prefix }))).QueueUrls ?? []),
  ],
  invalid: [
    {
      what: 'a wrong type',
      property: 'arn',
      program: async () => {
        new Target('bad-type', { rule: ruleName, targetId: 'bad', arn: 42 as unknown as string });
      },
    },
    {
      what: 'a bad target id',
      property: 'targetId',
      program: async () => {
        new Target('bad-name', { rule: ruleName, targetId: 'inbox one!', arn: 'arn:aws:sqs:us-east-1:000000000000:nope' });
      },
    },
    {
      what: 'bad input JSON',
      property: 'input',
      program: async () => {
        new Target('bad-input', {
          rule: ruleName,
          targetId: 'bad-input',
          arn: 'arn:aws:sqs:us-east-1:000000000000:nope',
          input: '{"kind":',
        });
      },
    },
  ],
});

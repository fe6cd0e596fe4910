import { DeleteRuleCommand, DisableRuleCommand, EventBridgeClient, ListRulesCommand } from '@aws-sdk/client-eventbridge';
import { Rule } from '../../../provider/sdk/index.js';
import { awsTestConfig, uniqueName } from '../../support/aws.js';
import { conformanceSuite, type Phase } from './conformance.js';

const events = new EventBridgeClient(awsTestConfig());
const prefix = uniqueName('conf-rule');

conformanceSuite({
  name: 'events-rule',
  token: 'driftless-aws:events:Rule',
  program: (phase: Phase) => async () => {
    const rule = new Rule('orders', {
      name: phase === 'replace' ? `${prefix}-orders-v2` : `${prefix}-orders`,
      description: 'order events',
      // Given as spaced-out text with keys in another order: stored canonical, so no diff.
      eventPattern:
        phase === 'create'
          ? '{ "detail-type": ["OrderPlaced"], "source": ["shop.orders"] }'
          : { source: ['shop.orders'], 'detail-type': ['OrderPlaced', 'OrderCancelled'] },
      tags: { team: 'payments' },
    });
    return { id: rule.id };
  },
  changeOutOfBand: async (name) => {
    await events.send(new DisableRuleCommand({ Name: name }));
    return { field: 'state', actual: 'DISABLED' };
  },
  deleteOutOfBand: async (name) => {
    await events.send(new DeleteRuleCommand({ Name: name }));
  },
  leftovers: async () => ((await events.send(new ListRulesCommand({ NamePrefix: prefix }))).Rules ?? []).map((r) => r.Name ?? ''),
  invalid: [
    {
      what: 'a wrong type',
      property: 'state',
      program: async () => {
        new Rule('bad-type', { name: `${prefix}-bad`, scheduleExpression: 'rate(5 minutes)', state: true as unknown as 'ENABLED' });
      },
    },
    {
      what: 'a bad name',
      property: 'name',
      program: async () => {
        new Rule('bad-name', { name: `${prefix} orders!`, scheduleExpression: 'rate(5 minutes)' });
      },
    },
    {
      what: 'bad pattern JSON',
      property: 'eventPattern',
      program: async () => {
        new Rule('bad-pattern', { name: `${prefix}-bad-pattern`, eventPattern: '{"source": [' });
      },
    },
  ],
});

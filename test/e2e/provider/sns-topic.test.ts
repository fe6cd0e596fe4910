import { DeleteTopicCommand, ListTopicsCommand, SetTopicAttributesCommand, SNSClient } from '@aws-sdk/client-sns';
import { Topic } from '../../../provider/sdk/index.js';
import { awsTestConfig, uniqueName } from '../../support/aws.js';
import { conformanceSuite, type Phase } from './conformance.js';

const sns = new SNSClient(awsTestConfig());
const prefix = uniqueName('conf-sns-topic');

conformanceSuite({
  name: 'sns-topic',
  token: 'driftless-aws:sns:Topic',
  program: (phase: Phase) => async () => {
    const topic = new Topic('events', {
      name: phase === 'replace' ? `${prefix}-events.fifo` : `${prefix}-events`,
      fifoTopic: phase === 'replace',
      displayName: phase === 'create' ? 'Order events' : 'Order events (v2)',
      policy: JSON.stringify({
        Version: '2012-10-17',
        Statement: [{ Effect: 'Allow', Principal: { AWS: '*' }, Action: ['sns:Subscribe'], Resource: '*' }],
      }),
      tags: { team: 'orders' },
    });
    return { id: topic.id };
  },
  changeOutOfBand: async (arn) => {
    await sns.send(new SetTopicAttributesCommand({ TopicArn: arn, AttributeName: 'DisplayName', AttributeValue: 'changed by hand' }));
    return { field: 'displayName', actual: 'changed by hand' };
  },
  deleteOutOfBand: async (arn) => {
    await sns.send(new DeleteTopicCommand({ TopicArn: arn }));
  },
  leftovers: async () =>
    ((await sns.send(new ListTopicsCommand({}))).Topics ?? []).map((t) => t.TopicArn ?? '').filter((a) => a.includes(prefix)),
  invalid: [
    {
      what: 'a wrong type',
      property: 'displayName',
      program: async () => {
        new Topic('bad-type', { name: `${prefix}-bad`, displayName: 42 as unknown as string });
      },
    },
    {
      what: 'a bad name',
      property: 'name',
      program: async () => {
        new Topic('bad-name', { name: `${prefix}/events` });
      },
    },
    {
      what: 'bad policy JSON',
      property: 'policy',
      program: async () => {
        new Topic('bad-policy', { name: `${prefix}-bad-policy`, policy: 'Statement: allow' });
      },
    },
  ],
});

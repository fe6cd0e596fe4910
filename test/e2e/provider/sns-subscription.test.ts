import { ListQueuesCommand, SQSClient } from '@aws-sdk/client-sqs';
import {
  ListSubscriptionsCommand,
  ListTopicsCommand,
  SetSubscriptionAttributesCommand,
  SNSClient,
  UnsubscribeCommand,
} from '@aws-sdk/client-sns';
import { Queue, Subscription, Topic } from '../../../provider/sdk/index.js';
import { awsTestConfig, uniqueName } from '../../support/aws.js';
import { conformanceSuite, type Phase } from './conformance.js';

const sns = new SNSClient(awsTestConfig());
const sqs = new SQSClient(awsTestConfig());
const prefix = uniqueName('conf-sns-sub');

conformanceSuite({
  name: 'sns-subscription',
  token: 'driftless-aws:sns:Subscription',
  program: (phase: Phase) => async () => {
    const topic = new Topic('events', { name: `${prefix}-events` });
    const blue = new Queue('blue', { name: `${prefix}-blue` });
    const green = new Queue('green', { name: `${prefix}-green` });
    const sub = new Subscription('fanout', {
      topicArn: topic.arn,
      protocol: 'sqs',
      endpoint: phase === 'replace' ? green.arn : blue.arn,
      rawMessageDelivery: phase !== 'create',
      // Keys in another order than SNS hands them back.
      filterPolicy: { type: ['order'], amount: [{ numeric: ['>', 0] }] },
    });
    return { id: sub.id };
  },
  changeOutOfBand: async (arn) => {
    await sns.send(
      new SetSubscriptionAttributesCommand({ SubscriptionArn: arn, AttributeName: 'RawMessageDelivery', AttributeValue: 'false' }),
    );
    return { field: 'rawMessageDelivery', actual: false };
  },
  deleteOutOfBand: async (arn) => {
    await sns.send(new UnsubscribeCommand({ SubscriptionArn: arn }));
  },
  leftovers: async () => [
    ...((await sns.send(new ListSubscriptionsCommand({}))).Subscriptions ?? [])
      .map((s) => s.SubscriptionArn ?? '')
      .filter((a) => a.includes(prefix)),
    ...((await sns.send(new ListTopicsCommand({}))).Topics ?? []).map((t) => t.TopicArn ?? '').filter((a) => a.includes(prefix)),
    ...((await sqs.send(new ListQueuesCommand({ QueueNamePrefix: prefix }))).QueueUrls ?? []),
  ],
  invalid: [
    {
      what: 'a wrong type',
      property: 'rawMessageDelivery',
      program: async () => {
        new Subscription('bad-type', {
          topicArn: `arn:aws:sns:us-east-1:000000000000:${prefix}-none`,
          protocol: 'sqs',
          endpoint: `arn:aws:sqs:us-east-1:000000000000:${prefix}-none`,
          rawMessageDelivery: 'on' as unknown as boolean,
        });
      },
    },
    {
      what: 'a bad topic ARN',
      property: 'topicArn',
      program: async () => {
        new Subscription('bad-name', {
          topicArn: `${prefix}-events`,
          protocol: 'sqs',
          endpoint: `arn:aws:sqs:us-east-1:000000000000:${prefix}-none`,
        });
      },
    },
    {
      what: 'bad filter policy JSON',
      property: 'filterPolicy',
      program: async () => {
        new Subscription('bad-policy', {
          topicArn: `arn:aws:sns:us-east-1:000000000000:${prefix}-none`,
          protocol: 'sqs',
          endpoint: `arn:aws:sqs:us-east-1:000000000000:${prefix}-none`,
          filterPolicy: '{"type": ["order"]',
        });
      },
    },
  ],
  failsAtApply: [
    {
      what: 'a topic that does not exist',
      program: async () => {
        new Subscription('orphan', {
          topicArn: `arn:aws:sns:us-east-1:000000000000:${prefix}-missing`,
          protocol: 'sqs',
          endpoint: `arn:aws:sqs:us-east-1:000000000000:${prefix}-missing`,
        });
      },
      message:
        /SNS Subscribe failed \[driftless-aws:kind=not-found code=NotFoundException\]: Topic does not exist \(the resource does not exist\)/,
    },
  ],
});

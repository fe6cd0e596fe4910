import { DeleteQueueCommand, ListQueuesCommand, SetQueueAttributesCommand, SQSClient } from '@aws-sdk/client-sqs';
import { Queue } from '../../../provider/sdk/index.js';
import { awsTestConfig, uniqueName } from '../../support/aws.js';
import { conformanceSuite, type Phase } from './conformance.js';

const sqs = new SQSClient(awsTestConfig());
const prefix = uniqueName('conf-sqs');

const accessPolicy = (resource: string) => ({
  Version: '2012-10-17',
  // Written with keys out of order and one-item lists, as people write them.
  Statement: [{ Resource: [resource], Action: ['sqs:SendMessage'], Effect: 'Allow', Principal: { AWS: '*' } }],
});

conformanceSuite({
  name: 'sqs-queue',
  token: 'driftless-aws:sqs:Queue',
  program: (phase: Phase) => async () => {
    const dlq = new Queue('dlq', { name: `${prefix}-dlq` });
    const queue = new Queue('orders', {
      name: phase === 'replace' ? `${prefix}-orders-v2` : `${prefix}-orders`,
      visibilityTimeoutSeconds: phase === 'create' ? 30 : 45,
      redrivePolicy: { deadLetterTargetArn: dlq.arn, maxReceiveCount: 5 },
      policy: accessPolicy('*'),
      tags: { team: 'payments', env: 'e2e' },
    });
    return { id: queue.id };
  },
  changeOutOfBand: async (url) => {
    await sqs.send(new SetQueueAttributesCommand({ QueueUrl: url, Attributes: { VisibilityTimeout: '120' } }));
    return { field: 'visibilityTimeoutSeconds', actual: 120 };
  },
  deleteOutOfBand: async (url) => {
    await sqs.send(new DeleteQueueCommand({ QueueUrl: url }));
  },
  leftovers: async () => (await sqs.send(new ListQueuesCommand({ QueueNamePrefix: prefix }))).QueueUrls ?? [],
  invalid: [
    {
      what: 'a wrong type',
      property: 'visibilityTimeoutSeconds',
      program: async () => {
        new Queue('bad-type', { name: `${prefix}-bad`, visibilityTimeoutSeconds: 'soon' as unknown as number });
      },
    },
    {
      what: 'a bad name',
      property: 'name',
      program: async () => {
        new Queue('bad-name', { name: `${prefix} orders!` });
      },
    },
    {
      what: 'bad policy JSON',
      property: 'policy',
      program: async () => {
        new Queue('bad-policy', { name: `${prefix}-bad-policy`, policy: '{"Statement": [' });
      },
    },
  ],
});

import {
  CloudWatchLogsClient,
  DeleteLogGroupCommand,
  DescribeLogGroupsCommand,
  PutRetentionPolicyCommand,
} from '@aws-sdk/client-cloudwatch-logs';
import { LogGroup } from '../../../provider/sdk/index.js';
import { awsTestConfig, uniqueName } from '../../support/aws.js';
import { conformanceSuite, type Phase } from './conformance.js';

const logs = new CloudWatchLogsClient(awsTestConfig());
const prefix = `/${uniqueName('conf-logs')}`;

conformanceSuite({
  name: 'logs-log-group',
  token: 'driftless-aws:logs:LogGroup',
  program: (phase: Phase) => async () => {
    const group = new LogGroup('app', {
      name: phase === 'replace' ? `${prefix}/app-v2` : `${prefix}/app`,
      retentionInDays: phase === 'create' ? 14 : 30,
      tags: { team: 'payments' },
    });
    return { id: group.id };
  },
  changeOutOfBand: async (name) => {
    await logs.send(new PutRetentionPolicyCommand({ logGroupName: name, retentionInDays: 90 }));
    return { field: 'retentionInDays', actual: 90 };
  },
  deleteOutOfBand: async (name) => {
    await logs.send(new DeleteLogGroupCommand({ logGroupName: name }));
  },
  leftovers: async () =>
    ((await logs.send(new DescribeLogGroupsCommand({ logGroupNamePrefix: prefix }))).logGroups ?? []).map((g) => g.logGroupName ?? ''),
  invalid: [
    {
      what: 'a wrong type',
      property: 'retentionInDays',
      program: async () => {
        new LogGroup('bad-type', { name: `${prefix}/bad`, retentionInDays: 'forever' as unknown as number });
      },
    },
    {
      what: 'a retention CloudWatch does not offer',
      property: 'retentionInDays',
      program: async () => {
        new LogGroup('bad-retention', { name: `${prefix}/bad-retention`, retentionInDays: 8 });
      },
    },
    {
      what: 'a bad name',
      property: 'name',
      program: async () => {
        new LogGroup('bad-name', { name: `${prefix}/bad name!` });
      },
    },
  ],
});

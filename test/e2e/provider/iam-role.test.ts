import {
  IAMClient,
  ListRolesCommand,
  PutRolePolicyCommand,
  DeleteRoleCommand,
  DeleteRolePolicyCommand,
  DetachRolePolicyCommand,
  ListAttachedRolePoliciesCommand,
  ListRolePoliciesCommand,
} from '@aws-sdk/client-iam';
import { Role } from '../../../provider/sdk/index.js';
import { awsTestConfig, uniqueName } from '../../support/aws.js';
import { conformanceSuite, type Phase } from './conformance.js';

const iam = new IAMClient(awsTestConfig());
const prefix = uniqueName('conf-iam');

// Written as people write them: keys out of order, one-item lists; the provider stores them canonical.
const trust = (service: string) => ({
  Statement: [{ Action: ['sts:AssumeRole'], Principal: { Service: [service] }, Effect: 'Allow' }],
  Version: '2012-10-17',
});
const readBucket = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 's3:GetObject', Resource: '*' }] };

conformanceSuite({
  name: 'iam-role',
  token: 'driftless-aws:iam:Role',
  program: (phase: Phase) => async () => {
    const role = new Role('worker', {
      name: phase === 'replace' ? `${prefix}-worker-v2` : `${prefix}-worker`,
      assumeRolePolicy: trust(phase === 'create' ? 'lambda.amazonaws.com' : 'ecs-tasks.amazonaws.com'),
      inlinePolicies: { 'read-bucket': JSON.stringify(readBucket, null, 2) },
      managedPolicyArns: ['arn:aws:iam::aws:policy/ReadOnlyAccess'],
      tags: { team: 'payments' },
    });
    return { id: role.id };
  },
  changeOutOfBand: async (name) => {
    const widened = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 's3:*', Resource: '*' }] };
    await iam.send(new PutRolePolicyCommand({ RoleName: name, PolicyName: 'read-bucket', PolicyDocument: JSON.stringify(widened) }));
    return {
      field: 'inlinePolicies.read-bucket',
      actual: '{"Statement":[{"Action":"s3:*","Effect":"Allow","Resource":"*"}],"Version":"2012-10-17"}',
    };
  },
  deleteOutOfBand: async (name) => {
    const attached = await iam.send(new ListAttachedRolePoliciesCommand({ RoleName: name }));
    for (const p of attached.AttachedPolicies ?? [])
      await iam.send(new DetachRolePolicyCommand({ RoleName: name, PolicyArn: p.PolicyArn }));
    const inline = await iam.send(new ListRolePoliciesCommand({ RoleName: name }));
    for (const p of inline.PolicyNames ?? []) await iam.send(new DeleteRolePolicyCommand({ RoleName: name, PolicyName: p }));
    await iam.send(new DeleteRoleCommand({ RoleName: name }));
  },
  leftovers: async () =>
    ((await iam.send(new ListRolesCommand({}))).Roles ?? []).map((r) => r.RoleName ?? '').filter((n) => n.startsWith(prefix)),
  invalid: [
    {
      what: 'a wrong type',
      property: 'maxSessionDurationSeconds',
      program: async () => {
        new Role('bad-type', {
          name: `${prefix}-bad`,
          assumeRolePolicy: trust('lambda.amazonaws.com'),
          maxSessionDurationSeconds: 'long' as unknown as number,
        });
      },
    },
    {
      what: 'a bad name',
      property: 'name',
      program: async () => {
        new Role('bad-name', { name: `${prefix} worker!`, assumeRolePolicy: trust('lambda.amazonaws.com') });
      },
    },
    {
      what: 'bad policy JSON',
      property: 'assumeRolePolicy',
      program: async () => {
        new Role('bad-policy', { name: `${prefix}-bad-policy`, assumeRolePolicy: '{"Statement": [' });
      },
    },
    {
      what: 'bad inline policy JSON',
      property: 'inlinePolicies.read',
      program: async () => {
        new Role('bad-inline', {
          name: `${prefix}-bad-inline`,
          assumeRolePolicy: trust('lambda.amazonaws.com'),
          inlinePolicies: { read: 'not json' },
        });
      },
    },
  ],
  failsAtApply: [
    {
      what: 'a managed policy that does not exist (and the half-made role is removed)',
      program: async () => {
        new Role('no-such-policy', {
          name: `${prefix}-no-such-policy`,
          assumeRolePolicy: trust('lambda.amazonaws.com'),
          managedPolicyArns: ['arn:aws:iam::aws:policy/DoesNotExist'],
        });
      },
      message: /IAM AttachRolePolicy failed \[driftless-aws:kind=not-found code=NoSuchEntity/,
    },
  ],
});

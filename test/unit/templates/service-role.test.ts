import { describe, expect, it } from 'vitest';
import { expectedTags, mockTemplate, testContext } from '../../../sdk/testing/index.js';
import { INLINE_POLICY_NAME } from '../../../stacks/service-role/program.js';
import { serviceRoleTemplate } from '../../../stacks/service-role/template.js';

describe('service-role template (Pulumi mocks)', () => {
  it('creates a role trusted by the services, with one least-privilege inline policy resolving stack outputs', async () => {
    const params = {
      assumedBy: ['lambda.amazonaws.com'],
      description: 'orders worker',
      policies: [
        { actions: ['sqs:ReceiveMessage', 'sqs:DeleteMessage'], resources: [{ fromStack: 'orders-queue', output: 'arn' }] },
        { actions: ['s3:GetObject'], resources: ['arn:aws:s3:::reports/*'] },
      ],
    };
    const run = await mockTemplate(serviceRoleTemplate, params, {
      stack: 'worker-role',
      dependencies: { 'orders-queue': { arn: 'arn:aws:sqs:us-east-1:000000000000:dev-orders-queue' } },
    });

    expect(run.resources).toHaveLength(1);
    expect(run.resources[0]!.inputs).toEqual({
      name: 'dev-worker-role',
      description: 'orders worker',
      maxSessionDurationSeconds: 3600,
      assumeRolePolicy: {
        Version: '2012-10-17',
        Statement: [{ Effect: 'Allow', Principal: { Service: ['lambda.amazonaws.com'] }, Action: 'sts:AssumeRole' }],
      },
      inlinePolicies: {
        [INLINE_POLICY_NAME]: {
          Version: '2012-10-17',
          Statement: [
            {
              Effect: 'Allow',
              Action: ['sqs:ReceiveMessage', 'sqs:DeleteMessage'],
              Resource: ['arn:aws:sqs:us-east-1:000000000000:dev-orders-queue'],
            },
            { Effect: 'Allow', Action: ['s3:GetObject'], Resource: ['arn:aws:s3:::reports/*'] },
          ],
        },
      },
      tags: expectedTags('worker-role'),
    });
    expect(run.outputs).toEqual({ arn: 'arn:aws:iam:us-east-1:000000000000:dev-worker-role', name: 'dev-worker-role' });
  });

  it('stops with a message naming both stacks when a referenced output is missing', () => {
    const params = {
      assumedBy: ['lambda.amazonaws.com'],
      policies: [{ actions: ['sqs:SendMessage'], resources: [{ fromStack: 'orders-queue', output: 'arn' }] }],
    };
    expect(() => serviceRoleTemplate.program(params, testContext('worker-role'))).toThrow(
      'stack worker-role: output "arn" of stack orders-queue is missing: has that stack been applied?',
    );
  });
});

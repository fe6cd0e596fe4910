import { GetRoleCommand, GetRolePolicyCommand, IAMClient, ListRolePoliciesCommand, ListRoleTagsCommand } from '@aws-sdk/client-iam';
import { describe, expect, it } from 'vitest';
import { INLINE_POLICY_NAME } from '../../../stacks/service-role/program.js';
import { awsTestConfig } from '../../support/aws.js';
import { expectedTemplateTags, expectStableThenDestroy, ORDERS_QUEUE_YAML, tagMap, templateStack } from '../../support/template-e2e.js';

const roleYaml = `apiVersion: driftless/v1
kind: Stack
metadata: { name: worker-role }
spec:
  template: service-role
  dependsOn: [orders-queue]
  params:
    assumedBy: [lambda.amazonaws.com]
    description: orders worker
    policies:
      - actions: [sqs:ReceiveMessage, sqs:DeleteMessage]
        resources: [{ fromStack: orders-queue, output: arn }]
      - actions: [s3:GetObject]
        resources: ["arn:aws:s3:::reports/*"]
`;

/** IAM may return a one-item list as the item itself; compare policies without that difference. */
function unlisted(v: unknown): unknown {
  if (Array.isArray(v)) return v.length === 1 ? unlisted(v[0]) : v.map(unlisted);
  if (typeof v === 'object' && v !== null) return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, unlisted(x)]));
  return v;
}
const statements = (doc: string): unknown => unlisted(JSON.parse(decodeURIComponent(doc)).Statement);

describe('service-role template on LocalStack', () => {
  it('creates the role with its trust and least-privilege policies from YAML, is stable, and destroys cleanly', async () => {
    const iam = new IAMClient(awsTestConfig());
    // The queue stack is only validated here; its ARN output is handed over as the engine would.
    const queueArn = 'arn:aws:sqs:us-east-1:000000000000:orders-queue-of-this-test';
    const t = await templateStack({
      name: 'worker-role',
      documents: { 'orders-queue': ORDERS_QUEUE_YAML, 'worker-role': roleYaml },
      dependencies: { 'orders-queue': { arn: queueArn } },
    });
    const name = `${t.context.environment}-worker-role`;

    const outputs = t.outputs;
    expect(outputs).toMatchObject({ name });

    const { Role } = await iam.send(new GetRoleCommand({ RoleName: name }));
    expect(Role).toMatchObject({ Arn: outputs.arn, Description: 'orders worker', MaxSessionDuration: 3600 });
    expect(statements(Role!.AssumeRolePolicyDocument!)).toEqual(
      unlisted([{ Effect: 'Allow', Principal: { Service: ['lambda.amazonaws.com'] }, Action: 'sts:AssumeRole' }]),
    );
    expect((await iam.send(new ListRolePoliciesCommand({ RoleName: name }))).PolicyNames).toEqual([INLINE_POLICY_NAME]);
    const inline = await iam.send(new GetRolePolicyCommand({ RoleName: name, PolicyName: INLINE_POLICY_NAME }));
    expect(statements(inline.PolicyDocument!)).toEqual(
      unlisted([
        { Effect: 'Allow', Action: ['sqs:ReceiveMessage', 'sqs:DeleteMessage'], Resource: [queueArn] },
        { Effect: 'Allow', Action: ['s3:GetObject'], Resource: ['arn:aws:s3:::reports/*'] },
      ]),
    );
    const { Tags } = await iam.send(new ListRoleTagsCommand({ RoleName: name }));
    expect(tagMap(Tags, 'Key', 'Value')).toEqual(expectedTemplateTags(t));

    await expectStableThenDestroy(t);
    await expect(iam.send(new GetRoleCommand({ RoleName: name }))).rejects.toMatchObject({ name: 'NoSuchEntityException' });
  });
});

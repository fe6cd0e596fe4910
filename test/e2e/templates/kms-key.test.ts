import {
  DescribeKeyCommand,
  GetKeyRotationStatusCommand,
  KMSClient,
  ListAliasesCommand,
  ListResourceTagsCommand,
} from '@aws-sdk/client-kms';
import { describe, expect, it } from 'vitest';
import { awsTestConfig, uniqueName } from '../../support/aws.js';
import { expectedTemplateTags, expectStableThenDestroy, tagMap, templateStack } from '../../support/template-e2e.js';

describe('kms-key template on LocalStack', () => {
  it('creates a rotating key with its alias from YAML, is stable on a second up, and schedules deletion on destroy', async () => {
    const kms = new KMSClient(awsTestConfig());
    const environment = uniqueName('e2e');
    const yaml = `apiVersion: driftless/v1
kind: Stack
metadata: { name: data-key }
spec:
  template: kms-key
  params:
    description: orders data
    deletionWindowInDays: 7
    alias: ${environment}/data
`;
    const t = await templateStack({ name: 'data-key', environment, documents: { 'data-key': yaml } });

    const outputs = t.outputs;
    expect(outputs.aliasName).toBe(`alias/${environment}/data`);

    const { KeyMetadata } = await kms.send(new DescribeKeyCommand({ KeyId: outputs.keyId as string }));
    expect(KeyMetadata).toMatchObject({ Arn: outputs.arn, Description: 'orders data', KeyState: 'Enabled', KeySpec: 'SYMMETRIC_DEFAULT' });
    expect((await kms.send(new GetKeyRotationStatusCommand({ KeyId: outputs.keyId as string }))).KeyRotationEnabled).toBe(true);
    const { Aliases } = await kms.send(new ListAliasesCommand({ KeyId: outputs.keyId as string }));
    expect(Aliases?.map((a) => a.AliasName)).toEqual([`alias/${environment}/data`]);
    const { Tags } = await kms.send(new ListResourceTagsCommand({ KeyId: outputs.keyId as string }));
    expect(tagMap(Tags, 'TagKey', 'TagValue')).toEqual(expectedTemplateTags(t));

    await expectStableThenDestroy(t);
    const after = await kms.send(new DescribeKeyCommand({ KeyId: outputs.keyId as string }));
    expect(after.KeyMetadata?.KeyState).toBe('PendingDeletion');
    expect((await kms.send(new ListAliasesCommand({ KeyId: outputs.keyId as string }))).Aliases ?? []).toEqual([]);
  });
});

import {
  GetBucketEncryptionCommand,
  GetBucketLifecycleConfigurationCommand,
  GetBucketPolicyCommand,
  GetBucketTaggingCommand,
  GetBucketVersioningCommand,
  GetPublicAccessBlockCommand,
  HeadBucketCommand,
  PutObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { describe, expect, it } from 'vitest';
import { awsTestConfig } from '../../support/aws.js';
import { expectedTemplateTags, expectStableThenDestroy, tagMap, templateStack } from '../../support/template-e2e.js';

const yaml = `apiVersion: driftless/v1
kind: Stack
metadata: { name: reports-bucket }
spec:
  template: bucket
  params:
    forceDestroy: true
    lifecycleRules:
      - { id: expire-reports, prefix: reports/, expireAfterDays: 30 }
    policy:
      - sid: ReadReports
        principals: ["arn:aws:iam::000000000000:role/report-reader"]
        actions: [s3:GetObject]
        objects: [reports/*]
  tags: { data-class: internal }
`;

describe('bucket template on LocalStack', () => {
  it('creates a private, versioned, encrypted bucket with its policy and lifecycle from YAML, is stable, and destroys it with its objects', async () => {
    const s3 = new S3Client(awsTestConfig());
    const t = await templateStack({ name: 'reports-bucket', documents: { 'reports-bucket': yaml } });
    const Bucket = `${t.context.environment}-reports-bucket`;

    expect(t.outputs).toEqual({ name: Bucket, arn: `arn:aws:s3:::${Bucket}` });

    expect((await s3.send(new GetBucketVersioningCommand({ Bucket }))).Status).toBe('Enabled');
    const encryption = await s3.send(new GetBucketEncryptionCommand({ Bucket }));
    expect(encryption.ServerSideEncryptionConfiguration?.Rules?.[0]?.ApplyServerSideEncryptionByDefault?.SSEAlgorithm).toBe('AES256');
    expect((await s3.send(new GetPublicAccessBlockCommand({ Bucket }))).PublicAccessBlockConfiguration).toEqual({
      BlockPublicAcls: true,
      IgnorePublicAcls: true,
      BlockPublicPolicy: true,
      RestrictPublicBuckets: true,
    });
    const policy = JSON.parse((await s3.send(new GetBucketPolicyCommand({ Bucket }))).Policy!);
    expect(policy.Statement).toHaveLength(1);
    expect(policy.Statement[0]).toMatchObject({ Sid: 'ReadReports', Effect: 'Allow' });
    expect([policy.Statement[0].Resource].flat()).toEqual([`arn:aws:s3:::${Bucket}/reports/*`]);
    const lifecycle = await s3.send(new GetBucketLifecycleConfigurationCommand({ Bucket }));
    expect(lifecycle.Rules).toEqual([
      expect.objectContaining({
        ID: 'expire-reports',
        Status: 'Enabled',
        Filter: { Prefix: 'reports/' },
        Expiration: expect.objectContaining({ Days: 30 }),
      }),
    ]);
    const { TagSet } = await s3.send(new GetBucketTaggingCommand({ Bucket }));
    expect(tagMap(TagSet, 'Key', 'Value')).toEqual(expectedTemplateTags(t, { 'data-class': 'internal' }));

    // forceDestroy: a bucket holding objects is emptied, then deleted.
    await s3.send(new PutObjectCommand({ Bucket, Key: 'reports/today.csv', Body: 'a,b' }));
    await expectStableThenDestroy(t);
    await expect(s3.send(new HeadBucketCommand({ Bucket }))).rejects.toMatchObject({ name: 'NotFound' });
  });
});

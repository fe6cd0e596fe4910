import { DeleteBucketCommand, ListBucketsCommand, PutBucketVersioningCommand, S3Client } from '@aws-sdk/client-s3';
import { Bucket } from '../../../provider/sdk/index.js';
import { awsTestConfig, uniqueName } from '../../support/aws.js';
import { conformanceSuite, type Phase } from './conformance.js';

const s3 = new S3Client(awsTestConfig());
const prefix = uniqueName('conf-s3');

conformanceSuite({
  name: 's3-bucket',
  token: 'driftless-aws:s3:Bucket',
  program: (phase: Phase) => async () => {
    const name = phase === 'replace' ? `${prefix}-data-v2` : `${prefix}-data`;
    const bucket = new Bucket('data', {
      name,
      versioning: phase !== 'create',
      serverSideEncryption: { algorithm: 'AES256' },
      publicAccessBlock: { blockPublicPolicy: false },
      // Keys out of order and one-item lists, as people write policies.
      policy: {
        Statement: [
          {
            Sid: 'DenyInsecure',
            Resource: [`arn:aws:s3:::${name}/*`],
            Principal: '*',
            Effect: 'Deny',
            Action: ['s3:GetObject'],
            Condition: { Bool: { 'aws:SecureTransport': 'false' } },
          },
        ],
        Version: '2012-10-17',
      },
      // The update rewrites one rule and adds one, written out of id order (S3 keeps a set).
      lifecycleRules:
        phase === 'create'
          ? [{ id: 'expire-tmp', prefix: 'tmp/', expirationDays: 7 }]
          : [
              { id: 'old-versions', noncurrentVersionExpirationDays: 30, abortIncompleteMultipartUploadDays: 2 },
              { id: 'expire-tmp', prefix: 'tmp/', expirationDays: 1, enabled: false },
            ],
      tags: { team: 'data', env: 'e2e' },
    });
    return { id: bucket.id };
  },
  changeOutOfBand: async (name) => {
    await s3.send(new PutBucketVersioningCommand({ Bucket: name, VersioningConfiguration: { Status: 'Suspended' } }));
    return { field: 'versioning', actual: false };
  },
  deleteOutOfBand: async (name) => {
    // The policy goes with the bucket; an empty bucket deletes directly.
    await s3.send(new DeleteBucketCommand({ Bucket: name }));
  },
  leftovers: async () =>
    ((await s3.send(new ListBucketsCommand({}))).Buckets ?? []).map((b) => b.Name ?? '').filter((n) => n.startsWith(prefix)),
  invalid: [
    {
      what: 'a wrong type',
      property: 'versioning',
      program: async () => {
        new Bucket('bad-type', { name: `${prefix}-bad`, versioning: 'yes' as unknown as boolean });
      },
    },
    {
      what: 'a bad name',
      property: 'name',
      program: async () => {
        new Bucket('bad-name', { name: `${prefix.toUpperCase()}_Data` });
      },
    },
    {
      what: 'bad policy JSON',
      property: 'policy',
      program: async () => {
        new Bucket('bad-policy', { name: `${prefix}-bad-policy`, policy: '{"Statement": [}' });
      },
    },
  ],
});

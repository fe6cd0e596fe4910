import { CreateBucketCommand, DeleteBucketCommand, ListBucketsCommand, S3Client } from '@aws-sdk/client-s3';
import { CreateQueueCommand, DeleteQueueCommand, ListQueuesCommand, SQSClient } from '@aws-sdk/client-sqs';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { ensureLocalStack, localstackStatus } from '../../engine/localstack/lifecycle.js';
import { awsTestConfig, uniqueName } from '../support/aws.js';
import { runDriftless } from '../support/cli.js';
import { tempDir } from '../support/temp.js';

describe('LocalStack lifecycle', () => {
  const endpoint = inject('awsEndpoint');
  const port = Number(new URL(endpoint).port);

  it('reuses a running LocalStack and never stops one it did not start', async () => {
    const r = await ensureLocalStack({ port });
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.value.startedHere).toBe(false);
    expect(r.value.services.s3).toMatch(/available|running/);
    expect(r.value.services.sqs).toMatch(/available|running/);
    await r.value.stop();
    expect((await localstackStatus({ port })).running).toBe(true);
  });

  it('names `npm run setup` when the virtualenv is missing', async () => {
    const r = await ensureLocalStack({ port: 1, venvDir: tempDir('no-venv') + '/absent' });
    expect(r).toEqual({ ok: false, message: expect.stringContaining('run `npm run setup`') });
  });

  it('`driftless localstack status` reports the running instance and its services', async () => {
    const run = await runDriftless(['localstack', 'status', '--port', String(port), '--json']);
    expect(run.code).toBe(0);
    const status = JSON.parse(run.stdout) as { running: boolean; version: string; services: Record<string, string> };
    expect(status.running).toBe(true);
    expect(status.version).toBe('4.14.0');
    expect(Object.keys(status.services)).toEqual(expect.arrayContaining(['s3', 'sqs', 'sns', 'iam']));
  });
});

describe('AWS SDK v3 against LocalStack', () => {
  const s3 = new S3Client(awsTestConfig());
  const sqs = new SQSClient(awsTestConfig());
  const bucket = uniqueName('ls-check');
  const queue = uniqueName('ls-check');
  let queueUrl: string | undefined;

  afterAll(async () => {
    await s3.send(new DeleteBucketCommand({ Bucket: bucket })).catch(() => undefined);
    if (queueUrl) await sqs.send(new DeleteQueueCommand({ QueueUrl: queueUrl })).catch(() => undefined);
  });

  it('creates, lists and deletes an S3 bucket and an SQS queue', async () => {
    await s3.send(new CreateBucketCommand({ Bucket: bucket }));
    const created = await sqs.send(new CreateQueueCommand({ QueueName: queue }));
    queueUrl = created.QueueUrl;
    expect(queueUrl).toContain(queue);

    const buckets = await s3.send(new ListBucketsCommand({}));
    expect(buckets.Buckets?.map((b) => b.Name)).toContain(bucket);
    const queues = await sqs.send(new ListQueuesCommand({ QueueNamePrefix: queue }));
    expect(queues.QueueUrls).toEqual([queueUrl]);

    await s3.send(new DeleteBucketCommand({ Bucket: bucket }));
    await sqs.send(new DeleteQueueCommand({ QueueUrl: queueUrl }));
    queueUrl = undefined;
    const bucketsAfter = await s3.send(new ListBucketsCommand({}));
    expect(bucketsAfter.Buckets?.map((b) => b.Name) ?? []).not.toContain(bucket);
    const queuesAfter = await sqs.send(new ListQueuesCommand({ QueueNamePrefix: queue }));
    expect(queuesAfter.QueueUrls ?? []).toEqual([]);
  });
});

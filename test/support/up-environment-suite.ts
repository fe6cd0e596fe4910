import { join } from 'node:path';
import { GetQueueAttributesCommand, GetQueueUrlCommand, SQSClient } from '@aws-sdk/client-sqs';
import { ListSubscriptionsByTopicCommand, SNSClient } from '@aws-sdk/client-sns';
import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { ReconcileReport } from '../../engine/report/format-reconcile.js';
import { SqliteRunStore } from '../../engine/store/sqlite-run-store.js';
import { awsTestConfig, uniqueName } from './aws.js';
import { runDriftless } from './cli.js';
import { copyExampleEnvironment, editStack } from './environments.js';
import { tempDir } from './temp.js';

/**
 * The example dev environment applied through the CLI, as a user runs it: every stack in
 * dependency order; a second run starts no Pulumi; a param change acts on that stack
 * and its dependents only; preview shows the change field by field. Run once per
 * backend kind (one test file each, so they run in parallel).
 */
export function describeUpEnvironment(backend: 'file' | 's3'): void {
  describe(`driftless up on the example dev environment (${backend} backend)`, () => {
    const root = tempDir(`up-dev-${backend}`);
    const bucket = uniqueName('driftless-state');
    const env = copyExampleEnvironment(root, 'dev', (spec) => {
      if (backend === 's3') spec.backend = `s3://${bucket}?region=us-east-1&endpoint=${inject('awsEndpoint')}&s3ForcePathStyle=true`;
    });
    beforeAll(async () => {
      if (backend === 's3') await new S3Client(awsTestConfig()).send(new CreateBucketCommand({ Bucket: bucket }));
    });
    const stateDir = join(root, 'driftless-state');
    const cliEnv = {
      DRIFTLESS_AWS_ENDPOINT: inject('awsEndpoint'),
      DRIFTLESS_STATE_DIR: stateDir,
      ORDERS_API_TOKEN: 'e2e-token-not-a-secret',
      DRIFTLESS_LOG_LEVEL: 'warn',
    };
    const cli = (...args: string[]) => runDriftless(args, { cwd: env.cwd, env: cliEnv });
    const sqs = new SQSClient(awsTestConfig());
    const sns = new SNSClient(awsTestConfig());
    const stacksOfDev = ['app-config', 'nightly-report', 'orders-queue', 'orders-topic', 'reports-bucket'];
    const statusOf = async (stack: string) => {
      const store = new SqliteRunStore(join(stateDir, 'driftless.db'));
      try {
        return await store.getStatus(env.name, stack);
      } finally {
        await store.close();
      }
    };

    afterAll(async () => {
      for (const stack of ['app-config', 'nightly-report', 'orders-topic', 'reports-bucket', 'orders-queue']) {
        await cli('destroy', '--env', env.name, '--stack', stack, '--yes');
      }
    });

    it('applies every stack in dependency order', async () => {
      const run = await cli('up', '--env', env.name, '--json');
      expect(run.code, run.stderr).toBe(0);
      const report = JSON.parse(run.stdout) as ReconcileReport;
      expect(report.stacks.map((s) => s.stack).sort()).toEqual(stacksOfDev);
      expect(report.stacks.every((s) => s.outcome === 'applied')).toBe(true);

      // History records one up per stack, dependencies first.
      const history = JSON.parse((await cli('history', '--env', env.name, '--json')).stdout) as {
        id: number;
        stack: string;
        operation: string;
        result: string;
      }[];
      expect(history).toHaveLength(5);
      expect(history.every((r) => r.operation === 'up' && r.result === 'succeeded')).toBe(true);
      const id = (s: string) => history.find((r) => r.stack === s)?.id ?? -1;
      for (const dependent of ['orders-topic', 'app-config', 'nightly-report']) expect(id(dependent)).toBeGreaterThan(id('orders-queue'));

      // The resources exist, wired across stacks: the topic delivers to the queue.
      const queue = (await statusOf('orders-queue'))?.applied?.outputs as { url: string; arn: string };
      const attrs = await sqs.send(
        new GetQueueAttributesCommand({ QueueUrl: queue.url, AttributeNames: ['VisibilityTimeout', 'RedrivePolicy'] }),
      );
      expect(attrs.Attributes?.VisibilityTimeout).toBe('30');
      expect(JSON.parse(attrs.Attributes?.RedrivePolicy ?? '{}')).toMatchObject({ maxReceiveCount: 5 });
      const topic = (await statusOf('orders-topic'))?.applied?.outputs as { arn: string };
      const subs = await sns.send(new ListSubscriptionsByTopicCommand({ TopicArn: topic.arn }));
      expect(subs.Subscriptions?.map((s) => [s.Protocol, s.Endpoint])).toEqual([['sqs', queue.arn]]);
    });

    it('a second run starts no Pulumi operation and reports every stack unchanged', async () => {
      const run = await cli('up', '--env', env.name, '--json');
      expect(run.code, run.stderr).toBe(0);
      const report = JSON.parse(run.stdout) as ReconcileReport;
      expect(report.pulumiOperations).toBe(0);
      expect(report.stacks.map((s) => [s.stack, s.outcome]).sort()).toEqual(stacksOfDev.map((s) => [s, 'unchanged']));
      const text = await cli('up', '--env', env.name);
      expect(text.stdout).toContain('0 Pulumi operation(s)');
    });

    it('after a param change, preview exits 2 with a field diff, and up acts on that stack and its dependents only', async () => {
      editStack(env, 'orders-queue', ['spec', 'params', 'visibilityTimeoutSeconds'], 45);

      const preview = await cli('preview', '--env', env.name);
      expect(preview.code, preview.stderr).toBe(2);
      expect(preview.stdout).toMatch(/~\s+update driftless-aws:sqs:Queue \S+/);
      expect(preview.stdout).toMatch(/visibilityTimeoutSeconds: 30 => 45/);

      const previewJson = await cli('preview', '--env', env.name, '--json');
      expect(previewJson.code).toBe(2);
      const planned = JSON.parse(previewJson.stdout) as ReconcileReport;
      expect(planned.changes).toBe(true);
      const queueSteps = planned.stacks.find((s) => s.stack === 'orders-queue')?.steps ?? [];
      expect(queueSteps).toContainEqual(
        expect.objectContaining({ op: 'update', fields: [{ path: 'visibilityTimeoutSeconds', kind: 'changed', before: 30, after: 45 }] }),
      );
      // preview changed nothing
      const queue = (await statusOf('orders-queue'))?.applied?.outputs as { url: string };
      const before = await sqs.send(new GetQueueAttributesCommand({ QueueUrl: queue.url, AttributeNames: ['VisibilityTimeout'] }));
      expect(before.Attributes?.VisibilityTimeout).toBe('30');

      const up = await cli('up', '--env', env.name, '--json');
      expect(up.code, up.stderr).toBe(0);
      const report = JSON.parse(up.stdout) as ReconcileReport;
      const outcome = Object.fromEntries(report.stacks.map((s) => [s.stack, s.outcome]));
      expect(outcome).toEqual({
        'orders-queue': 'applied',
        'orders-topic': 'applied',
        'app-config': 'applied',
        'nightly-report': 'applied',
        'reports-bucket': 'unchanged',
      });
      expect(report.stacks.find((s) => s.stack === 'orders-topic')?.reason).toBe('outputs of a dependency changed');
      const after = await sqs.send(new GetQueueAttributesCommand({ QueueUrl: queue.url, AttributeNames: ['VisibilityTimeout'] }));
      expect(after.Attributes?.VisibilityTimeout).toBe('45');
      // still one queue of that name: updated in place, not replaced
      const url = await sqs.send(
        new GetQueueUrlCommand({ QueueName: ((await statusOf('orders-queue'))!.applied!.outputs as { name: string }).name }),
      );
      expect(url.QueueUrl).toBe(queue.url);
    });
  });
}

import { join } from 'node:path';
import { DeleteQueueCommand, GetQueueAttributesCommand, GetQueueUrlCommand, SQSClient } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { DaemonConfig } from '../../../engine/config/daemon-config.js';
import { startDaemon, type RunningDaemon } from '../../../engine/daemon/main.js';
import { createLogger } from '../../../engine/log/logger.js';
import type { EnvironmentStatus, RunRecord } from '../../../engine/model/index.js';
import { awsTestConfig, uniqueName } from '../../support/aws.js';
import { runCliInProcess } from '../../support/cli-in-process.js';
import { tcpProxy } from '../../support/tcp-proxy.js';
import { tempDir } from '../../support/temp.js';
import { environmentYaml, queueYaml, TestRepo, waitFor } from './git-repo.js';

/**
 * A deploy that fails because the cloud is unreachable is retried on its own, with backoff,
 * until it succeeds: no new commit. The daemon reaches LocalStack through a TCP proxy this
 * test switches off and on, so the shared LocalStack never stops.
 */
describe('daemon retries a failed deploy', () => {
  const root = tempDir('retry');
  const env = uniqueName('rt').replace(/-/g, '');
  const repo = new TestRepo(join(root, 'repo'));
  const sqs = new SQSClient(awsTestConfig());
  const stateDir = join(root, 'state');
  let proxy: Awaited<ReturnType<typeof tcpProxy>>;
  let daemon: RunningDaemon;

  const status = async (): Promise<EnvironmentStatus> => {
    const r = await runCliInProcess(['status', '--env', env, '--json', '--state-dir', stateDir]);
    expect(r.code, r.stderr).toBe(0);
    return JSON.parse(r.stdout) as EnvironmentStatus;
  };
  const cond = (s: EnvironmentStatus, type: string) => s.conditions.find((c) => c.type === type);
  const visibility = async () => {
    const url = (await sqs.send(new GetQueueUrlCommand({ QueueName: `${env}-work` }))).QueueUrl;
    return (await sqs.send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['VisibilityTimeout'] }))).Attributes
      ?.VisibilityTimeout;
  };

  beforeAll(async () => {
    proxy = await tcpProxy(inject('awsEndpoint'));
    repo.write(`environments/${env}/environment.yaml`, environmentYaml(env, '  retry: { interval: 1s, maxInterval: 4s, stallAfter: 3 }\n'));
    repo.write(`environments/${env}/work.yaml`, queueYaml('work', '{ visibilityTimeoutSeconds: 30 }'));
    repo.commit('a queue');
    daemon = await startDaemon(
      DaemonConfig.parse({
        source: { repository: repo.dir, pollIntervalSeconds: 2 },
        stateDir,
        backendBaseDir: root,
        awsEndpoint: proxy.url,
        http: { port: 0 },
      }),
      { log: createLogger({ level: 'warn', pretty: false }) },
    );
    await waitFor(
      'the first apply',
      async () => cond(await status().catch(() => ({ conditions: [] }) as never), 'Ready')?.status === 'True',
      150_000,
    );
  });

  afterAll(async () => {
    await daemon?.stop('test finished');
    await proxy?.close();
    const url = await sqs
      .send(new GetQueueUrlCommand({ QueueName: `${env}-work` }))
      .then((r) => r.QueueUrl)
      .catch(() => undefined);
    if (url) await sqs.send(new DeleteQueueCommand({ QueueUrl: url }));
  });

  it('shows Reconciling with the reason and the next retry while the cloud is unreachable, then applies the same commit', async () => {
    proxy.forward(false);
    repo.write(`environments/${env}/work.yaml`, queueYaml('work', '{ visibilityTimeoutSeconds: 60 }'));
    const commit = repo.commit('longer visibility');

    // Two failures at least: the second attempt came from the retry schedule, not from a commit.
    const failing = await waitFor(
      'two failed attempts',
      async () => {
        const s = await status();
        return s.lastAttemptedRevision === commit && s.failureCount >= 2 ? s : undefined;
      },
      240_000,
    );
    expect(cond(failing, 'Ready')).toMatchObject({ status: 'False', reason: 'ReconcileFailed' });
    expect(cond(failing, 'Reconciling')).toMatchObject({ status: 'True' });
    expect(failing.lastAppliedRevision).not.toBe(commit);
    const table = await runCliInProcess(['status', '--state-dir', stateDir]);
    expect(table.stdout).toMatch(/^NAME\s+REVISION\s+READY\s+REASON\s+MESSAGE\s+NEXT-RETRY\s+NEXT-DRIFT/);
    const row = table.stdout.split('\n').find((l) => l.startsWith(env)) ?? '';
    expect(row).toContain(commit.slice(0, 12));
    expect(row).toMatch(/\sFalse\s+(RetryScheduled|Progressing|RetriesExhausted)\s/);
    // a retry time, unless the row was printed while the next attempt ran
    expect(row).toMatch(/\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ|Progressing/);

    proxy.forward(true);
    const applied = await waitFor(
      'the same commit applied by a retry',
      async () => {
        const s = await status();
        return s.lastAppliedRevision === commit ? s : undefined;
      },
      120_000,
    );
    expect(cond(applied, 'Ready')).toMatchObject({ status: 'True', reason: 'Succeeded' });
    expect(applied).toMatchObject({ failureCount: 0 });
    expect(applied.nextRetryAt).toBeUndefined();
    expect(await visibility()).toBe('60');

    // The history has every attempt at this commit: the failures, and the retry that applied it.
    const runs = (await (await fetch(`${daemon.url}/api/runs?revision=${commit}&stack=work`)).json()) as RunRecord[];
    const ups = runs.filter((r) => r.operation === 'up');
    expect(ups.filter((r) => r.result === 'failed').length).toBeGreaterThanOrEqual(2);
    expect(ups.filter((r) => r.result === 'succeeded')).toHaveLength(1);
    expect(ups.some((r) => r.trigger === 'retry')).toBe(true);
    expect(ups.find((r) => r.result === 'succeeded')?.trigger).toBe('retry');

    // /api/environments keeps its fields and adds the status
    const [api] = (await (await fetch(`${daemon.url}/api/environments`)).json()) as {
      environment: string;
      valid: boolean;
      status: EnvironmentStatus;
    }[];
    expect(api).toMatchObject({ environment: env, valid: true, status: { lastAppliedRevision: commit } });
  });
});

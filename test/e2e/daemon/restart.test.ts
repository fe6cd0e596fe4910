import type { ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DeleteQueueCommand, ListQueuesCommand, SQSClient } from '@aws-sdk/client-sqs';
import { afterAll, describe, expect, inject, it } from 'vitest';
import type { EnvironmentStatus } from '../../../engine/model/index.js';
import { awsTestConfig, uniqueName } from '../../support/aws.js';
import { runCliInProcess } from '../../support/cli-in-process.js';
import { tcpProxy } from '../../support/tcp-proxy.js';
import { tempDir } from '../../support/temp.js';
import { environmentYaml, queueYaml, TestRepo, waitFor } from './git-repo.js';
import { startDaemonProcess } from '../../support/daemon-process.js';

/** What must survive a kill -9: conditions (with their transition times), failures, retry and drift schedule. */
const durable = (s: EnvironmentStatus) => ({
  // Drifted moves with every scheduled check (the cloud is unreachable for them too): compared on its own below.
  conditions: s.conditions.filter((c) => c.type !== 'Drifted'),
  failureCount: s.failureCount,
  nextRetryAt: s.nextRetryAt,
  lastAttemptedRevision: s.lastAttemptedRevision,
  lastAppliedRevision: s.lastAppliedRevision,
});

describe('daemon status survives kill -9', () => {
  const root = tempDir('restart');
  const env = uniqueName('rs').replace(/-/g, '');
  const repo = new TestRepo(join(root, 'repo'));
  const sqs = new SQSClient(awsTestConfig());
  const stateDir = join(root, 'daemon-state');
  const children: ChildProcess[] = [];
  let proxy: Awaited<ReturnType<typeof tcpProxy>>;

  const status = async (): Promise<EnvironmentStatus | undefined> => {
    const r = await runCliInProcess(['status', '--env', env, '--json', '--state-dir', stateDir]);
    return r.code === 0 ? (JSON.parse(r.stdout) as EnvironmentStatus) : undefined;
  };
  const cond = (s: EnvironmentStatus | undefined, type: string) => s?.conditions.find((c) => c.type === type);
  const killAndRestart = async (current: { child: ChildProcess }, configFile: string) => {
    const exited = new Promise((r) => current.child.on('exit', r));
    current.child.kill('SIGKILL');
    await exited;
    const next = startDaemonProcess(root, configFile);
    children.push(next.child);
    await waitFor('the restarted daemon to be ready', () => /first sync complete/.test(next.logs()), 120_000);
    return next;
  };

  afterAll(async () => {
    for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
    await proxy?.close();
    for (const url of (await sqs.send(new ListQueuesCommand({ QueueNamePrefix: env }))).QueueUrls ?? [])
      await sqs.send(new DeleteQueueCommand({ QueueUrl: url }));
  });

  it('keeps conditions, failure count, pending retry and drift schedule while failing, and while the head is invalid', async () => {
    proxy = await tcpProxy(inject('awsEndpoint'));
    repo.write(
      `environments/${env}/environment.yaml`,
      environmentYaml(env, '  retry: { interval: 10m, maxInterval: 1h }\n  drift: { schedule: "* * * * *" }\n'),
    );
    repo.write(`environments/${env}/work.yaml`, queueYaml('work', '{ visibilityTimeoutSeconds: 30 }'));
    const good = repo.commit('a queue');
    const configFile = join(root, 'daemon.yaml');
    writeFileSync(
      configFile,
      `source:\n  repository: ${repo.dir}\n  pollIntervalSeconds: 1\nstateDir: ${stateDir}\nbackendBaseDir: ${root}\nawsEndpoint: ${proxy.url}\nhttp: { port: 0 }\n`,
    );
    let daemon = startDaemonProcess(root, configFile);
    children.push(daemon.child);
    await waitFor('the first apply', async () => (await status())?.lastAppliedRevision === good, 150_000);

    // 1. failing: the cloud is unreachable; the retry is 10 minutes away
    proxy.forward(false);
    repo.write(`environments/${env}/work.yaml`, queueYaml('work', '{ visibilityTimeoutSeconds: 60 }'));
    const failing = repo.commit('longer visibility');
    const before = await waitFor(
      'the failure',
      async () => {
        const s = await status();
        return s?.lastAttemptedRevision === failing && s.failureCount === 1 && s.nextDriftCheckAt ? s : undefined;
      },
      150_000,
    );
    expect(cond(before, 'Ready')).toMatchObject({ status: 'False', reason: 'ReconcileFailed' });
    expect(cond(before, 'Reconciling')).toMatchObject({ status: 'True', reason: 'RetryScheduled' });
    daemon = await killAndRestart(daemon, configFile);
    const after = (await status()) as EnvironmentStatus;
    expect(durable(after)).toEqual(durable(before));
    expect(after.nextDriftCheckAt).toBeDefined();
    // the drift schedule is the same cron, at its next minute
    expect(Date.parse(after.nextDriftCheckAt as string) % 60_000).toBe(0);
    expect(Date.parse(after.nextDriftCheckAt as string)).toBeGreaterThanOrEqual(Date.parse(before.nextDriftCheckAt as string));
    const table = (await runCliInProcess(['status', '--state-dir', stateDir])).stdout;
    expect(table).toMatch(new RegExp(`${env}\\s+${failing.slice(0, 12)}\\s+False\\s+RetryScheduled`));

    // 2. invalid head: nothing applied, not retried; drift still scheduled at the last applied commit after a restart
    proxy.forward(true);
    repo.write(`environments/${env}/work.yaml`, queueYaml('work', '{ visibilityTimeoutSecondz: 60 }'));
    const invalid = repo.commit('a typo');
    const rejected = await waitFor(
      'the rejection',
      async () => {
        const s = await status();
        return s?.lastAttemptedRevision === invalid ? s : undefined;
      },
      60_000,
    );
    expect(cond(rejected, 'Ready')).toMatchObject({ status: 'False', reason: 'InvalidCommit' });
    expect(cond(rejected, 'Stalled')).toMatchObject({ status: 'True', reason: 'InvalidCommit' });
    expect(rejected).toMatchObject({ failureCount: 2, lastAppliedRevision: good });
    expect(rejected.nextRetryAt).toBeUndefined();
    const restartedAt = Date.now();
    daemon = await killAndRestart(daemon, configFile);
    const again = (await status()) as EnvironmentStatus;
    expect(durable(again)).toEqual(durable(rejected));
    expect(again.nextDriftCheckAt).toBeDefined();
    // The restarted daemon checks drift (its cron ticks and moves the next check on), against the last applied commit.
    const checked = await waitFor(
      'a drift check by the restarted daemon',
      async () => {
        const s = await status();
        return s && Date.parse(s.nextDriftCheckAt ?? '0') > restartedAt + 60_000 && cond(s, 'Drifted')?.status !== 'Unknown'
          ? s
          : undefined;
      },
      150_000,
    );
    expect(cond(checked, 'Drifted')).toMatchObject({ status: 'False', reason: 'NoDrift' });
    expect(durable(checked)).toEqual(durable(rejected));
    daemon.child.kill('SIGTERM');
  });
});

import type { ChildProcess } from 'node:child_process';
import { existsSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { DeleteQueueCommand, ListQueuesCommand, SQSClient } from '@aws-sdk/client-sqs';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { awsTestConfig, uniqueName } from '../../support/aws.js';
import { tempDir } from '../../support/temp.js';
import { environmentYaml, queueYaml, TestRepo, waitFor } from './git-repo.js';
import { startDaemonProcess } from '../../support/daemon-process.js';

/** The last reconciled revision the daemon recorded for an environment. */
function reconciledRevision(root: string, env: string): string | undefined {
  const db = new DatabaseSync(join(root, 'daemon-state', 'driftless.db'), { readOnly: true });
  try {
    return (
      (
        db.prepare('SELECT last_reconciled FROM daemon_revisions WHERE environment = ?').get(env) as
          | { last_reconciled: string | null }
          | undefined
      )?.last_reconciled ?? undefined
    );
  } finally {
    db.close();
  }
}

describe('daemon shutdown during an up', () => {
  const root = tempDir('shutdown');
  const env = uniqueName('sd').replace(/-/g, '');
  const repo = new TestRepo(join(root, 'repo'));
  const sqs = new SQSClient(awsTestConfig());
  const queues = async () => ((await sqs.send(new ListQueuesCommand({ QueueNamePrefix: env }))).QueueUrls ?? []).sort();
  const deadlineSeconds = 30;
  const children: ChildProcess[] = [];

  afterAll(async () => {
    for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
    for (const url of await queues()) await sqs.send(new DeleteQueueCommand({ QueueUrl: url }));
  });

  it('exits within the deadline on SIGTERM, leaves no lock, and the next start converges', async () => {
    repo.write(`environments/${env}/environment.yaml`, environmentYaml(env));
    // A chain of three stacks: while the first one is being created, the others are certainly still to come.
    const dependent = (name: string, on: string) =>
      queueYaml(name, '{}').replace('  template: queue', `  template: queue\n  dependsOn: [${on}]`);
    repo.write(`environments/${env}/work.yaml`, queueYaml('work', '{ deadLetter: { maxReceiveCount: 3 } }'));
    repo.write(`environments/${env}/more.yaml`, dependent('more', 'work'));
    repo.write(`environments/${env}/last.yaml`, dependent('last', 'more'));
    const head = repo.commit('three queues, one with a dead-letter queue');
    const configFile = join(root, 'daemon.yaml');
    writeFileSync(
      configFile,
      `source:\n  repository: ${repo.dir}\n  pollIntervalSeconds: 1\nstateDir: ${join(root, 'daemon-state')}\nbackendBaseDir: ${root}\nawsEndpoint: ${inject('awsEndpoint')}\nhttp: { port: 0 }\nshutdown:\n  finishWithinSeconds: 0\n  deadlineSeconds: ${deadlineSeconds}\n`,
    );

    const first = startDaemonProcess(root, configFile);
    children.push(first.child);
    await waitFor('the up to start creating', () => /dead-letter","op":"create"/.test(first.logs()), 120_000);
    first.child.kill('SIGTERM');
    const code = await Promise.race([first.exited, new Promise<'late'>((r) => setTimeout(() => r('late'), (deadlineSeconds + 5) * 1000))]);
    expect(code, first.logs().slice(-3000)).toBe(0);
    expect(first.logs()).toMatch(/"clean":true,"msg":"stopped"/);

    // no driftless stack lock and no Pulumi backend lock left behind
    const db = new DatabaseSync(join(root, 'daemon-state', 'driftless.db'), { readOnly: true });
    expect(db.prepare('SELECT * FROM locks').all()).toEqual([]);
    const runs = db.prepare('SELECT stack, result, error_kind FROM runs WHERE revision = ?').all(head) as {
      stack: string;
      result: string;
      error_kind: string | null;
    }[];
    db.close();
    const lockDir = join(root, 'state', env, '.pulumi', 'locks');
    const pulumiLocks = existsSync(lockDir) ? readdirSync(lockDir, { recursive: true, withFileTypes: true }).filter((e) => e.isFile()) : [];
    expect(pulumiLocks).toEqual([]);
    // the up was cancelled, not finished: engine events reach the daemon with some lag,
    // so the signal lands on whichever stack of the chain is running by then, but never
    // after the whole chain; the commit is not recorded as reconciled, so the next start
    // takes it up again
    expect(first.logs()).toMatch(/was cancelled by shutdown/);
    expect(
      runs.some((r) => r.error_kind === 'cancelled'),
      JSON.stringify(runs),
    ).toBe(true);
    expect(runs.filter((r) => r.result === 'succeeded').length, JSON.stringify(runs)).toBeLessThan(3);
    expect(reconciledRevision(root, env)).toBeUndefined();

    const second = startDaemonProcess(root, configFile);
    children.push(second.child);
    await waitFor('convergence after the restart', () => reconciledRevision(root, env) === head, 120_000);
    expect(await queues()).toHaveLength(4);
    await waitFor('the restarted daemon to be ready', () => /first sync complete/.test(second.logs()));
    second.child.kill('SIGTERM');
    expect(await second.exited).toBe(0);
  });
});

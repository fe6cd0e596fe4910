import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ListQueuesCommand, SQSClient } from '@aws-sdk/client-sqs';
import { afterAll, describe, expect, inject, it } from 'vitest';
import type { ReconcileReport } from '../../../engine/report/format-reconcile.js';
import type { RunRecord } from '../../../engine/model/index.js';
import { projectRoot } from '../../../engine/toolchain/paths.js';
import { awsTestConfig, uniqueName } from '../../support/aws.js';
import { runDriftless } from '../../support/cli.js';
import { tempDir } from '../../support/temp.js';

/** An environment of three queue stacks (four queues: `a` has a dead-letter queue). */
function writeQueues(root: string): { name: string; dir: string } {
  const name = uniqueName('cc').replace(/-/g, '');
  const dir = join(root, 'environments', name);
  mkdirSync(dir, { recursive: true });
  writeFileSync(
    join(dir, 'environment.yaml'),
    `apiVersion: driftless/v1\nkind: Environment\nmetadata: { name: ${name} }\nspec:\n  deployBranch: main\n  backend: file://state/${name}\n  aws: { region: us-east-1 }\n`,
  );
  const stack = (n: string, extra: string) =>
    writeFileSync(
      join(dir, `${n}.yaml`),
      `apiVersion: driftless/v1\nkind: Stack\nmetadata: { name: ${n} }\nspec:\n  template: queue\n${extra}`,
    );
  stack('a', '  params: { deadLetter: { maxReceiveCount: 3 } }\n');
  stack('b', '  params: { visibilityTimeoutSeconds: 20 }\n');
  stack('c', '  dependsOn: [a]\n');
  return { name, dir };
}

/** Resources of one stack in its Pulumi checkpoint (proves the state file is whole JSON). */
function checkpointResources(root: string, env: string, stack: string): string[] {
  const file = join(root, 'state', env, '.pulumi', 'stacks', 'driftless', `${env}.${stack}.json`);
  const checkpoint = JSON.parse(readFileSync(file, 'utf8')) as {
    checkpoint: { latest: { resources?: { type: string }[]; pending_operations?: unknown[] } };
  };
  expect(checkpoint.checkpoint.latest.pending_operations ?? []).toEqual([]);
  return (checkpoint.checkpoint.latest.resources ?? []).map((r) => r.type).filter((t) => t.startsWith('driftless-aws:'));
}

describe('concurrent and crashed driftless up', () => {
  const sqs = new SQSClient(awsTestConfig());
  const queuesNamed = async (prefix: string) =>
    ((await sqs.send(new ListQueuesCommand({ QueueNamePrefix: prefix }))).QueueUrls ?? []).sort();
  const cliEnv = (root: string) => ({
    DRIFTLESS_AWS_ENDPOINT: inject('awsEndpoint'),
    DRIFTLESS_STATE_DIR: join(root, 'driftless-state'),
    DRIFTLESS_LOG_LEVEL: 'info',
  });
  const cleanups: (() => Promise<unknown>)[] = [];
  afterAll(async () => {
    for (const c of cleanups) await c();
  });

  it('two processes started at once apply each stack exactly once and leave whole state', async () => {
    const root = tempDir('concurrent');
    const env = writeQueues(root);
    const cli = (...args: string[]) => runDriftless(args, { cwd: root, env: cliEnv(root) });
    cleanups.push(async () => {
      for (const s of ['c', 'b', 'a']) await cli('destroy', '--env', env.name, '--stack', s, '--yes');
    });

    const [one, two] = await Promise.all([cli('up', '--env', env.name, '--json'), cli('up', '--env', env.name, '--json')]);
    expect(one.code, one.stderr).toBe(0);
    expect(two.code, two.stderr).toBe(0);
    const outcomes = [one, two].flatMap((r) => (JSON.parse(r.stdout) as ReconcileReport).stacks.map((s) => `${s.stack}:${s.outcome}`));
    // each stack applied by exactly one of the two processes, found unchanged by the other
    for (const s of ['a', 'b', 'c']) {
      expect(outcomes.filter((o) => o === `${s}:applied`)).toHaveLength(1);
      expect(outcomes.filter((o) => o === `${s}:unchanged`)).toHaveLength(1);
    }
    const history = JSON.parse((await cli('history', '--env', env.name, '--json')).stdout) as RunRecord[];
    expect(history.map((r) => `${r.stack}:${r.operation}:${r.result}`).sort()).toEqual([
      'a:up:succeeded',
      'b:up:succeeded',
      'c:up:succeeded',
    ]);

    expect(await queuesNamed(env.name)).toHaveLength(4);
    expect(checkpointResources(root, env.name, 'a')).toEqual(['driftless-aws:sqs:Queue', 'driftless-aws:sqs:Queue']);
    expect(checkpointResources(root, env.name, 'b')).toEqual(['driftless-aws:sqs:Queue']);
    const third = JSON.parse((await cli('up', '--env', env.name, '--json')).stdout) as ReconcileReport;
    expect(third.pulumiOperations).toBe(0);
  });

  it('a process killed with SIGKILL mid-up leaves locks that the next run clears, and it converges without duplicates', async () => {
    const root = tempDir('crash');
    const env = writeQueues(root);
    const cli = (...args: string[]) => runDriftless(args, { cwd: root, env: cliEnv(root) });
    cleanups.push(async () => {
      for (const s of ['c', 'b', 'a']) await cli('destroy', '--env', env.name, '--stack', s, '--yes');
    });

    // Start `up` in its own process group, and kill the whole group (driftless, the
    // Pulumi CLI and the provider plugin) as soon as stack a's dead-letter queue was
    // created: a's queue comes next, so that operation is certainly still running and
    // holding its locks.
    const child = spawn(process.execPath, [join(projectRoot, 'bin', 'driftless-cli.js'), 'up', '--env', env.name], {
      cwd: root,
      env: { ...process.env, ...cliEnv(root) },
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const exited = new Promise<NodeJS.Signals | null>((resolve) => child.on('exit', (_code, signal) => resolve(signal)));
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('up never created a resource')), 120_000);
      let seen = '';
      let killed = false;
      child.stderr.on('data', (chunk: Buffer) => {
        seen += chunk.toString();
        if (!killed && /\.a::driftless::driftless-aws:sqs:Queue::dead-letter","op":"create"/.test(seen)) {
          killed = true;
          clearTimeout(timer);
          process.kill(-(child.pid as number), 'SIGKILL');
          resolve();
        }
      });
    });
    expect(await exited).toBe('SIGKILL');

    const lockDir = join(root, 'state', env.name, '.pulumi', 'locks', 'organization', 'driftless');
    const pulumiLocks = existsSync(lockDir) ? readdirSync(lockDir).flatMap((s) => readdirSync(join(lockDir, s))) : [];
    expect(pulumiLocks.length).toBeGreaterThan(0);

    const recovered = await cli('up', '--env', env.name, '--json');
    expect(recovered.code, recovered.stderr).toBe(0);
    expect(recovered.stderr).toMatch(/cleared a stale lock on \w+ left by pid \d+ on \S+, which no longer holds it/);
    expect(recovered.stderr).toMatch(/cleared \d+ stale Pulumi backend lock\(s\)/);

    // converged: exactly the four queues, each stack's state whole, nothing left to do
    expect(await queuesNamed(env.name)).toHaveLength(4);
    expect(checkpointResources(root, env.name, 'a')).toHaveLength(2);
    expect(checkpointResources(root, env.name, 'b')).toHaveLength(1);
    expect(checkpointResources(root, env.name, 'c')).toHaveLength(1);
    const again = JSON.parse((await cli('up', '--env', env.name, '--json')).stdout) as ReconcileReport;
    expect(again.pulumiOperations).toBe(0);
  });
});

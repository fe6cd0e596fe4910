import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { GetQueueUrlCommand, SQSClient } from '@aws-sdk/client-sqs';
import { afterAll, describe, expect, inject, it } from 'vitest';
import type { ReconcileReport } from '../../../engine/report/format-reconcile.js';
import { awsTestConfig, uniqueName } from '../../support/aws.js';
import { type CliRun, runDriftless } from '../../support/cli.js';
import { writeFixturePackage } from '../../support/template-package.js';
import { tempDir } from '../../support/temp.js';

/**
 * A stack's failure fails that stack alone, with parallelism 4 on LocalStack: an unset
 * SecureString variable is caught at plan time (kind invalid, file:line:col, no stack trace,
 * no Pulumi started) and a template whose program throws inside an `apply` callback fails
 * only its own stack, while the queues running beside them apply.
 */

const stackYaml = (name: string, template: string, body: string): string =>
  `apiVersion: driftless/v1\nkind: Stack\nmetadata: { name: ${name} }\nspec:\n  template: ${template}\n${body}`;

/** An environment folder with parallelism 4 and the given stack files. */
function writeEnvironment(root: string, prefix: string, stacks: Record<string, string>): string {
  const name = uniqueName(prefix).replace(/-/g, '');
  const dir = join(root, 'environments', name);
  mkdirSync(dir, { recursive: true });
  writeFileSync(
    join(dir, 'environment.yaml'),
    `apiVersion: driftless/v1\nkind: Environment\nmetadata: { name: ${name} }\nspec:\n  deployBranch: main\n  backend: file://state/${name}\n  aws: { region: us-east-1 }\n  parallelism: 4\n`,
  );
  for (const [stack, body] of Object.entries(stacks)) writeFileSync(join(dir, `${stack}.yaml`), body);
  return name;
}

/** True when a run printed a JavaScript stack trace. */
const hasStackTrace = (r: CliRun): boolean => /^ {4}at /m.test(r.stdout + r.stderr);

const byStack = (r: CliRun) => Object.fromEntries((JSON.parse(r.stdout) as ReconcileReport).stacks.map((s) => [s.stack, s]));

describe('failure isolation under parallelism 4', () => {
  const sqs = new SQSClient(awsTestConfig());
  const queueExists = async (name: string) =>
    sqs.send(new GetQueueUrlCommand({ QueueName: name })).then(
      () => true,
      () => false,
    );
  const cliEnv = (root: string) => ({
    DRIFTLESS_AWS_ENDPOINT: inject('awsEndpoint'),
    DRIFTLESS_STATE_DIR: join(root, 'driftless-state'),
    DRIFTLESS_LOG_LEVEL: 'info',
  });
  const cleanups: (() => Promise<unknown>)[] = [];
  afterAll(async () => {
    for (const c of cleanups) await c();
  });
  const queues = ['q1', 'q2', 'q3', 'q4'];

  it('an unset SecureString variable fails the config stack at plan time; the four queues apply', async () => {
    const root = tempDir('isolation-env');
    const variable = `DRIFTLESS_E2E_UNSET_${Math.random().toString(36).slice(2, 8).toUpperCase()}`;
    delete process.env[variable];
    const stacks: Record<string, string> = Object.fromEntries(queues.map((q) => [q, stackYaml(q, 'queue', '  params: {}\n')]));
    stacks.cfg = stackYaml(
      'cfg',
      'config',
      `  params:\n    parameters:\n      - name: /isolation/${Date.now()}/db-password\n        type: SecureString\n        fromEnv: ${variable}\n`,
    );
    const env = writeEnvironment(root, 'iso', stacks);
    const cli = (...args: string[]) => runDriftless(args, { cwd: root, env: cliEnv(root) });
    cleanups.push(async () => {
      for (const q of queues) await cli('destroy', '--env', env, '--stack', q, '--yes');
    });

    const up = await cli('up', '--env', env, '--json');
    expect(up.code, up.stderr).toBe(1);
    const outcomes = byStack(up);
    for (const q of queues) expect(outcomes[q], `${q}: ${outcomes[q]?.error}`).toMatchObject({ outcome: 'applied' });
    expect(outcomes.cfg).toMatchObject({ outcome: 'failed', errorKind: 'invalid', attempts: 0 });
    // Line 10, col 9: `fromEnv:` of the first parameter in cfg.yaml.
    expect(outcomes.cfg?.error).toBe(
      `environments/${env}/cfg.yaml:10:9 spec.params.parameters[0].fromEnv: environment variable ${variable} is not set in the daemon's environment (template config reads it; set it, then run again)`,
    );
    for (const q of queues) expect(outcomes[q]?.error).toBeUndefined();
    expect(hasStackTrace(up)).toBe(false);
    // Only the queues started Pulumi.
    expect((JSON.parse(up.stdout) as ReconcileReport).pulumiOperations).toBe(4);
    for (const q of queues) expect(await queueExists(`${env}-${q}`)).toBe(true);
  });

  it('a throw inside an apply callback fails only its own stack while three queues apply in parallel', async () => {
    const root = tempDir('isolation-apply');
    const pkg = writeFixturePackage(
      join(root, 'operator'),
      '@fixture/apply-throws',
      [
        "import { defineTemplate, z } from 'driftless/template';",
        "import { Queue } from 'driftless/aws';",
        'export const templates = [',
        '  defineTemplate({',
        "    name: 'fixture/apply-throws',",
        "    version: '1.0.0',",
        "    description: 'a queue whose program throws inside an apply callback',",
        '    params: z.strictObject({}),',
        "    outputs: [{ name: 'arn', description: 'queue ARN' }],",
        '    program: (_params, ctx) => {',
        "      const queue = new Queue('queue', { name: ctx.environment + '-' + ctx.stack });",
        '      // Not exported: the rejection is unhandled, which used to fail every program running.',
        '      queue.url.apply(() => {',
        "        throw new Error('fixture: boom inside apply');",
        '      });',
        '      return { arn: queue.arn };',
        '    },',
        '  }),',
        '];',
        '',
      ].join('\n'),
    );
    const others = ['q1', 'q2', 'q3'];
    const stacks: Record<string, string> = Object.fromEntries(others.map((q) => [q, stackYaml(q, 'queue', '  params: {}\n')]));
    stacks.boom = stackYaml('boom', 'fixture/apply-throws', '  params: {}\n');
    const env = writeEnvironment(root, 'isa', stacks);
    const cli = (...args: string[]) => runDriftless([...args, '--templates', pkg], { cwd: root, env: cliEnv(root) });
    cleanups.push(async () => {
      for (const s of [...others, 'boom']) await cli('destroy', '--env', env, '--stack', s, '--yes');
    });

    const up = await cli('up', '--env', env, '--json');
    expect(up.code, up.stderr).toBe(1);
    const outcomes = byStack(up);
    for (const q of others) expect(outcomes[q], `${q}: ${outcomes[q]?.error}`).toMatchObject({ outcome: 'applied' });
    expect(outcomes.boom).toMatchObject({ outcome: 'failed' });
    expect(outcomes.boom?.error).toContain('fixture: boom inside apply');
    for (const q of others) expect(await queueExists(`${env}-${q}`)).toBe(true);
  });
});

import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  GetQueueAttributesCommand,
  ListQueueTagsCommand,
  SetQueueAttributesCommand,
  SQSClient,
  TagQueueCommand,
} from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { DriftCheckResult } from '../../../engine/drift/drift-checker.js';
import { SqliteRunStore } from '../../../engine/store/sqlite-run-store.js';
import { awsTestConfig, uniqueName } from '../../support/aws.js';
import { runDriftless } from '../../support/cli.js';
import { tempDir } from '../../support/temp.js';
import { webhookReceiver } from '../../support/webhook-receiver.js';

/**
 * `spec.drift.ignore` end to end on LocalStack: fields a team accepts changing outside Git
 * (one rule on the environment, one qualified by resource type on the stack) are reported
 * as ignored, exit 0, alert nothing and are not remediated; a field not listed still alerts.
 */
describe('driftless drift with spec.drift.ignore', () => {
  const root = tempDir('drift-ignore');
  const env = uniqueName('dign').replace(/-/g, '');
  const stateDir = join(root, 'driftless-state');
  const sqs = new SQSClient(awsTestConfig());
  let hook: Awaited<ReturnType<typeof webhookReceiver>>;
  let queueUrl = '';
  const cli = (...args: string[]) =>
    runDriftless(args, {
      cwd: root,
      env: { DRIFTLESS_AWS_ENDPOINT: inject('awsEndpoint'), DRIFTLESS_STATE_DIR: stateDir, DRIFTLESS_LOG_LEVEL: 'warn' },
    });
  const check = async (...extra: string[]) => {
    const run = await cli('drift', '--env', env, '--json', ...extra);
    return { code: run.code, stderr: run.stderr, result: run.stdout ? (JSON.parse(run.stdout) as DriftCheckResult) : undefined };
  };
  const visibility = async () =>
    (await sqs.send(new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['VisibilityTimeout'] }))).Attributes
      ?.VisibilityTimeout;
  const driftAlerts = () => hook.received.filter((n) => n.kind === 'drift-detected');

  beforeAll(async () => {
    hook = await webhookReceiver();
    const dir = join(root, 'environments', env);
    mkdirSync(dir, { recursive: true });
    writeFileSync(
      join(dir, 'environment.yaml'),
      `apiVersion: driftless/v1\nkind: Environment\nmetadata: { name: ${env} }\nspec:\n  deployBranch: main\n  backend: file://state/${env}\n  aws: { region: us-east-1 }\n  drift:\n    mode: remediate\n    ignore: [tags.revision]\n  notifications:\n    - type: webhook\n      url: ${hook.url}\n`,
    );
    writeFileSync(
      join(dir, 'jobs.yaml'),
      `apiVersion: driftless/v1\nkind: Stack\nmetadata: { name: jobs }\nspec:\n  template: queue\n  params: { visibilityTimeoutSeconds: 30 }\n  tags: { team: orders }\n  drift:\n    ignore:\n      - { path: visibilityTimeoutSeconds, type: "driftless-aws:sqs:Queue" }\n`,
    );
    const up = await cli('up', '--env', env);
    expect(up.code, up.stderr).toBe(0);
    const store = new SqliteRunStore(join(stateDir, 'driftless.db'));
    queueUrl = ((await store.getStatus(env, 'jobs'))!.applied!.outputs as { url: string }).url;
    await store.close();
  });

  afterAll(async () => {
    await cli('destroy', '--env', env, '--stack', 'jobs', '--yes');
    hook?.server.close();
  });

  it('reports ignored fields as ignored, exits 0, alerts nothing and remediates nothing', async () => {
    await sqs.send(new SetQueueAttributesCommand({ QueueUrl: queueUrl, Attributes: { VisibilityTimeout: '120' } }));
    await sqs.send(new TagQueueCommand({ QueueUrl: queueUrl, Tags: { revision: 'hotfix-1' } }));

    const r = await check();
    expect(r.code, r.stderr).toBe(0);
    const jobs = r.result?.stacks[0];
    expect(jobs).toMatchObject({ stack: 'jobs', status: 'in-sync', report: { drifted: false, ignoredFields: 2 } });
    expect(jobs?.report?.resources).toEqual([
      expect.objectContaining({
        type: 'driftless-aws:sqs:Queue',
        ignored: true,
        fields: expect.arrayContaining([
          { path: 'visibilityTimeoutSeconds', desired: 30, actual: 120, ignored: true },
          // Templates tag every resource with the revision applied (`working-tree` outside Git).
          { path: 'tags.revision', desired: 'working-tree', actual: 'hotfix-1', ignored: true },
        ]),
      }),
    ]);
    const text = await cli('drift', '--env', env);
    expect(text.code, text.stderr).toBe(0);
    expect(text.stdout).toMatch(
      /= jobs driftless-aws:sqs:Queue \S+: visibilityTimeoutSeconds desired 30, actual 120 \(ignored by drift\.ignore\)/,
    );
    expect(text.stdout).toMatch(/2 ignored field\(s\)/);

    // Not drift, so not remediated even when asked (and the environment is in remediate mode).
    const asked = await check('--remediate');
    expect(asked.code, asked.stderr).toBe(0);
    expect(asked.result?.stacks[0]?.status).toBe('in-sync');
    expect(await visibility()).toBe('120');
    expect((await sqs.send(new ListQueueTagsCommand({ QueueUrl: queueUrl }))).Tags?.revision).toBe('hotfix-1');
    expect(driftAlerts()).toEqual([]);
  });

  it('a field not listed still alerts (once), and the alert leaves the ignored fields out', async () => {
    await sqs.send(new TagQueueCommand({ QueueUrl: queueUrl, Tags: { team: 'rogue' } }));
    const r = await check();
    expect(r.code, r.stderr).toBe(2);
    expect(r.result?.stacks[0]).toMatchObject({ status: 'drifted', report: { drifted: true, ignoredFields: 2 } });
    expect(r.result?.stacks[0]?.report?.resources[0]?.fields).toContainEqual({ path: 'tags.team', desired: 'orders', actual: 'rogue' });
    expect(driftAlerts()).toHaveLength(1);
    expect(driftAlerts()[0]?.summary).toMatch(/tags\.team desired "orders", actual "rogue"/);
    expect(driftAlerts()[0]?.summary).not.toMatch(/visibilityTimeoutSeconds|tags\.revision/);

    // The ignored fields changing again alert nothing new.
    await sqs.send(new TagQueueCommand({ QueueUrl: queueUrl, Tags: { revision: 'hotfix-2' } }));
    expect((await check()).code).toBe(2);
    expect(driftAlerts()).toHaveLength(1);

    // --remediate puts the stack back (up reverts the whole resource, ignored fields too).
    const fixed = await check('--remediate');
    expect(fixed.code, fixed.stderr).toBe(2);
    expect(fixed.result?.stacks[0]?.status).toBe('remediated');
    expect((await sqs.send(new ListQueueTagsCommand({ QueueUrl: queueUrl }))).Tags?.team).toBe('orders');
    expect(hook.received.filter((n) => n.kind === 'drift-resolved')).toHaveLength(1);
  });
});

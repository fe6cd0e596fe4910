import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { GetBucketVersioningCommand, PutBucketVersioningCommand, S3Client } from '@aws-sdk/client-s3';
import {
  DeleteQueueCommand,
  GetQueueAttributesCommand,
  GetQueueUrlCommand,
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

/**
 * `driftless drift` end to end on LocalStack: out-of-band changes made with AWS SDK v3
 * are reported field by field and change nothing — even on a stack whose drift mode is
 * remediate (only the daemon's scheduled checks remediate by mode); --remediate puts them
 * back; a deleted resource is reported as deleted and recreated.
 */
describe('driftless drift', () => {
  const root = tempDir('drift');
  const env = uniqueName('drift').replace(/-/g, '');
  const stateDir = join(root, 'driftless-state');
  const cli = (...args: string[]) =>
    runDriftless(args, {
      cwd: root,
      env: { DRIFTLESS_AWS_ENDPOINT: inject('awsEndpoint'), DRIFTLESS_STATE_DIR: stateDir, DRIFTLESS_LOG_LEVEL: 'warn' },
    });
  const sqs = new SQSClient(awsTestConfig());
  const s3 = new S3Client(awsTestConfig());
  let queueUrl = '';
  let bucket = '';

  /** Hash of every Pulumi checkpoint of the environment: proves a check wrote no state. */
  const stateHash = () => {
    const dir = join(root, 'state', env, '.pulumi', 'stacks', 'driftless');
    const h = createHash('sha256');
    for (const f of readdirSync(dir)
      .filter((n) => n.endsWith('.json'))
      .sort())
      h.update(readFileSync(join(dir, f)));
    return h.digest('hex');
  };
  const check = async (...extra: string[]) => {
    const run = await cli('drift', '--env', env, '--json', ...extra);
    return { code: run.code, stderr: run.stderr, result: run.stdout ? (JSON.parse(run.stdout) as DriftCheckResult) : undefined };
  };

  beforeAll(async () => {
    const dir = join(root, 'environments', env);
    mkdirSync(dir, { recursive: true });
    writeFileSync(
      join(dir, 'environment.yaml'),
      `apiVersion: driftless/v1\nkind: Environment\nmetadata: { name: ${env} }\nspec:\n  deployBranch: main\n  backend: file://state/${env}\n  aws: { region: us-east-1 }\n  drift: { mode: detect }\n`,
    );
    writeFileSync(
      join(dir, 'jobs.yaml'),
      `apiVersion: driftless/v1\nkind: Stack\nmetadata: { name: jobs }\nspec:\n  template: queue\n  params: { visibilityTimeoutSeconds: 30 }\n  tags: { team: orders }\n  drift: { mode: remediate }\n`,
    );
    writeFileSync(
      join(dir, 'files.yaml'),
      `apiVersion: driftless/v1\nkind: Stack\nmetadata: { name: files }\nspec:\n  template: bucket\n  params: { forceDestroy: true }\n`,
    );
    const up = await cli('up', '--env', env);
    expect(up.code, up.stderr).toBe(0);
    const store = new SqliteRunStore(join(stateDir, 'driftless.db'));
    queueUrl = ((await store.getStatus(env, 'jobs'))!.applied!.outputs as { url: string }).url;
    bucket = ((await store.getStatus(env, 'files'))!.applied!.outputs as { name: string }).name;
    await store.close();
    expect((await s3.send(new GetBucketVersioningCommand({ Bucket: bucket }))).Status).toBe('Enabled');
  });

  afterAll(async () => {
    for (const s of ['jobs', 'files']) await cli('destroy', '--env', env, '--stack', s, '--yes');
  });

  it('starts in sync (exit 0)', async () => {
    const r = await check();
    expect(r.code, r.stderr).toBe(0);
    expect(r.result?.stacks.map((s) => s.status)).toEqual(['in-sync', 'in-sync']);
  });

  it('reports out-of-band changes field by field with exit 2, and changes neither cloud nor state (remediate mode included)', async () => {
    await sqs.send(new SetQueueAttributesCommand({ QueueUrl: queueUrl, Attributes: { VisibilityTimeout: '120' } }));
    await sqs.send(new TagQueueCommand({ QueueUrl: queueUrl, Tags: { team: 'rogue' } }));
    await s3.send(new PutBucketVersioningCommand({ Bucket: bucket, VersioningConfiguration: { Status: 'Suspended' } }));
    const before = stateHash();

    const r = await check();
    expect(r.code, r.stderr).toBe(2);
    const jobs = r.result?.stacks.find((s) => s.stack === 'jobs');
    // jobs is in remediate mode, yet a check without --remediate only reports it.
    expect(jobs).toMatchObject({ status: 'drifted', reason: 'read-only check: run driftless drift --remediate to put it back' });
    expect(jobs?.report?.resources).toEqual([
      expect.objectContaining({
        kind: 'modified',
        type: 'driftless-aws:sqs:Queue',
        fields: expect.arrayContaining([
          { path: 'visibilityTimeoutSeconds', desired: 30, actual: 120 },
          { path: 'tags.team', desired: 'orders', actual: 'rogue' },
        ]),
      }),
    ]);
    const files = r.result?.stacks.find((s) => s.stack === 'files');
    expect(files?.report?.resources[0]?.fields).toContainEqual({ path: 'versioning', desired: true, actual: false });

    const text = await cli('drift', '--env', env);
    expect(text.code).toBe(2);
    expect(text.stdout).toMatch(/visibilityTimeoutSeconds desired 30, actual 120/);
    expect(text.stdout).toMatch(/tags\.team desired "orders", actual "rogue"/);
    expect(text.stdout).toMatch(/versioning desired true, actual false/);

    // detection changed nothing: not the cloud, not the state
    expect(
      (await sqs.send(new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['VisibilityTimeout'] }))).Attributes
        ?.VisibilityTimeout,
    ).toBe('120');
    expect((await s3.send(new GetBucketVersioningCommand({ Bucket: bucket }))).Status).toBe('Suspended');
    expect(stateHash()).toBe(before);
  });

  it('--remediate restores the cloud, and a drift run after it exits 0', async () => {
    const r = await check('--remediate');
    expect(r.code, r.stderr).toBe(2);
    expect(Object.fromEntries(r.result?.stacks.map((s) => [s.stack, s.status]) ?? [])).toEqual({ files: 'remediated', jobs: 'remediated' });

    expect(
      (await sqs.send(new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['VisibilityTimeout'] }))).Attributes
        ?.VisibilityTimeout,
    ).toBe('30');
    expect((await sqs.send(new ListQueueTagsCommand({ QueueUrl: queueUrl }))).Tags?.team).toBe('orders');
    expect((await s3.send(new GetBucketVersioningCommand({ Bucket: bucket }))).Status).toBe('Enabled');
    const after = await check();
    expect(after.code, after.stderr).toBe(0);
  });

  it('reports a resource deleted out-of-band as deleted, and remediation recreates it', async () => {
    await sqs.send(new DeleteQueueCommand({ QueueUrl: queueUrl }));
    const r = await check('--stack', 'jobs');
    expect(r.code, r.stderr).toBe(2);
    expect(r.result?.stacks[0]?.report?.resources).toEqual([expect.objectContaining({ kind: 'deleted', type: 'driftless-aws:sqs:Queue' })]);

    const fixed = await check('--stack', 'jobs', '--remediate');
    expect(fixed.code, fixed.stderr).toBe(2);
    expect(fixed.result?.stacks[0]?.status).toBe('remediated');
    const name = queueUrl.slice(queueUrl.lastIndexOf('/') + 1);
    expect((await sqs.send(new GetQueueUrlCommand({ QueueName: name }))).QueueUrl).toBe(queueUrl);
    expect((await check()).code).toBe(0);
  });
});

import { join } from 'node:path';
import { SQSClient } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningDaemon } from '../../../engine/daemon/main.js';
import type { PreviewReport } from '../../../engine/daemon/preview-report.js';
import type { RunRecord } from '../../../engine/model/index.js';
import type { EnvironmentRecord } from '../../../engine/store/daemon-store.js';
import { awsTestConfig, uniqueName } from '../../support/aws.js';
import { runDriftless } from '../../support/cli.js';
import { tempDir } from '../../support/temp.js';
import { webhookReceiver } from '../../support/webhook-receiver.js';
import { environmentYaml, queueYaml, TestRepo, waitFor } from './git-repo.js';
import { deleteQueueIfAny, queueVisibilityTimeout, startInProcessDaemon } from '../../support/in-process-daemon.js';

describe('driftless daemon on a real Git repository and LocalStack', () => {
  const root = tempDir('daemon');
  const env = uniqueName('dm').replace(/-/g, '');
  const repo = new TestRepo(join(root, 'repo'));
  const stateDir = join(root, 'state');
  const sqs = new SQSClient(awsTestConfig());
  let hook: Awaited<ReturnType<typeof webhookReceiver>>;
  let daemon: RunningDaemon;
  const commits: Record<string, string> = {};

  const api = async <T>(path: string): Promise<{ status: number; body: T }> => {
    const res = await fetch(daemon.url + path);
    return { status: res.status, body: (res.headers.get('content-type')?.includes('json') ? await res.json() : await res.text()) as T };
  };
  const runsAt = async (revision: string) => (await api<RunRecord[]>(`/api/runs?revision=${revision}`)).body;
  const visibility = () => queueVisibilityTimeout(sqs, `${env}-jobs`);

  beforeAll(async () => {
    hook = await webhookReceiver();
    repo.write(
      `environments/${env}/environment.yaml`,
      environmentYaml(env, `  notifications:\n    - type: webhook\n      url: ${hook.url}\n`),
    );
    commits.base = repo.commit('environment without stacks');
    daemon = await startInProcessDaemon(repo.dir, stateDir, root);
  });

  afterAll(async () => {
    await daemon?.stop('test finished');
    hook?.server.close();
    await deleteQueueIfAny(sqs, `${env}-jobs`);
  });

  it('applies a stack added on the deploy branch', async () => {
    repo.write(`environments/${env}/jobs.yaml`, queueYaml('jobs', '{ visibilityTimeoutSeconds: 20 }'));
    commits.add = repo.commit('add the jobs queue');
    const runs = await waitFor('the run of the commit', async () => (await runsAt(commits.add!)).find((r) => r.stack === 'jobs'));
    expect(runs).toMatchObject({ operation: 'up', result: 'succeeded', environment: env });
    expect(await visibility()).toBe('20');
  });

  it('previews a feature branch without changing anything, and drops the report when the branch is deleted', async () => {
    repo.git('checkout', '-q', '-b', 'feature/slower');
    repo.write(`environments/${env}/jobs.yaml`, queueYaml('jobs', '{ visibilityTimeoutSeconds: 45 }'));
    const feature = repo.commit('slower jobs');
    repo.git('checkout', '-q', 'main');

    const report = await waitFor('the preview report', async () => {
      const r = await api<PreviewReport>('/api/reports/feature/slower');
      return r.status === 200 && r.body.revision === feature ? r.body : undefined;
    });
    const stack = report.environments.find((e) => e.environment === env)?.preview?.stacks.find((s) => s.stack === 'jobs');
    expect(stack?.outcome).toBe('previewed');
    expect(stack?.steps.map((s) => s.op)).toEqual(['update']);
    expect(stack?.steps[0]?.fields).toContainEqual(expect.objectContaining({ path: 'visibilityTimeoutSeconds', before: 20, after: 45 }));
    expect(report.author).toBe('Ada Ops <ada@example.com>');

    const cli = await runDriftless(['report', '--branch', 'feature/slower', '--state-dir', stateDir]);
    expect(cli.code, cli.stderr).toBe(0);
    expect(cli.stdout).toContain('visibilityTimeoutSeconds');
    expect(cli.stdout).toMatch(/\| `visibilityTimeoutSeconds` \| 20 \| 45 \|/);

    // nothing was applied from the branch
    expect(await visibility()).toBe('20');
    expect(await runsAt(feature)).toEqual([]);

    repo.git('branch', '-q', '-D', 'feature/slower');
    await waitFor('the report to be dropped', async () => (await api('/api/reports/feature/slower')).status === 404);
    expect(await visibility()).toBe('20');
  });

  it('rolls back through git revert, and the run history links the revert commit to its runs', async () => {
    repo.write(`environments/${env}/jobs.yaml`, queueYaml('jobs', '{ visibilityTimeoutSeconds: 60 }'));
    commits.change = repo.commit('jobs need 60 s');
    await waitFor('the change to apply', async () => (await runsAt(commits.change!)).some((r) => r.result === 'succeeded'));
    expect(await visibility()).toBe('60');

    repo.git('revert', '--no-edit', commits.change!);
    commits.revert = repo.head();
    const runs = await waitFor('the revert to apply', async () => {
      const r = await runsAt(commits.revert!);
      return r.length > 0 ? r : undefined;
    });
    expect(runs.map((r) => `${r.stack}:${r.operation}:${r.result}:${r.revision}`)).toEqual([`jobs:up:succeeded:${commits.revert}`]);
    expect(await visibility()).toBe('20');
  });

  it('rejects an invalid commit with file:line:col errors and keeps the last good state', async () => {
    repo.write(`environments/${env}/jobs.yaml`, queueYaml('jobs', '{ visibilityTimeoutSeconds: "soon" }'));
    commits.invalid = repo.commit('typo');
    const rejected = await waitFor('the rejection', async () => (await runsAt(commits.invalid!))[0]);
    expect(rejected).toMatchObject({ stack: '*', result: 'failed', errorKind: 'invalid' });
    expect(rejected.error).toMatch(
      new RegExp(`^environments/${env}/jobs\\.yaml:6:\\d+ spec\\.params\\.visibilityTimeoutSeconds: .*number`, 'm'),
    );

    const environments = (await api<EnvironmentRecord[]>('/api/environments')).body;
    const record = environments.find((e) => e.environment === env);
    expect(record).toMatchObject({ valid: false, revision: commits.invalid, deployBranch: 'main' });
    expect(record?.messages[0]).toMatchObject({ file: `environments/${env}/jobs.yaml`, line: 6 });
    // the last good state stays: the queue is as the revert left it
    expect(await visibility()).toBe('20');
  });

  it('sends each applied change and the failed reconcile to the webhook receiver once, and counts them in /metrics', async () => {
    await waitFor('the rejection notice', () => hook.received.some((n) => n.kind === 'reconcile-failed'));
    const byRevision = (kind: string, revision: string | undefined) =>
      hook.received.filter((n) => n.kind === kind && n.revision === revision);
    for (const c of [commits.add, commits.change, commits.revert]) {
      const applied = byRevision('change-applied', c);
      expect(applied).toHaveLength(1);
      expect(applied[0]).toMatchObject({ environment: env, stack: 'jobs', author: 'Ada Ops <ada@example.com>' });
    }
    expect(byRevision('change-applied', commits.change)[0]?.summary).toMatch(/update 1 .*visibilityTimeoutSeconds 20 => 60/);
    const failed = byRevision('reconcile-failed', commits.invalid);
    expect(failed).toHaveLength(1);
    expect(failed[0]?.summary).toMatch(/jobs\.yaml:6:/);
    expect(hook.received).toHaveLength(4);

    const metrics = (await api<string>('/metrics')).body;
    expect(metrics).toMatch(/^driftless_reconciles_total\{operation="up",result="succeeded"\} 4$/m);
    expect(metrics).toMatch(/^driftless_reconciles_total\{operation="up",result="rejected"\} 1$/m);
    expect(metrics).toMatch(/^driftless_reconciles_total\{operation="preview",result="succeeded"\} 1$/m);
    expect(metrics).toMatch(/^driftless_failures_total\{environment="[^"]+",kind="invalid"\} 1$/m);
    expect(metrics).toMatch(/^driftless_reconcile_duration_seconds_count\{operation="up"\} 4$/m);
    expect(metrics).toMatch(/^driftless_queue_depth \d+$/m);
  });
});

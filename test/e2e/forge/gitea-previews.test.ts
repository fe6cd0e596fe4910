import { join } from 'node:path';
import { DeleteQueueCommand, GetQueueAttributesCommand, GetQueueUrlCommand, SQSClient } from '@aws-sdk/client-sqs';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { DaemonConfig } from '../../../engine/config/daemon-config.js';
import { startDaemon, type RunningDaemon } from '../../../engine/daemon/main.js';
import { PREVIEW_MARKER } from '../../../engine/forge/forge.js';
import { loggerOptions } from '../../../engine/log/logger.js';
import { awsTestConfig, uniqueName } from '../../support/aws.js';
import { TestGitea } from '../../support/gitea.js';
import { tempDir } from '../../support/temp.js';
import { environmentYaml, queueYaml, TestRepo, waitFor } from '../daemon/git-repo.js';

interface Status {
  context: string;
  status: string;
  description: string;
  target_url: string;
}
interface Pull {
  number: number;
  merged: boolean;
  merge_commit_sha: string | null;
  head: { sha: string };
}

describe('merge-request previews on a real Gitea', () => {
  const root = tempDir('gitea-previews');
  const env = uniqueName('mr').replace(/-/g, '');
  const repoName = `envs-${env}`;
  const gitea = new TestGitea(join(root, 'gitea'));
  const repo = new TestRepo(join(root, 'repo'));
  const secret = 'gitea webhook secret for the test';
  const sqs = new SQSClient(awsTestConfig());
  const lines: string[] = [];
  let onLine: ((line: string) => void) | undefined;
  let daemon: RunningDaemon;
  const owner = gitea.user;

  const jobs = (seconds: number) => queueYaml('jobs', `{ visibilityTimeoutSeconds: ${seconds} }`);
  const push = (branch: string) => repo.git('push', '-q', '--force', gitea.cloneUrl(repoName), `HEAD:refs/heads/${branch}`);
  const branchFromMain = (branch: string) => {
    repo.git('fetch', '-q', gitea.cloneUrl(repoName), '+main:refs/remotes/gitea/main');
    repo.git('checkout', '-q', '-B', branch, 'refs/remotes/gitea/main');
  };
  const statusOf = async (sha: string): Promise<Status | undefined> =>
    (await gitea.api<{ statuses: Status[] | null }>('GET', `/repos/${owner}/${repoName}/commits/${sha}/status`)).statuses?.find(
      (s) => s.context === `driftless/${env}`,
    );
  const driftlessComments = async (pr: number) =>
    (await gitea.api<{ id: number; body: string }[]>('GET', `/repos/${owner}/${repoName}/issues/${pr}/comments`)).filter((c) =>
      c.body.includes(PREVIEW_MARKER),
    );
  /** Waits until the PR has exactly one driftless comment and it satisfies `ok`. */
  const commentWhere = (pr: number, what: string, ok: (body: string) => boolean, timeoutMs = 15_000) =>
    waitFor(
      what,
      async () => {
        const c = await driftlessComments(pr);
        return c.length === 1 && ok(c[0]?.body ?? '') ? (c[0]?.body as string) : undefined;
      },
      timeoutMs,
    );
  const openPull = (branch: string, title: string) =>
    gitea.api<Pull>('POST', `/repos/${owner}/${repoName}/pulls`, { head: branch, base: 'main', title });
  const merge = async (pr: number): Promise<string> => {
    await gitea.api('POST', `/repos/${owner}/${repoName}/pulls/${pr}/merge`, { Do: 'merge' });
    return waitFor(
      'the merge commit',
      async () => (await gitea.api<Pull>('GET', `/repos/${owner}/${repoName}/pulls/${pr}`)).merge_commit_sha ?? undefined,
    );
  };
  const visibilityTimeout = async () => {
    const url = (await sqs.send(new GetQueueUrlCommand({ QueueName: `${env}-jobs` }))).QueueUrl;
    const a = await sqs.send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['VisibilityTimeout'] }));
    return Number(a.Attributes?.VisibilityTimeout);
  };

  beforeAll(async () => {
    await gitea.start();
    await gitea.api('POST', '/user/repos', { name: repoName, private: true, default_branch: 'main' });
    repo.write(`environments/${env}/environment.yaml`, environmentYaml(env));
    repo.write(`environments/${env}/jobs.yaml`, jobs(30));
    repo.commit('environment with a queue');
    push('main');

    const log = pino(loggerOptions({ level: 'debug', pretty: false }), {
      write(line: string) {
        lines.push(line);
        onLine?.(line);
      },
    });
    const config = DaemonConfig.parse({
      source: { repositoryFromEnv: 'ENVIRONMENTS_URL', pollIntervalSeconds: 3600 },
      stateDir: join(root, 'state'),
      backendBaseDir: root,
      awsEndpoint: inject('awsEndpoint'),
      http: { port: 0 },
      forge: {
        type: 'gitea',
        baseUrl: gitea.url,
        repository: `${owner}/${repoName}`,
        tokenFromEnv: 'GITEA_TOKEN',
        retry: { initialSeconds: 0.5, maxSeconds: 2 },
      },
    });
    daemon = await startDaemon(config, {
      log,
      env: {
        ...process.env,
        ENVIRONMENTS_URL: gitea.cloneUrl(repoName),
        GITEA_TOKEN: gitea.token,
        DRIFTLESS_GITEA_WEBHOOK_SECRET: secret,
      },
    });
    await gitea.api('POST', `/repos/${owner}/${repoName}/hooks`, {
      type: 'gitea',
      active: true,
      events: ['push', 'pull_request'],
      config: { url: `${daemon.url}/api/webhooks/gitea`, content_type: 'json', secret },
    });
    await waitFor('the first apply', async () => (await visibilityTimeout().catch(() => 0)) === 30, 60_000);
  });

  afterAll(async () => {
    await daemon?.stop('test finished');
    await gitea.stop();
    const url = await sqs
      .send(new GetQueueUrlCommand({ QueueName: `${env}-jobs` }))
      .then((r) => r.QueueUrl)
      .catch(() => undefined);
    if (url) await sqs.send(new DeleteQueueCommand({ QueueUrl: url }));
  });

  let firstPr = 0;

  it('a PR that changes one param gets a success status with the count and one comment with the field diff', async () => {
    branchFromMain('feature/slower');
    repo.write(`environments/${env}/jobs.yaml`, jobs(60));
    const head = repo.commit('slower jobs');
    push('feature/slower');
    const opened = Date.now();
    firstPr = (await openPull('feature/slower', 'Slower jobs')).number;

    const status = await waitFor(
      'the success status',
      async () => {
        const s = await statusOf(head);
        return s?.status === 'success' ? s : undefined;
      },
      15_000,
    );
    expect(status.description).toBe('1 to update');
    expect(status.target_url).toBe(`${daemon.url}/api/reports/feature/slower`);
    const body = await commentWhere(firstPr, 'the preview comment', (b) => b.includes('visibilityTimeoutSeconds: 30 => 60'));
    expect(Date.now() - opened).toBeLessThan(15_000);
    expect(body).toContain('<details');
    expect(body).toContain('Computed against base commit');
    expect((await fetch(status.target_url)).status).toBe(200);
  });

  it('a second push edits the same comment in place', async () => {
    const before = (await driftlessComments(firstPr))[0]?.id;
    repo.write(`environments/${env}/jobs.yaml`, jobs(90));
    const head = repo.commit('even slower');
    push('feature/slower');
    const body = await commentWhere(firstPr, 'the updated comment', (b) => b.includes('visibilityTimeoutSeconds: 30 => 90'));
    expect(body).not.toContain('30 => 60');
    expect((await driftlessComments(firstPr))[0]?.id).toBe(before);
    await waitFor('the status of the new head', async () => (await statusOf(head))?.status === 'success', 15_000);
  });

  it('merging applies: the merge commit gets a success status, the comment says applied, AWS sees the change', async () => {
    const sha = await merge(firstPr);
    const status = await waitFor(
      'the deploy status',
      async () => {
        const s = await statusOf(sha);
        return s?.status === 'success' ? s : undefined;
      },
      30_000,
    );
    expect(status.description).toBe('applied: 1 updated');
    const body = await commentWhere(firstPr, 'the applied comment', (b) => b.includes(`applied at \`${sha.slice(0, 12)}\``), 30_000);
    expect(body).toContain('visibilityTimeoutSeconds: 30 => 90');
    expect(await visibilityTimeout()).toBe(90);
  });

  it('a PR with invalid YAML gets a failure status naming file:line and a comment listing every error; closing it drops the preview', async () => {
    branchFromMain('feature/broken');
    repo.write(`environments/${env}/jobs.yaml`, jobs(90).replace('visibilityTimeoutSeconds: 90', 'visibilityTimeoutSeconds: "slow"'));
    repo.write(`environments/${env}/broken.yaml`, 'apiVersion: driftless/v1\nkind: Stack\nmetadata: { name: broken\nspec: {}\n');
    const head = repo.commit('broken');
    push('feature/broken');
    const pr = (await openPull('feature/broken', 'Broken')).number;
    const status = await waitFor(
      'the failure status',
      async () => {
        const s = await statusOf(head);
        return s?.status === 'failure' ? s : undefined;
      },
      15_000,
    );
    expect(status.description).toMatch(new RegExp(`environments/${env}/\\w+\\.yaml:\\d+`));
    const body = await commentWhere(pr, 'the invalid comment', (b) => b.includes('Invalid'));
    expect(body).toMatch(new RegExp(`environments/${env}/broken\\.yaml:\\d+:\\d+`));
    expect(body).toMatch(new RegExp(`environments/${env}/jobs\\.yaml:\\d+:\\d+`));

    await gitea.api('PATCH', `/repos/${owner}/${repoName}/pulls/${pr}`, { state: 'closed' });
    await waitFor('the dropped report', async () => (await fetch(`${daemon.url}/api/reports/feature/broken`)).status === 404, 15_000);
  });

  it('a stale preview is recomputed against the new base when another PR on the same stack merges', async () => {
    branchFromMain('feature/a');
    repo.write(`environments/${env}/jobs.yaml`, jobs(120));
    repo.commit('a: 120');
    push('feature/a');
    const a = (await openPull('feature/a', 'A')).number;
    branchFromMain('feature/b');
    repo.write(`environments/${env}/jobs.yaml`, jobs(150));
    repo.commit('b: 150');
    push('feature/b');
    const b = (await openPull('feature/b', 'B')).number;
    await commentWhere(a, "A's preview", (x) => x.includes('90 => 120'));
    await commentWhere(b, "B's preview", (x) => x.includes('90 => 150'));

    const sha = await merge(a);
    const body = await commentWhere(b, "B's recomputed preview", (x) => x.includes('120 => 150'), 45_000);
    expect(body).toContain(`base \`${sha.slice(0, 12)}\``);
    expect(body).not.toContain('90 => 150');
  });

  it('Gitea down during a preview: the report is stored, status and comment arrive once it is back; the token is in no log', async () => {
    branchFromMain('feature/c');
    repo.write('README.md', 'c\n');
    repo.commit('c: docs first');
    push('feature/c');
    const pr = (await openPull('feature/c', 'C')).number;
    repo.write(`environments/${env}/jobs.yaml`, jobs(200));
    const head = repo.commit('c: 200');
    let killed = false;
    onLine = (line) => {
      if (!killed && line.includes(`${env} on feature/c: preview`)) {
        killed = true;
        gitea.killNow();
      }
    };
    push('feature/c');
    await waitFor('Gitea killed by the preview', () => killed, 30_000);
    onLine = undefined;
    const report = await waitFor(
      'the stored report',
      async () => {
        const r = await fetch(`${daemon.url}/api/reports/feature/c`);
        return r.ok ? ((await r.json()) as { revision: string }) : undefined;
      },
      30_000,
    );
    expect(report.revision).toBe(head);
    await waitFor(
      'a failed delivery',
      async () => (await daemon.forge?.outbox.list())?.some((e) => e.attempts > 0 && e.key.startsWith('preview:feature/c:')),
      15_000,
    );

    await gitea.stop();
    await gitea.run();
    const status = await waitFor(
      'the status after the outage',
      async () => {
        const s = await statusOf(head);
        return s?.status === 'success' ? s : undefined;
      },
      30_000,
    );
    expect(status.description).toBe('1 to update');
    await commentWhere(pr, 'the comment after the outage', (x) => x.includes('120 => 200'), 30_000);

    const all = lines.join('');
    expect(all).toContain('retrying');
    expect(all).not.toContain(gitea.token);
  });
});

import { join } from 'node:path';
import { DeleteQueueCommand, GetQueueUrlCommand, SQSClient } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { DaemonConfig } from '../../../engine/config/daemon-config.js';
import { startDaemon, type RunningDaemon } from '../../../engine/daemon/main.js';
import { githubSignature } from '../../../engine/http/webhook-auth.js';
import { createLogger } from '../../../engine/log/logger.js';
import type { RunRecord } from '../../../engine/model/index.js';
import { awsTestConfig, uniqueName } from '../../support/aws.js';
import { tempDir } from '../../support/temp.js';
import { environmentYaml, queueYaml, TestRepo, waitFor } from './git-repo.js';

describe('daemon webhooks', () => {
  const root = tempDir('webhook');
  const env = uniqueName('wh').replace(/-/g, '');
  const repo = new TestRepo(join(root, 'repo'));
  const secret = 'a test secret, not a real one';
  const sqs = new SQSClient(awsTestConfig());
  let daemon: RunningDaemon;

  const queueExists = async () => {
    try {
      return (await sqs.send(new GetQueueUrlCommand({ QueueName: `${env}-hooked` }))).QueueUrl;
    } catch {
      return undefined;
    }
  };
  const lastSync = async () =>
    (await (await fetch(`${daemon.url}/metrics`)).text()).match(/^driftless_last_sync_timestamp_seconds (\S+)$/m)?.[1];
  const push = (body: string, headers: Record<string, string>) =>
    fetch(`${daemon.url}/api/webhooks/github`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-github-event': 'push', ...headers },
      body,
    });

  beforeAll(async () => {
    repo.write(`environments/${env}/environment.yaml`, environmentYaml(env));
    repo.commit('environment');
    // An hour between polls: anything that happens within this test came from a webhook.
    const config = DaemonConfig.parse({
      source: { repository: repo.dir, pollIntervalSeconds: 3600 },
      stateDir: join(root, 'state'),
      backendBaseDir: root,
      awsEndpoint: inject('awsEndpoint'),
      http: { port: 0 },
    });
    daemon = await startDaemon(config, {
      log: createLogger({ level: 'error', pretty: false }),
      env: { ...process.env, DRIFTLESS_GITHUB_WEBHOOK_SECRET: secret, DRIFTLESS_GITLAB_WEBHOOK_TOKEN: 'gitlab-test-token' },
    });
    await waitFor('readiness', async () => (await fetch(`${daemon.url}/readyz`)).status === 200);
  });

  afterAll(async () => {
    await daemon?.stop('test finished');
    const url = await queueExists();
    if (url) await sqs.send(new DeleteQueueCommand({ QueueUrl: url }));
  });

  it('answers 401 to a bad signature and triggers nothing', async () => {
    repo.write(`environments/${env}/hooked.yaml`, queueYaml('hooked', '{}'));
    const commit = repo.commit('add a queue');
    const before = await lastSync();
    const body = JSON.stringify({ ref: 'refs/heads/main', after: commit });

    expect((await push(body, { 'x-hub-signature-256': githubSignature('the wrong secret', Buffer.from(body)) })).status).toBe(401);
    expect((await push(body, {})).status).toBe(401);
    // a signature of other bytes than the ones sent
    expect((await push(body, { 'x-hub-signature-256': githubSignature(secret, Buffer.from(body + ' ')) })).status).toBe(401);
    const gitlab = await fetch(`${daemon.url}/api/webhooks/gitlab`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-gitlab-event': 'Push Hook', 'x-gitlab-token': 'guess' },
      body,
    });
    expect(gitlab.status).toBe(401);

    await daemon.daemon.idle();
    expect(await lastSync()).toBe(before);
    const runs = (await (await fetch(`${daemon.url}/api/runs?revision=${commit}`)).json()) as RunRecord[];
    expect(runs).toEqual([]);
    expect(await queueExists()).toBeUndefined();
  });

  it('a push with a valid HMAC reconciles at once, without waiting for the poll', async () => {
    const commit = repo.head();
    const body = JSON.stringify({ ref: 'refs/heads/main', after: commit });
    const res = await push(body, { 'x-hub-signature-256': githubSignature(secret, Buffer.from(body)) });
    expect(res.status).toBe(202);
    const run = await waitFor(
      'the webhook-triggered run',
      async () => ((await (await fetch(`${daemon.url}/api/runs?revision=${commit}`)).json()) as RunRecord[])[0],
    );
    expect(run).toMatchObject({ stack: 'hooked', result: 'succeeded', trigger: 'webhook' });
    expect(await queueExists()).toBeDefined();
  });

  it('accepts a GitLab merge-request event with the right token', async () => {
    const res = await fetch(`${daemon.url}/api/webhooks/gitlab`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-gitlab-event': 'Merge Request Hook', 'x-gitlab-token': 'gitlab-test-token' },
      body: '{}',
    });
    expect(res.status).toBe(202);
    expect(await res.json()).toEqual({ accepted: true });
  });
});

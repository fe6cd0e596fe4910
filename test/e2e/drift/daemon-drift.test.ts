import { join } from 'node:path';
import { GetQueueAttributesCommand, GetQueueUrlCommand, SetQueueAttributesCommand, SQSClient } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { DaemonConfig } from '../../../engine/config/daemon-config.js';
import { builtinExtensions } from '../../../engine/daemon/extensions.js';
import { startDaemon, type RunningDaemon } from '../../../engine/daemon/main.js';
import { createLogger } from '../../../engine/log/logger.js';
import type { DriftRecord } from '../../../engine/model/index.js';
import { awsTestConfig, uniqueName } from '../../support/aws.js';
import { tempDir } from '../../support/temp.js';
import { webhookReceiver } from '../../support/webhook-receiver.js';
import { environmentYaml, TestRepo, waitFor } from '../daemon/git-repo.js';

/**
 * Scheduled drift checks in the daemon (cron `* * * * *`: a tick each minute, so this
 * file waits for two ticks): the drift is detected and alerted once, not on every tick;
 * a stack in remediate mode is put back and a recovery message follows.
 */
describe('scheduled drift checks in the daemon', () => {
  const root = tempDir('daemon-drift');
  const env = uniqueName('dd').replace(/-/g, '');
  const repo = new TestRepo(join(root, 'repo'));
  const sqs = new SQSClient(awsTestConfig());
  let hook: Awaited<ReturnType<typeof webhookReceiver>>;
  let daemon: RunningDaemon;

  const queueUrl = async (stack: string) => (await sqs.send(new GetQueueUrlCommand({ QueueName: `${env}-${stack}` }))).QueueUrl ?? '';
  const visibility = async (stack: string) =>
    (await sqs.send(new GetQueueAttributesCommand({ QueueUrl: await queueUrl(stack), AttributeNames: ['VisibilityTimeout'] }))).Attributes
      ?.VisibilityTimeout;
  const alerts = (kind: string, stack: string) => hook.received.filter((n) => n.kind === kind && n.stack === stack);
  const checksOf = async (stack: string) =>
    (await (await fetch(`${daemon.url}/api/drift?environment=${env}&stack=${stack}`)).json()) as DriftRecord[];

  beforeAll(async () => {
    hook = await webhookReceiver();
    repo.write(
      `environments/${env}/environment.yaml`,
      environmentYaml(
        env,
        `  drift: { schedule: "* * * * *", mode: detect }\n  notifications:\n    - type: webhook\n      url: ${hook.url}\n`,
      ),
    );
    const stack = (name: string, mode: string) =>
      `apiVersion: driftless/v1\nkind: Stack\nmetadata: { name: ${name} }\nspec:\n  template: queue\n  params: { visibilityTimeoutSeconds: 30 }\n  drift: { mode: ${mode} }\n`;
    repo.write(`environments/${env}/watched.yaml`, stack('watched', 'detect'));
    repo.write(`environments/${env}/healed.yaml`, stack('healed', 'remediate'));
    repo.commit('two queues, one healed automatically');
    const config = DaemonConfig.parse({
      source: { repository: repo.dir, pollIntervalSeconds: 5 },
      stateDir: join(root, 'state'),
      backendBaseDir: root,
      awsEndpoint: inject('awsEndpoint'),
      http: { port: 0 },
    });
    daemon = await startDaemon(config, { log: createLogger({ level: 'warn', pretty: false }), extensions: builtinExtensions() });
    await waitFor(
      'both queues applied',
      async () =>
        hook.received.filter((n) => n.kind === 'change-applied').length >= 1 &&
        (await visibility('healed').catch(() => undefined)) === '30' &&
        (await visibility('watched').catch(() => undefined)) === '30',
    );
  });

  afterAll(async () => {
    await daemon?.stop('test finished');
    hook?.server.close();
  });

  it('detects an out-of-band change, alerts once across ticks, remediates in remediate mode and sends a recovery message', async () => {
    for (const stack of ['watched', 'healed']) {
      await sqs.send(new SetQueueAttributesCommand({ QueueUrl: await queueUrl(stack), Attributes: { VisibilityTimeout: '120' } }));
    }

    // First tick: both drifts are found and alerted; the remediate-mode stack is put back.
    await waitFor(
      'the first scheduled check',
      async () => alerts('drift-detected', 'watched').length > 0 && alerts('drift-resolved', 'healed').length > 0,
      100_000,
    );
    const detected = alerts('drift-detected', 'watched')[0];
    expect(detected?.summary).toMatch(/visibilityTimeoutSeconds desired 30, actual 120/);
    expect(alerts('drift-detected', 'healed')).toHaveLength(1);
    expect(await visibility('healed')).toBe('30');
    expect(await visibility('watched')).toBe('120'); // detect mode: reported, never changed

    // Second tick: the same drift is checked again but not alerted again.
    const checksAfterFirst = (await checksOf('watched')).length;
    await waitFor('the second scheduled check', async () => (await checksOf('watched')).length > checksAfterFirst, 100_000);
    expect(alerts('drift-detected', 'watched')).toHaveLength(1);
    expect(alerts('drift-detected', 'healed')).toHaveLength(1);
    expect(alerts('drift-resolved', 'healed')).toHaveLength(1);
    const latest = (await checksOf('watched'))[0];
    expect(latest).toMatchObject({ drifted: true, resourceCount: 1 });

    const metrics = await (await fetch(`${daemon.url}/metrics`)).text();
    expect(metrics).toContain(`driftless_drifted_stacks{environment="${env}"} 1`);
    expect(metrics).toContain(`driftless_drifted_resources{environment="${env}"} 1`);
    expect(metrics).toMatch(new RegExp(`driftless_drift_last_check_timestamp_seconds\\{environment="${env}"\\} \\d+`));
  });
});

import { DeleteQueueCommand, GetQueueAttributesCommand, GetQueueUrlCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { inject } from 'vitest';
import { DaemonConfig } from '../../engine/config/daemon-config.js';
import { startDaemon, type RunningDaemon } from '../../engine/daemon/main.js';
import { createLogger } from '../../engine/log/logger.js';
import { waitFor } from '../e2e/daemon/git-repo.js';

/**
 * Starts a daemon in this process, the way the daemon e2e tests do: it polls `repository`
 * every second, keeps its state in `stateDir` and the environments' file backends under
 * `backendBaseDir`, talks to the test LocalStack, serves HTTP on a free port and logs
 * warnings only. `extra` adds top-level config fields (trust, …). Resolves once /readyz
 * answers 200.
 */
export async function startInProcessDaemon(
  repository: string,
  stateDir: string,
  backendBaseDir: string,
  extra: Record<string, unknown> = {},
): Promise<RunningDaemon> {
  const config = DaemonConfig.parse({
    source: { repository, pollIntervalSeconds: 1 },
    stateDir,
    backendBaseDir,
    awsEndpoint: inject('awsEndpoint'),
    http: { port: 0 },
    ...extra,
  });
  const daemon = await startDaemon(config, { log: createLogger({ level: 'warn', pretty: false }) });
  await waitFor('readiness', async () => (await fetch(`${daemon.url}/readyz`)).status === 200);
  return daemon;
}

/** The VisibilityTimeout attribute of the SQS queue `name`, or undefined while there is no such queue. */
export async function queueVisibilityTimeout(sqs: SQSClient, name: string): Promise<string | undefined> {
  try {
    const { QueueUrl } = await sqs.send(new GetQueueUrlCommand({ QueueName: name }));
    const attrs = await sqs.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['VisibilityTimeout'] }));
    return attrs.Attributes?.VisibilityTimeout;
  } catch {
    return undefined;
  }
}

/** Deletes the SQS queue `name` if a test created it. */
export async function deleteQueueIfAny(sqs: SQSClient, name: string): Promise<void> {
  try {
    const { QueueUrl } = await sqs.send(new GetQueueUrlCommand({ QueueName: name }));
    await sqs.send(new DeleteQueueCommand({ QueueUrl }));
  } catch {
    // the queue was never created: nothing to clean
  }
}

import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateQueueCommand, DeleteQueueCommand, GetQueueAttributesCommand, SQSClient } from '@aws-sdk/client-sqs';
import { expect, inject, onTestFinished } from 'vitest';
import { type LoadedStack, loadEnvironment } from '../../engine/load/index.js';
import type { TemplateContext } from '../../sdk/template/index.js';
import { deployTemplate, stabilityOf, type TemplateDeployment } from '../../sdk/testing/index.js';
import { awsTestConfig, TEST_REGION, uniqueName } from './aws.js';

// The repository-specific layer of the built-in templates' E2E tests over the template
// testing kit (driftless/testing): stacks come from YAML fixtures read by the real loader,
// so each test also proves that its Stack document validates; everything is cleaned up
// after the test.

/** A template stack loaded from YAML and deployed on LocalStack (its first `up` done). */
export interface TemplateStack extends TemplateDeployment {
  loaded: LoadedStack;
}

/** What a test gives: the stack's YAML, the YAML of stacks it depends on, their outputs. */
export interface TemplateStackSource {
  /** Name of the stack to run; its file is `<name>.yaml`. */
  name: string;
  /** Stack documents by stack name (the one to run and any it dependsOn). */
  documents: Record<string, string>;
  /**
   * Outputs of the stacks it depends on. Those stacks are only validated by the loader,
   * not applied: the test creates their resources itself, so each file runs one stack.
   */
  dependencies?: TemplateContext['dependencies'];
  /** Environment name; a unique one by default (names in YAML may need it first). */
  environment?: string;
}

/**
 * Writes a fresh environment (unique name, so runs never share AWS names) holding the
 * given Stack documents in a temp folder removed after the test, loads it with the real
 * loader and deploys the stack's template with the testing kit against the test
 * LocalStack, with the params and tags the loader read. The deployment is disposed of
 * (destroyed if still there) after the test.
 */
export async function templateStack(src: TemplateStackSource): Promise<TemplateStack> {
  const environment = src.environment ?? uniqueName('e2e');
  const dir = mkdtempSync(join(tmpdir(), 'driftless-template-e2e-'));
  onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
  const envDir = join(dir, 'environments', environment);
  mkdirSync(envDir, { recursive: true });
  writeFileSync(
    join(envDir, 'environment.yaml'),
    [
      'apiVersion: driftless/v1',
      'kind: Environment',
      `metadata: { name: ${environment} }`,
      'spec:',
      '  deployBranch: main',
      '  backend: file://.driftless/state',
      `  aws: { region: ${TEST_REGION} }`,
      '  tags: { team: templates-e2e }',
      '',
    ].join('\n'),
  );
  for (const [name, yaml] of Object.entries(src.documents)) writeFileSync(join(envDir, `${name}.yaml`), yaml);

  const check = await loadEnvironment(envDir);
  expect(check.messages).toEqual([]);
  const env = check.environment!;
  const loaded = env.stacks.find((s) => s.name === src.name)!;
  expect(loaded).toBeDefined();
  expect(loaded.definition, `template ${loaded.template} is built in`).toBeDefined();

  const deployment = await deployTemplate({
    template: loaded.definition,
    params: loaded.spec.params,
    stack: loaded.name,
    environment,
    tags: { ...env.spec.tags, ...loaded.spec.tags },
    dependencies: src.dependencies ?? {},
    region: TEST_REGION,
    endpoint: inject('awsEndpoint'),
  });
  onTestFinished(() => deployment.dispose());
  return Object.assign(deployment, { loaded });
}

/**
 * Issue 6's closing steps: a second `up` reports no changes, a refresh preview finds no
 * drift (the provider reads back exactly what check stored), and destroy succeeds (it
 * rejects otherwise). The caller then checks with the SDK that the resources are gone.
 */
export async function expectStableThenDestroy(t: TemplateDeployment): Promise<void> {
  expect(await stabilityOf(t)).toEqual({ changes: {}, drift: [] });
  await t.destroy();
  expect(t.destroyed).toBe(true);
}

/**
 * The tags every resource of a template stack carries (environment and stack tags from
 * {@link templateStack}), spelled out rather than computed by the SDK's resourceTags.
 */
export function expectedTemplateTags(
  t: Pick<TemplateDeployment, 'context'>,
  stackTags: Record<string, string> = {},
): Record<string, string> {
  return {
    team: 'templates-e2e',
    ...stackTags,
    environment: t.context.environment,
    stack: t.context.stack,
    'managed-by': 'driftless',
    revision: t.context.revision,
  };
}

/** The Stack document of a default `queue` stack named orders-queue, for stacks that depend on it. */
export const ORDERS_QUEUE_YAML = `apiVersion: driftless/v1
kind: Stack
metadata: { name: orders-queue }
spec:
  template: queue
`;

/**
 * A queue made with the SDK, standing in for a queue stack's resources when only the
 * dependent stack runs; deleted after the test.
 */
export async function standInQueue(prefix: string): Promise<{ url: string; arn: string }> {
  const sqs = new SQSClient(awsTestConfig());
  const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: uniqueName(prefix) }));
  onTestFinished(async () => {
    await sqs.send(new DeleteQueueCommand({ QueueUrl }));
  });
  const arn = (await sqs.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['QueueArn'] }))).Attributes!.QueueArn!;
  return { url: QueueUrl!, arn };
}

/**
 * The orders-queue stack applied from {@link ORDERS_QUEUE_YAML} in `environment`, so a
 * dependent stack of the same environment gets real outputs (and the queue's publisher
 * policy); destroyed after the test.
 */
export async function appliedOrdersQueue(environment: string): Promise<Record<string, unknown>> {
  const queue = await templateStack({ name: 'orders-queue', environment, documents: { 'orders-queue': ORDERS_QUEUE_YAML } });
  return queue.outputs;
}

export { tagMap } from '../../sdk/testing/index.js';

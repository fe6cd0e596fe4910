import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { CreateQueueCommand, DeleteQueueCommand, GetQueueAttributesCommand, SQSClient } from '@aws-sdk/client-sqs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Stack } from '@pulumi/pulumi/automation/index.js';
import { expect, onTestFinished } from 'vitest';
import { loadEnvironment, type LoadedStack } from '../../engine/load/index.js';
import { selectInlineStack } from '../../engine/pulumi/workspace.js';
import { fileBackendLocations } from '../../engine/toolchain/pulumi-env.js';
import type { TemplateContext } from '../../sdk/template/index.js';
import { builtinTemplates } from '../../stacks/index.js';
import { awsTestConfig, awsTestEnv, TEST_REGION, uniqueName } from './aws.js';

/** A template stack loaded from YAML and selected on a file backend, ready for `up`. */
export interface TemplateStack {
  stack: Stack;
  /** The file backend's folder, to look at what the state holds. */
  backendDir: string;
  loaded: LoadedStack;
  context: TemplateContext;
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
 * given Stack documents in a temp folder removed after the test, loads it with the real loader and selects the stack's inline
 * program on a temp file backend against the test LocalStack.
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

  const context: TemplateContext = {
    environment,
    stack: loaded.name,
    region: TEST_REGION,
    tags: { ...env.spec.tags, ...loaded.spec.tags },
    revision: 'e2e0000000000000000000000000000000000000',
    dependencies: src.dependencies ?? {},
  };
  const template = builtinTemplates.find((t) => t.name === loaded.template);
  expect(template, `template ${loaded.template} is built in`).toBeDefined();
  const stack = await selectInlineStack({
    projectName: 'driftless',
    stackName: `${environment}.${loaded.name}`,
    program: async () => template!.program(loaded.spec.params, context),
    locations: fileBackendLocations(join(dir, 'state')),
    workDir: join(dir, 'work'),
    envVars: awsTestEnv(),
  });
  return { stack, loaded, context, backendDir: join(dir, 'state', 'backend') };
}

/** Resource changes of an operation without the `same` count: `{}` means no change. */
export function changesOf(summary: { resourceChanges?: Record<string, number> }): Record<string, number> {
  return Object.fromEntries(Object.entries(summary.resourceChanges ?? {}).filter(([op, n]) => op !== 'same' && n > 0));
}

/** Plain values of the outputs of an `up`. */
export function plainOutputs(outputs: Record<string, { value: unknown }>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(outputs).map(([k, o]) => [k, o.value]));
}

/** Runs `up`, which must succeed, and returns the plain outputs. */
export async function upOutputs(stack: Stack): Promise<Record<string, unknown>> {
  const up = await stack.up();
  expect(up.summary.result).toBe('succeeded');
  return plainOutputs(up.outputs);
}

/**
 * Issue 6's closing steps: a second `up` reports no changes, a refresh preview finds no
 * drift (the provider reads back exactly what check stored), and destroy succeeds. The
 * caller then checks with the SDK that the resources are gone.
 */
export async function expectStableThenDestroy(stack: Stack): Promise<void> {
  const again = await stack.up();
  expect(changesOf(again.summary)).toEqual({});
  const refresh = await stack.previewRefresh();
  expect(changesOf({ resourceChanges: refresh.changeSummary })).toEqual({});
  const destroy = await stack.destroy();
  expect(destroy.summary.result).toBe('succeeded');
}

/** The tags every resource of a template stack carries (environment and stack tags from {@link templateStack}). */
export function expectedTemplateTags(t: Pick<TemplateStack, 'context'>, stackTags: Record<string, string> = {}): Record<string, string> {
  return {
    team: 'templates-e2e',
    ...stackTags,
    environment: t.context.environment,
    stack: t.context.stack,
    'managed-by': 'driftless',
    revision: t.context.revision,
  };
}

/** A tag list as AWS returns it (`[{ Key, Value }]`, or other member names) as a map. */
export function tagMap<T>(tags: readonly T[] | undefined, key: keyof T, value: keyof T): Record<string, unknown> {
  return Object.fromEntries((tags ?? []).map((t) => [t[key], t[value]]));
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
  onTestFinished(async () => {
    await queue.stack.destroy();
  });
  return upOutputs(queue.stack);
}

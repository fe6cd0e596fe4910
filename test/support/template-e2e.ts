import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Stack } from '@pulumi/pulumi/automation/index.js';
import { expect, onTestFinished } from 'vitest';
import { loadEnvironment, type LoadedStack } from '../../engine/load/index.js';
import { selectInlineStack } from '../../engine/pulumi/workspace.js';
import { fileBackendLocations } from '../../engine/toolchain/pulumi-env.js';
import type { TemplateContext } from '../../stacks/contract.js';
import { programs } from '../../stacks/programs.js';
import { awsTestEnv, TEST_REGION, uniqueName } from './aws.js';

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
  const program = programs[loaded.template];
  expect(program, `template ${loaded.template} has a program`).toBeDefined();
  const stack = await selectInlineStack({
    projectName: 'driftless',
    stackName: `${environment}.${loaded.name}`,
    program: async () => program!(loaded.spec.params, context),
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

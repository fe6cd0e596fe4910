import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkEnvironment, type EnvironmentCheck, hasErrors, type ValidationMessage } from '../../../engine/load/index.js';
import { builtinRegistry } from '../../../engine/templates/builtin.js';
import { type InstalledTemplate, TemplateRegistry } from '../../../engine/templates/registry.js';
import { defineTemplate, OutputRef, z } from '../../../sdk/template/index.js';
import { builtinTemplates } from '../../../stacks/index.js';

const worker = defineTemplate({
  name: 'acme/worker',
  version: '1.3.0',
  description: 'a worker consuming a queue',
  params: z.strictObject({
    image: z.string().min(1),
    replicas: z.number().int().min(1).default(2),
    queue: OutputRef.optional(),
  }),
  outputs: [
    { name: 'serviceArn', description: 'service ARN' },
    { name: 'queueUrl', description: 'URL of the queue it reads' },
  ],
  program: () => ({ serviceArn: 'arn:aws:ecs:::service/worker', queueUrl: 'https://q' }),
});

const installed: InstalledTemplate[] = [
  ...builtinTemplates.map((definition): InstalledTemplate => ({ definition, origin: { kind: 'builtin' } })),
  {
    definition: worker,
    origin: { kind: 'package', package: '@acme/driftless-templates', packageVersion: '1.3.0', path: '/opt/templates/acme' },
  },
];
const made = TemplateRegistry.of(installed);
if (!made.ok) throw new Error(made.problems.join('; '));
const registry = made.value;

const encoder = new TextEncoder();
const environmentYaml = readFileSync(join('environments', 'dev', 'environment.yaml'), 'utf8');
const ordersQueue = readFileSync(join('environments', 'dev', 'orders-queue.yaml'), 'utf8');

/** The worker stack; `replicasLine` and `template` vary per case. Lines are numbered for the positions below. */
function workerYaml({ template = 'acme/worker@^1', replicasLine = 'replicas: 3', output = 'arn' } = {}): string {
  return [
    'apiVersion: driftless/v1', // 1
    'kind: Stack', // 2
    'metadata:', // 3
    '  name: orders-worker', // 4
    'spec:', // 5
    `  template: ${template}`, // 6
    '  dependsOn: [orders-queue]', // 7
    '  params:', // 8
    '    image: worker:1', // 9
    `    ${replicasLine}`, // 10
    `    queue: { fromStack: orders-queue, output: ${output} }`, // 11
    '',
  ].join('\n');
}

/** A built-in topic stack subscribing the worker's `output` (which the worker may not declare). */
function topicYaml(output: string): string {
  return [
    'apiVersion: driftless/v1', // 1
    'kind: Stack', // 2
    'metadata:', // 3
    '  name: orders-topic', // 4
    'spec:', // 5
    '  template: topic', // 6
    '  dependsOn: [orders-worker]', // 7
    '  params:', // 8
    '    subscriptions:', // 9
    `      - queue: { fromStack: orders-worker, output: ${output} }`, // 10
    '',
  ].join('\n');
}

/** checkEnvironment on an in-memory dev folder of `files` (basename → YAML text) and environment.yaml. */
function check(files: Record<string, string>, templates: TemplateRegistry = registry): EnvironmentCheck {
  const all = { 'environment.yaml': environmentYaml, 'orders-queue.yaml': ordersQueue, ...files };
  return checkEnvironment(
    {
      name: 'dev',
      dir: 'mem/dev',
      path: '/mem/dev',
      files: Object.entries(all).map(([basename, text]) => ({
        file: `mem/dev/${basename}`,
        path: `/mem/dev/${basename}`,
        basename,
        bytes: encoder.encode(text),
      })),
      messages: [],
    },
    templates,
  );
}

/** The error messages of a check, as file:line:col path: message. */
const errors = (r: EnvironmentCheck): Pick<ValidationMessage, 'file' | 'line' | 'col' | 'path' | 'message'>[] =>
  r.messages.filter((m) => m.severity === 'error').map(({ file, line, col, path, message }) => ({ file, line, col, path, message }));

describe('checkEnvironment with a package template installed', () => {
  it('loads a stack of acme/worker@^1, resolved to the installed definition with params parsed', () => {
    const r = check({ 'orders-worker.yaml': workerYaml() });
    expect(errors(r)).toEqual([]);
    expect(r.environment).toBeDefined();
    const stack = r.environment!.stacks.find((s) => s.name === 'orders-worker')!;
    expect(stack.template).toBe('acme/worker');
    expect(stack.definition).toBe(worker);
    expect(stack.spec.template).toBe('acme/worker@^1');
    expect(stack.spec.params).toEqual({ image: 'worker:1', replicas: 3, queue: { fromStack: 'orders-queue', output: 'arn' } });
    expect(r.environment!.stacks.map((s) => s.name)).toEqual(['orders-queue', 'orders-worker']);
  });

  it.each(['acme/worker', 'acme/worker@1.3.0', 'acme/worker@~1.3', 'acme/worker@>=1.0.0 <2'])('accepts spec.template %s', (template) => {
    const r = check({ 'orders-worker.yaml': workerYaml({ template }) });
    expect(errors(r)).toEqual([]);
    expect(r.environment?.stacks.find((s) => s.name === 'orders-worker')?.template).toBe('acme/worker');
  });

  it('applies the template defaults to params it leaves out', () => {
    const r = check({ 'orders-worker.yaml': workerYaml({ replicasLine: '# replicas left to the default' }) });
    expect(errors(r)).toEqual([]);
    expect(r.environment!.stacks.find((s) => s.name === 'orders-worker')!.spec.params.replicas).toBe(2);
  });

  it.each<[string, string, Partial<ValidationMessage>]>([
    [
      'a misspelt param',
      'replicaz: 3',
      { line: 10, col: 5, path: 'spec.params.replicaz', message: 'unknown key "replicaz" (did you mean "replicas"?)' },
    ],
    ['a param of the wrong type', 'replicas: three', { line: 10, col: 5, path: 'spec.params.replicas' }],
    ['a param out of range', 'replicas: 0', { line: 10, col: 5, path: 'spec.params.replicas' }],
  ])('reports %s at its line:col', (_why, replicasLine, expected) => {
    const r = check({ 'orders-worker.yaml': workerYaml({ replicasLine }) });
    expect(r.environment).toBeUndefined();
    expect(errors(r)).toEqual([expect.objectContaining({ file: 'mem/dev/orders-worker.yaml', ...expected })]);
  });

  it.each<[string, string[]]>([
    [
      'acme/worker@^3',
      ['template acme/worker@^3 is not installed: the installed version is 1.3.0 (@acme/driftless-templates@1.3.0 (/opt/templates/acme))'],
    ],
    ['acme/worker@latest', ['"latest" is not a version range']],
    ['acme/wroker', ['unknown template "acme/wroker" (did you mean "acme/worker"?)', 'installed: ', 'acme/worker']],
  ])('refuses spec.template %s at its position', (template, parts) => {
    const r = check({ 'orders-worker.yaml': workerYaml({ template }) });
    expect(r.environment).toBeUndefined();
    const found = errors(r);
    expect(found).toHaveLength(1);
    expect(found[0]).toMatchObject({ file: 'mem/dev/orders-worker.yaml', line: 6, col: 3, path: 'spec.template' });
    for (const p of parts) expect(found[0]!.message).toContain(p);
  });

  it('refuses acme/worker when the package is not installed', () => {
    const r = check({ 'orders-worker.yaml': workerYaml({ template: 'acme/worker' }) }, builtinRegistry());
    expect(errors(r)).toEqual([
      expect.objectContaining({
        line: 6,
        col: 3,
        path: 'spec.template',
        message: expect.stringContaining('unknown template "acme/worker"'),
      }),
    ]);
  });

  it('accepts an OutputRef from a built-in stack to a declared output of the package template', () => {
    const r = check({ 'orders-worker.yaml': workerYaml(), 'orders-topic.yaml': topicYaml('queueUrl') });
    expect(hasErrors(r.messages)).toBe(false);
    expect(r.environment!.stacks.map((s) => s.name)).toEqual(['orders-queue', 'orders-worker', 'orders-topic']);
  });

  it('refuses an OutputRef from a built-in stack to an undeclared output of the package template, naming its outputs', () => {
    const r = check({ 'orders-worker.yaml': workerYaml(), 'orders-topic.yaml': topicYaml('queueArn') });
    expect(r.environment).toBeUndefined();
    expect(errors(r)).toEqual([
      {
        file: 'mem/dev/orders-topic.yaml',
        line: 10,
        col: 44,
        path: 'spec.params.subscriptions[0].queue.output',
        message: expect.stringMatching(
          /^stack "orders-worker" \(template acme\/worker\) has no output "queueArn".*; outputs: serviceArn, queueUrl$/,
        ),
      },
    ]);
  });

  it('refuses an OutputRef from the package stack to an undeclared output of a built-in stack', () => {
    const r = check({ 'orders-worker.yaml': workerYaml({ output: 'arnn' }) });
    expect(errors(r)).toEqual([
      expect.objectContaining({
        file: 'mem/dev/orders-worker.yaml',
        line: 11,
        path: 'spec.params.queue.output',
        message: expect.stringContaining('stack "orders-queue" (template queue) has no output "arnn" (did you mean "arn"?)'),
      }),
    ]);
  });
});

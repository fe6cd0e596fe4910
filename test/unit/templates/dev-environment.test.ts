import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadEnvironment } from '../../../engine/load/index.js';
import { projectRoot } from '../../../engine/toolchain/paths.js';
import type { TemplateContext } from '../../../sdk/template/index.js';
import { runProgram } from '../../../sdk/testing/index.js';
import { builtinTemplates } from '../../../stacks/index.js';

/**
 * The cross-stack example of environments/dev through the real loader and the template
 * programs (under mocks): the topic subscribes the queue ARN that the queue stack outputs,
 * and the rule targets it, wired only through dependsOn outputs.
 */
describe('the dev example environment wires the queue into the topic and the rule', () => {
  it('hands the queue stack outputs to its dependents in dependency order', async () => {
    const check = await loadEnvironment(join(projectRoot, 'environments', 'dev'));
    expect(check.messages.filter((m) => m.severity === 'error')).toEqual([]);
    const env = check.environment!;
    const outputs: Record<string, Record<string, unknown>> = {};
    const created: Record<string, { type: string; inputs: Record<string, unknown> }[]> = {};
    for (const name of ['orders-queue', 'orders-topic', 'nightly-report']) {
      const stack = env.stacks.find((s) => s.name === name)!;
      const ctx: TemplateContext = {
        environment: env.name,
        stack: name,
        region: env.spec.aws.region,
        tags: { ...env.spec.tags, ...stack.spec.tags },
        revision: 'f'.repeat(40),
        dependencies: Object.fromEntries(stack.spec.dependsOn.map((d) => [d, outputs[d]!])),
      };
      const template = builtinTemplates.find((t) => t.name === stack.template)!;
      const run = await runProgram(() => template.program(stack.spec.params, ctx));
      outputs[name] = run.outputs;
      created[name] = run.resources;
    }
    const queueArn = outputs['orders-queue']!.arn;
    expect(queueArn).toBe('arn:aws:sqs:us-east-1:000000000000:dev-orders-queue');
    expect(created['orders-topic']!.find((r) => r.type === 'driftless-aws:sns:Subscription')!.inputs).toMatchObject({
      protocol: 'sqs',
      endpoint: queueArn,
      rawMessageDelivery: true,
    });
    expect(created['nightly-report']!.find((r) => r.type === 'driftless-aws:events:Target')!.inputs.arn).toBe(queueArn);
  });
});

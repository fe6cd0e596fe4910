import { describe, expect, it } from 'vitest';
import { decideStack, fingerprintOf, type DesiredStack } from '../../../engine/plan/decide.js';
import { planEnvironment } from '../../../engine/plan/plan-environment.js';
import type { StackStatus } from '../../../engine/model/index.js';

const queue: DesiredStack = {
  name: 'queue',
  template: 'queue',
  templateVersion: '1.0.0',
  spec: { params: { visibilityTimeoutSeconds: 30 } },
  dependsOn: [],
};
const topic: DesiredStack = {
  name: 'topic',
  template: 'topic',
  templateVersion: '1.0.0',
  spec: { params: { subs: ['queue'] } },
  dependsOn: ['queue'],
};
const other: DesiredStack = { name: 'other', template: 'bucket', templateVersion: '1.0.0', spec: {}, dependsOn: [] };
const queueOutputs = { arn: 'arn:aws:sqs:us-east-1:000000000000:q' };

function appliedAs(stack: DesiredStack, deps: Record<string, Record<string, unknown>> = {}, over: Partial<StackStatus> = {}): StackStatus {
  return {
    environment: 'dev',
    stack: stack.name,
    applied: { ...fingerprintOf(stack, deps), revision: 'r1', outputs: stack === queue ? queueOutputs : {}, at: '2026-01-01T00:00:00Z' },
    lastResult: 'succeeded',
    lastRevision: 'r1',
    lastError: undefined,
    ...over,
  };
}

describe('decideStack', () => {
  const cases: [string, DesiredStack, StackStatus | undefined, Record<string, Record<string, unknown>>, string, string][] = [
    ['never applied', queue, undefined, {}, 'apply', 'never-applied'],
    ['applied and unchanged', queue, appliedAs(queue), {}, 'skip', 'unchanged'],
    ['params changed', { ...queue, spec: { params: { visibilityTimeoutSeconds: 60 } } }, appliedAs(queue), {}, 'apply', 'spec-changed'],
    [
      'key order does not matter',
      { ...queue, spec: { params: { visibilityTimeoutSeconds: 30 } } },
      appliedAs({ ...queue, spec: { params: { visibilityTimeoutSeconds: 30 } } }),
      {},
      'skip',
      'unchanged',
    ],
    ['template version changed', { ...queue, templateVersion: '1.1.0' }, appliedAs(queue), {}, 'apply', 'template-changed'],
    ['last run failed', queue, appliedAs(queue, {}, { lastResult: 'failed' }), {}, 'apply', 'last-run-failed'],
    ['dependency outputs unchanged', topic, appliedAs(topic, { queue: queueOutputs }), { queue: queueOutputs }, 'skip', 'unchanged'],
    [
      'dependency outputs changed',
      topic,
      appliedAs(topic, { queue: queueOutputs }),
      { queue: { arn: 'arn:new' } },
      'apply',
      'dependencies-changed',
    ],
    ['failed first apply', queue, { ...appliedAs(queue), applied: undefined, lastResult: 'failed' }, {}, 'apply', 'never-applied'],
  ];
  it.each(cases)('%s', (_name, stack, status, deps, action, reason) => {
    const d = decideStack(stack, status, deps);
    expect(d.action).toBe(action);
    expect(d.reason).toBe(reason);
  });
});

describe('planEnvironment', () => {
  it('applies a changed stack, makes its dependents pending and skips the rest', () => {
    const statuses = [appliedAs(queue), appliedAs(topic, { queue: queueOutputs }), appliedAs(other)];
    const changedQueue = { ...queue, spec: { params: { visibilityTimeoutSeconds: 45 } } };
    const plan = planEnvironment([changedQueue, topic, other], statuses, { prune: false });
    expect(plan.stacks.map((s) => [s.name, s.decision.action])).toEqual([
      ['queue', 'apply'],
      ['topic', 'pending'],
      ['other', 'skip'],
    ]);
    expect(plan.removed).toEqual([]);
  });

  it('reports removed stacks, and destroys them only when pruning is allowed', () => {
    const statuses = [appliedAs(queue), appliedAs(other)];
    expect(planEnvironment([queue], statuses, { prune: false }).removed).toEqual([{ name: 'other', action: 'report' }]);
    expect(planEnvironment([queue], statuses, { prune: true }).removed).toEqual([{ name: 'other', action: 'destroy' }]);
  });

  it('plans nothing to run for an environment applied at its current spec', () => {
    const plan = planEnvironment([queue, topic, other], [appliedAs(queue), appliedAs(topic, { queue: queueOutputs }), appliedAs(other)], {
      prune: false,
    });
    expect(plan.stacks.every((s) => s.decision.action === 'skip')).toBe(true);
  });
});

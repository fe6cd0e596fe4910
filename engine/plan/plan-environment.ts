import type { StackStatus } from '../model/index.js';
import { decideStack, type DesiredStack, type StackDecision } from './decide.js';

/** The initial plan for one stack, before anything runs. */
export type PlannedStack =
  | { name: string; decision: StackDecision }
  /** Unchanged itself, but a dependency will be applied first: decided again once its outputs are known. */
  | { name: string; decision: { action: 'pending'; dependencies: string[] } };

/** A stack recorded as applied that Git no longer has. */
export interface RemovedStack {
  name: string;
  /** `destroy` only when the environment allows pruning; otherwise it is only reported. */
  action: 'destroy' | 'report';
}

/** What a reconcile of one environment intends to do, in topological order. */
export interface EnvironmentPlan {
  stacks: PlannedStack[];
  removed: RemovedStack[];
}

/**
 * Plans an environment from its desired stacks (in topological order) and the recorded
 * statuses. Pure: no Git, no Pulumi, no clock. A stack is pending when it is unchanged
 * but depends on a stack that will be applied; the reconciler decides it again with
 * that dependency's fresh outputs.
 */
export function planEnvironment(
  desired: readonly DesiredStack[],
  statuses: readonly StackStatus[],
  opts: { prune: boolean },
): EnvironmentPlan {
  const statusOf = new Map(statuses.map((s) => [s.stack, s]));
  const willApply = new Set<string>();
  const stacks: PlannedStack[] = desired.map((stack) => {
    const changingDeps = stack.dependsOn.filter((d) => willApply.has(d));
    const recordedOutputs = Object.fromEntries(stack.dependsOn.map((d) => [d, statusOf.get(d)?.applied?.outputs ?? {}]));
    const decision = decideStack(stack, statusOf.get(stack.name), recordedOutputs);
    if (decision.action === 'apply') {
      willApply.add(stack.name);
      return { name: stack.name, decision };
    }
    if (changingDeps.length > 0) {
      willApply.add(stack.name); // its dependents may change too, until decided again
      return { name: stack.name, decision: { action: 'pending', dependencies: changingDeps } };
    }
    return { name: stack.name, decision };
  });
  const wanted = new Set(desired.map((s) => s.name));
  const removed = statuses
    .filter((s) => !wanted.has(s.stack) && s.applied !== undefined)
    .map((s): RemovedStack => ({ name: s.stack, action: opts.prune ? 'destroy' : 'report' }));
  return { stacks, removed };
}

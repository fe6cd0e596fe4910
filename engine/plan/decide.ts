import type { RecordedOutputs, StackStatus } from '../model/index.js';
import { hashOf } from '../util/canonical-json.js';

/** A stack as Git wants it, reduced to what decides whether it must be applied. */
export interface DesiredStack {
  name: string;
  template: string;
  templateVersion: string;
  /**
   * Everything from Git that shapes the deployment (template, params, tags, region…),
   * but not the revision: a new commit that leaves a stack alone must not re-apply it.
   */
  spec: unknown;
  dependsOn: string[];
}

/** Why a stack is applied. */
export type ApplyReason = 'never-applied' | 'spec-changed' | 'template-changed' | 'dependencies-changed' | 'last-run-failed';

/** The engine's decision for one stack. */
export type StackDecision =
  | { action: 'apply'; reason: ApplyReason; fingerprint: Fingerprint }
  | { action: 'skip'; reason: 'unchanged'; fingerprint: Fingerprint }
  | { action: 'blocked'; reason: 'dependency-failed'; dependency: string };

/** The parts that, when any changes, make a stack worth applying. */
export interface Fingerprint {
  specHash: string;
  templateVersion: string;
  dependenciesHash: string;
}

/** Human words for a decision, used in logs, reports and history. */
export function describeDecision(d: StackDecision): string {
  switch (d.action) {
    case 'apply':
      return {
        'never-applied': 'never applied',
        'spec-changed': 'spec changed',
        'template-changed': 'template version changed',
        'dependencies-changed': 'outputs of a dependency changed',
        'last-run-failed': 'last run failed',
      }[d.reason];
    case 'skip':
      return 'unchanged';
    case 'blocked':
      return `dependency ${d.dependency} failed`;
  }
}

/** The fingerprint of a desired stack given the outputs of its dependencies. */
export function fingerprintOf(stack: DesiredStack, dependencyOutputs: Record<string, RecordedOutputs>): Fingerprint {
  const deps = Object.fromEntries(stack.dependsOn.map((d) => [d, dependencyOutputs[d] ?? null]));
  return { specHash: hashOf(stack.spec), templateVersion: stack.templateVersion, dependenciesHash: hashOf(deps) };
}

/**
 * Decides whether one stack must be applied. Pure: the same inputs always give the same
 * decision, so it is table-tested without Git, Pulumi or clocks.
 *
 * @param dependencyOutputs outputs of each dependency as they are now (recorded, or
 *   fresh from this run when the dependency was just applied)
 */
export function decideStack(
  stack: DesiredStack,
  status: StackStatus | undefined,
  dependencyOutputs: Record<string, RecordedOutputs>,
): StackDecision {
  const fingerprint = fingerprintOf(stack, dependencyOutputs);
  const applied = status?.applied;
  if (!applied) return { action: 'apply', reason: 'never-applied', fingerprint };
  if (status.lastResult === 'failed') return { action: 'apply', reason: 'last-run-failed', fingerprint };
  if (applied.specHash !== fingerprint.specHash) return { action: 'apply', reason: 'spec-changed', fingerprint };
  if (applied.templateVersion !== fingerprint.templateVersion) return { action: 'apply', reason: 'template-changed', fingerprint };
  if (applied.dependenciesHash !== fingerprint.dependenciesHash) return { action: 'apply', reason: 'dependencies-changed', fingerprint };
  return { action: 'skip', reason: 'unchanged', fingerprint };
}

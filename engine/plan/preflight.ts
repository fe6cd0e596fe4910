import type { RecordedOutputs } from '../model/index.js';

/**
 * What can be known to fail before Pulumi starts, for one stack about to be previewed or
 * applied. Such a failure is the stack's own (kind `invalid`): it starts no Pulumi, so it
 * can neither spread to other stacks nor leave a half-built one behind, and its message
 * points at the YAML instead of a stack trace.
 */

/** An environment variable the stack's template reads, and where its params name it (below spec.params). */
export interface EnvNeed {
  name: string;
  path: readonly PropertyKey[];
}

/** A `{ fromStack, output }` reference in the stack's params, and where (below spec.params). */
export interface OutputNeed {
  fromStack: string;
  output: string;
  path: readonly PropertyKey[];
}

/** What one stack needs from outside Git to run. */
export interface StackNeeds {
  stack: string;
  template: string;
  env: readonly EnvNeed[];
  outputs: readonly OutputNeed[];
}

/** One thing missing; `path` is inside the Stack document (`spec.params…`). */
export interface PreflightProblem {
  path: readonly PropertyKey[];
  message: string;
}

/**
 * Every need of a stack that is not met: an environment variable unset or empty, and an
 * output a dependency has not recorded (never applied, or applied before its template
 * had that output). Pure: the environment and the recorded outputs are arguments.
 */
export function preflightProblems(
  needs: StackNeeds,
  environment: Readonly<Record<string, string | undefined>>,
  dependencyOutputs: Readonly<Record<string, RecordedOutputs>>,
): PreflightProblem[] {
  const problems: PreflightProblem[] = [];
  const seenVars = new Set<string>();
  for (const v of needs.env) {
    const value = environment[v.name];
    if (value !== undefined && value !== '') continue;
    const again = seenVars.has(v.name);
    seenVars.add(v.name);
    problems.push({
      path: ['spec', 'params', ...v.path],
      message: `environment variable ${v.name} is ${value === '' ? 'empty' : 'not set'} in the daemon's environment${again ? '' : ` (template ${needs.template} reads it; set it, then run again)`}`,
    });
  }
  for (const ref of needs.outputs) {
    const recorded = dependencyOutputs[ref.fromStack];
    if (recorded && Object.hasOwn(recorded, ref.output)) continue;
    const known = recorded ? Object.keys(recorded).sort() : [];
    const why =
      known.length === 0
        ? 'has recorded no outputs: has it been applied?'
        : `has recorded no output "${ref.output}" (recorded: ${known.join(', ')}); apply it again with its current template`;
    problems.push({ path: ['spec', 'params', ...ref.path, 'output'], message: `stack "${ref.fromStack}" ${why}` });
  }
  return problems;
}

/** Every `{ fromStack, output }` reference in parsed params, with its path below spec.params. */
export function outputNeeds(params: unknown, isRef: (v: unknown) => v is { fromStack: string; output: string }): OutputNeed[] {
  const found: OutputNeed[] = [];
  const walk = (value: unknown, path: PropertyKey[], depth: number): void => {
    if (isRef(value)) {
      found.push({ fromStack: value.fromStack, output: value.output, path });
      return;
    }
    // Free-form maps (filter policies, event patterns) may nest; refs never sit that deep.
    if (depth > 16 || typeof value !== 'object' || value === null) return;
    if (Array.isArray(value)) {
      for (const [i, v] of value.entries()) walk(v, [...path, i], depth + 1);
    } else for (const [k, v] of Object.entries(value)) walk(v, [...path, k], depth + 1);
  };
  walk(params, [], 0);
  return found;
}

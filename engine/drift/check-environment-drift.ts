import { bindOperation, type EnvironmentOperation } from '../run/reconcile-environment.js';
import type { DriftChecker, DriftCheckResult } from './drift-checker.js';

/** One drift check of an environment: the choices a caller (CLI or daemon) makes. */
export interface EnvironmentDriftRun extends EnvironmentOperation {
  forceRemediate?: boolean;
  /** False while Git's current state of the environment is invalid. */
  allowRemediation: boolean;
}

/**
 * Binds an environment's stacks and checks them for drift, each with its drift mode (the
 * stack's override, else the environment's). The one path shared by `driftless drift`
 * and the daemon's scheduled checks.
 */
export function checkEnvironmentDrift(checker: DriftChecker, run: EnvironmentDriftRun): Promise<DriftCheckResult> {
  const { environment, revision } = run;
  const bound = bindOperation(run);
  const modeOf = (name: string) => environment.stacks.find((s) => s.name === name)?.spec.drift.mode ?? environment.spec.drift.mode;
  return checker.check({
    environment: environment.name,
    revision,
    trigger: run.trigger,
    stacks: bound.stacks
      .filter((b) => !run.only || run.only.includes(b.desired.name))
      .map((b) => ({ bound: b, mode: modeOf(b.desired.name) })),
    forceRemediate: run.forceRemediate ?? false,
    allowRemediation: run.allowRemediation,
    parallelism: environment.spec.parallelism,
    ...(run.signal ? { signal: run.signal } : {}),
  });
}

import type { LoadedEnvironment } from '../load/index.js';
import { bindEnvironment } from '../run/bind-environment.js';
import type { Trigger } from '../store/run-store.js';
import type { DriftChecker, DriftCheckResult } from './drift-checker.js';

/** One drift check of an environment: the choices a caller (CLI or daemon) makes. */
export interface EnvironmentDriftRun {
  environment: LoadedEnvironment;
  revision: string;
  trigger: Trigger;
  stateDir: string;
  baseDir: string;
  awsEndpointOverride?: string | undefined;
  /** Only these stacks (CLI `--stack`, or the stacks whose schedule fired). */
  only?: readonly string[] | undefined;
  forceRemediate?: boolean;
  /** False while Git's current state of the environment is invalid. */
  allowRemediation: boolean;
  signal?: AbortSignal;
}

/**
 * Binds an environment's stacks and checks them for drift, each with its drift mode (the
 * stack's override, else the environment's). The one path shared by `driftless drift`
 * and the daemon's scheduled checks.
 */
export function checkEnvironmentDrift(checker: DriftChecker, run: EnvironmentDriftRun): Promise<DriftCheckResult> {
  const { environment, revision } = run;
  const bound = bindEnvironment(environment, {
    revision,
    stateDir: run.stateDir,
    baseDir: run.baseDir,
    ...(run.awsEndpointOverride ? { awsEndpointOverride: run.awsEndpointOverride } : {}),
  });
  const modeOf = (name: string) => environment.stacks.find((s) => s.name === name)?.spec.drift.mode ?? environment.spec.drift.mode;
  return checker.check({
    environment: environment.name,
    revision,
    trigger: run.trigger,
    stacks: bound.stacks.filter((b) => !run.only || run.only.includes(b.desired.name)).map((b) => ({ bound: b, mode: modeOf(b.desired.name) })),
    forceRemediate: run.forceRemediate ?? false,
    allowRemediation: run.allowRemediation,
    parallelism: environment.spec.parallelism,
    ...(run.signal ? { signal: run.signal } : {}),
  });
}

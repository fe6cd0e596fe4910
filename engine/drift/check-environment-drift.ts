import { bindOperation, type EnvironmentOperation } from '../run/reconcile-environment.js';
import type { RemediationPolicy } from '../plan/decide-remediation.js';
import type { DriftChecker, DriftCheckResult } from './drift-checker.js';
import { mergeIgnoreRules } from './ignore-rules.js';
import { DriftPrescreen } from './prescreen/prescreen.js';
import type { StackPrescreen } from './prescreen/types.js';

/** One drift check of an environment: the choices a caller (CLI or daemon) makes. */
export interface EnvironmentDriftRun extends EnvironmentOperation {
  /**
   * Which drifted stacks are put back: `by-mode` (default; the daemon's scheduled checks)
   * those in remediate mode, `all` (`driftless drift --remediate`), `none` (`driftless drift`).
   */
  remediation?: RemediationPolicy;
  /** False while Git's current state of the environment is invalid. */
  allowRemediation: boolean;
  /**
   * The in-process pre-screen that spares previewRefresh on stacks found in sync; the
   * shared default when absent, none with `false` (every stack refreshed).
   */
  prescreen?: StackPrescreen | false;
  /** See DriftCheckRequest.yieldBeforeStack. */
  yieldBeforeStack?: () => Promise<void>;
}

let sharedPrescreen: DriftPrescreen | undefined;

/** The pre-screen the CLI and the daemon share (one set of clients per process). */
export function defaultPrescreen(): StackPrescreen {
  sharedPrescreen ??= new DriftPrescreen();
  return sharedPrescreen;
}

/**
 * Binds an environment's stacks and checks them for drift, each with its drift mode (the
 * stack's override, else the environment's) and its ignore rules (the environment's and the
 * stack's own, merged). The one path shared by `driftless drift`
 * and the daemon's scheduled checks; both pre-screen every stack in-process first.
 */
export function checkEnvironmentDrift(checker: DriftChecker, run: EnvironmentDriftRun): Promise<DriftCheckResult> {
  const { environment, revision } = run;
  const bound = bindOperation(run);
  const modeOf = (name: string) => environment.stacks.find((s) => s.name === name)?.spec.drift.mode ?? environment.spec.drift.mode;
  const ignoreOf = (name: string) =>
    mergeIgnoreRules(environment.spec.drift.ignore, environment.stacks.find((s) => s.name === name)?.spec.drift.ignore);
  const prescreen = run.prescreen === false ? undefined : (run.prescreen ?? defaultPrescreen());
  return checker.check({
    environment: environment.name,
    revision,
    trigger: run.trigger,
    stacks: bound.stacks
      .filter((b) => !run.only || run.only.includes(b.desired.name))
      .map((b) => ({ bound: b, mode: modeOf(b.desired.name), ignore: ignoreOf(b.desired.name) })),
    remediation: run.remediation ?? 'by-mode',
    allowRemediation: run.allowRemediation,
    parallelism: environment.spec.parallelism,
    ...(run.signal ? { signal: run.signal } : {}),
    ...(prescreen ? { prescreen } : {}),
    ...(run.yieldBeforeStack ? { yieldBeforeStack: run.yieldBeforeStack } : {}),
  });
}

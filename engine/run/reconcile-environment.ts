import type { LoadedEnvironment } from '../load/index.js';
import type { CommitAudit, PluginUse, Trigger } from '../model/index.js';
import { bindEnvironment } from './bind-environment.js';
import type { ReconcileResult, Reconciler, StackDispatch } from './reconcile.js';

/** One environment at one revision, and where its stacks run: what every operation on it needs. */
export interface EnvironmentOperation {
  environment: LoadedEnvironment;
  revision: string;
  trigger: Trigger;
  /** driftless state folder (PULUMI_HOME, workspaces). */
  stateDir: string;
  /** Folder relative `file://` backends resolve against. */
  baseDir: string;
  awsEndpointOverride?: string | undefined;
  /** Only these stacks (CLI `--stack`, or the stacks whose drift schedule fired). */
  only?: readonly string[] | undefined;
  signal?: AbortSignal;
  /** Resource plugins of the template installation (the bundled driftless-aws one when absent). */
  plugins?: PluginUse | undefined;
  /** Author, committer and signer of the revision, recorded with each run. */
  audit?: CommitAudit | undefined;
}

/** Binds the environment's stacks to the installed templates for one operation. */
export function bindOperation(op: EnvironmentOperation): ReturnType<typeof bindEnvironment> {
  return bindEnvironment(op.environment, {
    revision: op.revision,
    stateDir: op.stateDir,
    baseDir: op.baseDir,
    ...(op.awsEndpointOverride ? { awsEndpointOverride: op.awsEndpointOverride } : {}),
    ...(op.plugins ? { plugins: op.plugins } : {}),
  });
}

/** How one environment is reconciled: the choices a caller (CLI or daemon) makes. */
export interface EnvironmentRun extends EnvironmentOperation {
  operation: 'up' | 'preview';
  refresh?: boolean;
  /** Runs each stack that must change on another replica (Postgres mode). */
  dispatch?: StackDispatch | undefined;
}

/**
 * Binds an environment's stacks to the installed templates and reconciles them, with the
 * environment's own prune and parallelism settings. The one path from a loaded
 * environment to the reconciler, shared by `driftless up|preview` and the daemon.
 */
export function reconcileEnvironment(reconciler: Reconciler, run: EnvironmentRun): Promise<ReconcileResult> {
  const { environment, revision } = run;
  const bound = bindOperation(run);
  return reconciler.reconcile({
    environment: environment.name,
    revision,
    trigger: run.trigger,
    operation: run.operation,
    stacks: bound.stacks,
    removedTarget: bound.removedTarget,
    prune: environment.spec.prune,
    parallelism: environment.spec.parallelism,
    refresh: run.refresh ?? false,
    ...(run.signal ? { signal: run.signal } : {}),
    ...(run.only ? { only: [...run.only] } : {}),
    ...(run.audit ? { audit: run.audit } : {}),
    ...(run.dispatch ? { dispatch: run.dispatch } : {}),
  });
}

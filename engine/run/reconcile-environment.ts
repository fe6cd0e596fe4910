import type { LoadedEnvironment } from '../load/index.js';
import type { Trigger } from '../store/run-store.js';
import { bindEnvironment } from './bind-environment.js';
import type { ReconcileResult, Reconciler } from './reconcile.js';

/** How one environment is reconciled: the choices a caller (CLI or daemon) makes. */
export interface EnvironmentRun {
  environment: LoadedEnvironment;
  revision: string;
  operation: 'up' | 'preview';
  trigger: Trigger;
  /** driftless state folder (PULUMI_HOME, workspaces). */
  stateDir: string;
  /** Folder relative `file://` backends resolve against. */
  baseDir: string;
  awsEndpointOverride?: string | undefined;
  refresh?: boolean;
  only?: string[] | undefined;
  signal?: AbortSignal;
}

/**
 * Binds an environment's stacks to the installed templates and reconciles them, with the
 * environment's own prune and parallelism settings. The one path from a loaded
 * environment to the reconciler, shared by `driftless up|preview` and the daemon.
 */
export function reconcileEnvironment(reconciler: Reconciler, run: EnvironmentRun): Promise<ReconcileResult> {
  const { environment, revision } = run;
  const bound = bindEnvironment(environment, {
    revision,
    stateDir: run.stateDir,
    baseDir: run.baseDir,
    ...(run.awsEndpointOverride ? { awsEndpointOverride: run.awsEndpointOverride } : {}),
  });
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
    ...(run.only ? { only: run.only } : {}),
  });
}

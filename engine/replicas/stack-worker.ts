import { formatMessage } from '../load/index.js';
import type { Logger } from '../log/logger.js';
import type { RecordedOutputs, StackJob } from '../model/index.js';
import { reconcileEnvironment } from '../run/reconcile-environment.js';
import type { Reconciler, StackOutcome } from '../run/reconcile.js';
import { unchangedOutcome } from '../run/stack-applier.js';
import type { GitSource } from '../source/git-source.js';
import type { RunStore } from '../store/run-store.js';
import type { TemplateInstallation } from '../templates/install.js';
import { RevisionTrees } from './revision-trees.js';

/** A finished stack job: the outcome, the stack's outputs after an up, and who ran it. */
export interface StackJobResult {
  outcome: StackOutcome;
  /** The stack's outputs after a successful up (dependents of it read them). */
  outputs?: RecordedOutputs | undefined;
  pulumiOperations: number;
  /** The replica that ran it. */
  replica: string;
}

/** What a replica runs stack jobs with: its own Git mirror and Pulumi home, the shared store. */
export interface StackWorkerDeps {
  replica: string;
  source: GitSource;
  /** This replica's reconciler: it runs the operation itself (never dispatches). */
  reconciler: Reconciler;
  runs: RunStore;
  templates: TemplateInstallation;
  settings: { stateDir: string; backendBaseDir: string; awsEndpointOverride: string | undefined };
  log: Logger;
}

/** A failed outcome for a job the worker could not even start (the commit no longer loads, the stack is gone). */
function refused(stack: string, reason: string, error: string): StackOutcome {
  return { ...unchangedOutcome(stack, reason), outcome: 'failed', errorKind: 'invalid', error };
}

/**
 * Runs the stack jobs one replica takes from the queue: loads the job's commit from this
 * replica's mirror, validates it again (file:// backends refused), and reconciles the one
 * stack through the local reconciler — under the shared stack lock, decided again under
 * it, so a job that arrives twice (a replica died after applying, before reporting)
 * starts no second Pulumi update.
 */
export class StackWorker {
  private readonly trees: RevisionTrees;

  constructor(private readonly deps: StackWorkerDeps) {
    this.trees = new RevisionTrees(deps.source, deps.templates.registry);
  }

  /** Runs one job; a stack that fails is a value (never thrown); Git or store trouble throws, so the queue retries it. */
  run(job: StackJob, signal: AbortSignal): Promise<StackJobResult> {
    const log = this.deps.log.child({ environment: job.environment, stack: job.stack, revision: job.revision, operation: job.operation });
    return this.trees.with(job.revision, async (load) => {
      const result = (outcome: StackOutcome, pulumiOperations = 0, outputs?: RecordedOutputs): StackJobResult => ({
        outcome,
        pulumiOperations,
        replica: this.deps.replica,
        ...(outputs ? { outputs } : {}),
      });
      const env = load.environments.find((e) => e.name === job.environment);
      if (!env) {
        const errors = load.messages.filter((m) => m.severity === 'error').map(formatMessage);
        log.error({ errors }, `${job.environment} does not load at ${job.revision.slice(0, 12)}: stack job refused`);
        return result(refused(job.stack, 'environment invalid at this commit', errors.join('\n') || 'environment not found'));
      }
      if (!env.stacks.some((s) => s.name === job.stack))
        return result(refused(job.stack, 'stack not in this commit', `stack ${job.stack} is not part of ${env.name} at ${job.revision}`));
      const s = this.deps.settings;
      const run = await reconcileEnvironment(this.deps.reconciler, {
        environment: env,
        revision: job.revision,
        operation: job.operation,
        trigger: job.trigger,
        only: [job.stack],
        stateDir: s.stateDir,
        baseDir: s.backendBaseDir,
        awsEndpointOverride: s.awsEndpointOverride,
        signal,
        plugins: { plugins: this.deps.templates.plugins, acquire: this.deps.templates.acquirePlugins },
        refresh: job.refresh ?? false,
        ...(job.audit ? { audit: job.audit } : {}),
      });
      const outcome = run.stacks.find((o) => o.stack === job.stack) ?? refused(job.stack, 'not run', 'the reconcile returned no outcome');
      const outputs =
        job.operation === 'up' && outcome.outcome !== 'failed'
          ? (await this.deps.runs.getStatus(job.environment, job.stack))?.applied?.outputs
          : undefined;
      log.info(
        { outcome: outcome.outcome, pulumiOperations: run.pulumiOperations },
        `${job.stack}: ${outcome.outcome} on ${this.deps.replica}`,
      );
      return result(outcome, run.pulumiOperations, outputs);
    });
  }

  /** Disposes the checked-out commits. */
  close(): void {
    this.trees.close();
  }
}

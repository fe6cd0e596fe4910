import type { EngineEvent, OutputMap, Stack } from '@pulumi/pulumi/automation/index.js';
import type { Logger } from '../log/logger.js';
import type { ChangeCounts, RecordedOutputs } from '../model/index.js';
import type { OperationOptions, OperationOutcome, ResourceStep, StackRunner, StackTarget } from '../run/stack-runner.js';
import { classifyPulumiFailure, summarizeFailure } from './classify-error.js';
import { clearDeadBackendLocks, repairInterruptedWrites } from './backend-locks.js';
import { selectInlineStack } from './workspace.js';

/** Pulumi project holding every driftless stack. */
export const PULUMI_PROJECT = 'driftless';

/**
 * Pulumi stack name of a driftless stack: `<environment>.<stack>`. Both parts are
 * validated names (letters, digits, `-`, `_`), so the dot keeps them apart unambiguously.
 */
export function pulumiStackName(environment: string, stack: string): string {
  return `${environment}.${stack}`;
}

/** Pulumi's marker of a secret value in serialized properties. */
const SECRET_SIG = '4dabf18193072939515e22adb298388d';

/**
 * Recorded form of the Stack resource's outputs as engine events carry them: secrets
 * arrive already masked, and are recorded as `{ secret: true }`.
 */
export function recordEventOutputs(outputs: Record<string, unknown>): RecordedOutputs {
  return Object.fromEntries(
    Object.entries(outputs).map(([k, v]) => [k, typeof v === 'object' && v !== null && SECRET_SIG in v ? { secret: true } : v]),
  );
}

/**
 * Automation API's up() ends with two \`stack output\` calls and a \`stack history\` call:
 * about 1.9 s of CLI processes here, for outputs the engine events already carried
 * and a summary the runner does not use. Dropping them is the cheapest speed-up there is.
 */
function withoutPostUpQueries(stack: Stack): Stack {
  return Object.assign(stack, { outputs: async (): Promise<OutputMap> => ({}), info: async () => undefined });
}

type PulumiOp = 'preview' | 'up' | 'destroy' | 'previewRefresh';

/** Collects engine events of one operation into steps and error diagnostics. */
class EventCollector {
  readonly steps = new Map<string, ResourceStep>();
  readonly diagnostics: string[] = [];
  /** Outputs of the Stack resource, from its resOutputsEvent. */
  stackOutputs: Record<string, unknown> = {};

  constructor(
    private readonly log: Logger,
    private readonly opts: OperationOptions,
  ) {}

  readonly onEvent = (e: EngineEvent): void => {
    const meta = e.resOutputsEvent?.metadata ?? e.resourcePreEvent?.metadata;
    if (e.resOutputsEvent && meta?.type === 'pulumi:pulumi:Stack') this.stackOutputs = meta.new?.outputs ?? {};
    if (meta && meta.type !== 'pulumi:pulumi:Stack' && !meta.type.startsWith('pulumi:providers:')) {
      const name = meta.urn.slice(meta.urn.lastIndexOf('::') + 2);
      const prev = this.steps.get(meta.urn);
      this.steps.set(meta.urn, {
        urn: meta.urn,
        type: meta.type,
        name,
        op: meta.op,
        oldInputs: meta.old?.inputs ?? prev?.oldInputs,
        newInputs: meta.new?.inputs ?? prev?.newInputs,
        oldOutputs: meta.old?.outputs ?? prev?.oldOutputs,
        newOutputs: meta.new?.outputs ?? prev?.newOutputs,
        diffs: meta.diffs ?? prev?.diffs,
      });
      if (e.resOutputsEvent && meta.op !== 'same') {
        this.log.info({ urn: meta.urn, op: meta.op, type: meta.type }, `${meta.op} ${meta.type} ${name}`);
        this.opts.onProgress?.({ urn: meta.urn, op: meta.op, message: `${meta.op} ${name}` });
      }
    }
    const diag = e.diagnosticEvent;
    if (diag && diag.severity === 'error' && !diag.ephemeral) {
      // biome-ignore lint/suspicious/noControlCharactersInRegex: strips ANSI colour codes (ESC [ ... m) from Pulumi's diagnostics.
      this.diagnostics.push(diag.message.replace(/\x1b\[[0-9;]*m/g, '').trim());
    }
  };
}

/**
 * Removes the operations a crashed run left pending from the stack's state (what
 * `pulumi refresh --clear-pending-creates` does, without refreshing: a refresh would
 * write live state, drift included, into the state). Returns what it dropped.
 */
async function dropPendingOperations(stack: Stack): Promise<{ type: string; urn: string }[]> {
  const state = await stack.exportStack();
  const deployment = state.deployment as { pending_operations?: { type: string; resource: { urn: string } }[] };
  const pending = deployment.pending_operations ?? [];
  if (pending.length === 0) return [];
  await stack.importStack({ ...state, deployment: { ...deployment, pending_operations: [] } });
  return pending.map((p) => ({ type: p.type, urn: p.resource.urn }));
}

/** Counts steps by op, leaving out the Stack resource itself. */
function countSteps(steps: Iterable<ResourceStep>): ChangeCounts {
  const counts: ChangeCounts = {};
  for (const s of steps) counts[s.op] = (counts[s.op] ?? 0) + 1;
  return counts;
}

/**
 * StackRunner over the Pulumi Automation API: the only place (with workspace.ts) that
 * imports it. Every operation streams engine events into the logger and ends as a value.
 */
export class PulumiStackRunner implements StackRunner {
  constructor(private readonly log: Logger) {}

  preview(t: StackTarget, opts: OperationOptions = {}): Promise<OperationOutcome> {
    return this.run('preview', t, opts);
  }

  up(t: StackTarget, opts: OperationOptions = {}): Promise<OperationOutcome> {
    return this.run('up', t, opts);
  }

  destroy(t: StackTarget, opts: OperationOptions = {}): Promise<OperationOutcome> {
    return this.run('destroy', t, opts);
  }

  previewRefresh(t: StackTarget, opts: OperationOptions = {}): Promise<OperationOutcome> {
    return this.run('previewRefresh', t, opts);
  }

  private async select(t: StackTarget): Promise<Stack> {
    return selectInlineStack({
      projectName: PULUMI_PROJECT,
      stackName: pulumiStackName(t.environment, t.stack),
      program: t.program,
      locations: { backendUrl: t.backend.url, pulumiHome: t.backend.pulumiHome },
      workDir: t.workDir,
      envVars: t.envVars,
      secretsProvider: t.secretsProvider,
      plugins: t.plugins,
    });
  }

  private async run(op: PulumiOp, t: StackTarget, opts: OperationOptions): Promise<OperationOutcome> {
    const log = this.log.child({ environment: t.environment, stack: t.stack, operation: op });
    const started = Date.now();
    // The Automation API only listens for a future abort: an operation started after
    // shutdown began would otherwise run to its end.
    if (opts.signal?.aborted) return { ok: false, kind: 'cancelled', message: `${op} not started: shutting down`, durationMs: 0 };
    const events = new EventCollector(log, opts);
    const common = { onEvent: events.onEvent, ...(opts.signal ? { signal: opts.signal } : {}) };
    // The previous holder of this stack's lock died: it may have been killed mid-write of the checkpoint.
    if (opts.deadHosts && opts.deadHosts.length > 0) {
      const repaired = repairInterruptedWrites(t.backend, PULUMI_PROJECT, pulumiStackName(t.environment, t.stack));
      if (repaired.length > 0)
        log.warn({ repaired }, `removed ${repaired.length} empty metadata file(s) a killed Pulumi process left beside the checkpoint`);
    }
    let lockRetried = false;
    for (;;) {
      try {
        const stack = await this.select(t);
        switch (op) {
          case 'preview': {
            await stack.preview({ ...common, refresh: opts.refresh ?? false });
            return this.ok(events, {}, started);
          }
          case 'up': {
            await withoutPostUpQueries(stack).up({ ...common, refresh: opts.refresh ?? false });
            return this.ok(events, recordEventOutputs(events.stackOutputs), started);
          }
          case 'destroy': {
            await stack.destroy({ ...common });
            return this.ok(events, {}, started);
          }
          case 'previewRefresh': {
            // refresh --preview-only: reports drift, writes nothing. (Its returned summary
            // is stale; counts always come from the steps the engine emitted.)
            await stack.previewRefresh({ ...common });
            return this.ok(events, {}, started);
          }
        }
      } catch (e) {
        const err = e instanceof Error ? e : new Error(String(e));
        const kind = classifyPulumiFailure({ errorName: err.name, text: [...events.diagnostics, err.message].join('\n') });
        if (kind === 'locked' && !lockRetried) {
          // A lock left by a driftless process that died mid-operation. The caller holds
          // driftless's own stack lock, so no live driftless process on this state can
          // be behind it; the backend lock is cleared only when its holder is provably dead.
          lockRetried = true;
          if (await this.recoverAfterDeadRun(t, log, opts.deadHosts)) continue;
        }
        if (opts.signal?.aborted) {
          // A CLI interrupted before its own signal handling was up exits without
          // unlocking. It has exited by now, so its lock (if any) is provably dead.
          await this.recoverAfterDeadRun(t, log, opts.deadHosts);
        }
        const message = summarizeFailure(events.diagnostics, err.message);
        log.error({ kind, err: message }, `${op} failed (${kind})`);
        return { ok: false, kind, message, durationMs: Date.now() - started };
      }
    }
  }

  /**
   * Clears the backend locks of a Pulumi process that is gone and drops the pending
   * operations it left in state. The caller holds driftless's own stack lock. Returns
   * whether there was anything to recover.
   */
  private async recoverAfterDeadRun(t: StackTarget, log: Logger, deadHosts: readonly string[] = []): Promise<boolean> {
    const cleared = await clearDeadBackendLocks(t.backend, PULUMI_PROJECT, pulumiStackName(t.environment, t.stack), t.envVars, deadHosts);
    if (cleared.length === 0) return false;
    log.warn({ cleared }, `cleared ${cleared.length} stale Pulumi backend lock(s) left by a process that is no longer running`);
    const dropped = await dropPendingOperations(await this.select(t));
    if (dropped.length > 0) {
      log.warn(
        { pending: dropped },
        `dropped ${dropped.length} pending operation(s) the interrupted run left in state; the next up re-applies them (templates use fixed physical names, so nothing is created twice)`,
      );
    }
    return true;
  }

  /** Counts come from the resource steps, so the Stack and provider resources are not counted. */
  private ok(events: EventCollector, outputs: RecordedOutputs, started: number): OperationOutcome {
    const steps = [...events.steps.values()];
    return { ok: true, changes: countSteps(steps), steps, outputs, durationMs: Date.now() - started };
  }
}

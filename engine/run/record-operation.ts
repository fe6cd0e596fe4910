import type { ChangeCounts, CommitAudit, ErrorKind, Operation, Trigger } from '../model/index.js';
import type { RunStore } from '../store/run-store.js';
import type { OperationOutcome } from './stack-runner.js';

/** How an operation ended, as the run history keeps it. */
export interface OperationRecord {
  ok: boolean;
  changes: ChangeCounts;
  durationMs: number;
  kind?: ErrorKind | undefined;
  message?: string | undefined;
}

/** The record of a runner outcome, optionally with other change counts (e.g. drifted resources). */
export function recordOf(outcome: OperationOutcome, changes?: ChangeCounts): OperationRecord {
  return outcome.ok
    ? { ok: true, changes: changes ?? outcome.changes, durationMs: outcome.durationMs }
    : { ok: false, changes: {}, durationMs: outcome.durationMs, kind: outcome.kind, message: outcome.message };
}

/** Appends one operation on one stack to the run history; `finished` is when it ended. */
export async function recordOperation(
  store: RunStore,
  finished: Date,
  req: { environment: string; revision: string; trigger: Trigger; audit?: CommitAudit | undefined },
  stack: string,
  operation: Operation,
  reason: string,
  r: OperationRecord,
): Promise<void> {
  await store.recordRun({
    environment: req.environment,
    stack,
    revision: req.revision,
    trigger: req.trigger,
    operation,
    result: r.ok ? 'succeeded' : 'failed',
    changes: r.changes,
    durationMs: r.durationMs,
    errorKind: r.ok ? undefined : r.kind,
    error: r.ok ? undefined : r.message,
    reason,
    startedAt: new Date(finished.getTime() - r.durationMs).toISOString(),
    finishedAt: finished.toISOString(),
    ...auditFields(req.audit),
  });
}

/** The audit fields of a run record, only those that are known. */
export function auditFields(audit: CommitAudit | undefined): CommitAudit {
  if (!audit) return {};
  return {
    ...(audit.author ? { author: audit.author } : {}),
    ...(audit.committer ? { committer: audit.committer } : {}),
    ...(audit.signer ? { signer: audit.signer } : {}),
  };
}

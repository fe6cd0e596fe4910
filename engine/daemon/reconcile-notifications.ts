import { formatMessage, type ValidationMessage } from '../load/index.js';
import type { Notification } from '../notify/notifier.js';
import { formatCounts, reportedSteps } from '../report/format-reconcile.js';
import type { CommitAudit } from '../model/index.js';
import type { ReconcileResult } from '../run/reconcile.js';
import { describeVerification, type TrustVerdict } from '../source/verify-commit.js';

/** Committer and signer fields of a notification, when known. */
function auditOf(audit: CommitAudit | undefined): Pick<Notification, 'committer' | 'signer'> {
  return { ...(audit?.committer ? { committer: audit.committer } : {}), ...(audit?.signer ? { signer: audit.signer } : {}) };
}

function describeValue(v: unknown): string {
  const s = v === undefined ? '(unset)' : JSON.stringify(v);
  return s.length > 60 ? s.slice(0, 57) + '...' : s;
}

/** `create 1 (queue orders); update 1 (visibilityTimeoutSeconds 30 => 45)`. */
function changeSummary(steps: ReturnType<typeof reportedSteps>): string {
  return steps
    .map((s) => {
      const fields = s.fields.map((f) => `${f.path} ${describeValue(f.before)} => ${describeValue(f.after)}`).join(', ');
      return `${s.op} ${s.name}${fields ? ` (${fields})` : ''}`;
    })
    .join('; ');
}

/**
 * The notifications of a deploy reconcile: one `change-applied` per stack that changed
 * something, one `reconcile-failed` per stack that failed. Unchanged stacks stay quiet.
 */
export function reconcileNotifications(r: ReconcileResult, author: string, at: Date, audit?: CommitAudit): Notification[] {
  const out: Notification[] = [];
  for (const s of r.stacks) {
    const base = { environment: r.environment, stack: s.stack, revision: r.revision, author, ...auditOf(audit), at: at.toISOString() };
    if (s.outcome === 'failed') {
      out.push({
        ...base,
        kind: 'reconcile-failed',
        summary: `${s.stack}: ${s.errorKind ?? 'failed'}: ${(s.error ?? s.reason).split('\n')[0]}`,
        details: { errorKind: s.errorKind, error: s.error, attempts: s.attempts },
      });
    } else if (s.outcome === 'applied' || s.outcome === 'destroyed') {
      const steps = reportedSteps(s.steps);
      if (steps.length === 0 && s.outcome === 'applied') continue;
      out.push({
        ...base,
        kind: 'change-applied',
        summary: `${s.stack}: ${s.outcome === 'destroyed' ? 'destroyed' : formatCounts(s.changes)}${steps.length ? ` — ${changeSummary(steps)}` : ''}`,
        details: { changes: s.changes, steps },
      });
    }
  }
  return out;
}

/** The notification of a deploy commit refused because its environment is invalid. */
export function rejectionNotification(
  environment: string,
  revision: string,
  author: string,
  messages: readonly ValidationMessage[],
  at: Date,
): Notification {
  const errors = messages.filter((m) => m.severity === 'error');
  return {
    kind: 'reconcile-failed',
    environment,
    revision,
    author,
    summary: `commit rejected, nothing applied: ${errors.length} error(s), first: ${errors[0] ? formatMessage(errors[0]) : '(none)'}`,
    details: { errorKind: 'invalid', messages: errors },
    at: at.toISOString(),
  };
}

/** The notification of a deploy commit refused because it is not signed by a trusted key. */
export function untrustedNotification(environment: string, verdict: TrustVerdict, audit: CommitAudit, at: Date): Notification {
  const failed = verdict.failed ?? verdict.head;
  return {
    kind: 'reconcile-failed',
    environment,
    revision: verdict.head.revision,
    author: audit.author ?? verdict.head.author,
    ...auditOf({ committer: audit.committer }),
    summary: `commit rejected, nothing applied: untrusted (${failed.reason}${failed.revision === verdict.head.revision ? '' : ` at ${failed.revision.slice(0, 12)}`})`,
    details: {
      errorKind: 'untrusted',
      mode: verdict.mode,
      reason: failed.reason,
      verification: failed,
      description: describeVerification(failed),
    },
    at: at.toISOString(),
  };
}

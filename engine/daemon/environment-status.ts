import {
  CONDITION_TYPES,
  conditionOf,
  type Condition,
  type ConditionReason,
  type ConditionStatus,
  type ConditionType,
  type EnvironmentStatus,
} from '../model/index.js';
import { retryDelayMs, type RetryPolicy } from './backoff.js';

/** Something that happened to an environment; the only input of {@link transitionStatus}. */
export type StatusEvent =
  /** An up of the deploy commit starts. */
  | { kind: 'deploy-started'; revision: string }
  | { kind: 'deploy-succeeded'; revision: string }
  /** `random` in [0, 1) picks the jitter (Math.random in the daemon). */
  | { kind: 'deploy-failed'; revision: string; message: string; retry: RetryPolicy; random: number }
  /** Shutdown cancelled the up: the commit is not counted as attempted. */
  | { kind: 'deploy-cancelled'; revision: string }
  /** Invalid or untrusted: nothing applied, not retried; it waits for a new commit. */
  | { kind: 'rejected'; revision: string; reason: 'invalid' | 'untrusted'; message: string }
  /** A commit applied before this status existed (an older daemon's records). */
  | { kind: 'adopted'; revision: string }
  /** A drift check of `checked` stacks ended: `drifted` have drift, `failed` could not be checked. */
  | { kind: 'drift-checked'; checked: string[]; drifted: string[]; failed: string[] }
  | { kind: 'drift-scheduled'; nextAt: string | undefined };

/** An alert the transition calls for (sent once: only on the transition itself). */
export type StatusAlert = { kind: 'stalled'; failures: number } | { kind: 'recovered'; failures: number };

/** The status after an event, and the alerts it calls for. */
export interface StatusTransition {
  status: EnvironmentStatus;
  alerts: StatusAlert[];
}

/** Where statuses live (engine/store/daemon-store.ts). */
export interface EnvironmentStatusStore {
  getStatus(environment: string): Promise<EnvironmentStatus | undefined>;
  saveStatus(status: EnvironmentStatus): Promise<void>;
}

/** A status nothing has happened to yet. */
export function initialStatus(environment: string, now: Date): EnvironmentStatus {
  const at = now.toISOString();
  const c = (type: ConditionType, status: ConditionStatus, reason: ConditionReason, message: string): Condition => ({
    type,
    status,
    reason,
    message,
    lastTransitionTime: at,
  });
  return {
    environment,
    conditions: [
      c('Ready', 'Unknown', 'NeverReconciled', 'no deploy commit applied yet'),
      c('Reconciling', 'False', 'Idle', ''),
      c('Stalled', 'False', 'Healthy', ''),
      c('Drifted', 'Unknown', 'NotChecked', 'no drift check yet'),
    ],
    failureCount: 0,
    driftedStacks: [],
    updatedAt: at,
  };
}

const short = (revision: string) => revision.slice(0, 12);

/** Sets one condition; its lastTransitionTime moves only when its status changes. */
function setCondition(
  conditions: Condition[],
  type: ConditionType,
  status: ConditionStatus,
  reason: ConditionReason,
  message: string,
  now: Date,
): Condition[] {
  const prev = conditions.find((c) => c.type === type);
  const next: Condition = {
    type,
    status,
    reason,
    message,
    lastTransitionTime: prev && prev.status === status ? prev.lastTransitionTime : now.toISOString(),
  };
  // Always all four, in the fixed order, whatever an older row held.
  return CONDITION_TYPES.map((t) => (t === type ? next : (conditions.find((c) => c.type === t) ?? next)));
}

function formatDuration(ms: number): string {
  if (ms % 3_600_000 === 0) return `${ms / 3_600_000}h`;
  if (ms % 60_000 === 0) return `${ms / 60_000}m`;
  if (ms % 1000 === 0) return `${ms / 1000}s`;
  return `${ms}ms`;
}

/**
 * The pure transition: the status after `event` at `now`, and the alerts to send. Table-tested
 * in test/unit/daemon/environment-status.test.ts; persisted only by {@link markEnvironmentStatus}.
 */
export function transitionStatus(prev: EnvironmentStatus, event: StatusEvent, now: Date): StatusTransition {
  let c = prev.conditions;
  const set = (type: ConditionType, status: ConditionStatus, reason: ConditionReason, message: string) => {
    c = setCondition(c, type, status, reason, message, now);
  };
  const wasStalled = conditionOf(prev, 'Stalled');
  const alerts: StatusAlert[] = [];
  let s: EnvironmentStatus = { ...prev };
  switch (event.kind) {
    case 'deploy-started':
      // nextRetryAt stays: a daemon killed during a retry finds it due at its next start.
      set('Reconciling', 'True', 'Progressing', `applying ${short(event.revision)}`);
      break;
    case 'deploy-succeeded':
      if (wasStalled?.status === 'True' && wasStalled.reason === 'RetriesExhausted')
        alerts.push({ kind: 'recovered', failures: prev.failureCount });
      set('Ready', 'True', 'Succeeded', `applied ${short(event.revision)}`);
      set('Reconciling', 'False', 'Idle', '');
      set('Stalled', 'False', 'Healthy', '');
      s = { ...s, lastAttemptedRevision: event.revision, lastAppliedRevision: event.revision, failureCount: 0, nextRetryAt: undefined };
      break;
    case 'deploy-failed': {
      const failures = prev.failureCount + 1;
      const delay = retryDelayMs(failures, event.retry, () => event.random);
      const at = new Date(now.getTime() + delay).toISOString();
      set('Ready', 'False', 'ReconcileFailed', event.message);
      set('Reconciling', 'True', 'RetryScheduled', `attempt ${failures} at ${short(event.revision)} failed; retrying at ${at}`);
      if (failures >= event.retry.stallAfter) {
        if (!(wasStalled?.status === 'True' && wasStalled.reason === 'RetriesExhausted')) alerts.push({ kind: 'stalled', failures });
        set(
          'Stalled',
          'True',
          'RetriesExhausted',
          `${failures} failures in a row; retrying every ${formatDuration(event.retry.maxIntervalMs)} until a retry or a new commit succeeds`,
        );
      }
      s = { ...s, lastAttemptedRevision: event.revision, failureCount: failures, nextRetryAt: at };
      break;
    }
    case 'deploy-cancelled':
      set('Reconciling', 'False', 'Idle', `the up of ${short(event.revision)} was cancelled by shutdown; the next start takes it up again`);
      break;
    case 'rejected': {
      const reason: ConditionReason = event.reason === 'invalid' ? 'InvalidCommit' : 'UntrustedCommit';
      set('Ready', 'False', reason, event.message);
      set('Reconciling', 'False', 'Idle', `${short(event.revision)} is not retried: it waits for a new commit`);
      set(
        'Stalled',
        'True',
        reason,
        `${short(event.revision)} is ${event.reason}; the last good state stays live until a new commit fixes it`,
      );
      s = { ...s, lastAttemptedRevision: event.revision, failureCount: prev.failureCount + 1, nextRetryAt: undefined };
      break;
    }
    case 'adopted':
      if (conditionOf(prev, 'Ready')?.reason === 'NeverReconciled') set('Ready', 'True', 'Succeeded', `applied ${short(event.revision)}`);
      s = {
        ...s,
        lastAppliedRevision: prev.lastAppliedRevision ?? event.revision,
        lastAttemptedRevision: prev.lastAttemptedRevision ?? event.revision,
      };
      break;
    case 'drift-checked': {
      const checked = new Set(event.checked);
      const drifted = [...new Set([...prev.driftedStacks.filter((x) => !checked.has(x)), ...event.drifted])].sort();
      if (drifted.length > 0) set('Drifted', 'True', 'DriftDetected', `${drifted.length} stack(s) drifted: ${drifted.join(', ')}`);
      else if (event.failed.length > 0)
        set('Drifted', 'Unknown', 'DriftCheckFailed', `the drift check failed for: ${event.failed.join(', ')}`);
      else set('Drifted', 'False', 'NoDrift', `no drift in the ${event.checked.length} stack(s) checked last`);
      s = { ...s, driftedStacks: drifted };
      break;
    }
    case 'drift-scheduled':
      s = { ...s, nextDriftCheckAt: event.nextAt };
      break;
  }
  return { status: { ...s, conditions: c, updatedAt: now.toISOString() }, alerts };
}

/**
 * THE writer of environment statuses: reads the stored status (or the initial one),
 * applies the event, stores the result, and returns it with the alerts it calls for.
 */
export async function markEnvironmentStatus(
  store: EnvironmentStatusStore,
  environment: string,
  event: StatusEvent,
  now: Date,
): Promise<StatusTransition> {
  const prev = (await store.getStatus(environment)) ?? initialStatus(environment, now);
  const t = transitionStatus(prev, event, now);
  await store.saveStatus(t.status);
  return t;
}

/** Whether the deploy head is refused (invalid or untrusted): drift is then detected, never remediated. */
export function headRejected(s: EnvironmentStatus | undefined): boolean {
  const r = s ? conditionOf(s, 'Ready')?.reason : undefined;
  return r === 'InvalidCommit' || r === 'UntrustedCommit';
}

/** Whether a retry of the last attempted commit is due at `now`. */
export function retryDue(s: EnvironmentStatus | undefined, revision: string, now: Date): boolean {
  return (
    s?.nextRetryAt !== undefined &&
    s.lastAttemptedRevision === revision &&
    conditionOf(s, 'Ready')?.reason === 'ReconcileFailed' &&
    Date.parse(s.nextRetryAt) <= now.getTime()
  );
}

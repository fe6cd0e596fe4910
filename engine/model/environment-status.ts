// The persisted status of one environment, in the style of Kubernetes/Flux conditions: one
// value per environment, written by one function (engine/daemon/environment-status.ts).

/** The conditions every environment status carries, always all four, in this order. */
export const CONDITION_TYPES = ['Ready', 'Reconciling', 'Stalled', 'Drifted'] as const;
/** One condition's name. */
export type ConditionType = (typeof CONDITION_TYPES)[number];

/** Whether a condition holds (`Unknown`: not known yet, e.g. never checked). */
export type ConditionStatus = 'True' | 'False' | 'Unknown';

/**
 * Machine-readable reasons (CamelCase, like Flux's):
 * - Ready: `Succeeded`, `ReconcileFailed`, `InvalidCommit`, `UntrustedCommit`, `Progressing`, `NeverReconciled`
 * - Reconciling: `Progressing` (an up runs), `RetryScheduled`, `Idle`
 * - Stalled: `RetriesExhausted`, `InvalidCommit`, `UntrustedCommit`, `Healthy`
 * - Drifted: `DriftDetected`, `NoDrift`, `DriftCheckFailed`, `NotChecked`
 */
export type ConditionReason =
  | 'Succeeded'
  | 'ReconcileFailed'
  | 'InvalidCommit'
  | 'UntrustedCommit'
  | 'Progressing'
  | 'NeverReconciled'
  | 'RetryScheduled'
  | 'Idle'
  | 'RetriesExhausted'
  | 'Healthy'
  | 'DriftDetected'
  | 'NoDrift'
  | 'DriftCheckFailed'
  | 'NotChecked';

/** One condition; `lastTransitionTime` moves only when `status` changes. */
export interface Condition {
  type: ConditionType;
  status: ConditionStatus;
  reason: ConditionReason;
  message: string;
  /** ISO 8601. */
  lastTransitionTime: string;
}

/** What the daemon knows of one environment, persisted so it survives restarts. */
export interface EnvironmentStatus {
  environment: string;
  /** Ready, Reconciling, Stalled, Drifted, in that order. */
  conditions: Condition[];
  /** The last deploy commit tried (applied, failed or rejected). */
  lastAttemptedRevision?: string | undefined;
  /** The last deploy commit applied successfully: the good state drift checks use. */
  lastAppliedRevision?: string | undefined;
  /** Failed attempts (failed ups and rejected commits) in a row since the last success. */
  failureCount: number;
  /** When the failed commit is tried again (ISO 8601); none while nothing is to be retried. */
  nextRetryAt?: string | undefined;
  /** The next scheduled drift check (ISO 8601). */
  nextDriftCheckAt?: string | undefined;
  /** Stacks whose last drift check found drift. */
  driftedStacks: string[];
  /** ISO 8601 of the last write. */
  updatedAt: string;
}

/** The condition of a type (every status has all four). */
export function conditionOf(s: EnvironmentStatus, type: ConditionType): Condition | undefined {
  return s.conditions.find((c) => c.type === type);
}

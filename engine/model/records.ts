// What the engine records and remembers: runs, stack status, drift checks, alerts and
// lock holders. Plain data shared by every layer; this module imports nothing of theirs.
import type { ErrorKind } from './error-kind.js';

/** Operations the engine runs on a stack. */
export type Operation = 'preview' | 'up' | 'destroy' | 'refresh' | 'drift' | 'remediate';

/** What started a run. */
export type Trigger = 'cli' | 'commit' | 'schedule' | 'webhook' | 'startup' | 'retry';

/** How a run ended. */
export type RunResult = 'succeeded' | 'failed' | 'skipped' | 'blocked';

/** Counts of resource operations, e.g. `{ create: 2, same: 1 }`. */
export type ChangeCounts = Partial<Record<string, number>>;

/** Who signed a commit, as git verified it against the operator's trusted keys. */
export interface CommitSigner {
  /** The allowed_signers principal (SSH) or the key's user id (GPG). */
  principal: string;
  /** `SHA256:...` for SSH keys, the primary key fingerprint for GPG. */
  fingerprint: string;
  format: 'ssh' | 'gpg';
}

/** Who changed what a run applied: the commit's author and committer, and its signer when signed. */
export interface CommitAudit {
  /** `Name <email>`. */
  author?: string | undefined;
  committer?: string | undefined;
  signer?: CommitSigner | undefined;
}

/** One recorded operation on one stack. */
export interface RunRecord extends CommitAudit {
  id: number;
  environment: string;
  stack: string;
  revision: string;
  trigger: Trigger;
  operation: Operation;
  result: RunResult;
  changes: ChangeCounts;
  durationMs: number;
  errorKind: ErrorKind | undefined;
  /** Readable error (never contains secrets: built from classified errors). */
  error: string | undefined;
  /** Why the engine ran or skipped it (e.g. "spec changed"). */
  reason: string | undefined;
  startedAt: string;
  finishedAt: string;
  /** The replica that ran it (Postgres mode: the store stamps it); absent for a single process. */
  replica?: string | undefined;
}

/** A run to record; the store assigns the id (and, shared by replicas, the replica). */
export type NewRunRecord = Omit<RunRecord, 'id'>;

/** Stack outputs as recorded; secret values are replaced by a marker with a digest. */
export type RecordedOutputs = Record<string, unknown>;

/**
 * What the engine remembers of a stack between runs: the fingerprint of what was last
 * applied successfully (so an unchanged stack starts no Pulumi), the outputs its
 * dependents consume, and how the last attempt ended.
 */
export interface StackStatus {
  environment: string;
  stack: string;
  /** Fingerprint parts of the last successful apply; undefined before the first one. */
  applied:
    | {
        specHash: string;
        templateVersion: string;
        dependenciesHash: string;
        revision: string;
        outputs: RecordedOutputs;
        at: string;
      }
    | undefined;
  /** Result of the last attempted `up` (a failed one keeps `applied` from before). */
  lastResult: 'succeeded' | 'failed' | undefined;
  lastRevision: string | undefined;
  lastError: string | undefined;
}

/** Who holds a stack lock. */
export interface LockOwner {
  pid: number;
  host: string;
  /** Start time of the process (Linux clock ticks since boot), so a reused pid is not mistaken for the holder. */
  processStart: string;
  acquiredAt: string;
  purpose: string;
}

/** Outcome of trying to take a lock. */
export type LockAttempt = { acquired: true; clearedStale: LockOwner | undefined } | { acquired: false; heldBy: LockOwner };

/** Filter for listing runs. */
export interface RunQuery {
  environment?: string;
  stack?: string;
  revision?: string;
  limit?: number;
  /** Only runs with a smaller id (paging: the id of the last run of the previous page). */
  before?: number;
}

/** One drift check of one stack, as kept in history (the report is a DriftReport). */
export interface DriftRecord {
  id: number;
  environment: string;
  stack: string;
  revision: string;
  checkedAt: string;
  drifted: boolean;
  /** Resources that drifted. */
  resourceCount: number;
  /** Whether this check remediated the drift it found. */
  remediated: boolean;
  report: unknown;
}

/** What was last alerted for a key, so the same condition alerts once and recovers once. */
export interface AlertState {
  key: string;
  fingerprint: string;
  since: string;
  lastAlertAt: string;
}

import type { ValidationMessage } from '../load/index.js';
import type { EnvironmentStatus } from '../model/index.js';

/** How the last attempt at a deploy commit ended. */
export type DeployResult = 'succeeded' | 'failed' | 'rejected';

/** What the daemon remembers of one environment on one branch. */
export interface RevisionRecord {
  environment: string;
  branch: string;
  /** Last commit whose reconcile succeeded: the base that changes are computed against. */
  lastReconciled: string | undefined;
  /** Last commit tried (succeeded, failed or rejected as invalid); not retried until a new commit. */
  lastAttempted: string | undefined;
  lastResult: DeployResult | undefined;
  updatedAt: string;
}

/** An environment as the deploy branch's head last showed it. */
export interface EnvironmentRecord {
  environment: string;
  deployBranch: string;
  revision: string;
  valid: boolean;
  /** Validation messages at that revision (paths relative to the repository). */
  messages: ValidationMessage[];
  updatedAt: string;
  /** The signature verdict on that revision, when the daemon checked it. */
  trust?: EnvironmentTrust | undefined;
}

/** A deploy head's verdict as the API shows it. */
export interface EnvironmentTrust {
  trusted: boolean;
  reason: string;
  /** The commit that decided: the head, or in range mode the first untrusted commit since the last applied one. */
  revision: string;
  signer?: { principal: string; fingerprint: string; format: string } | undefined;
}

/** The preview report of one branch. */
export interface BranchReportRecord {
  branch: string;
  revision: string;
  author: string;
  markdown: string;
  /** The report as JSON (see engine/daemon/preview-report.ts). */
  json: unknown;
  createdAt: string;
}

/**
 * The daemon's own memory: revisions per (environment, branch), the deploy-branch view of
 * each environment, preview reports per branch, and each environment's persisted
 * EnvironmentStatus. Implementations: engine/store/sqlite-daemon-store.ts.
 */
export interface DaemonStore {
  /** What the daemon remembers of `environment` on `branch`, if anything. */
  getRevision(environment: string, branch: string): Promise<RevisionRecord | undefined>;
  /** Records an attempt; a success also moves the reconciled base forward. */
  recordAttempt(environment: string, branch: string, revision: string, result: DeployResult, at: Date): Promise<void>;
  /** The deploy-branch view of one environment. */
  getEnvironment(environment: string): Promise<EnvironmentRecord | undefined>;
  /** Every environment the deploy branches showed, by name. */
  listEnvironments(): Promise<EnvironmentRecord[]>;
  /** Stores (replaces) the deploy-branch view of an environment. */
  saveEnvironment(e: EnvironmentRecord): Promise<void>;
  /** The preview report of a branch, if it has one. */
  getReport(branch: string): Promise<BranchReportRecord | undefined>;
  /** Branches that have a report, by name. */
  reportBranches(): Promise<string[]>;
  /** Stores (replaces) the preview report of a branch. */
  saveReport(r: BranchReportRecord): Promise<void>;
  /** Drops the preview report of a branch (nothing when it has none). */
  deleteReport(branch: string): Promise<void>;
  /** The persisted status of an environment (see engine/model/environment-status.ts). */
  getStatus(environment: string): Promise<EnvironmentStatus | undefined>;
  /** Every persisted status, by environment name. */
  listStatuses(): Promise<EnvironmentStatus[]>;
  /** Only engine/daemon/environment-status.ts (markEnvironmentStatus) calls this. */
  saveStatus(s: EnvironmentStatus): Promise<void>;
  /** Releases the connection; idempotent. */
  close(): Promise<void>;
}

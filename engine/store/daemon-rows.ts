// The daemon store's tables have the same columns in SQLite and PostgreSQL: one reading of a
// row for both stores.
import type { ValidationMessage } from '../load/index.js';
import type { BranchReportRecord, DeployResult, EnvironmentRecord, EnvironmentTrust, RevisionRecord } from './daemon-store.js';

/** A `daemon_revisions` row (PostgreSQL returns its timestamp as a Date). */
export interface RevisionRow {
  environment: string;
  branch: string;
  last_reconciled: string | null;
  last_attempted: string | null;
  last_result: string | null;
  updated_at: string | Date;
}

/** A `daemon_environments` row (SQLite keeps `valid` as 0/1). */
export interface EnvironmentRow {
  environment: string;
  deploy_branch: string;
  revision: string;
  valid: boolean | number;
  messages: string;
  updated_at: string;
  trust: string | null;
}

/** A `daemon_reports` row. */
export interface ReportRow {
  branch: string;
  revision: string;
  author: string;
  markdown: string;
  json: string;
  created_at: string;
}

/** The record a revision row stands for. */
export function revisionRecordOf(r: RevisionRow): RevisionRecord {
  return {
    environment: r.environment,
    branch: r.branch,
    lastReconciled: r.last_reconciled ?? undefined,
    lastAttempted: r.last_attempted ?? undefined,
    lastResult: (r.last_result ?? undefined) as DeployResult | undefined,
    updatedAt: r.updated_at instanceof Date ? r.updated_at.toISOString() : r.updated_at,
  };
}

/** The record an environment row stands for. */
export function environmentRecordOf(r: EnvironmentRow): EnvironmentRecord {
  return {
    environment: r.environment,
    deployBranch: r.deploy_branch,
    revision: r.revision,
    valid: Boolean(r.valid),
    messages: JSON.parse(r.messages) as ValidationMessage[],
    updatedAt: r.updated_at,
    ...(r.trust ? { trust: JSON.parse(r.trust) as EnvironmentTrust } : {}),
  };
}

/** The record a report row stands for. */
export function reportRecordOf(r: ReportRow): BranchReportRecord {
  return {
    branch: r.branch,
    revision: r.revision,
    author: r.author,
    markdown: r.markdown,
    json: JSON.parse(r.json) as unknown,
    createdAt: r.created_at,
  };
}

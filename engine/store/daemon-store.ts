import type { DatabaseSync } from 'node:sqlite';
import { openSqlite } from './open-sqlite.js';
import type { ValidationMessage } from '../load/index.js';
import type { EnvironmentStatus } from '../model/index.js';

/** One EnvironmentStatus per environment (engine/daemon/environment-status.ts writes it); additive. */
const STATUS_SCHEMA = `
CREATE TABLE IF NOT EXISTS daemon_environment_status (
  environment TEXT PRIMARY KEY,
  status TEXT NOT NULL,
  updated_at TEXT NOT NULL
);
`;

const SCHEMA = `
CREATE TABLE IF NOT EXISTS daemon_revisions (
  environment TEXT NOT NULL,
  branch TEXT NOT NULL,
  last_reconciled TEXT,
  last_attempted TEXT,
  last_result TEXT,
  updated_at TEXT NOT NULL,
  PRIMARY KEY (environment, branch)
);
CREATE TABLE IF NOT EXISTS daemon_environments (
  environment TEXT PRIMARY KEY,
  deploy_branch TEXT NOT NULL,
  revision TEXT NOT NULL,
  valid INTEGER NOT NULL,
  messages TEXT NOT NULL,
  updated_at TEXT NOT NULL,
  trust TEXT
);
CREATE TABLE IF NOT EXISTS daemon_reports (
  branch TEXT PRIMARY KEY,
  revision TEXT NOT NULL,
  author TEXT NOT NULL,
  markdown TEXT NOT NULL,
  json TEXT NOT NULL,
  created_at TEXT NOT NULL
);
`;

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
 * The daemon's own memory, in the run store's SQLite file (separate tables, separate
 * connection; WAL lets both work at once): revisions per (environment, branch), the
 * deploy-branch view of each environment, and preview reports per branch.
 */
export class DaemonStore {
  private readonly db: DatabaseSync;

  constructor(file: string) {
    this.db = openSqlite(file);
    this.db.exec(SCHEMA);
    this.db.exec(STATUS_SCHEMA);
    const columns = (this.db.prepare('PRAGMA table_info(daemon_environments)').all() as { name: string }[]).map((c) => c.name);
    if (!columns.includes('trust')) this.db.exec('ALTER TABLE daemon_environments ADD COLUMN trust TEXT');
  }

  getRevision(environment: string, branch: string): RevisionRecord | undefined {
    const r = this.db.prepare('SELECT * FROM daemon_revisions WHERE environment = ? AND branch = ?').get(environment, branch) as
      | {
          environment: string;
          branch: string;
          last_reconciled: string | null;
          last_attempted: string | null;
          last_result: string | null;
          updated_at: string;
        }
      | undefined;
    return r
      ? {
          environment: r.environment,
          branch: r.branch,
          lastReconciled: r.last_reconciled ?? undefined,
          lastAttempted: r.last_attempted ?? undefined,
          lastResult: (r.last_result ?? undefined) as DeployResult | undefined,
          updatedAt: r.updated_at,
        }
      : undefined;
  }

  /** Records an attempt; a success also moves the reconciled base forward. */
  recordAttempt(environment: string, branch: string, revision: string, result: DeployResult, at: Date): void {
    this.db
      .prepare(
        `INSERT INTO daemon_revisions (environment, branch, last_reconciled, last_attempted, last_result, updated_at)
         VALUES (@environment, @branch, @reconciled, @revision, @result, @at)
         ON CONFLICT (environment, branch) DO UPDATE SET
           last_reconciled = COALESCE(excluded.last_reconciled, daemon_revisions.last_reconciled),
           last_attempted = excluded.last_attempted, last_result = excluded.last_result, updated_at = excluded.updated_at`,
      )
      .run({ environment, branch, revision, result, reconciled: result === 'succeeded' ? revision : null, at: at.toISOString() });
  }

  getEnvironment(environment: string): EnvironmentRecord | undefined {
    return this.listEnvironments().find((e) => e.environment === environment);
  }

  listEnvironments(): EnvironmentRecord[] {
    const rows = this.db.prepare('SELECT * FROM daemon_environments ORDER BY environment').all() as {
      environment: string;
      deploy_branch: string;
      revision: string;
      valid: number;
      messages: string;
      updated_at: string;
      trust: string | null;
    }[];
    return rows.map((r) => ({
      environment: r.environment,
      deployBranch: r.deploy_branch,
      revision: r.revision,
      valid: r.valid === 1,
      messages: JSON.parse(r.messages) as ValidationMessage[],
      updatedAt: r.updated_at,
      ...(r.trust ? { trust: JSON.parse(r.trust) as EnvironmentTrust } : {}),
    }));
  }

  saveEnvironment(e: EnvironmentRecord): void {
    this.db
      .prepare(
        `INSERT INTO daemon_environments (environment, deploy_branch, revision, valid, messages, updated_at, trust)
         VALUES (?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT (environment) DO UPDATE SET deploy_branch = excluded.deploy_branch, revision = excluded.revision,
           valid = excluded.valid, messages = excluded.messages, updated_at = excluded.updated_at, trust = excluded.trust`,
      )
      .run(
        e.environment,
        e.deployBranch,
        e.revision,
        e.valid ? 1 : 0,
        JSON.stringify(e.messages),
        e.updatedAt,
        e.trust ? JSON.stringify(e.trust) : null,
      );
  }

  getReport(branch: string): BranchReportRecord | undefined {
    const r = this.db.prepare('SELECT * FROM daemon_reports WHERE branch = ?').get(branch) as
      | { branch: string; revision: string; author: string; markdown: string; json: string; created_at: string }
      | undefined;
    return r
      ? {
          branch: r.branch,
          revision: r.revision,
          author: r.author,
          markdown: r.markdown,
          json: JSON.parse(r.json) as unknown,
          createdAt: r.created_at,
        }
      : undefined;
  }

  /** Branches that have a report. */
  reportBranches(): string[] {
    return (this.db.prepare('SELECT branch FROM daemon_reports ORDER BY branch').all() as { branch: string }[]).map((r) => r.branch);
  }

  saveReport(r: BranchReportRecord): void {
    this.db
      .prepare(
        `INSERT INTO daemon_reports (branch, revision, author, markdown, json, created_at) VALUES (?, ?, ?, ?, ?, ?)
         ON CONFLICT (branch) DO UPDATE SET revision = excluded.revision, author = excluded.author,
           markdown = excluded.markdown, json = excluded.json, created_at = excluded.created_at`,
      )
      .run(r.branch, r.revision, r.author, r.markdown, JSON.stringify(r.json), r.createdAt);
  }

  deleteReport(branch: string): void {
    this.db.prepare('DELETE FROM daemon_reports WHERE branch = ?').run(branch);
  }

  /** The persisted status of an environment (see engine/model/environment-status.ts). */
  getStatus(environment: string): EnvironmentStatus | undefined {
    const r = this.db.prepare('SELECT status FROM daemon_environment_status WHERE environment = ?').get(environment) as
      | { status: string }
      | undefined;
    return r ? (JSON.parse(r.status) as EnvironmentStatus) : undefined;
  }

  listStatuses(): EnvironmentStatus[] {
    const rows = this.db.prepare('SELECT status FROM daemon_environment_status ORDER BY environment').all() as { status: string }[];
    return rows.map((r) => JSON.parse(r.status) as EnvironmentStatus);
  }

  /** Only engine/daemon/environment-status.ts (markEnvironmentStatus) calls this. */
  saveStatus(s: EnvironmentStatus): void {
    this.db
      .prepare(
        `INSERT INTO daemon_environment_status (environment, status, updated_at) VALUES (?, ?, ?)
         ON CONFLICT (environment) DO UPDATE SET status = excluded.status, updated_at = excluded.updated_at`,
      )
      .run(s.environment, JSON.stringify(s), s.updatedAt);
  }

  close(): void {
    // node:sqlite throws on a second close; better-sqlite3 did not: keep close() idempotent.
    if (this.db.isOpen) this.db.close();
  }
}

import type { DatabaseSync } from 'node:sqlite';
import { openSqlite } from './open-sqlite.js';
import type { EnvironmentStatus } from '../model/index.js';
import type { BranchReportRecord, DaemonStore, DeployResult, EnvironmentRecord, RevisionRecord } from './daemon-store.js';
import {
  environmentRecordOf,
  type EnvironmentRow,
  reportRecordOf,
  type ReportRow,
  revisionRecordOf,
  type RevisionRow,
} from './daemon-rows.js';

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

/**
 * The daemon's own memory in the run store's SQLite file (separate tables, separate
 * connection; WAL lets both work at once): revisions per (environment, branch), the
 * deploy-branch view of each environment, preview reports per branch and environment
 * statuses. node:sqlite is synchronous: each method does its work before it returns.
 */
export class SqliteDaemonStore implements DaemonStore {
  private readonly db: DatabaseSync;

  /** Opens `file` (created when missing) and adds the daemon's tables and columns it lacks. */
  constructor(file: string) {
    this.db = openSqlite(file);
    this.db.exec(SCHEMA);
    this.db.exec(STATUS_SCHEMA);
    const columns = (this.db.prepare('PRAGMA table_info(daemon_environments)').all() as { name: string }[]).map((c) => c.name);
    if (!columns.includes('trust')) this.db.exec('ALTER TABLE daemon_environments ADD COLUMN trust TEXT');
  }

  async getRevision(environment: string, branch: string): Promise<RevisionRecord | undefined> {
    const r = this.db.prepare('SELECT * FROM daemon_revisions WHERE environment = ? AND branch = ?').get(environment, branch) as
      | RevisionRow
      | undefined;
    return r ? revisionRecordOf(r) : undefined;
  }

  /** Records an attempt; a success also moves the reconciled base forward. */
  async recordAttempt(environment: string, branch: string, revision: string, result: DeployResult, at: Date): Promise<void> {
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

  async getEnvironment(environment: string): Promise<EnvironmentRecord | undefined> {
    return (await this.listEnvironments()).find((e) => e.environment === environment);
  }

  async listEnvironments(): Promise<EnvironmentRecord[]> {
    const rows = this.db.prepare('SELECT * FROM daemon_environments ORDER BY environment').all() as unknown as EnvironmentRow[];
    return rows.map(environmentRecordOf);
  }

  async saveEnvironment(e: EnvironmentRecord): Promise<void> {
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

  async getReport(branch: string): Promise<BranchReportRecord | undefined> {
    const r = this.db.prepare('SELECT * FROM daemon_reports WHERE branch = ?').get(branch) as ReportRow | undefined;
    return r ? reportRecordOf(r) : undefined;
  }

  /** Branches that have a report. */
  async reportBranches(): Promise<string[]> {
    return (this.db.prepare('SELECT branch FROM daemon_reports ORDER BY branch').all() as { branch: string }[]).map((r) => r.branch);
  }

  async saveReport(r: BranchReportRecord): Promise<void> {
    this.db
      .prepare(
        `INSERT INTO daemon_reports (branch, revision, author, markdown, json, created_at) VALUES (?, ?, ?, ?, ?, ?)
         ON CONFLICT (branch) DO UPDATE SET revision = excluded.revision, author = excluded.author,
           markdown = excluded.markdown, json = excluded.json, created_at = excluded.created_at`,
      )
      .run(r.branch, r.revision, r.author, r.markdown, JSON.stringify(r.json), r.createdAt);
  }

  async deleteReport(branch: string): Promise<void> {
    this.db.prepare('DELETE FROM daemon_reports WHERE branch = ?').run(branch);
  }

  /** The persisted status of an environment (see engine/model/environment-status.ts). */
  async getStatus(environment: string): Promise<EnvironmentStatus | undefined> {
    const r = this.db.prepare('SELECT status FROM daemon_environment_status WHERE environment = ?').get(environment) as
      | { status: string }
      | undefined;
    return r ? (JSON.parse(r.status) as EnvironmentStatus) : undefined;
  }

  async listStatuses(): Promise<EnvironmentStatus[]> {
    const rows = this.db.prepare('SELECT status FROM daemon_environment_status ORDER BY environment').all() as { status: string }[];
    return rows.map((r) => JSON.parse(r.status) as EnvironmentStatus);
  }

  /** Only engine/daemon/environment-status.ts (markEnvironmentStatus) calls this. */
  async saveStatus(s: EnvironmentStatus): Promise<void> {
    this.db
      .prepare(
        `INSERT INTO daemon_environment_status (environment, status, updated_at) VALUES (?, ?, ?)
         ON CONFLICT (environment) DO UPDATE SET status = excluded.status, updated_at = excluded.updated_at`,
      )
      .run(s.environment, JSON.stringify(s), s.updatedAt);
  }

  async close(): Promise<void> {
    // node:sqlite throws on a second close; better-sqlite3 did not: keep close() idempotent.
    if (this.db.isOpen) this.db.close();
  }
}

import type { EnvironmentStatus } from '../../model/index.js';
import type { BranchReportRecord, DaemonStore, DeployResult, EnvironmentRecord, RevisionRecord } from '../daemon-store.js';
import type { PostgresPool } from './pool.js';
import {
  environmentRecordOf,
  type EnvironmentRow,
  reportRecordOf,
  type ReportRow,
  revisionRecordOf,
  type RevisionRow,
} from '../daemon-rows.js';

/**
 * DaemonStore on PostgreSQL: the same tables and semantics as the SQLite store, in the
 * `driftless` schema (migration 1 creates them), shared by every replica. Each method is
 * one statement, so no transaction is needed: the attempt upsert keeps the reconciled
 * base in the statement itself (COALESCE), so concurrent replicas cannot lose it.
 * Listings order names byte-wise (COLLATE "C"), as SQLite does.
 */
export class PostgresDaemonStore implements DaemonStore {
  constructor(private readonly db: PostgresPool) {}

  async getRevision(environment: string, branch: string): Promise<RevisionRecord | undefined> {
    const r = await this.db.query<RevisionRow>('SELECT * FROM driftless.daemon_revisions WHERE environment = $1 AND branch = $2', [
      environment,
      branch,
    ]);
    const row = r.rows[0];
    return row ? revisionRecordOf(row) : undefined;
  }

  async recordAttempt(environment: string, branch: string, revision: string, result: DeployResult, at: Date): Promise<void> {
    await this.db.query(
      `INSERT INTO driftless.daemon_revisions AS d (environment, branch, last_reconciled, last_attempted, last_result, updated_at)
       VALUES ($1, $2, $3, $4, $5, $6)
       ON CONFLICT (environment, branch) DO UPDATE SET
         last_reconciled = COALESCE(excluded.last_reconciled, d.last_reconciled),
         last_attempted = excluded.last_attempted, last_result = excluded.last_result, updated_at = excluded.updated_at`,
      [environment, branch, result === 'succeeded' ? revision : null, revision, result, at],
    );
  }

  async getEnvironment(environment: string): Promise<EnvironmentRecord | undefined> {
    const r = await this.db.query<EnvironmentRow>('SELECT * FROM driftless.daemon_environments WHERE environment = $1', [environment]);
    const row = r.rows[0];
    return row ? environmentRecordOf(row) : undefined;
  }

  async listEnvironments(): Promise<EnvironmentRecord[]> {
    const r = await this.db.query<EnvironmentRow>('SELECT * FROM driftless.daemon_environments ORDER BY environment COLLATE "C"');
    return r.rows.map(environmentRecordOf);
  }

  async saveEnvironment(e: EnvironmentRecord): Promise<void> {
    await this.db.query(
      `INSERT INTO driftless.daemon_environments (environment, deploy_branch, revision, valid, messages, updated_at, trust)
       VALUES ($1, $2, $3, $4, $5, $6, $7)
       ON CONFLICT (environment) DO UPDATE SET deploy_branch = excluded.deploy_branch, revision = excluded.revision,
         valid = excluded.valid, messages = excluded.messages, updated_at = excluded.updated_at, trust = excluded.trust`,
      [
        e.environment,
        e.deployBranch,
        e.revision,
        e.valid,
        JSON.stringify(e.messages),
        e.updatedAt,
        e.trust ? JSON.stringify(e.trust) : null,
      ],
    );
  }

  async getReport(branch: string): Promise<BranchReportRecord | undefined> {
    const r = await this.db.query<ReportRow>('SELECT * FROM driftless.daemon_reports WHERE branch = $1', [branch]);
    const row = r.rows[0];
    return row ? reportRecordOf(row) : undefined;
  }

  async reportBranches(): Promise<string[]> {
    const r = await this.db.query<{ branch: string }>('SELECT branch FROM driftless.daemon_reports ORDER BY branch COLLATE "C"');
    return r.rows.map((row) => row.branch);
  }

  async saveReport(r: BranchReportRecord): Promise<void> {
    await this.db.query(
      `INSERT INTO driftless.daemon_reports (branch, revision, author, markdown, json, created_at) VALUES ($1, $2, $3, $4, $5, $6)
       ON CONFLICT (branch) DO UPDATE SET revision = excluded.revision, author = excluded.author,
         markdown = excluded.markdown, json = excluded.json, created_at = excluded.created_at`,
      [r.branch, r.revision, r.author, r.markdown, JSON.stringify(r.json), r.createdAt],
    );
  }

  async deleteReport(branch: string): Promise<void> {
    await this.db.query('DELETE FROM driftless.daemon_reports WHERE branch = $1', [branch]);
  }

  async getStatus(environment: string): Promise<EnvironmentStatus | undefined> {
    const r = await this.db.query<{ status: string }>('SELECT status FROM driftless.daemon_environment_status WHERE environment = $1', [
      environment,
    ]);
    const row = r.rows[0];
    return row ? (JSON.parse(row.status) as EnvironmentStatus) : undefined;
  }

  async listStatuses(): Promise<EnvironmentStatus[]> {
    const r = await this.db.query<{ status: string }>(
      'SELECT status FROM driftless.daemon_environment_status ORDER BY environment COLLATE "C"',
    );
    return r.rows.map((row) => JSON.parse(row.status) as EnvironmentStatus);
  }

  async saveStatus(s: EnvironmentStatus): Promise<void> {
    await this.db.query(
      `INSERT INTO driftless.daemon_environment_status (environment, status, updated_at) VALUES ($1, $2, $3)
       ON CONFLICT (environment) DO UPDATE SET status = excluded.status, updated_at = excluded.updated_at`,
      [s.environment, JSON.stringify(s), s.updatedAt],
    );
  }

  /** Nothing to release: the pool is shared, and closed by its owner (openPostgresStores' close). */
  async close(): Promise<void> {}
}

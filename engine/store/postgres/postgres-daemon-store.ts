import type { ValidationMessage } from '../../load/index.js';
import type { EnvironmentStatus } from '../../model/index.js';
import type {
  BranchReportRecord,
  DaemonStore,
  DeployResult,
  EnvironmentRecord,
  EnvironmentTrust,
  RevisionRecord,
} from '../daemon-store.js';
import type { PostgresPool } from './pool.js';

interface RevisionRow {
  environment: string;
  branch: string;
  last_reconciled: string | null;
  last_attempted: string | null;
  last_result: string | null;
  updated_at: Date;
}

interface EnvironmentRow {
  environment: string;
  deploy_branch: string;
  revision: string;
  valid: boolean;
  messages: string;
  updated_at: string;
  trust: string | null;
}

interface ReportRow {
  branch: string;
  revision: string;
  author: string;
  markdown: string;
  json: string;
  created_at: string;
}

function toEnvironment(r: EnvironmentRow): EnvironmentRecord {
  return {
    environment: r.environment,
    deployBranch: r.deploy_branch,
    revision: r.revision,
    valid: r.valid,
    messages: JSON.parse(r.messages) as ValidationMessage[],
    updatedAt: r.updated_at,
    ...(r.trust ? { trust: JSON.parse(r.trust) as EnvironmentTrust } : {}),
  };
}

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
    return row
      ? {
          environment: row.environment,
          branch: row.branch,
          lastReconciled: row.last_reconciled ?? undefined,
          lastAttempted: row.last_attempted ?? undefined,
          lastResult: (row.last_result ?? undefined) as DeployResult | undefined,
          updatedAt: row.updated_at.toISOString(),
        }
      : undefined;
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
    return row ? toEnvironment(row) : undefined;
  }

  async listEnvironments(): Promise<EnvironmentRecord[]> {
    const r = await this.db.query<EnvironmentRow>('SELECT * FROM driftless.daemon_environments ORDER BY environment COLLATE "C"');
    return r.rows.map(toEnvironment);
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
    return row
      ? {
          branch: row.branch,
          revision: row.revision,
          author: row.author,
          markdown: row.markdown,
          json: JSON.parse(row.json) as unknown,
          createdAt: row.created_at,
        }
      : undefined;
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

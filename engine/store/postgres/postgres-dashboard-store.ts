import type { DashboardStore, EnvironmentGraph, GraphStack, RecordedStep } from '../dashboard-store.js';
import type { PostgresPool } from './pool.js';

/** DashboardStore on PostgreSQL, shared by every replica: the SQLite store's tables and upserts in the `driftless` schema. */
export class PostgresDashboardStore implements DashboardStore {
  constructor(private readonly db: PostgresPool) {}

  async saveGraph(g: EnvironmentGraph): Promise<void> {
    await this.db.query(
      `INSERT INTO driftless.dashboard_graphs (environment, revision, stacks, updated_at) VALUES ($1, $2, $3, $4)
       ON CONFLICT (environment) DO UPDATE SET revision = excluded.revision, stacks = excluded.stacks, updated_at = excluded.updated_at`,
      [g.environment, g.revision, JSON.stringify(g.stacks), g.updatedAt],
    );
  }

  async getGraph(environment: string): Promise<EnvironmentGraph | undefined> {
    const r = await this.db.query<{ environment: string; revision: string; stacks: string; updated_at: string }>(
      'SELECT * FROM driftless.dashboard_graphs WHERE environment = $1',
      [environment],
    );
    const row = r.rows[0];
    return row
      ? { environment: row.environment, revision: row.revision, stacks: JSON.parse(row.stacks) as GraphStack[], updatedAt: row.updated_at }
      : undefined;
  }

  async saveSteps(runId: number, steps: RecordedStep[]): Promise<void> {
    await this.db.query(
      'INSERT INTO driftless.dashboard_run_steps (run_id, steps) VALUES ($1, $2) ON CONFLICT (run_id) DO UPDATE SET steps = excluded.steps',
      [runId, JSON.stringify(steps)],
    );
  }

  async getSteps(runId: number): Promise<RecordedStep[] | undefined> {
    const r = await this.db.query<{ steps: string }>('SELECT steps FROM driftless.dashboard_run_steps WHERE run_id = $1', [runId]);
    const row = r.rows[0];
    return row ? (JSON.parse(row.steps) as RecordedStep[]) : undefined;
  }

  /** Nothing to release: the pool is shared, and closed by its owner (openPostgresStores' close). */
  async close(): Promise<void> {}
}

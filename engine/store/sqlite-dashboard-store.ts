import type { DatabaseSync } from 'node:sqlite';
import { openSqlite } from './open-sqlite.js';
import type { DashboardStore, EnvironmentGraph, GraphStack, RecordedStep } from './dashboard-store.js';

const SCHEMA = `
CREATE TABLE IF NOT EXISTS dashboard_graphs (
  environment TEXT PRIMARY KEY,
  revision TEXT NOT NULL,
  stacks TEXT NOT NULL,
  updated_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS dashboard_run_steps (
  run_id INTEGER PRIMARY KEY,
  steps TEXT NOT NULL
);
`;

/**
 * The dashboard's store in the run store's SQLite file (own tables, own connection).
 * node:sqlite is synchronous: each method does its work before it returns.
 */
export class SqliteDashboardStore implements DashboardStore {
  private readonly db: DatabaseSync;

  /** Opens `file` (created when missing) and adds the dashboard's tables when it lacks them. */
  constructor(file: string) {
    this.db = openSqlite(file);
    this.db.exec(SCHEMA);
  }

  async saveGraph(g: EnvironmentGraph): Promise<void> {
    this.db
      .prepare(
        `INSERT INTO dashboard_graphs (environment, revision, stacks, updated_at) VALUES (?, ?, ?, ?)
         ON CONFLICT (environment) DO UPDATE SET revision = excluded.revision, stacks = excluded.stacks, updated_at = excluded.updated_at`,
      )
      .run(g.environment, g.revision, JSON.stringify(g.stacks), g.updatedAt);
  }

  async getGraph(environment: string): Promise<EnvironmentGraph | undefined> {
    const r = this.db.prepare('SELECT * FROM dashboard_graphs WHERE environment = ?').get(environment) as
      | { environment: string; revision: string; stacks: string; updated_at: string }
      | undefined;
    return r
      ? { environment: r.environment, revision: r.revision, stacks: JSON.parse(r.stacks) as GraphStack[], updatedAt: r.updated_at }
      : undefined;
  }

  async saveSteps(runId: number, steps: RecordedStep[]): Promise<void> {
    this.db.prepare('INSERT OR REPLACE INTO dashboard_run_steps (run_id, steps) VALUES (?, ?)').run(runId, JSON.stringify(steps));
  }

  async getSteps(runId: number): Promise<RecordedStep[] | undefined> {
    const r = this.db.prepare('SELECT steps FROM dashboard_run_steps WHERE run_id = ?').get(runId) as { steps: string } | undefined;
    return r ? (JSON.parse(r.steps) as RecordedStep[]) : undefined;
  }

  async close(): Promise<void> {
    if (this.db.isOpen) this.db.close();
  }
}

import type { DatabaseSync } from 'node:sqlite';
import { openSqlite } from './open-sqlite.js';

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

/** A stack as the dashboard draws it: its place in the dependsOn graph. */
export interface GraphStack {
  name: string;
  template: string;
  dependsOn: string[];
}

/** The stacks of an environment at the last commit the daemon reconciled. */
export interface EnvironmentGraph {
  environment: string;
  revision: string;
  stacks: GraphStack[];
  updatedAt: string;
}

/** A resource change of a run, as reports show it (fields only, no raw state). */
export interface RecordedStep {
  op: string;
  type: string;
  name: string;
  fields: { path: string; before?: unknown; after?: unknown }[];
}

/**
 * What the dashboard shows beyond the run history: each environment's dependsOn graph (so
 * it survives restarts that reconcile nothing) and the resource steps of each run, in the
 * run store's SQLite file (own tables, own connection).
 */
export class DashboardStore {
  private readonly db: DatabaseSync;

  constructor(file: string) {
    this.db = openSqlite(file);
    this.db.exec(SCHEMA);
  }

  saveGraph(g: EnvironmentGraph): void {
    this.db
      .prepare(
        `INSERT INTO dashboard_graphs (environment, revision, stacks, updated_at) VALUES (?, ?, ?, ?)
         ON CONFLICT (environment) DO UPDATE SET revision = excluded.revision, stacks = excluded.stacks, updated_at = excluded.updated_at`,
      )
      .run(g.environment, g.revision, JSON.stringify(g.stacks), g.updatedAt);
  }

  getGraph(environment: string): EnvironmentGraph | undefined {
    const r = this.db.prepare('SELECT * FROM dashboard_graphs WHERE environment = ?').get(environment) as
      | { environment: string; revision: string; stacks: string; updated_at: string }
      | undefined;
    return r
      ? { environment: r.environment, revision: r.revision, stacks: JSON.parse(r.stacks) as GraphStack[], updatedAt: r.updated_at }
      : undefined;
  }

  saveSteps(runId: number, steps: RecordedStep[]): void {
    this.db.prepare('INSERT OR REPLACE INTO dashboard_run_steps (run_id, steps) VALUES (?, ?)').run(runId, JSON.stringify(steps));
  }

  getSteps(runId: number): RecordedStep[] | undefined {
    const r = this.db.prepare('SELECT steps FROM dashboard_run_steps WHERE run_id = ?').get(runId) as { steps: string } | undefined;
    return r ? (JSON.parse(r.steps) as RecordedStep[]) : undefined;
  }

  close(): void {
    if (this.db.isOpen) this.db.close();
  }
}

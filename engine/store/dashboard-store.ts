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
 * it survives restarts that reconcile nothing) and the resource steps of each run.
 * Implementations: engine/store/sqlite-dashboard-store.ts.
 */
export interface DashboardStore {
  /** Stores (replaces) the graph of an environment. */
  saveGraph(g: EnvironmentGraph): Promise<void>;
  /** The graph of an environment, if one was stored. */
  getGraph(environment: string): Promise<EnvironmentGraph | undefined>;
  /** Stores (replaces) the resource steps of a run. */
  saveSteps(runId: number, steps: RecordedStep[]): Promise<void>;
  /** The resource steps of a run, if they were stored. */
  getSteps(runId: number): Promise<RecordedStep[] | undefined>;
  /** Releases the connection; idempotent. */
  close(): Promise<void>;
}

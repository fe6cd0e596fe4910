// The JSON the dashboard reads: shared by the server (engine/http/dashboard.ts) and the
// browser code (ui/), which imports these types only. Plain data, no imports.

/** Where an environment's deploy branch stands. */
export type SyncState = 'synced' | 'syncing' | 'pending' | 'failed' | 'rejected' | 'unknown';

/** How an environment's stacks are doing right now. */
export type HealthState = 'healthy' | 'drifted' | 'failing' | 'unknown';

/** Who made a commit, as the runs recorded it. */
export interface CommitPeople {
  author?: string | undefined;
  committer?: string | undefined;
  signer?: { principal: string; fingerprint: string; format: string } | undefined;
}

/** One environment on the fleet view (`GET /api/fleet`). */
export interface FleetEnvironment {
  environment: string;
  deployBranch: string;
  /** The deploy branch's head as the daemon last saw it. */
  headRevision: string;
  valid: boolean;
  sync: SyncState;
  health: HealthState;
  /** Why the environment fails, is rejected or is stalled. */
  reason?: string | undefined;
  lastApplied?: ({ revision: string; at: string } & CommitPeople) | undefined;
  drift: { driftedStacks: number; checkedStacks: number; lastCheckedAt?: string | undefined };
  stacks: { total: number; failed: number; running: number };
  updatedAt: string;
}

/** What the dashboard knows of one stack's drift. */
export interface StackDriftState {
  /** The latest check's id (`/api/drift?...` history holds its report). */
  id: number;
  drifted: boolean;
  remediated: boolean;
  checkedAt: string;
  resourceCount: number;
  /** The first of the uninterrupted run of drifted checks up to the latest. */
  since?: string | undefined;
}

/** The state a stack is drawn in. */
export type StackState = 'synced' | 'drifted' | 'failed' | 'running' | 'pending' | 'unknown';

/** One stack on the environment view. */
export interface StackView {
  name: string;
  template: string;
  dependsOn: string[];
  state: StackState;
  lastResult?: 'succeeded' | 'failed' | undefined;
  appliedRevision?: string | undefined;
  appliedAt?: string | undefined;
  lastError?: string | undefined;
  drift?: StackDriftState | undefined;
}

/** `GET /api/environments/<name>/stacks` */
export interface EnvironmentView {
  environment: string;
  deployBranch?: string | undefined;
  headRevision?: string | undefined;
  /** The commit whose stacks the graph shows. */
  graphRevision?: string | undefined;
  stacks: StackView[];
}

/** `GET /api/runs/<id>`: a run and the resource steps it applied or previewed. */
export interface RunDetail<Run = unknown> {
  run: Run;
  steps: { op: string; type: string; name: string; fields: { path: string; before?: unknown; after?: unknown }[] }[] | undefined;
}

/**
 * One schema change of the PostgreSQL store: applied once per database, in `version`
 * order, and recorded in `driftless.schema_migrations`. A released migration is never
 * edited: a change to the schema is a new migration with the next version.
 */
export interface Migration {
  /** 1, 2, 3…: strictly increasing, no gaps. */
  version: number;
  /** A short name for people reading schema_migrations (e.g. `initial`). */
  name: string;
  /** Statements run in the migration transaction; every object is schema-qualified (`driftless.`). */
  sql: string;
}

/**
 * The tables of migration 1, for every store at once.
 *
 * Conventions, and why:
 * - JSON values (statuses, reports, payloads, change counts) are `text` holding
 *   `JSON.stringify` output, as in the SQLite store: it reads back exactly as written
 *   (jsonb would reorder object keys and refuse `\u0000` in strings), and no query filters
 *   inside them.
 * - Timestamps the callers pass as strings (`startedAt`, `updatedAt`, `checkedAt`…) are
 *   `text` too, so they read back byte for byte; timestamps the callers pass as a Date
 *   (the outbox's due times, a daemon attempt's time) and the ones the database itself
 *   sets (lock and lease expiry, compared against the database clock) are `timestamptz`.
 * - Ids are `bigint` identities, read back as JS numbers.
 */
const INITIAL = `
CREATE TABLE driftless.runs (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  environment text NOT NULL,
  stack text NOT NULL,
  revision text NOT NULL,
  trigger text NOT NULL,
  operation text NOT NULL,
  result text NOT NULL,
  changes text NOT NULL,
  -- double precision, not bigint: any number the caller records reads back unchanged (as in SQLite).
  duration_ms double precision NOT NULL,
  error_kind text,
  error text,
  reason text,
  started_at text NOT NULL,
  finished_at text NOT NULL,
  author text,
  committer text,
  signer_principal text,
  signer_fingerprint text,
  signer_format text,
  -- The daemon replica that recorded the run (NULL for runs recorded outside a replica).
  replica text,
  -- Random per recordRun call: when an insert is retried after its connection broke, the
  -- retry finds the row the first attempt may have committed instead of adding a second.
  write_id uuid UNIQUE
);
CREATE INDEX runs_by_stack ON driftless.runs (environment, stack, id);
CREATE INDEX runs_by_environment ON driftless.runs (environment, id);
CREATE INDEX runs_by_revision ON driftless.runs (revision);

CREATE TABLE driftless.stack_status (
  environment text NOT NULL,
  stack text NOT NULL,
  status text NOT NULL,
  PRIMARY KEY (environment, stack)
);

CREATE TABLE driftless.drift (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  environment text NOT NULL,
  stack text NOT NULL,
  revision text NOT NULL,
  checked_at text NOT NULL,
  drifted boolean NOT NULL,
  resource_count integer NOT NULL,
  remediated boolean NOT NULL,
  report text NOT NULL,
  -- As runs.write_id: a retried insert is not recorded twice.
  write_id uuid UNIQUE
);
CREATE INDEX drift_by_stack ON driftless.drift (environment, stack, id);

CREATE TABLE driftless.alerts (
  key text PRIMARY KEY,
  state text NOT NULL
);

-- Stack locks across replicas: a row is a held lock. It is renewed (expires_at moved on)
-- while its holder works; a holder that dies stops renewing, and once expires_at has
-- passed (database clock) the next taker replaces the row.
CREATE TABLE driftless.stack_locks (
  environment text NOT NULL,
  stack text NOT NULL,
  -- The replica holding it; only that replica renews or releases it.
  holder text NOT NULL,
  pid integer NOT NULL,
  host text NOT NULL,
  process_start text NOT NULL,
  purpose text NOT NULL,
  acquired_at timestamptz NOT NULL,
  expires_at timestamptz NOT NULL,
  -- Random per tryLock call: when the statement is retried after its connection broke and
  -- its first run had taken the lock, the retry recognises the row as its own.
  attempt text NOT NULL,
  -- The expired holder this row replaced (JSON), NULL when the lock was free: what the
  -- takeover reports as clearedStale, and an audit trail of who was presumed dead.
  took_over text,
  PRIMARY KEY (environment, stack)
);

-- Leader election between replicas (engine/daemon): one row per leadership.
CREATE TABLE driftless.leases (
  name text PRIMARY KEY,
  holder text NOT NULL,
  acquired_at timestamptz NOT NULL,
  expires_at timestamptz NOT NULL
);

CREATE TABLE driftless.daemon_revisions (
  environment text NOT NULL,
  branch text NOT NULL,
  last_reconciled text,
  last_attempted text,
  last_result text,
  updated_at timestamptz NOT NULL,
  PRIMARY KEY (environment, branch)
);

CREATE TABLE driftless.daemon_environments (
  environment text PRIMARY KEY,
  deploy_branch text NOT NULL,
  revision text NOT NULL,
  valid boolean NOT NULL,
  messages text NOT NULL,
  updated_at text NOT NULL,
  trust text
);

CREATE TABLE driftless.daemon_reports (
  branch text PRIMARY KEY,
  revision text NOT NULL,
  author text NOT NULL,
  markdown text NOT NULL,
  json text NOT NULL,
  created_at text NOT NULL
);

CREATE TABLE driftless.daemon_environment_status (
  environment text PRIMARY KEY,
  status text NOT NULL,
  updated_at text NOT NULL
);

-- Outbox versions come from a sequence, not MAX(seq) + 1: two replicas putting at once
-- must never hand out the same seq (a delivery removes the version with its seq).
CREATE SEQUENCE driftless.forge_outbox_seq AS bigint;
CREATE TABLE driftless.forge_outbox (
  key text PRIMARY KEY,
  payload text NOT NULL,
  seq bigint NOT NULL,
  attempts integer NOT NULL DEFAULT 0,
  next_attempt_at timestamptz NOT NULL,
  last_error text,
  created_at timestamptz NOT NULL
);
CREATE INDEX forge_outbox_by_due ON driftless.forge_outbox (next_attempt_at);

CREATE TABLE driftless.dashboard_graphs (
  environment text PRIMARY KEY,
  revision text NOT NULL,
  stacks text NOT NULL,
  updated_at text NOT NULL
);

CREATE TABLE driftless.dashboard_run_steps (
  run_id bigint PRIMARY KEY,
  steps text NOT NULL
);
`;

/** Every migration this build knows, oldest first (engine/store/postgres/migrate.ts applies them). */
export const MIGRATIONS: readonly Migration[] = [{ version: 1, name: 'initial', sql: INITIAL }];

import { MIGRATIONS, type Migration } from './migrations.js';
import type { PostgresPool, Queryable, StoreLog } from './pool.js';

/**
 * The advisory lock key migrations run under ("drif" in ASCII). A constant, so every
 * replica of every driftless version serialises on the same key; pg-boss and other users
 * of the database take different keys.
 */
export const MIGRATION_LOCK_KEY = 0x64726966;

/** Refusal to start: the database was migrated by a newer driftless than this one. */
export class SchemaTooNewError extends Error {
  override readonly name = 'SchemaTooNewError';
  constructor(
    /** The newest version recorded in driftless.schema_migrations. */
    readonly databaseVersion: number,
    /** The newest version this build knows. */
    readonly knownVersion: number,
    databaseName: string,
  ) {
    super(
      `the PostgreSQL store has schema version ${databaseVersion}${databaseName ? ` ("${databaseName}")` : ''}, ` +
        `newer than this driftless knows (up to ${knownVersion}): a newer driftless migrated it. ` +
        'Run that version (or newer), or point this one at another database; refusing to start rather than write to a schema it does not know',
    );
  }
}

/** What {@link migrate} did. */
export interface MigrationOutcome {
  /** Migrations this call applied, oldest first (empty when the schema was current). */
  applied: Migration[];
  /** The schema version after the call. */
  version: number;
}

/** Throws unless versions run 1, 2, 3… in order: a mistake in the list must not reach a database. */
export function checkMigrations(migrations: readonly Migration[]): void {
  migrations.forEach((m, i) => {
    if (m.version !== i + 1)
      throw new Error(`migration ${i + 1} ("${m.name}") has version ${m.version}: versions must run 1, 2, 3… in order`);
  });
}

/**
 * Brings the `driftless` schema up to date: in one transaction, under
 * `pg_advisory_xact_lock(MIGRATION_LOCK_KEY)`, it creates the schema and
 * `driftless.schema_migrations` when missing, and applies each migration newer than the
 * recorded version in order, recording each. Replicas starting at once queue on the lock,
 * and each one after the first finds the migrations recorded, so each runs exactly once.
 * A failing migration rolls back all of them. A database with a version newer than
 * `migrations` knows is refused with {@link SchemaTooNewError}.
 */
export async function migrate(
  pool: PostgresPool,
  opts: { migrations?: readonly Migration[]; log?: StoreLog | undefined } = {},
): Promise<MigrationOutcome> {
  const migrations = opts.migrations ?? MIGRATIONS;
  checkMigrations(migrations);
  const known = migrations.length;
  const outcome = await pool.withTransaction(async (tx) => {
    // The lock first: even CREATE SCHEMA IF NOT EXISTS fails with a unique violation when
    // two sessions run it at the same moment.
    await tx.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK_KEY]);
    await tx.query('CREATE SCHEMA IF NOT EXISTS driftless');
    await tx.query(`CREATE TABLE IF NOT EXISTS driftless.schema_migrations (
      version integer PRIMARY KEY,
      name text NOT NULL,
      applied_at timestamptz NOT NULL DEFAULT now()
    )`);
    const current = await currentVersion(tx);
    if (current.version > known) throw new SchemaTooNewError(current.version, known, current.name);
    const pending = migrations.filter((m) => m.version > current.version);
    for (const m of pending) {
      await tx.query(m.sql);
      await tx.query('INSERT INTO driftless.schema_migrations (version, name, applied_at) VALUES ($1, $2, now())', [m.version, m.name]);
    }
    return { applied: pending, version: Math.max(current.version, ...pending.map((m) => m.version)) };
  });
  for (const m of outcome.applied) opts.log?.info({ version: m.version, migration: m.name }, 'applied a PostgreSQL store migration');
  return outcome;
}

/**
 * For readers that must not change the schema (`driftless status --config`): resolves when
 * the database is at exactly this build's version, and rejects with a message saying what
 * to do otherwise (a newer schema: {@link SchemaTooNewError}; an older or missing one: start
 * a daemon of this version, which migrates it).
 */
export async function expectCurrentSchema(pool: PostgresPool, migrations: readonly Migration[] = MIGRATIONS): Promise<void> {
  const known = migrations.length;
  const exists = await pool.query<{ found: string | null }>("SELECT to_regclass('driftless.schema_migrations')::text AS found");
  const current = exists.rows[0]?.found ? await currentVersion(pool) : { version: 0, name: '' };
  if (current.version > known) throw new SchemaTooNewError(current.version, known, current.name);
  if (current.version < known)
    throw new Error(
      `the PostgreSQL store is at schema version ${current.version}, this driftless expects ${known}: start a daemon of this version first (it migrates at start)`,
    );
}

/** The newest recorded migration (version 0, no name, on a fresh database). */
async function currentVersion(db: Queryable): Promise<{ version: number; name: string }> {
  const r = await db.query<{ version: number; name: string }>(
    'SELECT version, name FROM driftless.schema_migrations ORDER BY version DESC LIMIT 1',
  );
  return r.rows[0] ?? { version: 0, name: '' };
}

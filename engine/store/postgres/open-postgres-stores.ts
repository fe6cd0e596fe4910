import { expectCurrentSchema, migrate } from './migrate.js';
import { openPostgresPool, type PostgresPool, type StoreLog } from './pool.js';
import { PostgresDaemonStore } from './postgres-daemon-store.js';
import { PostgresDashboardStore } from './postgres-dashboard-store.js';
import { PostgresForgeOutbox } from './postgres-forge-outbox.js';
import { PostgresRunStore, type ReplicaIdentity } from './postgres-run-store.js';

/** What {@link openPostgresStores} needs. */
export interface PostgresStoresOptions {
  /** `postgres://user:password@host:port/database`; never logged. */
  url: string;
  /** This replica (see currentReplicaIdentity in ./postgres-run-store.js). */
  identity: ReplicaIdentity;
  /** How long a stack lock outlives its holder's last renewal (default 30 s). */
  lockTtlMs?: number | undefined;
  /** How long store calls ride out an unreachable PostgreSQL before failing (default 5 minutes). */
  outageToleranceMs?: number | undefined;
  /** Connections at most (default 10). */
  maxConnections?: number | undefined;
  log?: StoreLog | undefined;
  /** false: only check that the schema is this build's version, never migrate (read-only commands). Default true. */
  migrate?: boolean | undefined;
  /** Called when a held stack lock turned out lost (see PostgresRunStoreOptions.onLockLost). */
  onLockLost?: ((environment: string, stack: string) => void) | undefined;
}

/** The four stores on one shared pool; `close()` closes the stores, then the pool. */
export interface PostgresStores {
  pool: PostgresPool;
  runs: PostgresRunStore;
  daemon: PostgresDaemonStore;
  outbox: PostgresForgeOutbox;
  dashboard: PostgresDashboardStore;
  /** Releases this replica's stack locks and ends every connection; idempotent. */
  close(): Promise<void>;
}

/**
 * Opens the PostgreSQL mode's stores: one pool, migrated to this build's schema before
 * anything else runs (riding out a server that is still starting, within the outage
 * tolerance), then the four stores on it. A schema newer than this build rejects with
 * SchemaTooNewError, and the pool is closed again.
 */
export async function openPostgresStores(opts: PostgresStoresOptions): Promise<PostgresStores> {
  const pool = openPostgresPool(opts.url, {
    ...(opts.outageToleranceMs !== undefined ? { outageToleranceMs: opts.outageToleranceMs } : {}),
    ...(opts.maxConnections !== undefined ? { max: opts.maxConnections } : {}),
    log: opts.log,
  });
  try {
    if (opts.migrate === false) await expectCurrentSchema(pool);
    else await migrate(pool, { log: opts.log });
  } catch (error) {
    await pool.close();
    throw error;
  }
  const runs = new PostgresRunStore(pool, opts.identity, {
    ...(opts.lockTtlMs !== undefined ? { lockTtlMs: opts.lockTtlMs } : {}),
    log: opts.log,
    onLockLost: opts.onLockLost,
  });
  const daemon = new PostgresDaemonStore(pool);
  const outbox = new PostgresForgeOutbox(pool);
  const dashboard = new PostgresDashboardStore(pool);
  let closing: Promise<void> | undefined;
  return {
    pool,
    runs,
    daemon,
    outbox,
    dashboard,
    close() {
      closing ??= (async () => {
        // Locks first, while the pool can still release them.
        await Promise.all([runs.close(), daemon.close(), outbox.close(), dashboard.close()]);
        await pool.close();
      })();
      return closing;
    },
  };
}

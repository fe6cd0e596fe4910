import { join } from 'node:path';
import type { DaemonConfig } from '../config/daemon-config.js';
import type { Logger } from '../log/logger.js';
import type { DaemonStore } from '../store/daemon-store.js';
import type { DashboardStore } from '../store/dashboard-store.js';
import type { ForgeOutbox } from '../store/forge-outbox.js';
import { openPostgresStores, type PostgresStores } from '../store/postgres/open-postgres-stores.js';
import { currentReplicaIdentity, type ReplicaIdentity } from '../store/postgres/postgres-run-store.js';
import type { RunStore } from '../store/run-store.js';
import { SqliteDaemonStore } from '../store/sqlite-daemon-store.js';
import { SqliteDashboardStore } from '../store/sqlite-dashboard-store.js';
import { SqliteForgeOutbox } from '../store/sqlite-forge-outbox.js';
import { SqliteRunStore } from '../store/sqlite-run-store.js';
import { leaseTimings } from '../replicas/lease-timings.js';

/** `store.postgres` of the daemon configuration, defaults applied. */
export type PostgresStoreSettings = NonNullable<DaemonConfig['store']['postgres']>;

/** The daemon's four stores, wherever they live. */
export interface DaemonStores {
  runs: RunStore;
  daemon: DaemonStore;
  outbox: ForgeOutbox;
  dashboard: DashboardStore;
  /** Set in Postgres mode: the replica's identity and the shared database. */
  shared?: { identity: ReplicaIdentity; url: string; postgres: PostgresStores; settings: PostgresStoreSettings };
  close(): Promise<void>;
}

/**
 * Opens the stores the configuration names: one SQLite file in the state folder (the
 * default, one daemon), or the shared PostgreSQL (`pg`: `store.postgres`, many replicas), whose
 * connection string only ever comes from the environment and is never logged.
 */
export async function openDaemonStores(
  pg: PostgresStoreSettings | undefined,
  env: NodeJS.ProcessEnv,
  stateDir: string,
  log: Logger,
  /** A reader (`status`, `history`): checks the schema version instead of migrating, and waits only briefly for the database. */
  opts: { readOnly?: boolean } = {},
): Promise<DaemonStores> {
  if (!pg) {
    const file = join(stateDir, 'driftless.db');
    const runs = new SqliteRunStore(file);
    const daemon = new SqliteDaemonStore(file);
    const outbox = new SqliteForgeOutbox(file);
    const dashboard = new SqliteDashboardStore(file);
    return {
      runs,
      daemon,
      outbox,
      dashboard,
      close: async () => {
        await outbox.close();
        await daemon.close();
        await dashboard.close();
        await runs.close();
      },
    };
  }
  const url = env[pg.urlFromEnv];
  if (!url) throw new Error(`store.postgres: environment variable ${pg.urlFromEnv} (the PostgreSQL connection string) is not set`);
  const identity = currentReplicaIdentity(pg.replicaId);
  const storeLog = log.child({ component: 'postgres-store' });
  const postgres = await openPostgresStores({
    url,
    identity,
    lockTtlMs: leaseTimings(pg.leaseSeconds).lockTtlMs,
    outageToleranceMs: opts.readOnly ? 5000 : pg.outageToleranceSeconds * 1000,
    migrate: !opts.readOnly,
    log: storeLog,
    onLockLost: (environment, stack) =>
      storeLog.error({ environment, stack }, `the lock on ${environment}/${stack} lapsed while held (PostgreSQL was unreachable too long)`),
  });
  return {
    runs: postgres.runs,
    daemon: postgres.daemon,
    outbox: postgres.outbox,
    dashboard: postgres.dashboard,
    shared: { identity, url, postgres, settings: pg },
    close: () => postgres.close(),
  };
}

import pg from 'pg';
import { LeaderLease } from '../cluster/leader-lease.js';
import { PostgresHealth } from '../cluster/postgres-health.js';
import { WorkQueue } from '../cluster/work-queue.js';
import type { DaemonStores } from '../daemon/daemon-stores.js';
import type { Logger } from '../log/logger.js';
import type { DaemonMetrics } from '../metrics/daemon-metrics.js';
import { leaseTimings } from './lease-timings.js';
import { type LeaderTerm, ReplicaRole } from './replica-role.js';
import type { StackWorker } from './stack-worker.js';

type Shared = NonNullable<DaemonStores['shared']>;

/** Starts this replica's side of the pg-boss queue (pg-boss migrates its own schema at start). */
export function startWorkQueue(shared: Shared, log: Logger): Promise<WorkQueue> {
  const t = leaseTimings(shared.settings.leaseSeconds);
  return WorkQueue.start({
    url: shared.url,
    leaseSeconds: t.heartbeatSeconds,
    log,
    instanceName: shared.identity.replica,
    // A replica started beside a database that is still coming up waits for it (1 s, doubling, up to 30 s).
    startAttempts: 6,
    tuning: { superviseIntervalSeconds: t.superviseSeconds, stackRetryDelaySeconds: 1, pollMs: 500 },
  });
}

/**
 * The replica's role on the shared database: its leader lease and its health check use a
 * small pool of their own (two connections), so they never queue behind busy store or
 * queue connections and hear of an outage when it happens.
 */
export function createReplicaRole(
  shared: Shared,
  queue: WorkQueue,
  parts: { newTerm: () => LeaderTerm; worker: StackWorker; pollIntervalMs: number; metrics: DaemonMetrics; log: Logger },
): { role: ReplicaRole; close(): Promise<void> } {
  const log = parts.log;
  const pool = new pg.Pool({ connectionString: shared.url, max: 2, application_name: 'driftless-lease', connectionTimeoutMillis: 2000 });
  // An idle connection the server dropped (a restart) is reported here; the next query reconnects.
  pool.on('error', (e) => log.warn({ err: e.message }, 'a lease/health connection to PostgreSQL was lost'));
  const leaseMs = shared.settings.leaseSeconds * 1000;
  const role = new ReplicaRole({
    replica: shared.identity.replica,
    queue,
    health: new PostgresHealth({ pool, log }),
    lease: (hooks) =>
      new LeaderLease({
        pool,
        name: 'git-poller',
        // Unique per process even when operators name replicas: a restarted replica is a new holder.
        holder: `${shared.identity.replica}:${shared.identity.pid}:${shared.identity.processStart}`,
        ttlMs: leaseMs,
        log,
        onElected: hooks.onElected,
        onDeposed: hooks.onDeposed,
      }),
    worker: parts.worker,
    workers: shared.settings.workers,
    budget: { default: shared.settings.budget.perAccountRegion, overrides: shared.settings.budget.accounts },
    pollIntervalMs: parts.pollIntervalMs,
    newTerm: parts.newTerm,
    metrics: parts.metrics,
    log,
  });
  return { role, close: () => pool.end() };
}

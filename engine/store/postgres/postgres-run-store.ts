import { randomUUID } from 'node:crypto';
import type { AlertState, DriftRecord, LockOwner, NewRunRecord, RunQuery, RunRecord, StackStatus } from '../../model/index.js';
import { currentProcess } from '../../util/process-identity.js';
import type { RunStore } from '../run-store.js';
import type { PostgresPool, StoreLog } from './pool.js';
import { type DriftRow, driftRecordOf, type RunRow, runRecordOf } from '../history-rows.js';

/** Who this daemon replica is: stamped on its runs and on the stack locks it holds. */
export interface ReplicaIdentity {
  /** Unique among the replicas sharing the database, and new for every process (a restarted replica is a new holder). */
  replica: string;
  pid: number;
  host: string;
  /** Start time of the process (see engine/util/process-identity.ts). */
  processStart: string;
}

/** This process as a replica: `host:pid:random` unless a name is given. */
export function currentReplicaIdentity(replica?: string): ReplicaIdentity {
  const me = currentProcess();
  return { ...me, replica: replica ?? `${me.host}:${me.pid}:${randomUUID().slice(0, 8)}` };
}

/** A lock holder as the Postgres store reports it: a LockOwner plus the holding replica and its expiry. */
export interface PostgresLockOwner extends LockOwner {
  /** The replica holding (or, for clearedStale, having held) the lock. */
  replica: string;
  /** When the lock lapses unless renewed (database clock, ISO 8601). */
  expiresAt: string;
}

/** LockAttempt with the Postgres store's richer holders; assignable to LockAttempt. */
export type PostgresLockAttempt =
  | { acquired: true; clearedStale: PostgresLockOwner | undefined }
  | { acquired: false; heldBy: PostgresLockOwner };

/** Options of {@link PostgresRunStore}. */
export interface PostgresRunStoreOptions {
  /** How long a lock lives without renewal (default 30 s); held locks are renewed every third of it. */
  lockTtlMs?: number;
  log?: StoreLog | undefined;
  /**
   * Called when a held lock turned out lost at renewal: it had expired (the database was
   * unreachable for longer than the ttl) and another replica took it.
   */
  onLockLost?: ((environment: string, stack: string) => void) | undefined;
}

interface LockRow {
  holder: string;
  pid: number;
  host: string;
  process_start: string;
  purpose: string;
  acquired_at: Date;
  expires_at: Date;
  expired: boolean;
}

/** The columns of a run, in the order of the INSERT's placeholders. */
const RUN_COLUMNS = [
  'environment',
  'stack',
  'revision',
  'trigger',
  'operation',
  'result',
  'changes',
  'duration_ms',
  'error_kind',
  'error',
  'reason',
  'started_at',
  'finished_at',
  'author',
  'committer',
  'signer_principal',
  'signer_fingerprint',
  'signer_format',
  'replica',
  'write_id',
] as const;

function toOwner(r: LockRow): PostgresLockOwner {
  return {
    pid: r.pid,
    host: r.host,
    processStart: r.process_start,
    purpose: r.purpose,
    acquiredAt: r.acquired_at.toISOString(),
    replica: r.holder,
    expiresAt: r.expires_at.toISOString(),
  };
}

/** `took_over` as written by tryLock's takeover (times as epoch milliseconds). */
function tookOver(json: string | null): PostgresLockOwner | undefined {
  if (json === null) return undefined;
  const o = JSON.parse(json) as Omit<PostgresLockOwner, 'acquiredAt' | 'expiresAt'> & { acquiredAt: number; expiresAt: number };
  return { ...o, acquiredAt: new Date(o.acquiredAt).toISOString(), expiresAt: new Date(o.expiresAt).toISOString() };
}

/** `LIMIT` of a listing: 100 by default, and (as SQLite's LIMIT) a negative limit is no limit. */
function limitOf(limit: number | undefined): number | null {
  const l = limit ?? 100;
  return l < 0 ? null : l;
}

/** A held lock; a fresh object per acquisition, so a renewal answer is matched to the acquisition it renewed. */
interface HeldLock {
  environment: string;
  stack: string;
}

const keyOf = (environment: string, stack: string) => `${environment}\u0000${stack}`;

/**
 * RunStore on PostgreSQL, shared by every replica of the daemon. Writes are stamped with
 * this replica; stack locks are rows with an expiry on the database clock (so replicas'
 * clocks need not agree): the holder renews them while it works, and a replica that died
 * stops renewing, so its locks can be taken over once they expire.
 */
export class PostgresRunStore implements RunStore {
  private readonly lockTtlMs: number;
  private readonly log: StoreLog | undefined;
  private readonly onLockLost: ((environment: string, stack: string) => void) | undefined;
  private readonly held = new Map<string, HeldLock>();
  private renewTimer: NodeJS.Timeout | undefined;
  private renewing: Promise<void> | undefined;
  private closed: Promise<void> | undefined;

  constructor(
    private readonly db: PostgresPool,
    /** This replica; see {@link currentReplicaIdentity}. */
    readonly identity: ReplicaIdentity,
    opts: PostgresRunStoreOptions = {},
  ) {
    this.lockTtlMs = opts.lockTtlMs ?? 30_000;
    this.log = opts.log;
    this.onLockLost = opts.onLockLost;
  }

  async recordRun(run: NewRunRecord): Promise<RunRecord> {
    const values = [
      run.environment,
      run.stack,
      run.revision,
      run.trigger,
      run.operation,
      run.result,
      JSON.stringify(run.changes),
      run.durationMs,
      run.errorKind ?? null,
      run.error ?? null,
      run.reason ?? null,
      run.startedAt,
      run.finishedAt,
      run.author ?? null,
      run.committer ?? null,
      run.signer?.principal ?? null,
      run.signer?.fingerprint ?? null,
      run.signer?.format ?? null,
      this.identity.replica,
      randomUUID(),
    ];
    // The no-op update makes RETURNING answer on a conflict too: a retry gets the first attempt's id.
    const r = await this.db.query<{ id: string }>(
      `INSERT INTO driftless.runs (${RUN_COLUMNS.join(', ')}) VALUES (${RUN_COLUMNS.map((_, i) => `$${i + 1}`).join(', ')})
       ON CONFLICT (write_id) DO UPDATE SET write_id = excluded.write_id RETURNING id`,
      values,
    );
    return { ...run, id: Number(r.rows[0]?.id), replica: this.identity.replica };
  }

  async listRuns(query: RunQuery = {}): Promise<RunRecord[]> {
    const where: string[] = [];
    const params: unknown[] = [];
    for (const key of ['environment', 'stack', 'revision'] as const) {
      const value = query[key];
      if (value !== undefined) {
        params.push(value);
        where.push(`${key} = $${params.length}`);
      }
    }
    if (query.before !== undefined) {
      params.push(query.before);
      where.push(`id < $${params.length}`);
    }
    params.push(limitOf(query.limit));
    const sql = `SELECT * FROM driftless.runs ${where.length ? 'WHERE ' + where.join(' AND ') : ''} ORDER BY id DESC LIMIT $${params.length}`;
    return (await this.db.query<RunRow>(sql, params)).rows.map(runRecordOf);
  }

  async getStatus(environment: string, stack: string): Promise<StackStatus | undefined> {
    const r = await this.db.query<{ status: string }>('SELECT status FROM driftless.stack_status WHERE environment = $1 AND stack = $2', [
      environment,
      stack,
    ]);
    const row = r.rows[0];
    return row ? (JSON.parse(row.status) as StackStatus) : undefined;
  }

  async listStatuses(environment: string): Promise<StackStatus[]> {
    // COLLATE "C": byte order, as SQLite's ORDER BY, whatever the database's collation.
    const r = await this.db.query<{ status: string }>(
      'SELECT status FROM driftless.stack_status WHERE environment = $1 ORDER BY stack COLLATE "C"',
      [environment],
    );
    return r.rows.map((row) => JSON.parse(row.status) as StackStatus);
  }

  async saveStatus(status: StackStatus): Promise<void> {
    await this.db.query(
      `INSERT INTO driftless.stack_status (environment, stack, status) VALUES ($1, $2, $3)
       ON CONFLICT (environment, stack) DO UPDATE SET status = excluded.status`,
      [status.environment, status.stack, JSON.stringify(status)],
    );
  }

  async deleteStatus(environment: string, stack: string): Promise<void> {
    await this.db.query('DELETE FROM driftless.stack_status WHERE environment = $1 AND stack = $2', [environment, stack]);
  }

  /**
   * Takes the lock when it is free or its holder let it expire (`expires_at < now()` on
   * the database clock), in one INSERT … ON CONFLICT DO UPDATE … WHERE expired: two
   * replicas racing both run it, the row lock makes one wait, and the waiter then sees
   * the winner's unexpired row and takes nothing. A takeover records the expired holder
   * in the row (`took_over`), which is returned as `clearedStale`. A lock held by anyone,
   * this replica included, is refused with its holder, as the SQLite store refuses a live
   * holder. Once taken, the lock is renewed every lockTtl/3 until {@link unlock}.
   */
  async tryLock(environment: string, stack: string, purpose: string): Promise<PostgresLockAttempt> {
    // Nothing would renew a lock taken now, nor release it.
    if (this.closed !== undefined) throw new Error(`lock ${environment}/${stack}: the run store is closed`);
    const me = this.identity;
    // A refusal reads the holder in a second statement; if the lock was released (or
    // expired) in between, there is no holder to report, so try again. Two rounds almost
    // always settle it; a handful bounds a pathological churn.
    const attempt = randomUUID();
    for (let round = 0; round < 5; round++) {
      // `attempt` makes the statement idempotent under the pool's outage retry: if its first
      // run took the lock but the answer was lost, the rerun finds its own attempt in the row
      // and reports the lock taken (keeping the takeover it recorded), not held by itself.
      const taken = await this.db.query<{ took_over: string | null }>(
        `INSERT INTO driftless.stack_locks AS l
           (environment, stack, holder, pid, host, process_start, purpose, acquired_at, expires_at, attempt, took_over)
         VALUES ($1, $2, $3, $4, $5, $6, $7, now(), now() + $8::double precision * interval '1 millisecond', $9, NULL)
         ON CONFLICT (environment, stack) DO UPDATE SET
           holder = excluded.holder, pid = excluded.pid, host = excluded.host, process_start = excluded.process_start,
           purpose = excluded.purpose, expires_at = excluded.expires_at, attempt = excluded.attempt,
           acquired_at = CASE WHEN l.attempt = excluded.attempt THEN l.acquired_at ELSE excluded.acquired_at END,
           took_over = CASE WHEN l.attempt = excluded.attempt THEN l.took_over ELSE json_build_object(
             'replica', l.holder, 'pid', l.pid, 'host', l.host, 'processStart', l.process_start, 'purpose', l.purpose,
             'acquiredAt', extract(epoch FROM l.acquired_at) * 1000, 'expiresAt', extract(epoch FROM l.expires_at) * 1000)::text END
         WHERE l.expires_at < now() OR l.attempt = excluded.attempt
         RETURNING took_over`,
        [environment, stack, me.replica, me.pid, me.host, me.processStart, purpose, this.lockTtlMs, attempt],
      );
      const row = taken.rows[0];
      if (row) {
        this.hold(environment, stack);
        return { acquired: true, clearedStale: tookOver(row.took_over) };
      }
      const holder = await this.db.query<LockRow>(
        `SELECT holder, pid, host, process_start, purpose, acquired_at, expires_at, expires_at < now() AS expired
         FROM driftless.stack_locks WHERE environment = $1 AND stack = $2`,
        [environment, stack],
      );
      const current = holder.rows[0];
      if (current && !current.expired) return { acquired: false, heldBy: toOwner(current) };
    }
    throw new Error(`lock ${environment}/${stack}: it kept changing hands while being taken; try again`);
  }

  /** Releases the lock if this replica holds it (another replica's lock, e.g. one that took over an expired one of ours, stays). */
  async unlock(environment: string, stack: string): Promise<void> {
    this.held.delete(keyOf(environment, stack));
    if (this.held.size === 0) this.stopRenewing();
    await this.db.query('DELETE FROM driftless.stack_locks WHERE environment = $1 AND stack = $2 AND holder = $3', [
      environment,
      stack,
      this.identity.replica,
    ]);
  }

  /** Who holds a stack's lock right now (expired locks count as free); for status pages and tests. */
  async lockHolder(environment: string, stack: string): Promise<PostgresLockOwner | undefined> {
    const r = await this.db.query<LockRow>(
      `SELECT holder, pid, host, process_start, purpose, acquired_at, expires_at, expires_at < now() AS expired
       FROM driftless.stack_locks WHERE environment = $1 AND stack = $2`,
      [environment, stack],
    );
    const row = r.rows[0];
    return row && !row.expired ? toOwner(row) : undefined;
  }

  async recordDrift(record: Omit<DriftRecord, 'id'>): Promise<DriftRecord> {
    const r = await this.db.query<{ id: string }>(
      `INSERT INTO driftless.drift (environment, stack, revision, checked_at, drifted, resource_count, remediated, report, write_id)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
       ON CONFLICT (write_id) DO UPDATE SET write_id = excluded.write_id RETURNING id`,
      [
        record.environment,
        record.stack,
        record.revision,
        record.checkedAt,
        record.drifted,
        record.resourceCount,
        record.remediated,
        JSON.stringify(record.report),
        randomUUID(),
      ],
    );
    return { ...record, id: Number(r.rows[0]?.id) };
  }

  async listDrift(query: { environment?: string; stack?: string; limit?: number; before?: number } = {}): Promise<DriftRecord[]> {
    const where: string[] = [];
    const params: unknown[] = [];
    if (query.environment !== undefined) {
      params.push(query.environment);
      where.push(`environment = $${params.length}`);
    }
    if (query.stack !== undefined) {
      params.push(query.stack);
      where.push(`stack = $${params.length}`);
    }
    if (query.before !== undefined) {
      params.push(query.before);
      where.push(`id < $${params.length}`);
    }
    params.push(limitOf(query.limit));
    const r = await this.db.query<DriftRow>(
      `SELECT * FROM driftless.drift ${where.length ? 'WHERE ' + where.join(' AND ') : ''} ORDER BY id DESC LIMIT $${params.length}`,
      params,
    );
    return r.rows.map(driftRecordOf);
  }

  async getAlert(key: string): Promise<AlertState | undefined> {
    const r = await this.db.query<{ state: string }>('SELECT state FROM driftless.alerts WHERE key = $1', [key]);
    const row = r.rows[0];
    return row ? (JSON.parse(row.state) as AlertState) : undefined;
  }

  async setAlert(state: AlertState): Promise<void> {
    await this.db.query(
      'INSERT INTO driftless.alerts (key, state) VALUES ($1, $2) ON CONFLICT (key) DO UPDATE SET state = excluded.state',
      [state.key, JSON.stringify(state)],
    );
  }

  async clearAlert(key: string): Promise<void> {
    await this.db.query('DELETE FROM driftless.alerts WHERE key = $1', [key]);
  }

  /**
   * Stops renewing and releases the locks this store holds (best effort, no outage
   * retries: a lock left behind expires after the ttl anyway). The pool stays open: it is
   * shared, and closed by its owner (openPostgresStores' close). Idempotent.
   */
  close(): Promise<void> {
    this.closed ??= (async () => {
      this.stopRenewing();
      await this.renewing;
      const locks = [...this.held.values()];
      this.held.clear();
      if (locks.length === 0) return;
      await this.db
        .query(
          `DELETE FROM driftless.stack_locks WHERE holder = $1
             AND (environment, stack) IN (SELECT * FROM unnest($2::text[], $3::text[]))`,
          [this.identity.replica, locks.map((l) => l.environment), locks.map((l) => l.stack)],
          { retry: false },
        )
        .catch((error: unknown) => {
          this.log?.warn(
            { err: String(error), locks: locks.length },
            'could not release stack locks on close; they expire after the lock ttl',
          );
        });
    })();
    return this.closed;
  }

  private hold(environment: string, stack: string): void {
    this.held.set(keyOf(environment, stack), { environment, stack });
    if (this.renewTimer || this.closed !== undefined) return;
    this.renewTimer = setInterval(() => {
      // One renewal at a time: a slow database must not pile them up.
      if (!this.renewing) this.renewing = this.renew().finally(() => (this.renewing = undefined));
    }, this.lockTtlMs / 3);
    // A held lock belongs to work that keeps the process alive anyway.
    this.renewTimer.unref();
  }

  private stopRenewing(): void {
    clearInterval(this.renewTimer);
    this.renewTimer = undefined;
  }

  /**
   * Moves every held lock's expiry on by a ttl, in one statement. A lock whose row is no
   * longer this replica's was lost (it expired during an outage longer than the ttl and
   * another replica took it): it is dropped from the held set and reported. Not retried
   * through an outage: the next tick tries again, and a lock nobody took is renewed then.
   */
  private async renew(): Promise<void> {
    const locks = [...this.held.values()];
    if (locks.length === 0) return;
    try {
      const r = await this.db.query<{ environment: string; stack: string }>(
        `UPDATE driftless.stack_locks SET expires_at = now() + $2::double precision * interval '1 millisecond'
         WHERE holder = $1 AND (environment, stack) IN (SELECT * FROM unnest($3::text[], $4::text[]))
         RETURNING environment, stack`,
        [this.identity.replica, this.lockTtlMs, locks.map((l) => l.environment), locks.map((l) => l.stack)],
        { retry: false },
      );
      const renewed = new Set(r.rows.map((row) => keyOf(row.environment, row.stack)));
      for (const lock of locks) {
        const key = keyOf(lock.environment, lock.stack);
        // Only the acquisition this renewal was for: one unlocked (or re-taken) meanwhile is not lost.
        if (renewed.has(key) || this.held.get(key) !== lock) continue;
        this.held.delete(key);
        this.log?.error(
          { environment: lock.environment, stack: lock.stack },
          'a held stack lock was lost: it expired (PostgreSQL unreachable for longer than the lock ttl) and another replica took it',
        );
        this.onLockLost?.(lock.environment, lock.stack);
      }
      if (this.held.size === 0) this.stopRenewing();
    } catch (error) {
      this.log?.warn({ err: String(error), locks: locks.length }, 'could not renew stack locks; retrying at the next renewal');
    }
  }
}

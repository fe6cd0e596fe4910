import type pg from 'pg';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type DeposeReason, LeaderLease } from '../../../engine/cluster/leader-lease.js';
import { captureLog, createLeaseTable, rawPool, until } from '../../support/cluster-helpers.js';
import { startTestPostgres, type TestPostgres } from '../../support/embedded-postgres.js';

const TTL = 3000;

let server: TestPostgres;
const pools: pg.Pool[] = [];
const leases: LeaderLease[] = [];
const { log } = captureLog();

beforeAll(async () => {
  server = await startTestPostgres('cluster_lease');
});

afterEach(async () => {
  await Promise.all(leases.splice(0).map((l) => l.release()));
  await Promise.all(pools.splice(0).map((p) => p.end()));
});

afterAll(async () => {
  await server?.dispose();
});

async function database(name: string): Promise<string> {
  const url = await server.createDatabase(name);
  await createLeaseTable(url);
  return url;
}

/** A lease of its own pool, as one replica would hold it, with the transitions it went through. */
function replica(url: string, holder: string, name = 'git-poller') {
  const pool = rawPool(url);
  pools.push(pool);
  const events: Array<{ at: number; event: 'elected' | DeposeReason }> = [];
  const lease = new LeaderLease({
    pool,
    name,
    holder,
    ttlMs: TTL,
    log: log.child({ holder }),
    onElected: () => {
      events.push({ at: Date.now(), event: 'elected' });
    },
    onDeposed: (reason) => {
      events.push({ at: Date.now(), event: reason });
    },
  });
  leases.push(lease);
  return { lease, events, pool };
}

/** Samples every 10 ms that at most one of `leases` believes it leads; returns the stop function. */
function watchOverlap(all: LeaderLease[]): { stop(): void; overlaps: () => number } {
  let overlaps = 0;
  const timer = setInterval(() => {
    if (all.filter((l) => l.isLeader()).length > 1) overlaps++;
  }, 10);
  return { stop: () => clearInterval(timer), overlaps: () => overlaps };
}

describe('LeaderLease', () => {
  it('two replicas compete: exactly one leads, and its release elects the other at once', async () => {
    const url = await database('compete');
    const a = replica(url, 'replica-a');
    const b = replica(url, 'replica-b');
    const watch = watchOverlap([a.lease, b.lease]);
    await Promise.all([a.lease.start(), b.lease.start()]);

    expect([a.lease.isLeader(), b.lease.isLeader()].filter(Boolean)).toHaveLength(1);
    const [leader, follower] = a.lease.isLeader() ? [a, b] : [b, a];
    expect(leader.events.map((e) => e.event)).toEqual(['elected']);
    // Renewals keep it for several ttls; the follower keeps trying and is refused.
    await new Promise((r) => setTimeout(r, 2 * TTL));
    expect(leader.lease.isLeader()).toBe(true);
    expect(follower.lease.isLeader()).toBe(false);
    const { rows } = await leader.pool.query(
      "SELECT holder, expires_at > now() AS live, acquired_at < now() - interval '5 seconds' AS kept FROM driftless.leases",
    );
    expect(rows).toEqual([{ holder: leader === a ? 'replica-a' : 'replica-b', live: true, kept: true }]);

    const releasedAt = Date.now();
    await leader.lease.release();
    expect(leader.events.map((e) => e.event)).toEqual(['elected', 'released']);
    await until(() => follower.lease.isLeader(), TTL, 'the other replica to be elected');
    // At its next attempt (a third of the ttl), not after the released lease's expiry.
    expect(Date.now() - releasedAt).toBeLessThan(TTL / 3 + 1000);
    watch.stop();
    expect(watch.overlaps()).toBe(0);
  });

  it('a lease someone else holds is taken once it expires by the database clock, not before', async () => {
    const url = await database('expiry');
    const a = replica(url, 'replica-a');
    await a.pool.query(
      `INSERT INTO driftless.leases VALUES ('git-poller', 'crashed-replica', now() - interval '1 minute', now() + interval '2 seconds')`,
    );
    const startedAt = Date.now();
    await a.lease.start();
    expect(a.lease.isLeader()).toBe(false);

    await until(() => a.lease.isLeader(), 5000, 'the expired lease to be taken');
    const waited = Date.now() - startedAt;
    expect(waited).toBeGreaterThanOrEqual(1900);
    expect(waited).toBeLessThan(2000 + TTL / 3 + 1000);
    const { rows } = await a.pool.query(`SELECT holder, acquired_at > now() - interval '5 seconds' AS fresh FROM driftless.leases`);
    expect(rows).toEqual([{ holder: 'replica-a', fresh: true }]);
  });

  it('a leader whose row was taken over (an operator deleted it, another replica took it) steps down at its next renewal', async () => {
    const url = await database('taken');
    const a = replica(url, 'replica-a');
    await a.lease.start();
    expect(a.lease.isLeader()).toBe(true);
    await a.pool.query(`UPDATE driftless.leases SET holder = 'replica-z', expires_at = now() + interval '1 minute'`);
    await until(() => !a.lease.isLeader(), TTL, 'the leader to step down');
    expect(a.events.map((e) => e.event)).toEqual(['elected', 'taken-over']);
  });

  it('distinct lease names elect independently', async () => {
    const url = await database('names');
    const poller = replica(url, 'replica-a', 'git-poller');
    const reporter = replica(url, 'replica-a', 'drift-reporter');
    await Promise.all([poller.lease.start(), reporter.lease.start()]);
    expect(poller.lease.isLeader() && reporter.lease.isLeader()).toBe(true);
  });
});

import type pg from 'pg';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { budgetKeyOf } from '../../../engine/cluster/budget.js';
import { LeaderLease } from '../../../engine/cluster/leader-lease.js';
import { type HealthState, PostgresHealth } from '../../../engine/cluster/postgres-health.js';
import { JobAbortedError, type QueueError, WorkQueue } from '../../../engine/cluster/work-queue.js';
import type { StackJob } from '../../../engine/model/index.js';
import { captureLog, createLeaseTable, deferred, rawPool, until } from '../../support/cluster-helpers.js';
import { startTestPostgres, type TestPostgres } from '../../support/embedded-postgres.js';

// One outage, watched by everything at once: two replicas' leader leases, the health check
// the daemon pauses its work queue by, and the queue itself with a job running across the
// outage and one waiting behind it.

const TTL = 3000;
const LEASE_SECONDS = 10;
const BUDGET = budgetKeyOf('111111111111', 'eu-west-1');

let server: TestPostgres;
const cleanup: Array<() => Promise<unknown>> = [];

beforeAll(async () => {
  server = await startTestPostgres('cluster_outage');
});

afterAll(async () => {
  for (const fn of cleanup.reverse()) await fn().catch(() => undefined);
  await server?.dispose();
});

function stackJob(stack: string): StackJob {
  return { environment: 'prod', stack, revision: 'c'.repeat(40), operation: 'up', trigger: 'commit', budgetKey: BUDGET };
}

it('Postgres stopping deposes the leader within a ttl and pauses the queue; once it is back a leader is elected and no job is lost', async () => {
  const url = await server.createDatabase('outage');
  await createLeaseTable(url);
  const { log, text: logText } = captureLog();

  // Two replicas' leases, each on its own pool.
  const pools: pg.Pool[] = [rawPool(url), rawPool(url), rawPool(url, 1)];
  cleanup.push(() => Promise.all(pools.map((p) => p.end())));
  const deposed: Array<{ holder: string; at: number; reason: string }> = [];
  const elected: Array<{ holder: string; at: number }> = [];
  const leases = ['replica-a', 'replica-b'].map(
    (holder, i) =>
      new LeaderLease({
        pool: pools[i]!,
        name: 'git-poller',
        holder,
        ttlMs: TTL,
        log: log.child({ holder }),
        onElected: () => {
          elected.push({ holder, at: Date.now() });
        },
        onDeposed: (reason) => {
          deposed.push({ holder, at: Date.now(), reason });
        },
      }),
  );
  cleanup.push(() => Promise.all(leases.map((l) => l.release())));
  let overlaps = 0;
  const overlapWatch = setInterval(() => {
    if (leases.filter((l) => l.isLeader()).length > 1) overlaps++;
  }, 10);
  cleanup.push(async () => clearInterval(overlapWatch));

  // The queue, paused and resumed by the health check as the daemon wires them.
  const errors: QueueError[] = [];
  const queue = await WorkQueue.start({
    url,
    leaseSeconds: LEASE_SECONDS,
    log,
    onError: (e) => errors.push(e),
    tuning: { pollMs: 100, superviseIntervalSeconds: 1, stackRetryDelaySeconds: 1 },
  });
  cleanup.push(() => queue.stop({ graceful: false }));
  const health = new PostgresHealth({
    pool: pools[2]!,
    intervalMs: 250,
    timeoutMs: 1000,
    log,
    onChange: (state: HealthState) => {
      if (state.healthy) queue.resume();
      else void queue.pause();
    },
  });
  const changes: HealthState[] = [];
  health.subscribe((s) => changes.push(s));
  cleanup.push(() => health.stop());

  const runs: Array<{ stack: string; attempt: number }> = [];
  const across = deferred();
  // A budget of 1: the second job waits in the queue behind the first, through the outage.
  queue.workStacks({ concurrency: 2, budget: { default: 1, overrides: {} } }, async (job, ctx) => {
    runs.push({ stack: job.stack, attempt: ctx.attempt });
    if (job.stack === 'across') await across.promise;
    return { stack: job.stack, attempt: ctx.attempt };
  });

  await Promise.all([...leases.map((l) => l.start()), health.start()]);
  expect(leases.filter((l) => l.isLeader())).toHaveLength(1);
  expect(health.healthy()).toBe(true);
  const acrossId = await queue.enqueueStack(stackJob('across'));
  const waitingId = await queue.enqueueStack(stackJob('waiting'));
  await until(() => runs.length === 1, 5000, 'the first job to start');

  // The outage.
  const stoppedAt = Date.now();
  await server.stop();
  await until(() => !health.healthy(), 3000, 'the health check to notice');
  // ECONNREFUSED, ECONNRESET, 57P01 or 57P03 ("shutting down"), depending on the moment.
  expect(health.reason()).not.toBe('ok');
  await until(() => queue.isPaused(), 1000, 'the queue to pause');
  // The running job ends while Postgres is gone: its completion has to wait for the server.
  across.resolve();
  await until(() => deposed.length === 1, TTL + 2000, 'the leader to step down');
  // Within one ttl of its last renewal (which was at most a third of a ttl before the stop).
  expect(deposed[0]!.at - stoppedAt).toBeLessThanOrEqual(TTL + 500);
  expect(deposed[0]!.reason).toBe('expired');
  expect(leases.some((l) => l.isLeader())).toBe(false);

  await server.start();
  const restartedAt = Date.now();
  await until(() => health.healthy(), 5000, 'the health check to see Postgres back');
  expect(queue.isPaused()).toBe(false);
  await until(() => leases.some((l) => l.isLeader()), TTL, 'a leader to be elected again');
  expect(Date.now() - restartedAt).toBeLessThan(TTL);

  const done = await queue.awaitStacks([acrossId, waitingId], { pollMs: 100, signal: AbortSignal.timeout(30_000) });
  expect(done.get(acrossId)).toEqual({ state: 'completed', output: { stack: 'across', attempt: 0 } });
  expect(done.get(waitingId)).toEqual({ state: 'completed', output: { stack: 'waiting', attempt: 0 } });
  // Each ran once: the outage was shorter than the job lease, so nothing was retried.
  expect(runs).toEqual([
    { stack: 'across', attempt: 0 },
    { stack: 'waiting', attempt: 0 },
  ]);

  expect(overlaps).toBe(0);
  expect(elected).toHaveLength(2);
  expect(changes.map((c) => c.healthy)).toEqual([true, false, true]);
  // pg-boss's own errors during the outage reached onError (and the log), not the process.
  expect(errors.length).toBeGreaterThan(0);
  expect(logText()).not.toContain(server.password);
  expect(logText()).not.toContain(url);
});

it('an outage longer than the job lease: the running handler is told its lease is lost, and the job runs again after the restart', async () => {
  const url = await server.createDatabase('long_outage');
  const { log, text: logText } = captureLog();
  const queue = await WorkQueue.start({
    url,
    leaseSeconds: LEASE_SECONDS,
    log,
    tuning: { pollMs: 100, superviseIntervalSeconds: 1, stackRetryDelaySeconds: 1 },
  });
  cleanup.push(() => queue.stop({ graceful: false }));
  const runs: Array<{ attempt: number; startedAt: number; aborted?: { at: number; reason: unknown } }> = [];
  queue.workStacks({ concurrency: 1, budget: { default: 1, overrides: {} } }, async (_job, ctx) => {
    const run: (typeof runs)[number] = { attempt: ctx.attempt, startedAt: Date.now() };
    runs.push(run);
    if (ctx.attempt > 0) return { attempt: ctx.attempt };
    // The first attempt works until it is told to stop, as a Pulumi operation would, and then fails.
    await new Promise((resolve) => ctx.signal.addEventListener('abort', resolve));
    run.aborted = { at: Date.now(), reason: ctx.signal.reason };
    throw ctx.signal.reason;
  });
  const id = await queue.enqueueStack(stackJob('long'));
  await until(() => runs.length === 1, 5000, 'the job to start');

  const stoppedAt = Date.now();
  await server.stop();
  await until(() => runs[0]!.aborted !== undefined, (LEASE_SECONDS + 3) * 1000, 'the handler to be told its lease is lost');
  const { at, reason } = runs[0]!.aborted!;
  expect(reason).toBeInstanceOf(JobAbortedError);
  expect((reason as JobAbortedError).reason).toBe('lease-lost');
  // No later than a lease after the stop: its last heartbeat came before it.
  expect(at - stoppedAt).toBeLessThanOrEqual(LEASE_SECONDS * 1000 + 500);

  await server.start();
  const done = await queue.awaitStacks([id], { pollMs: 100, signal: AbortSignal.timeout(30_000) });
  expect(done.get(id)).toEqual({ state: 'completed', output: { attempt: 1 } });
  expect(runs.map((r) => r.attempt)).toEqual([0, 1]);
  console.log(`lease lost ${at - stoppedAt} ms after the stop; retried ${runs[1]!.startedAt - at} ms after that (restart included)`);
  expect(logText()).not.toContain(server.password);
});

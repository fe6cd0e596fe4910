import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { budgetKeyOf } from '../../../engine/cluster/budget.js';
import { syncJobIdOf } from '../../../engine/cluster/job-ids.js';
import { type SyncRequest, WorkQueue, type WorkQueueTuning } from '../../../engine/cluster/work-queue.js';
import type { StackJob } from '../../../engine/model/index.js';
import { captureLog, deferred, until } from '../../support/cluster-helpers.js';
import { startTestPostgres, type TestPostgres } from '../../support/embedded-postgres.js';

// Several WorkQueues in one process stand for several replicas: each has its own pg-boss,
// pool and worker loop, and they meet only in PostgreSQL.

const tuning: WorkQueueTuning = { pollMs: 100, superviseIntervalSeconds: 1, stackRetryDelaySeconds: 1, syncRetryDelaySeconds: 1 };
const A = budgetKeyOf('111111111111', 'eu-west-1');
const B = budgetKeyOf('222222222222', 'eu-west-1');

function stackJob(stack: string, budgetKey = A): StackJob {
  return { environment: 'prod', stack, revision: 'a'.repeat(40), operation: 'up', trigger: 'commit', budgetKey };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

let pg: TestPostgres;
const started: WorkQueue[] = [];
const { log, text: logText } = captureLog();

beforeAll(async () => {
  pg = await startTestPostgres('cluster_queue');
});

afterAll(async () => {
  await Promise.all(started.map((q) => q.stop({ graceful: false })));
  await pg?.dispose();
  // Nothing logged may carry the connection string's credentials.
  expect(logText()).not.toContain(pg.password);
});

/** `n` replicas on a fresh database, started at the same moment (their pg-boss installs race). */
async function replicas(database: string, n: number, extra: WorkQueueTuning = {}): Promise<WorkQueue[]> {
  const url = await pg.createDatabase(database);
  const queues = await Promise.all(
    Array.from({ length: n }, (_, i) =>
      WorkQueue.start({ url, leaseSeconds: 10, log: log.child({ replica: i }), instanceName: `r${i}`, tuning: { ...tuning, ...extra } }),
    ),
  );
  started.push(...queues);
  return queues;
}

describe('WorkQueue', () => {
  it('two replicas share stack jobs: each job runs exactly once, and its output comes back', async () => {
    const [r0, r1] = await replicas('share', 2);
    const runs = new Map<string, string[]>();
    for (const [i, q] of [r0!, r1!].entries())
      q.workStacks({ concurrency: 2, budget: { default: 10, overrides: {} } }, async (job, ctx) => {
        runs.set(job.stack, [...(runs.get(job.stack) ?? []), `r${i}`]);
        await sleep(50 + Math.random() * 100);
        return { stack: job.stack, ranOn: `r${i}`, attempt: ctx.attempt };
      });
    const ids: string[] = [];
    for (let k = 0; k < 20; k++) ids.push(await (k % 2 ? r1! : r0!).enqueueStack(stackJob(`s${k}`)));

    const done = await r0!.awaitStacks(ids, { pollMs: 100 });

    expect([...done.keys()]).toEqual(ids);
    for (const [k, id] of ids.entries()) {
      const end = done.get(id)!;
      expect(end.state).toBe('completed');
      expect(end.output).toMatchObject({ stack: `s${k}`, attempt: 0, ranOn: runs.get(`s${k}`)?.[0] });
    }
    expect([...runs.values()].every((by) => by.length === 1)).toBe(true);
    expect(runs.size).toBe(20);
    // Both replicas took part.
    const by = [...runs.values()].flat();
    expect(by).toContain('r0');
    expect(by).toContain('r1');
  });

  it('a handler that throws fails its job after the retries, with the error as output; a deduplicated job is queued once', async () => {
    const [q] = await replicas('fail', 1, { stackRetryLimit: 1, stackRetryDelaySeconds: 1 });
    let attempts = 0;
    q!.workStacks({ concurrency: 1, budget: { default: 1, overrides: {} } }, async (job) => {
      if (job.stack === 'bad') {
        attempts++;
        throw new Error('cannot reach https://user:hunter2@example.com/x');
      }
      return { ok: true };
    });
    const bad = await q!.enqueueStack(stackJob('bad'));
    const once = await q!.enqueueStack(stackJob('good'), { dedupeKey: 'rev-a/prod/good/up' });
    expect(await q!.enqueueStack(stackJob('good'), { dedupeKey: 'rev-a/prod/good/up' })).toBe(once);

    const done = await q!.awaitStacks([bad, once], { pollMs: 100 });

    expect(done.get(bad)).toEqual({ state: 'failed', output: { name: 'Error', message: 'cannot reach https://[redacted]@example.com/x' } });
    expect(attempts).toBe(2);
    expect(done.get(once)).toEqual({ state: 'completed', output: { ok: true } });
    expect(logText()).not.toContain('hunter2');
  });

  it('a budget of 2 for one account/region holds across 3 replicas × 3 workers, and another account is not held back', async () => {
    const queues = await replicas('budget', 3);
    const running = new Map<string, number>();
    const peak = new Map<string, number>();
    const lastEnd = new Map<string, number>();
    for (const q of queues)
      q.workStacks({ concurrency: 3, budget: { default: 10, overrides: { [A]: 2 } } }, async (job) => {
        const n = (running.get(job.budgetKey) ?? 0) + 1;
        running.set(job.budgetKey, n);
        peak.set(job.budgetKey, Math.max(peak.get(job.budgetKey) ?? 0, n));
        await sleep(250);
        running.set(job.budgetKey, (running.get(job.budgetKey) ?? 1) - 1);
        lastEnd.set(job.budgetKey, Date.now());
        return {};
      });
    const ids: string[] = [];
    // A's jobs first, so B's wait behind them in creation order: B running early proves it is not held back.
    for (let k = 0; k < 12; k++) ids.push(await queues[k % 3]!.enqueueStack(stackJob(`a${k}`, A)));
    for (let k = 0; k < 9; k++) ids.push(await queues[k % 3]!.enqueueStack(stackJob(`b${k}`, B)));

    const done = await queues[0]!.awaitStacks(ids, { pollMs: 100 });

    expect([...done.values()].every((d) => d.state === 'completed')).toBe(true);
    expect(peak.get(A)).toBe(2);
    expect(peak.get(B)).toBeGreaterThanOrEqual(3);
    expect(lastEnd.get(B)!).toBeLessThan(lastEnd.get(A)!);
  });

  it('the same webhook delivery requested by two replicas is one sync job, handled once; other requests collapse into the waiting one', async () => {
    const [r0, r1] = await replicas('sync', 2);
    const delivery = '72d3162e-cc78-11e3-81ab-4c9367dc0958';

    const [first, second] = await Promise.all([
      r0!.requestSync({ trigger: 'webhook', delivery }),
      r1!.requestSync({ trigger: 'webhook', delivery }),
    ]);
    const id = syncJobIdOf(delivery);
    expect([first, second].map((o) => o.outcome).sort()).toEqual(['duplicate', 'queued']);
    expect([first, second].map((o) => ('id' in o ? o.id : undefined))).toEqual([id, id]);
    expect(await r1!.requestSync({ trigger: 'poll' })).toEqual({ outcome: 'coalesced' });
    expect(await r0!.requestSync({ trigger: 'webhook', delivery: 'another-delivery' })).toEqual({ outcome: 'coalesced' });

    const handled: SyncRequest[] = [];
    const release = deferred();
    for (const q of [r0!, r1!])
      q.workSync(async (request) => {
        handled.push(request);
        await release.promise;
      });
    await until(() => handled.length === 1, 10_000, 'the sync to start');
    // While one sync runs, one more may wait (it will see whatever changed meanwhile).
    expect((await r1!.requestSync({ trigger: 'poll' })).outcome).toBe('queued');
    expect((await r0!.requestSync({ trigger: 'poll' })).outcome).toBe('coalesced');
    await sleep(500);
    // Stately: the waiting sync does not start beside the running one, on either replica.
    expect(handled).toHaveLength(1);
    release.resolve();
    await until(() => handled.length === 2, 10_000, 'the waiting sync to run');
    await sleep(500);

    expect(handled).toEqual([{ trigger: 'webhook', delivery }, { trigger: 'poll' }]);
    // The delivery once more, after it was handled: still a duplicate (the job is retained).
    expect(await r1!.requestSync({ trigger: 'webhook', delivery })).toEqual({ outcome: 'duplicate', id });
  });

  it('a merge-request event is queued on its own (never collapsed into a waiting sync), once per delivery; sync work can start paused', async () => {
    const [r0, r1] = await replicas('merge_request', 2);
    const mergeRequest = { action: 'opened', branch: 'feature/x', headSha: undefined, merged: false };
    expect((await r0!.requestSync({ trigger: 'poll' })).outcome).toBe('queued');
    const first = await r0!.requestSync({ trigger: 'webhook', delivery: 'd-7/merge-request', mergeRequest });
    expect(first.outcome).toBe('queued');
    expect(await r1!.requestSync({ trigger: 'webhook', delivery: 'd-7/merge-request', mergeRequest })).toEqual({
      outcome: 'duplicate',
      id: 'id' in first ? first.id : '',
    });
    expect(await r1!.requestSync({ trigger: 'webhook', delivery: 'd-8' })).toEqual({ outcome: 'coalesced' });

    const handled: SyncRequest[] = [];
    // A replica that does not lead must not take sync requests: paused before it works the queue.
    await r1!.pauseSync();
    r1!.workSync(async (request) => {
      handled.push(request);
    });
    await sleep(400);
    expect(handled).toEqual([]);
    expect(r1!.isPaused('sync')).toBe(true);
    expect(r1!.isPaused('stacks')).toBe(false);
    r1!.resumeSync();
    await until(() => handled.length === 2, 10_000, 'both requests to be handled');
    await sleep(300);
    expect(handled).toEqual([{ trigger: 'poll' }, { trigger: 'webhook', delivery: 'd-7/merge-request', mergeRequest }]);
  });

  it('pause() stops taking new jobs while a running one goes on; resume() takes them again', async () => {
    const [q] = await replicas('pause', 1);
    const release = deferred();
    const ran: string[] = [];
    q!.workStacks({ concurrency: 2, budget: { default: 10, overrides: {} } }, async (job) => {
      ran.push(job.stack);
      if (job.stack === 'long') await release.promise;
      return {};
    });
    const long = await q!.enqueueStack(stackJob('long'));
    await until(() => ran.includes('long'), 5000, 'the long job to start');

    await q!.pause();
    const later = await q!.enqueueStack(stackJob('later'));
    await sleep(600);
    expect(ran).toEqual(['long']);
    expect(q!.activeJobs().stacks).toBe(1);
    release.resolve();
    expect((await q!.awaitStacks([long], { pollMs: 100 })).get(long)?.state).toBe('completed');

    q!.resume();
    expect((await q!.awaitStacks([later], { pollMs: 100 })).get(later)?.state).toBe('completed');
    expect(ran).toEqual(['long', 'later']);
  });

  it('awaitStacks reports a job that does not exist as missing, and stops when its signal aborts', async () => {
    const [q] = await replicas('await', 1);
    const ghost = '00000000-0000-4000-8000-000000000000';
    expect(await q!.awaitStacks([ghost])).toEqual(new Map([[ghost, { state: 'missing', output: undefined }]]));
    const waiting = await q!.enqueueStack(stackJob('never-worked'));
    await expect(q!.awaitStacks([waiting], { pollMs: 50, signal: AbortSignal.timeout(300) })).rejects.toThrow(/aborted|timeout/i);
  });
});

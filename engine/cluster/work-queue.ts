import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { type Job, PgBoss, type Queue } from 'pg-boss';
import type { Logger } from '../log/logger.js';
import type { StackJob } from '../model/index.js';
import { groupConcurrencyOf, type StackBudget, stackGroup } from './budget.js';
import { stackJobIdOf, syncJobIdOf } from './job-ids.js';
import { type JobContext, JobRunner } from './job-runner.js';
import { parseStackJob, parseSyncRequest, type SyncRequest } from './job-schemas.js';
import { describeError } from './sql-client.js';

export type { StackBudget } from './budget.js';
export { type JobContext, JobAbortedError } from './job-runner.js';
export type { SyncMergeRequest, SyncRequest, SyncTrigger } from './job-schemas.js';

/** Sync requests: at most one waiting and one running, cluster-wide (merge-request events apart). */
export const SYNC_QUEUE = 'driftless-sync';
/** One Pulumi operation on one stack per job, leased, budgeted per AWS account and region. */
export const STACK_QUEUE = 'driftless-stack';

/** Timings, mostly for tests; the defaults suit production. */
export interface WorkQueueTuning {
  /** Between fetches while a queue is empty (default 1000 ms). */
  pollMs?: number;
  /**
   * How often pg-boss's supervisor looks for jobs whose heartbeat stopped (default 10 s,
   * pg-boss's own 60 s would add up to a minute to every takeover). The pass is claimed by
   * one replica per interval, so more replicas do not mean more passes.
   */
  superviseIntervalSeconds?: number;
  /** The longest a stack operation may run before it is failed and retried (default 2 h). */
  stackExpireInSeconds?: number;
  /** Retries of a stack job after a failure or a lapsed lease (default 5). */
  stackRetryLimit?: number;
  /** Pause before a stack job is retried (default 10 s). */
  stackRetryDelaySeconds?: number;
  /** The longest a sync may run (default 15 min). */
  syncExpireInSeconds?: number;
  /** Retries of a sync (default 3) and the pause before one (default 5 s). */
  syncRetryLimit?: number;
  syncRetryDelaySeconds?: number;
  /** How long a job's completion is retried while Postgres is unreachable (default 5 min). */
  settleRetryMs?: number;
}

export interface WorkQueueOptions {
  /** `postgres://…`; never logged (it may hold a password). */
  url: string;
  /** pg-boss's schema (default `pgboss`); its migrations run there at start. */
  schema?: string;
  /**
   * How long a replica may go silent before its jobs pass to another (≥ 10, pg-boss's
   * minimum heartbeat): jobs heartbeat every third of it.
   */
  leaseSeconds: number;
  log: Logger;
  /** Every pg-boss and worker error, redacted, besides the log (e.g. for metrics). */
  onError?: (error: QueueError) => void;
  /** This replica's name in pg-boss's instance registry. */
  instanceName?: string;
  /** Tries to reach Postgres at start (pg-boss waits 1 s, doubling up to 30 s, between them; default 1). */
  startAttempts?: number;
  tuning?: WorkQueueTuning;
}

/** An error of the queue, safe to log: message redacted, no connection config attached. */
export class QueueError extends Error {
  override readonly name = 'QueueError';
  readonly code: string | undefined;
  /** What was going on: `pg-boss`, `fetching from driftless-stack`, … */
  readonly context: string;
  constructor(context: string, error: unknown) {
    const d = describeError(error);
    super(`${context}: ${d.message}`);
    this.code = d.code;
    this.context = context;
  }
}

/** What became of a sync request. */
export type SyncRequestOutcome =
  /** A new job. */
  | { outcome: 'queued'; id: string }
  /** The same webhook delivery was already queued (or handled): its job's id. */
  | { outcome: 'duplicate'; id: string }
  /** A sync was already waiting; it will see this request's changes too. */
  | { outcome: 'coalesced' };

/** Which of the two queues a pause or resume is about. */
export type QueueKind = 'sync' | 'stacks';

/** How a stack job ended, as {@link WorkQueue.awaitStacks} reports it. */
export interface FinishedStackJob {
  /** `missing`: the job no longer exists (deleted, or retained past its deleteAfterSeconds). */
  state: 'completed' | 'failed' | 'cancelled' | 'missing';
  /** completed: the handler's return value; failed: `{ name, message, code? }` of the last attempt's error. */
  output: unknown;
}

/** Options of {@link WorkQueue.workStacks}. */
export interface StackWorkOptions {
  /** Stack operations this replica runs at once. */
  concurrency: number;
  /** Cluster-wide limits per `<account>/<region>`. */
  budget: StackBudget;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** A tiny in-process mutex: one local fetch waits for the cluster lock at a time, not one per slot. */
class Mutex {
  #tail: Promise<unknown> = Promise.resolve();
  run<T>(fn: () => Promise<T>): Promise<T> {
    const result = this.#tail.then(fn);
    this.#tail = result.catch(() => undefined);
    return result;
  }
}

/**
 * driftless's jobs on pg-boss, shared by every replica on one PostgreSQL:
 *
 * - `driftless-sync` (policy `stately`): requests to sync the environments repository. A
 *   webhook delivery gets a name-based job id, so the same delivery sent by two replicas is
 *   one job (pg-boss answers a duplicate id with `null`, not an error); any request while a
 *   sync is already waiting collapses into it. pg-boss's stately policy also lets only one
 *   sync run at a time, cluster-wide.
 * - `driftless-stack`: one Pulumi operation on one stack per job. Leased: a worker
 *   heartbeats every leaseSeconds/3; when a replica dies, pg-boss's supervisor (on any live
 *   replica) fails the job once its heartbeat is leaseSeconds old, and it is retried on a
 *   live replica. Budgeted: each job's pg-boss group is its `<account>/<region>` and the
 *   fetch passes pg-boss's cross-node `groupConcurrency`.
 *
 * The stack fetch runs under a transaction-scoped advisory lock: pg-boss counts a group's
 * active jobs inside the fetch statement, so two fetches at the same moment (two replicas,
 * or two slots of one) each see the other's claims as not yet made and together overshoot
 * the budget (measured: 9 running against a budget of 2). Serialized, each fetch sees every
 * earlier claim committed. A fetch is one short statement, so the lock costs little.
 */
export class WorkQueue {
  readonly #boss: PgBoss;
  readonly #o: WorkQueueOptions;
  readonly #log: Logger;
  readonly #tuning: Required<WorkQueueTuning>;
  readonly #schema: string;
  readonly #fetchLock = new Mutex();
  readonly #recentErrors = new Map<string, number>();
  #sync: JobRunner<SyncRequest> | undefined;
  #stacks: JobRunner<StackJob> | undefined;
  readonly #paused = { sync: false, stacks: false };
  #stopped = false;

  private constructor(boss: PgBoss, opts: WorkQueueOptions, tuning: Required<WorkQueueTuning>) {
    this.#boss = boss;
    this.#o = opts;
    this.#log = opts.log.child({ component: 'work-queue' });
    this.#tuning = tuning;
    this.#schema = opts.schema ?? 'pgboss';
  }

  /**
   * Starts pg-boss (installing or migrating its schema; concurrent starts of several
   * replicas are serialized by pg-boss's own lock), creates the two queues when missing and
   * brings their settings to this replica's. Rejects when Postgres cannot be reached within
   * `startAttempts`, or when a queue exists with another policy.
   */
  static async start(opts: WorkQueueOptions): Promise<WorkQueue> {
    if (!Number.isInteger(opts.leaseSeconds) || opts.leaseSeconds < 10)
      throw new Error(`leaseSeconds must be an integer ≥ 10 (pg-boss's minimum heartbeat), not ${opts.leaseSeconds}`);
    const t = opts.tuning ?? {};
    const tuning: Required<WorkQueueTuning> = {
      pollMs: t.pollMs ?? 1000,
      superviseIntervalSeconds: t.superviseIntervalSeconds ?? 10,
      stackExpireInSeconds: t.stackExpireInSeconds ?? 2 * 60 * 60,
      stackRetryLimit: t.stackRetryLimit ?? 5,
      stackRetryDelaySeconds: t.stackRetryDelaySeconds ?? 10,
      syncExpireInSeconds: t.syncExpireInSeconds ?? 15 * 60,
      syncRetryLimit: t.syncRetryLimit ?? 3,
      syncRetryDelaySeconds: t.syncRetryDelaySeconds ?? 5,
      settleRetryMs: t.settleRetryMs ?? 5 * 60_000,
    };
    const boss = new PgBoss({
      connectionString: opts.url,
      // A database that does not answer (not only one that refuses) fails a send fast: a webhook is then answered 503.
      connectionTimeoutMillis: 5000,
      schema: opts.schema ?? 'pgboss',
      application_name: 'driftless-queue',
      supervise: true,
      migrate: true,
      // No cron schedules: driftless keeps its own timers.
      schedule: false,
      superviseIntervalSeconds: tuning.superviseIntervalSeconds,
      // The supervisor's expiry and heartbeat checks only run once per monitor interval.
      monitorIntervalSeconds: tuning.superviseIntervalSeconds,
      ...(opts.instanceName ? { instanceName: opts.instanceName } : {}),
    });
    const queue = new WorkQueue(boss, opts, tuning);
    // Before start(): an 'error' without a listener would be thrown by the emitter.
    boss.on('error', (e) => queue.#report(e, 'pg-boss'));
    boss.on('warning', (w) => queue.#log.warn({ warning: describeError(w).message }, 'pg-boss warning'));
    await boss.start({ attempts: opts.startAttempts ?? 1 });
    try {
      const lease = opts.leaseSeconds;
      await queue.#ensureQueue(SYNC_QUEUE, {
        policy: 'stately',
        heartbeatSeconds: lease,
        expireInSeconds: tuning.syncExpireInSeconds,
        retryLimit: tuning.syncRetryLimit,
        retryDelay: tuning.syncRetryDelaySeconds,
        retryBackoff: false,
        deleteAfterSeconds: 24 * 60 * 60,
        retentionSeconds: 24 * 60 * 60,
      });
      await queue.#ensureQueue(STACK_QUEUE, {
        policy: 'standard',
        heartbeatSeconds: lease,
        expireInSeconds: tuning.stackExpireInSeconds,
        retryLimit: tuning.stackRetryLimit,
        retryDelay: tuning.stackRetryDelaySeconds,
        retryBackoff: false,
        deleteAfterSeconds: 7 * 24 * 60 * 60,
        retentionSeconds: 14 * 24 * 60 * 60,
      });
    } catch (e) {
      await boss.stop({ graceful: false }).catch(() => undefined);
      throw e;
    }
    queue.#log.info({ schema: queue.#schema, leaseSeconds: opts.leaseSeconds }, 'work queue started');
    return queue;
  }

  /**
   * Asks for a sync. A request with a webhook `delivery` id is queued under that delivery's
   * job id (UUID v5), so the same delivery requested twice, by any replicas, is one job
   * (for as long as the job is kept: a day after it ended).
   * Syncs collapse into one waiting sync; a merge-request event is queued under a key of
   * its own (the stately policy allows one waiting job per key), so it is never collapsed
   * into a sync, which would lose it.
   */
  async requestSync(request: SyncRequest): Promise<SyncRequestOutcome> {
    const data = parseSyncRequest(request);
    const id = data.delivery ? syncJobIdOf(data.delivery) : undefined;
    const singletonKey = data.mergeRequest ? `merge-request:${id ?? randomUUID()}` : undefined;
    // pg-boss inserts with ON CONFLICT DO NOTHING and answers null for both a taken id and
    // the stately policy's "one waiting already": tell them apart by looking the id up.
    const queued = await this.#boss.send(SYNC_QUEUE, data, { ...(id ? { id } : {}), ...(singletonKey ? { singletonKey } : {}) });
    if (queued) return { outcome: 'queued', id: queued };
    if (id && (await this.#boss.findJobs(SYNC_QUEUE, { id })).length > 0) return { outcome: 'duplicate', id };
    return { outcome: 'coalesced' };
  }

  /**
   * Runs sync requests on this replica, one at a time. Cluster-wide, too, one sync runs at a
   * time (the stately policy); a merge-request event, keyed apart, may run beside it on
   * another replica that works this queue. Call {@link pause}('sync') first to start paused
   * (e.g. until this replica leads).
   */
  workSync(handler: (request: SyncRequest, ctx: JobContext) => Promise<void>): void {
    if (this.#sync) throw new Error('workSync() was already called');
    this.#assertRunning();
    this.#sync = new JobRunner<SyncRequest>({
      boss: this.#boss,
      queue: SYNC_QUEUE,
      concurrency: 1,
      pollMs: this.#tuning.pollMs,
      fetch: (n) => this.#boss.fetch<unknown>(SYNC_QUEUE, { batchSize: n }),
      parse: parseSyncRequest,
      handler: async (request, ctx) => {
        await handler(request, ctx);
        return undefined;
      },
      settleRetryMs: this.#tuning.settleRetryMs,
      log: this.#log,
      report: (e, context) => this.#report(e, context),
    });
    if (this.#paused.sync) void this.#sync.pause();
    this.#sync.start();
  }

  /**
   * Queues one stack operation; resolves to its job id. With `dedupeKey`, the id is derived
   * from the key, and a job already queued under it is not queued again (its id is returned).
   */
  async enqueueStack(job: StackJob, opts: { dedupeKey?: string } = {}): Promise<string> {
    const data = parseStackJob(job);
    const id = opts.dedupeKey ? stackJobIdOf(opts.dedupeKey) : undefined;
    const queued = await this.#boss.send(STACK_QUEUE, data, { group: stackGroup(data.budgetKey), ...(id ? { id } : {}) });
    if (queued) return queued;
    if (id) return id;
    throw new Error(`pg-boss did not queue the stack job for ${data.environment}/${data.stack}`);
  }

  /**
   * Runs stack jobs on this replica: up to `concurrency` at once, and never more than the
   * budget of a job's `<account>/<region>` across all replicas. The handler's return value
   * (a JSON object) is the job's output, read back by {@link awaitStacks}; a throw fails the
   * attempt, and pg-boss retries it up to the retry limit.
   */
  workStacks(opts: StackWorkOptions, handler: (job: StackJob, ctx: JobContext) => Promise<object | undefined>): void {
    if (this.#stacks) throw new Error('workStacks() was already called');
    this.#assertRunning();
    if (!Number.isInteger(opts.concurrency) || opts.concurrency < 1)
      throw new Error(`concurrency must be an integer ≥ 1, not ${opts.concurrency}`);
    const groupConcurrency = groupConcurrencyOf(opts.budget);
    this.#stacks = new JobRunner<StackJob>({
      boss: this.#boss,
      queue: STACK_QUEUE,
      concurrency: opts.concurrency,
      pollMs: this.#tuning.pollMs,
      fetch: (n) => this.#fetchLock.run(() => this.#fetchStacks(n, groupConcurrency)),
      parse: parseStackJob,
      handler,
      settleRetryMs: this.#tuning.settleRetryMs,
      log: this.#log,
      report: (e, context) => this.#report(e, context),
    });
    if (this.#paused.stacks) void this.#stacks.pause();
    this.#stacks.start();
  }

  /**
   * Waits until every job of `ids` has ended (completed, or failed or cancelled for good:
   * a job waiting for a retry has not ended). Polls each pending job with pg-boss's
   * findJobs (it looks jobs up by one id, so one indexed query per pending job and round).
   * Rides out a Postgres outage (it polls on); rejects when `signal` aborts or the queue stops.
   */
  async awaitStacks(ids: readonly string[], opts: { signal?: AbortSignal; pollMs?: number } = {}): Promise<Map<string, FinishedStackJob>> {
    for (const id of ids) if (!UUID.test(id)) throw new Error(`not a job id: ${JSON.stringify(id)}`);
    const pollMs = opts.pollMs ?? 1000;
    const finished = new Map<string, FinishedStackJob>();
    const pending = new Set(ids);
    let warned = false;
    for (;;) {
      opts.signal?.throwIfAborted();
      // A stopped queue's lookups would fail forever: say so instead of polling on.
      this.#assertRunning();
      const round = [...pending];
      // A few lookups at once: enough to keep a round short, few enough to leave the pool to the workers.
      for (let i = 0; i < round.length; i += 8) {
        await Promise.all(
          round.slice(i, i + 8).map(async (id) => {
            try {
              const [job] = await this.#boss.findJobs(STACK_QUEUE, { id });
              if (!job) finished.set(id, { state: 'missing', output: undefined });
              else if (job.state === 'completed' || job.state === 'failed' || job.state === 'cancelled')
                finished.set(id, { state: job.state, output: job.output ?? undefined });
              else return;
              pending.delete(id);
            } catch (e) {
              if (!warned) this.#log.warn({ error: describeError(e) }, 'awaiting stack jobs: lookup failed, polling on');
              warned = true;
            }
          }),
        );
      }
      if (pending.size === 0) return new Map(ids.map((id) => [id, finished.get(id) as FinishedStackJob]));
      await sleep(pollMs, undefined, opts.signal ? { signal: opts.signal } : {});
    }
  }

  /**
   * Stops taking new jobs of `which` queue, or of both (e.g. while Postgres is unreachable);
   * running jobs go on. Resolves once a fetch already on its way has returned (its jobs
   * run). Holds for a queue not worked yet: its work call then starts paused.
   */
  async pause(which?: QueueKind): Promise<void> {
    const sync = which !== 'stacks';
    const stacks = which !== 'sync';
    if (sync) this.#paused.sync = true;
    if (stacks) this.#paused.stacks = true;
    await Promise.all([sync ? this.#sync?.pause() : undefined, stacks ? this.#stacks?.pause() : undefined]);
  }

  /** Takes jobs of `which` queue (or of both) again after {@link pause}. */
  resume(which?: QueueKind): void {
    if (which !== 'stacks') {
      this.#paused.sync = false;
      this.#sync?.resume();
    }
    if (which !== 'sync') {
      this.#paused.stacks = false;
      this.#stacks?.resume();
    }
  }

  /** `pause('sync')`. */
  pauseSync(): Promise<void> {
    return this.pause('sync');
  }

  /** `resume('sync')`. */
  resumeSync(): void {
    this.resume('sync');
  }

  /** `pause('stacks')`. */
  pauseStacks(): Promise<void> {
    return this.pause('stacks');
  }

  /** `resume('stacks')`. */
  resumeStacks(): void {
    this.resume('stacks');
  }

  /** Whether `which` queue is paused; without an argument, whether both are. */
  isPaused(which?: QueueKind): boolean {
    return which ? this.#paused[which] : this.#paused.sync && this.#paused.stacks;
  }

  /** Jobs whose handler runs on this replica now. */
  activeJobs(): { sync: number; stacks: number } {
    return { sync: this.#sync?.active ?? 0, stacks: this.#stacks?.active ?? 0 };
  }

  /**
   * Stops taking jobs and stops pg-boss. graceful (default): waits up to `timeoutMs`
   * (default 30 s) for running handlers; then (or at once when not graceful) aborts them
   * and gives them 5 s. A job still running after that keeps its claim until its lease
   * lapses, and is then retried on another replica.
   */
  async stop(opts: { graceful?: boolean; timeoutMs?: number } = {}): Promise<void> {
    if (this.#stopped) return;
    this.#stopped = true;
    const graceful = opts.graceful ?? true;
    const timeoutMs = opts.timeoutMs ?? 30_000;
    await Promise.all([this.#sync?.stop(graceful, timeoutMs), this.#stacks?.stop(graceful, timeoutMs)]);
    await this.#boss.stop({ graceful, timeout: Math.max(1000, timeoutMs), close: true });
    this.#log.info('work queue stopped');
  }

  #assertRunning(): void {
    if (this.#stopped) throw new Error('the work queue is stopped');
  }

  async #fetchStacks(n: number, groupConcurrency: ReturnType<typeof groupConcurrencyOf>): Promise<Job<unknown>[]> {
    const db = this.#boss.getDb();
    if (!db.beginTransaction) throw new Error('pg-boss database has no transactions');
    const tx = await db.beginTransaction();
    try {
      // A lock that cannot be had soon means something is stuck: fail this fetch, retry the next.
      await tx.db.executeSql(`SET LOCAL lock_timeout = '10s'`);
      await tx.db.executeSql('SELECT pg_advisory_xact_lock(hashtextextended($1, 0))', [`driftless:${this.#schema}:${STACK_QUEUE}:fetch`]);
      // One job per statement, not one batch of n: within a batch pg-boss ranks a group's jobs by
      // id (a random UUID) when the budget admits fewer than it fetched, so a batch would start a
      // group's jobs in random order; one at a time, each is the oldest the budget admits. Later
      // statements of this transaction see the earlier claims, so the budget still holds.
      const jobs: Job<unknown>[] = [];
      while (jobs.length < n) {
        const [job] = await this.#boss.fetch<unknown>(STACK_QUEUE, { batchSize: 1, groupConcurrency, db: tx.db });
        if (!job) break;
        jobs.push(job);
      }
      await tx.commit();
      return jobs;
    } catch (e) {
      await tx.rollback();
      throw e;
    }
  }

  /** Creates the queue when missing, else brings its settings to ours (the policy cannot change). */
  async #ensureQueue(name: string, options: Omit<Queue, 'name'>): Promise<void> {
    await this.#boss.createQueue(name, options);
    const existing = await this.#boss.getQueue(name);
    if (!existing) throw new Error(`pg-boss did not create queue ${name}`);
    if (existing.policy !== options.policy)
      throw new Error(
        `queue ${name} exists with policy ${existing.policy}, driftless needs ${options.policy}: delete it (pg-boss deleteQueue) and restart`,
      );
    const { policy: _policy, ...settings } = options;
    await this.#boss.updateQueue(name, settings);
  }

  /** Logs (the same message at most every 10 s at warn, else at debug) and tells onError. */
  #report(error: unknown, context: string): void {
    const queueError = new QueueError(context, error);
    const now = Date.now();
    const last = this.#recentErrors.get(queueError.message);
    const entry = { error: { message: queueError.message, ...(queueError.code ? { code: queueError.code } : {}) } };
    if (last === undefined || now - last > 10_000) {
      this.#recentErrors.set(queueError.message, now);
      if (this.#recentErrors.size > 100) this.#recentErrors.clear();
      this.#log.warn(entry, `work queue: ${queueError.message}`);
    } else this.#log.debug(entry, `work queue: ${queueError.message}`);
    try {
      this.#o.onError?.(queueError);
    } catch (e) {
      this.#log.error({ error: describeError(e) }, 'work queue: onError failed');
    }
  }
}

import { performance } from 'node:perf_hooks';
import type { CommandResponse, Job, JobAttempt, PgBoss } from 'pg-boss';
import type { Logger } from '../log/logger.js';
import { describeError, withTimeout } from './sql-client.js';

/** What a job handler is told besides the job's data. */
export interface JobContext {
  /** The pg-boss job id. */
  id: string;
  /** 0 on the first attempt, 1 on the first retry (a takeover after a dead worker counts as one). */
  attempt: number;
  /**
   * Aborted, with a {@link JobAbortedError} as reason, when the job's result can no longer
   * count: its lease lapsed (heartbeats unconfirmed for `leaseSeconds`, so another replica
   * may already have taken it over), it ran past its expiry, or the queue is shutting down.
   */
  signal: AbortSignal;
}

/** Why a job's signal was aborted. */
export class JobAbortedError extends Error {
  override readonly name = 'JobAbortedError';
  readonly reason: 'lease-lost' | 'expired' | 'shutdown';
  constructor(reason: 'lease-lost' | 'expired' | 'shutdown', message: string) {
    super(message);
    this.reason = reason;
  }
}

export interface JobRunnerOptions<T> {
  boss: PgBoss;
  queue: string;
  concurrency: number;
  /** Between fetches while the queue has nothing for this worker. */
  pollMs: number;
  /** Claims up to `n` jobs (one fetch). */
  fetch: (n: number) => Promise<Job<unknown>[]>;
  parse: (data: unknown) => T;
  handler: (data: T, ctx: JobContext) => Promise<object | undefined>;
  /** How long a completion or failure is retried while Postgres is unreachable. */
  settleRetryMs: number;
  log: Logger;
  report: (error: unknown, context: string) => void;
}

interface Running {
  done: Promise<void>;
  abort(reason: JobAbortedError): void;
  /** Stops its heartbeats and timers (a job abandoned at shutdown). */
  dispose(): void;
}

/**
 * pg-boss's command responses carry `affected` (rows changed) at run time although its
 * type declares an empty interface; undefined when the shape is not the expected one.
 */
export function affectedOf(response: CommandResponse): number | undefined {
  const affected = (response as { affected?: unknown }).affected;
  return typeof affected === 'number' ? affected : undefined;
}

function sleep(ms: number): { promise: Promise<void>; wake(): void } {
  let wake: () => void = () => undefined;
  const promise = new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, ms);
    wake = () => {
      clearTimeout(timer);
      resolve();
    };
  });
  return { promise, wake };
}

/**
 * One queue's worker: a single fetch loop that claims up to the free slots, and for each
 * job a heartbeat, a lease deadline, an expiry and the settle. Used instead of pg-boss's
 * work() because the stack queue's fetch must run under a cluster-wide lock (see
 * WorkQueue) and pause/resume must stop fetching without touching running jobs.
 *
 * Every settle and heartbeat names the attempt it claimed ({ id, retryCount }), so pg-boss
 * fences it: a worker whose claim lapsed can neither complete nor extend the attempt that
 * replaced it.
 */
export class JobRunner<T> {
  readonly #o: JobRunnerOptions<T>;
  readonly #running = new Map<string, Running>();
  #paused = false;
  #stopping = false;
  /** Set once stop() stops waiting: settles then give up at their next failure. */
  #abandon = false;
  #sleeping: { promise: Promise<void>; wake(): void } | undefined;
  #fetching: Promise<void> | undefined;
  #loop: Promise<void> | undefined;
  #fetchFailures = 0;

  constructor(options: JobRunnerOptions<T>) {
    this.#o = options;
  }

  start(): void {
    this.#loop ??= this.#run();
  }

  /** Stops fetching; resolves once a fetch on its way has returned (its jobs, if any, run). */
  async pause(): Promise<void> {
    this.#paused = true;
    await this.#fetching;
  }

  resume(): void {
    this.#paused = false;
    this.#sleeping?.wake();
  }

  get paused(): boolean {
    return this.#paused;
  }

  /** Jobs whose handler is running now. */
  get active(): number {
    return this.#running.size;
  }

  /**
   * Stops fetching; graceful: waits up to `timeoutMs` for running handlers. Then aborts
   * the rest (signal reason `shutdown`) and gives them 5 s more. A handler still running
   * after that is left alone: its job stays claimed until its lease lapses, and then
   * another replica retries it (failing it here would let a retry run beside it).
   */
  async stop(graceful: boolean, timeoutMs: number): Promise<void> {
    this.#stopping = true;
    this.#sleeping?.wake();
    await this.#loop;
    const settled = () => Promise.allSettled([...this.#running.values()].map((r) => r.done));
    if (graceful && this.#running.size > 0) await Promise.race([settled(), sleep(timeoutMs).promise]);
    this.#abandon = true;
    if (this.#running.size > 0) {
      for (const r of this.#running.values()) r.abort(new JobAbortedError('shutdown', 'the work queue is shutting down'));
      await Promise.race([settled(), sleep(5000).promise]);
    }
    for (const [id, r] of this.#running) {
      r.dispose();
      this.#o.log.warn({ queue: this.#o.queue, job: id }, `job ${id} still running at shutdown: it is retried once its lease lapses`);
    }
  }

  async #run(): Promise<void> {
    const { concurrency, pollMs } = this.#o;
    while (!this.#stopping) {
      const free = concurrency - this.#running.size;
      if (this.#paused || free <= 0) {
        // Woken by resume(), a finished job or stop(); the timeout is only a safety net.
        await this.#nap(60_000);
        continue;
      }
      // Before the fetch: the claim's heartbeat_on is set by the database after this instant.
      const sentAtMs = performance.now();
      let jobs: Job<unknown>[] = [];
      let failed = false;
      this.#fetching = this.#o.fetch(free).then(
        (claimed) => {
          jobs = claimed;
        },
        (e: unknown) => {
          failed = true;
          this.#o.report(e, `fetching from ${this.#o.queue}`);
        },
      );
      await this.#fetching;
      this.#fetching = undefined;
      for (const job of jobs) this.#start(job, sentAtMs);
      if (failed) {
        // Back off while Postgres is gone (resume() wakes the loop early).
        this.#fetchFailures++;
        await this.#nap(Math.min(5000, pollMs * 2 ** Math.min(this.#fetchFailures, 6)));
      } else {
        this.#fetchFailures = 0;
        if (jobs.length < free) await this.#nap(pollMs);
      }
    }
  }

  async #nap(ms: number): Promise<void> {
    if (this.#stopping) return;
    this.#sleeping = sleep(ms);
    await this.#sleeping.promise;
    this.#sleeping = undefined;
  }

  #start(job: Job<unknown>, sentAtMs: number): void {
    const { boss, queue, log } = this.#o;
    const attempt: JobAttempt = { id: job.id, retryCount: job.retryCount };
    const ac = new AbortController();
    const abort = (reason: JobAbortedError) => {
      if (!ac.signal.aborted) {
        log.warn({ queue, job: job.id, reason: reason.reason }, `job ${job.id}: ${reason.message}`);
        ac.abort(reason);
      }
    };
    // The lease is the job's own heartbeatSeconds: that is what pg-boss's supervisor holds it to.
    const leaseMs = (job.heartbeatSeconds ?? 0) * 1000;
    let deadlineMs = leaseMs > 0 ? sentAtMs + leaseMs : Number.POSITIVE_INFINITY;
    let deadlineTimer: NodeJS.Timeout | undefined;
    const armDeadline = () => {
      clearTimeout(deadlineTimer);
      if (!Number.isFinite(deadlineMs)) return;
      deadlineTimer = setTimeout(
        () => {
          if (performance.now() >= deadlineMs)
            abort(
              new JobAbortedError('lease-lost', `no heartbeat confirmed for ${leaseMs / 1000} s: another replica may take the job over`),
            );
          else armDeadline();
        },
        Math.max(1, deadlineMs - performance.now()),
      );
    };
    armDeadline();
    // A third of the lease, so two heartbeats in a row may fail before the lease lapses.
    const beatMs = Math.max(1000, Math.floor(leaseMs / 3));
    let beating = false;
    let beatWarned = false;
    const beat = async () => {
      if (beating) return;
      beating = true;
      const sent = performance.now();
      try {
        const affected = affectedOf(await withTimeout(boss.touch(queue, [attempt]), beatMs, `heartbeat of job ${job.id}`));
        if (affected === undefined) throw new Error('pg-boss touch() answered without an affected count');
        if (affected === 0)
          abort(new JobAbortedError('lease-lost', 'the job is no longer held by this worker (retried or settled elsewhere)'));
        else {
          deadlineMs = Math.max(deadlineMs, sent + leaseMs);
          armDeadline();
          beatWarned = false;
        }
      } catch (e) {
        if (!beatWarned) log.warn({ queue, job: job.id, error: describeError(e) }, `job ${job.id}: heartbeat failed`);
        beatWarned = true;
      } finally {
        beating = false;
      }
    };
    const heartbeat = leaseMs > 0 ? setInterval(() => void beat(), beatMs) : undefined;
    const expiry = setTimeout(
      () => abort(new JobAbortedError('expired', `ran past its expiry of ${job.expireInSeconds} s`)),
      Math.max(1, job.expireInSeconds * 1000 - (performance.now() - sentAtMs)),
    );
    const dispose = () => {
      clearInterval(heartbeat);
      clearTimeout(deadlineTimer);
      clearTimeout(expiry);
    };

    const done = (async () => {
      let outcome: { ok: true; output: object | undefined } | { ok: false; error: unknown };
      try {
        const data = this.#o.parse(job.data);
        const output = await this.#o.handler(data, { id: job.id, attempt: job.retryCount, signal: ac.signal });
        outcome = { ok: true, output: output ?? undefined };
      } catch (e) {
        outcome = { ok: false, error: e };
      }
      // Heartbeats go on while the settle retries, so an outage shorter than the lease loses nothing.
      await this.#settle(job, attempt, outcome);
      dispose();
    })()
      .catch((e: unknown) => this.#o.report(e, `running job ${job.id}`))
      .finally(() => {
        dispose();
        this.#running.delete(job.id);
        this.#sleeping?.wake();
      });
    this.#running.set(job.id, { done, abort, dispose });
  }

  async #settle(
    job: Job<unknown>,
    attempt: JobAttempt,
    outcome: { ok: true; output: object | undefined } | { ok: false; error: unknown },
  ): Promise<void> {
    const { boss, queue, log } = this.#o;
    const giveUpAt = performance.now() + this.#o.settleRetryMs;
    for (let tries = 0; ; tries++) {
      try {
        const response = outcome.ok
          ? await boss.complete(queue, [attempt], outcome.output ?? null)
          : await boss.fail(queue, [attempt], describeError(outcome.error));
        if (affectedOf(response) === 0)
          log.warn({ queue, job: job.id }, `job ${job.id} ended here, but its claim had passed to another attempt: this result is dropped`);
        else if (!outcome.ok) log.warn({ queue, job: job.id, error: describeError(outcome.error) }, `job ${job.id} failed`);
        return;
      } catch (e) {
        if (this.#abandon || performance.now() >= giveUpAt) {
          this.#o.report(e, `settling job ${job.id} (it is retried once its lease lapses)`);
          return;
        }
        if (tries === 0) log.warn({ queue, job: job.id, error: describeError(e) }, `job ${job.id}: settling failed, retrying`);
        await sleep(Math.min(2000, 100 * 2 ** tries)).promise;
      }
    }
  }
}

import type { HealthState, PostgresHealth } from '../cluster/postgres-health.js';
import type { LeaderLease } from '../cluster/leader-lease.js';
import type { StackBudget, SyncRequest, WorkQueue } from '../cluster/work-queue.js';
import type { Daemon, SyncTrigger } from '../daemon/daemon.js';
import type { Logger } from '../log/logger.js';
import type { DaemonMetrics } from '../metrics/daemon-metrics.js';
import type { ForgeReporter, MergeRequestEvent } from '../daemon/forge-reporter.js';
import type { StackWorker } from './stack-worker.js';

/** What one leadership term runs: a Daemon (poller, decisions, drift, retries) and, with a forge, its reporter. */
export interface LeaderTerm {
  daemon: Daemon;
  /** The term's forge reporter, when a forge is configured. */
  reporter?: ForgeReporter | undefined;
  /** Restores persisted retries, starts leader-only parts (the forge outbox); then the first sync runs. */
  start(): Promise<void>;
  /** Handles a merge-request event a replica received (forge reporting). */
  mergeRequest?(e: MergeRequestEvent): Promise<void>;
  /** Stops the term's work: waits `finishWithinMs` for running work, then cancels it. */
  stop(opts: { finishWithinMs: number; deadlineMs: number }): Promise<boolean>;
}

/** Collaborators of a replica: the shared queue, the lease and health on Postgres, this replica's worker. */
export interface ReplicaRoleDeps {
  replica: string;
  queue: WorkQueue;
  lease: (hooks: { onElected: () => Promise<void>; onDeposed: () => Promise<void> }) => LeaderLease;
  health: PostgresHealth;
  worker: StackWorker;
  workers: number;
  budget: StackBudget;
  pollIntervalMs: number;
  /** A fresh term (a Daemon cannot be restarted once stopped). */
  newTerm(): LeaderTerm;
  metrics: DaemonMetrics;
  log: Logger;
}

/** Which of a replica's queue runners take work; a runner that does not is paused. */
export interface RunnerStates {
  /** Stack jobs: taken while Postgres answers, by every replica. */
  stacks: boolean;
  /** Sync requests: taken while Postgres answers, by the leader only. */
  sync: boolean;
}

/** Stack jobs are taken while Postgres answers; sync requests only by the leader, too. */
export function runnerStates(healthy: boolean, leading: boolean): RunnerStates {
  return { stacks: healthy, sync: healthy && leading };
}

/**
 * One replica among many on one PostgreSQL. Every replica runs stack jobs from the shared
 * queue (up to `workers` at once, within each account's budget) and accepts webhooks,
 * which it turns into sync requests on the queue. One replica — the holder of the
 * `git-poller` lease — leads: it polls Git, takes the sync requests, decides what to run
 * and dispatches the stacks; when it dies, its lease expires and another replica leads.
 * While PostgreSQL is unreachable the replica is unready and takes no new jobs; the lease
 * lapses by itself, so a leader steps down.
 */
export class ReplicaRole {
  private term: LeaderTerm;
  private leading = false;
  private poll: NodeJS.Timeout | undefined;
  private readonly lease: LeaderLease;
  private started = false;
  private stopping = false;
  /** The stop of the term that ended last (its work is aborted at once, the rest awaited in order). */
  private ending: Promise<boolean> | undefined;
  /** Elections, depositions and runner changes in order. */
  private transitions: Promise<void> = Promise.resolve();

  constructor(private readonly deps: ReplicaRoleDeps) {
    this.term = deps.newTerm();
    this.lease = deps.lease({
      onElected: () => this.transition(() => this.elected()),
      // At once, not after whatever transition runs: from this moment another replica may lead.
      onDeposed: () => {
        this.stepDown();
        return this.transition(() => this.deposed());
      },
    });
  }

  /** The current (or, while not leading, the next) term. */
  current(): LeaderTerm {
    return this.term;
  }

  /** Whether this replica leads now. */
  isLeader(): boolean {
    return this.leading;
  }

  /** Starts taking stack jobs, watching Postgres, and competing for leadership. */
  async start(): Promise<void> {
    this.deps.health.subscribe((s) => this.healthChanged(s));
    await this.deps.health.start();
    this.deps.queue.workStacks({ concurrency: this.deps.workers, budget: this.deps.budget }, (job, ctx) =>
      this.deps.worker.run(job, ctx.signal),
    );
    // Paused before it starts: a replica that does not lead never takes a sync request.
    await this.deps.queue.pauseSync();
    this.deps.queue.workSync((request) => this.handleSync(request));
    await this.runners();
    await this.lease.start();
    this.started = true;
  }

  /** Ready: Postgres answers and this replica takes work (a leader also has completed its first sync). */
  isReady(): boolean {
    if (!this.started || !this.deps.health.healthy()) return false;
    return !this.leading || this.term.daemon.isReady();
  }

  /** Why this replica must take no traffic now, if it must not. */
  unreadyReason(): string | undefined {
    return this.deps.health.healthy() ? undefined : `PostgreSQL unreachable: ${this.deps.health.reason()}`;
  }

  /** A webhook (on any replica): one sync request on the queue; the same delivery sent to two replicas is one. */
  async requestSync(trigger: SyncTrigger, delivery?: string, mergeRequest?: MergeRequestEvent): Promise<void> {
    const outcome = await this.deps.queue.requestSync({
      trigger,
      ...(delivery ? { delivery } : {}),
      ...(mergeRequest ? { mergeRequest } : {}),
    });
    this.deps.log.info({ trigger, delivery, ...outcome }, `sync request ${outcome.outcome}`);
  }

  /** Stops: leadership released (a successor takes over at once), running jobs finish or are cancelled, queue stopped; true when nothing was left running. */
  async stop(opts: { finishWithinMs: number; deadlineMs: number }): Promise<boolean> {
    this.stopping = true;
    await this.lease.release();
    await this.transitions;
    // Running stack operations may finish for finishWithinMs, then they are cancelled (as a single daemon's are).
    await this.deps.queue.stop({ graceful: true, timeoutMs: opts.finishWithinMs });
    // A job that ignored its cancellation is still running: it is retried elsewhere once its lease lapses.
    const left = this.deps.queue.activeJobs();
    await this.deps.health.stop();
    this.deps.worker.close();
    return left.stacks + left.sync === 0;
  }

  private transition(fn: () => Promise<void>): Promise<void> {
    this.transitions = this.transitions
      .then(fn)
      .catch((e: unknown) => this.deps.log.error({ err: e instanceof Error ? e.message : String(e) }, 'changing leadership failed'));
    return this.transitions;
  }

  private async elected(): Promise<void> {
    // A repeated or stale election (the lease lapsed again meanwhile) starts nothing.
    if (this.stopping || this.leading || !this.lease.isLeader()) return;
    this.leading = true;
    const term = this.term;
    this.deps.log.info({ replica: this.deps.replica }, `${this.deps.replica} leads: polling Git and taking sync requests`);
    try {
      await term.start();
    } catch (e) {
      // Leading without a started term would stall every decision of the cluster: give the lease up.
      this.deps.log.error(
        { err: e instanceof Error ? e.message : String(e) },
        `${this.deps.replica} could not start leading; it gives up the lease (it keeps running stack jobs; restart it to compete again)`,
      );
      this.stepDown();
      void this.lease.release();
      return;
    }
    // Deposed while starting: stepDown already ended this term.
    if (!this.leading || this.term !== term) return;
    term.daemon.requestSync('startup');
    this.poll = setInterval(() => {
      if (this.leading && this.lease.isLeader()) term.daemon.requestSync('poll');
    }, this.deps.pollIntervalMs);
    await this.runners();
  }

  /** Stops leading now: no more polls or sync requests, the term's work aborted; its stack jobs go on on the workers. */
  private stepDown(): void {
    if (!this.leading) return;
    this.leading = false;
    clearInterval(this.poll);
    this.poll = undefined;
    const ended = this.term;
    this.term = this.deps.newTerm();
    this.deps.log.warn({ replica: this.deps.replica }, `${this.deps.replica} no longer leads: its decisions stop, its stack jobs go on`);
    this.ending = ended.stop({ finishWithinMs: 0, deadlineMs: 5000 });
  }

  private async deposed(): Promise<void> {
    await this.ending;
    this.ending = undefined;
    await this.runners();
  }

  private async handleSync(request: SyncRequest): Promise<void> {
    if (!this.leading || !this.lease.isLeader()) throw new Error('not the leader: the sync request goes back to the queue');
    this.deps.metrics.syncRequests.inc({ trigger: request.trigger });
    if (request.mergeRequest) await this.term.mergeRequest?.(request.mergeRequest);
    else this.term.daemon.requestSync(request.trigger);
  }

  /** Pauses or resumes the queue runners as {@link runnerStates} decides. */
  private async runners(): Promise<void> {
    const run = runnerStates(this.deps.health.healthy(), this.leading);
    if (run.stacks) this.deps.queue.resumeStacks();
    else await this.deps.queue.pauseStacks();
    if (run.sync) this.deps.queue.resumeSync();
    else await this.deps.queue.pauseSync();
  }

  private healthChanged(s: HealthState): void {
    if (s.healthy) this.deps.log.info('PostgreSQL answers again: taking work');
    else this.deps.log.error({ reason: s.reason }, 'PostgreSQL is unreachable: unready, taking no new work');
    void this.transition(() => this.runners());
  }
}

/**
 * The daemon's scheduler: jobs run in lanes instead of one at a time.
 *
 * - `sync` (fetch + decide; one at a time) comes first, then `deploy`, then `preview`,
 *   then `drift`. Deploys and previews share `work` slots (the global bound on environments
 *   reconciling at once); drift checks have their own `drift` slots, so a deploy never
 *   waits for a free slot behind a drift sweep.
 * - A job names the environments it operates on; no two running jobs share one, so a
 *   stack is never operated on by two jobs at once.
 * - A drift check never starts while a deploy or preview of its environment waits or runs,
 *   and a deploy or preview pushed while one runs cancels it (AbortSignal): it is checked
 *   again on its next schedule.
 * - A job pushed while one with the same key waits replaces it (the newer request wins;
 *   a second "sync" adds nothing).
 *
 * Pure scheduling, no I/O: table-tested in test/unit/daemon/lanes.test.ts.
 */
export type Lane = 'sync' | 'deploy' | 'preview' | 'drift';

/** Start order: a waiting job of an earlier lane starts before any of a later one. */
export const LANE_PRIORITY: readonly Lane[] = ['sync', 'deploy', 'preview', 'drift'];

/** How many jobs run at once per group. */
export interface LaneLimits {
  sync: number;
  /** Deploys and previews together. */
  work: number;
  drift: number;
}

export interface LaneJob {
  lane: Lane;
  /** Identity while waiting: a newer job with the same key replaces the waiting one. */
  key: string;
  /** Environments the job operates on (none for a sync). */
  environments: readonly string[];
  /** Must handle its own failures; a throw is swallowed. `signal` fires on pre-emption or shutdown. */
  run(signal: AbortSignal): Promise<void>;
  /** Called instead of run when the job never runs: replaced by a newer one, or the scheduler closed. */
  dropped?: () => void;
}

/** Something the scheduler did, for logs and tests. */
export type LaneEvent =
  | { kind: 'started'; job: LaneJob }
  | { kind: 'finished'; job: LaneJob }
  | { kind: 'replaced'; job: LaneJob }
  | { kind: 'preempted'; job: LaneJob; by: LaneJob };

interface Running {
  job: LaneJob;
  controller: AbortController;
}

const groupOf = (lane: Lane): keyof LaneLimits => (lane === 'sync' ? 'sync' : lane === 'drift' ? 'drift' : 'work');

export class LaneScheduler {
  private waiting: LaneJob[] = [];
  private readonly running = new Set<Running>();
  private closed = false;
  private idleWaiters: (() => void)[] = [];
  private workWaiters: (() => void)[] = [];

  constructor(
    private readonly limits: LaneLimits,
    private readonly opts: { onDepth?: (depth: number) => void; onEvent?: (e: LaneEvent) => void; signal?: AbortSignal } = {},
  ) {
    opts.signal?.addEventListener('abort', () => {
      for (const r of this.running) r.controller.abort(opts.signal?.reason);
    });
  }

  /** Adds a job; false when closed. */
  push(job: LaneJob): boolean {
    if (this.closed) return false;
    const i = this.waiting.findIndex((w) => w.key === job.key);
    if (i >= 0) {
      const old = this.waiting[i] as LaneJob;
      this.opts.onEvent?.({ kind: 'replaced', job: old });
      this.waiting[i] = job;
      old.dropped?.();
    } else this.waiting.push(job);
    if (job.lane !== 'drift')
      for (const r of this.running)
        if (r.job.lane === 'drift' && shares(r.job, job) && !r.controller.signal.aborted) {
          this.opts.onEvent?.({ kind: 'preempted', job: r.job, by: job });
          r.controller.abort(new Error(`pre-empted by ${job.key}`));
        }
    this.pump();
    return true;
  }

  /** Jobs waiting plus running. */
  get depth(): number {
    return this.waiting.length + this.running.size;
  }

  /** What runs and waits, by key (tests, diagnostics). */
  snapshot(): { running: string[]; waiting: string[] } {
    return { running: [...this.running].map((r) => r.job.key), waiting: this.waiting.map((w) => w.key) };
  }

  /** Whether a deploy or preview of `environment` waits or runs. */
  busy(environment: string): boolean {
    const touches = (j: LaneJob) => j.lane !== 'drift' && j.lane !== 'sync' && j.environments.includes(environment);
    return this.waiting.some(touches) || [...this.running].some((r) => touches(r.job));
  }

  /** Refuses new jobs and drops the waiting ones; running ones go on. */
  close(): void {
    this.closed = true;
    const dropped = this.waiting;
    this.waiting = [];
    for (const j of dropped) j.dropped?.();
    this.report();
    this.settle();
  }

  /**
   * Resolves when no deploy or preview waits or runs, in any environment. A drift check
   * awaits it before each stack it starts, so a push outranks a sweep of other environments
   * too: the sweep's Pulumi processes never compete with a deploy for the machine.
   */
  workIdle(): Promise<void> {
    return this.workDepth() === 0 ? Promise.resolve() : new Promise((resolve) => this.workWaiters.push(resolve));
  }

  private workDepth(): number {
    const work = (j: LaneJob) => j.lane === 'deploy' || j.lane === 'preview';
    return this.waiting.filter(work).length + [...this.running].filter((r) => work(r.job)).length;
  }

  /** Resolves when nothing runs or waits. */
  idle(): Promise<void> {
    return this.depth === 0 ? Promise.resolve() : new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  private canStart(job: LaneJob, started: Map<keyof LaneLimits, number>): boolean {
    const group = groupOf(job.lane);
    if ((started.get(group) ?? 0) >= this.limits[group]) return false;
    for (const r of this.running) if (shares(r.job, job)) return false;
    // Drift defers to any deploy or preview of its environment, waiting or running.
    if (job.lane === 'drift' && job.environments.some((e) => this.busy(e))) return false;
    return true;
  }

  private pump(): void {
    const counts = new Map<keyof LaneLimits, number>();
    for (const r of this.running) counts.set(groupOf(r.job.lane), (counts.get(groupOf(r.job.lane)) ?? 0) + 1);
    for (const lane of LANE_PRIORITY) {
      for (const job of this.waiting.filter((w) => w.lane === lane)) {
        if (!this.canStart(job, counts)) continue;
        this.waiting = this.waiting.filter((w) => w !== job);
        counts.set(groupOf(lane), (counts.get(groupOf(lane)) ?? 0) + 1);
        this.start(job);
      }
    }
    this.report();
    this.settle();
  }

  private start(job: LaneJob): void {
    const controller = new AbortController();
    if (this.opts.signal?.aborted) controller.abort(this.opts.signal.reason);
    const entry: Running = { job, controller };
    this.running.add(entry);
    this.opts.onEvent?.({ kind: 'started', job });
    // A microtask later, so push() returns before the job's synchronous part runs.
    void Promise.resolve()
      .then(() => job.run(controller.signal))
      .catch(() => undefined)
      .finally(() => {
        this.running.delete(entry);
        this.opts.onEvent?.({ kind: 'finished', job });
        this.pump();
      });
  }

  private report(): void {
    this.opts.onDepth?.(this.depth);
  }

  private settle(): void {
    if (this.workDepth() === 0) for (const w of this.workWaiters.splice(0)) w();
    if (this.depth === 0) for (const w of this.idleWaiters.splice(0)) w();
  }
}

function shares(a: LaneJob, b: LaneJob): boolean {
  return a.environments.some((e) => b.environments.includes(e));
}

import { Cron } from 'croner';
import type { LoadedEnvironment } from '../load/index.js';
import type { Logger } from '../log/logger.js';

/** What one drift check found, per stack: drifted, failed to check, or neither (in sync, remediated, never applied). */
export interface DriftOutcome {
  checked: string[];
  drifted: string[];
  failed: string[];
}

/**
 * A drift check the daemon runs on schedule; the implementation lives with drift
 * detection (engine/drift/) and is plugged into the daemon's main. `environment` is the
 * environment as its last good deploy commit defines it (its files are already gone:
 * only the values count); `stacks` are the stacks whose schedule fired.
 */
export interface DriftCheck {
  /** `gitStateValid` is false while the deploy branch's head is invalid: detect, never remediate. */
  run(
    environment: LoadedEnvironment,
    revision: string,
    stacks: string[],
    signal: AbortSignal,
    opts: {
      gitStateValid: boolean;
      /** Awaited before each stack is checked: resolves when no deploy or preview waits or runs. */
      yieldToDeploys?: () => Promise<void>;
    },
  ): Promise<DriftOutcome | undefined>;
}

/** Stacks grouped by the schedule that applies to them (a stack's own, else the environment's). */
export function stacksBySchedule(env: LoadedEnvironment): Map<string, string[]> {
  const groups = new Map<string, string[]>();
  for (const s of env.stacks) {
    const schedule = s.spec.drift.schedule ?? env.spec.drift.schedule;
    groups.set(schedule, [...(groups.get(schedule) ?? []), s.name]);
  }
  return groups;
}

/** How the schedules hand work to the daemon and report back. */
export interface DriftScheduleHooks {
  /** Queues a check in the drift lane (engine/daemon/lanes.ts); `key` merges a check still waiting. */
  enqueue(key: string, environment: string, job: (signal: AbortSignal) => Promise<void>): void;
  /** Whether the deploy head of `environment` is valid and trusted (read when a check starts). */
  gitStateValid(environment: string): Promise<boolean>;
  /** Resolves when no deploy or preview waits or runs (deploys outrank drift checks everywhere). */
  workIdle?: () => Promise<void>;
  /** The next tick of an environment's schedules changed (undefined: none scheduled). */
  scheduled(environment: string, next: Date | undefined): void;
  /** A check ended (not called when it was cancelled before finding anything); awaited before the check's job ends. */
  checked(environment: string, outcome: DriftOutcome): Promise<void>;
}

/**
 * One croner job per (environment, schedule). Each tick queues a check in the daemon's
 * drift lane, which defers it while a deploy of the environment waits or runs; a check
 * always uses the environment's good state as of when it starts.
 */
export class DriftSchedules {
  private readonly jobs = new Map<string, Cron[]>();
  private readonly current = new Map<string, { environment: LoadedEnvironment; revision: string }>();

  constructor(
    private readonly check: DriftCheck,
    private readonly hooks: DriftScheduleHooks,
    private readonly log: Logger,
  ) {}

  /** (Re)schedules an environment at its last good commit. */
  update(env: LoadedEnvironment, revision: string): void {
    this.remove(env.name);
    this.current.set(env.name, { environment: env, revision });
    const jobs: Cron[] = [];
    for (const [schedule, stacks] of stacksBySchedule(env)) {
      jobs.push(
        new Cron(schedule, { protect: true }, () => {
          this.enqueueCheck(env.name, schedule, stacks);
          this.hooks.scheduled(env.name, this.nextRun(env.name));
        }),
      );
    }
    this.jobs.set(env.name, jobs);
    this.hooks.scheduled(env.name, this.nextRun(env.name));
    this.log.debug({ environment: env.name, schedules: [...stacksBySchedule(env).keys()] }, 'drift checks scheduled');
  }

  /** Queues a check of every stack of `environment` (or of every scheduled environment) now. */
  checkNow(environment?: string): void {
    for (const [name, { environment: env }] of this.current)
      if (environment === undefined || environment === name)
        for (const [schedule, stacks] of stacksBySchedule(env)) this.enqueueCheck(name, schedule, stacks);
  }

  /** The earliest next tick of an environment's schedules. */
  nextRun(environment: string): Date | undefined {
    const next = (this.jobs.get(environment) ?? [])
      .map((j) => j.nextRun())
      .filter((d): d is Date => d instanceof Date)
      .sort((a, b) => a.getTime() - b.getTime());
    return next[0];
  }

  remove(environment: string): void {
    for (const j of this.jobs.get(environment) ?? []) j.stop();
    this.jobs.delete(environment);
    this.current.delete(environment);
  }

  stopAll(): void {
    for (const name of [...this.jobs.keys()]) this.remove(name);
  }

  private enqueueCheck(name: string, schedule: string, scheduledStacks: string[]): void {
    this.hooks.enqueue(`drift ${name} ${schedule}`, name, async (signal) => {
      const good = this.current.get(name);
      if (!good || signal.aborted) return;
      // The good state may have moved since the tick: check the stacks it still has.
      const stacks = scheduledStacks.filter((s) => good.environment.stacks.some((x) => x.name === s));
      if (stacks.length === 0) return;
      try {
        const outcome = await this.check.run(good.environment, good.revision, stacks, signal, {
          gitStateValid: await this.hooks.gitStateValid(name),
          ...(this.hooks.workIdle ? { yieldToDeploys: this.hooks.workIdle } : {}),
        });
        if (outcome && !signal.aborted) await this.hooks.checked(name, outcome);
        else if (signal.aborted)
          this.log.info({ environment: name, stacks: stacks.length }, 'drift check cancelled: a deploy of the environment comes first');
      } catch (e) {
        this.log.error({ environment: name, stacks, err: e instanceof Error ? e.message : String(e) }, 'drift check failed');
      }
    });
  }
}

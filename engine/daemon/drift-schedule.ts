import { Cron } from 'croner';
import type { LoadedEnvironment } from '../load/index.js';
import type { Logger } from '../log/logger.js';

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
    opts: { gitStateValid: boolean },
  ): Promise<void>;
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

/**
 * One croner job per (environment, schedule). Jobs hand their check to `enqueue`, so
 * checks take turns with reconciles instead of racing them for the same stacks.
 */
export class DriftSchedules {
  private readonly jobs = new Map<string, Cron[]>();

  constructor(
    private readonly check: DriftCheck,
    private readonly enqueue: (label: string, job: () => Promise<void>) => void,
    private readonly gitStateValid: (environment: string) => boolean,
    private readonly signal: AbortSignal,
    private readonly log: Logger,
  ) {}

  /** (Re)schedules an environment at its last good commit. */
  update(env: LoadedEnvironment, revision: string): void {
    this.remove(env.name);
    const jobs: Cron[] = [];
    for (const [schedule, stacks] of stacksBySchedule(env)) {
      jobs.push(
        new Cron(schedule, { protect: true }, () => {
          this.enqueue(`drift ${env.name} ${stacks.join(',')}`, async () => {
            try {
              await this.check.run(env, revision, stacks, this.signal, { gitStateValid: this.gitStateValid(env.name) });
            } catch (e) {
              this.log.error({ environment: env.name, stacks, err: e instanceof Error ? e.message : String(e) }, 'drift check failed');
            }
          });
        }),
      );
    }
    this.jobs.set(env.name, jobs);
    this.log.debug({ environment: env.name, schedules: [...stacksBySchedule(env).keys()] }, 'drift checks scheduled');
  }

  remove(environment: string): void {
    for (const j of this.jobs.get(environment) ?? []) j.stop();
    this.jobs.delete(environment);
  }

  stopAll(): void {
    for (const name of [...this.jobs.keys()]) this.remove(name);
  }
}

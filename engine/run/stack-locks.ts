import type { Logger } from '../log/logger.js';
import type { LockOwner } from '../model/index.js';
import type { RunStore } from '../store/run-store.js';
import { type Clock, systemClock } from './clock.js';
import { StackMutex } from './stack-mutex.js';

/** The result of {@link StackLocks.exclusive}: fn's value, or who held the lock past the wait. */
export type Exclusive<T> = { ok: true; value: T } | { ok: false; heldBy: LockOwner };

/** What fn learns about the lock it runs under. */
export interface HeldLock {
  /** The previous holder whose lock was stale (a dead local process, or a replica that stopped renewing it). */
  clearedStale: LockOwner | undefined;
}

/** Collaborators of the stack locks. */
export interface StackLocksDeps {
  store: RunStore;
  clock?: Clock;
  /** How long to wait for another process's lock on a stack (default 15 minutes). */
  lockWaitMs?: number;
}

/**
 * The locks of the stacks of this installation: an in-process mutex per `<env>/<stack>`
 * (two operations of this process never even ask for the same stack at once) and the run
 * store's cross-process lock. Every operation that touches a stack — up, destroy, a drift
 * check and its remediation — runs under both, so none runs beside another on that stack.
 */
export class StackLocks {
  private readonly mutex = new StackMutex();
  private readonly clock: Clock;
  private readonly lockWaitMs: number;

  constructor(private readonly deps: StackLocksDeps) {
    this.clock = deps.clock ?? systemClock;
    this.lockWaitMs = deps.lockWaitMs ?? 15 * 60_000;
  }

  /**
   * Runs fn holding the in-process mutex and the cross-process lock of one stack,
   * waiting for another holder up to the lock wait. A stale lock of a dead process is
   * cleared (and logged); a live holder that outlasts the wait yields `{ ok: false }`.
   */
  async exclusive<T>(
    environment: string,
    stack: string,
    purpose: string,
    log: Logger,
    fn: (held: HeldLock) => Promise<T>,
  ): Promise<Exclusive<T>> {
    return this.mutex.run(`${environment}/${stack}`, async () => {
      const deadline = this.clock.now().getTime() + this.lockWaitMs;
      let waited = false;
      let held: HeldLock = { clearedStale: undefined };
      for (;;) {
        const attempt = await this.deps.store.tryLock(environment, stack, purpose);
        if (attempt.acquired) {
          held = { clearedStale: attempt.clearedStale };
          if (attempt.clearedStale) {
            log.warn(
              { stack, staleHolder: attempt.clearedStale },
              `cleared a stale lock on ${stack} left by pid ${attempt.clearedStale.pid} on ${attempt.clearedStale.host}, which no longer holds it`,
            );
          }
          break;
        }
        if (this.clock.now().getTime() > deadline) return { ok: false as const, heldBy: attempt.heldBy };
        if (!waited)
          log.info(
            { stack, heldBy: attempt.heldBy },
            `waiting for the lock on ${stack} (held by pid ${attempt.heldBy.pid}: ${attempt.heldBy.purpose})`,
          );
        waited = true;
        await this.clock.sleep(500);
      }
      try {
        return { ok: true as const, value: await fn(held) };
      } finally {
        await this.deps.store.unlock(environment, stack);
      }
    });
  }
}

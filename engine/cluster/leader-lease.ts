import { performance } from 'node:perf_hooks';
import type { Logger } from '../log/logger.js';
import {
  attemptIntervalMs,
  type DeposeReason,
  decideLease,
  type LeaseEvent,
  type LeaseState,
  leadsAt,
  NOT_LEADER,
} from './lease-decision.js';
import { describeError, type SqlClient, withTimeout } from './sql-client.js';

export type { DeposeReason } from './lease-decision.js';

/** How a {@link LeaderLease} reaches Postgres, names itself and reports. */
export interface LeaderLeaseOptions {
  /** A raw `pg.Pool` (see {@link SqlClient}); its `'error'` events are the owner's to handle. */
  pool: SqlClient;
  /** The lease, e.g. `git-poller`: one leader per name. */
  name: string;
  /**
   * Who holds it, written to the row. Must be unique per process (e.g. the replica id and
   * pid): two processes with one holder would both renew the same row and both lead.
   */
  holder: string;
  /** How long a taken lease lasts without renewal (≥ 1000 ms); renewed every third of it. */
  ttlMs: number;
  log: Logger;
  /** Called when this process becomes the leader. */
  onElected?: () => void | Promise<void>;
  /**
   * Called when this process stops being the leader: its lease expired unrenewed (Postgres
   * unreachable), another holder took the row, or {@link LeaderLease.release}. Must stop the
   * leader's work at once: from now on another replica may lead.
   */
  onDeposed?: (reason: DeposeReason) => void | Promise<void>;
}

/**
 * Takes the row when it is free, expired or already ours, and renews it when ours, in one
 * statement on the database's clock (so replicas' clock offsets do not matter). Returns
 * the row only when this holder has it after the statement. `acquired_at` stays when an
 * unexpired lease is renewed and restarts when the lease is taken.
 */
const TAKE_OR_RENEW = `
INSERT INTO driftless.leases AS l (name, holder, acquired_at, expires_at)
VALUES ($1, $2, now(), now() + $3::int * interval '1 millisecond')
ON CONFLICT (name) DO UPDATE
  SET holder = EXCLUDED.holder,
      acquired_at = CASE WHEN l.holder = EXCLUDED.holder AND l.expires_at > now() THEN l.acquired_at ELSE now() END,
      expires_at = EXCLUDED.expires_at
  WHERE l.holder = EXCLUDED.holder OR l.expires_at <= now()
RETURNING l.expires_at`;

const RELEASE = 'DELETE FROM driftless.leases WHERE name = $1 AND holder = $2';

/**
 * Leader election on a lease row in `driftless.leases` (created by the Postgres store's
 * migrations): the replica holding the unexpired row leads, e.g. runs the one Git poller.
 * It tries to take the row every ttl/3 and renews it while held. When a renewal is refused
 * it steps down at once; when renewals fail (Postgres unreachable, timed out) it steps down
 * as soon as the expiry the last successful one confirmed has passed, which by the clocks'
 * reckoning is no later than any other replica can take the row (see lease-decision.ts).
 */
export class LeaderLease {
  readonly #opts: LeaderLeaseOptions;
  readonly #intervalMs: number;
  #state: LeaseState = NOT_LEADER;
  #stopped = false;
  #started = false;
  #failing = false;
  #loopTimer: NodeJS.Timeout | undefined;
  #wakeLoop: (() => void) | undefined;
  #deadlineTimer: NodeJS.Timeout | undefined;
  #inFlight: Promise<void> | undefined;
  #loop: Promise<void> | undefined;

  constructor(opts: LeaderLeaseOptions) {
    if (!Number.isInteger(opts.ttlMs) || opts.ttlMs < 1000) throw new Error(`a lease ttl must be an integer ≥ 1000 ms, not ${opts.ttlMs}`);
    if (opts.name.length === 0 || opts.holder.length === 0) throw new Error('a lease needs a name and a holder');
    this.#opts = opts;
    this.#intervalMs = attemptIntervalMs(opts.ttlMs);
  }

  /** Starts competing; resolves once the first attempt has been answered (or timed out). */
  async start(): Promise<void> {
    if (this.#started) throw new Error(`lease ${this.#opts.name} was already started`);
    this.#started = true;
    this.#inFlight = this.#attempt();
    await this.#inFlight;
    this.#loop = this.#run();
  }

  /** Whether this process leads now: false from the moment the confirmed expiry passes, even before the step-down timer runs. */
  isLeader(): boolean {
    return leadsAt(this.#state, performance.now());
  }

  /**
   * Stops competing and, when leading, steps down (awaiting `onDeposed`) and deletes the
   * row so a successor takes over at its next attempt instead of after the ttl. When the
   * row cannot be deleted (Postgres unreachable) it simply expires.
   */
  async release(): Promise<void> {
    if (this.#stopped) return;
    this.#stopped = true;
    clearTimeout(this.#loopTimer);
    this.#wakeLoop?.();
    // An attempt still on its way could recreate the row after the delete: let it land first.
    await this.#inFlight;
    await this.#loop;
    clearTimeout(this.#deadlineTimer);
    const { name, holder, log } = this.#opts;
    if (this.#state.leader) {
      this.#state = NOT_LEADER;
      log.info({ lease: name, holder }, `released leadership of ${name}`);
      await this.#call(() => this.#opts.onDeposed?.('released'), 'onDeposed');
    }
    try {
      await withTimeout(this.#opts.pool.query(RELEASE, [name, holder]), this.#intervalMs, `releasing lease ${name}`);
    } catch (e) {
      log.warn({ lease: name, error: describeError(e) }, `could not delete lease ${name}: it expires by itself`);
    }
  }

  async #run(): Promise<void> {
    while (!this.#stopped) {
      await new Promise<void>((resolve) => {
        this.#wakeLoop = resolve;
        this.#loopTimer = setTimeout(resolve, this.#intervalMs);
        this.#loopTimer.unref();
      });
      if (this.#stopped) return;
      this.#inFlight = this.#attempt();
      await this.#inFlight;
    }
  }

  async #attempt(): Promise<void> {
    const { pool, name, holder, ttlMs, log } = this.#opts;
    const sentAtMs = performance.now();
    let event: LeaseEvent;
    try {
      // Bounded by the interval, so a hung connection cannot delay the next attempt.
      const { rows } = await withTimeout(pool.query(TAKE_OR_RENEW, [name, holder, ttlMs]), this.#intervalMs, `lease ${name}`);
      event = rows.length > 0 ? { kind: 'taken', sentAtMs, nowMs: performance.now() } : { kind: 'refused', nowMs: performance.now() };
      if (this.#failing) log.info({ lease: name }, `lease ${name}: Postgres answers again`);
      this.#failing = false;
    } catch (e) {
      // Once per outage at warn: the attempts go on every ttl/3 and would flood the log.
      if (!this.#failing) log.warn({ lease: name, error: describeError(e) }, `lease ${name}: attempt failed`);
      this.#failing = true;
      event = { kind: 'unreachable', nowMs: performance.now() };
    }
    // An answer arriving after release() changes nothing: release() decides the end.
    if (this.#stopped) return;
    this.#apply(event);
  }

  #apply(event: LeaseEvent): void {
    const { state, transition } = decideLease(this.#state, event, this.#opts.ttlMs);
    this.#state = state;
    this.#armDeadline();
    const { name, holder, log } = this.#opts;
    if (transition.kind === 'elected') {
      log.info({ lease: name, holder }, `elected leader of ${name}`);
      void this.#call(() => this.#opts.onElected?.(), 'onElected');
    } else if (transition.kind === 'deposed') {
      log.warn({ lease: name, holder, reason: transition.reason }, `no longer leader of ${name} (${transition.reason})`);
      void this.#call(() => this.#opts.onDeposed?.(transition.reason), 'onDeposed');
    }
  }

  /** Steps down exactly when the confirmed expiry passes, whether or not an attempt is on its way. */
  #armDeadline(): void {
    clearTimeout(this.#deadlineTimer);
    const deadline = this.#state.deadlineMs;
    if (!this.#state.leader || deadline === undefined) return;
    // A timer may fire a little early by the monotonic clock: the tick then changes nothing and re-arms.
    this.#deadlineTimer = setTimeout(
      () => this.#apply({ kind: 'tick', nowMs: performance.now() }),
      Math.max(1, deadline - performance.now()),
    );
    this.#deadlineTimer.unref();
  }

  async #call(fn: () => void | Promise<void>, what: string): Promise<void> {
    try {
      await fn();
    } catch (e) {
      this.#opts.log.error({ lease: this.#opts.name, error: describeError(e) }, `lease ${this.#opts.name}: ${what} failed`);
    }
  }
}

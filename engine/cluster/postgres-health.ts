import type { Logger } from '../log/logger.js';
import { describeError, type SqlClient, withTimeout } from './sql-client.js';

/** What the health check last concluded. */
export interface HealthState {
  healthy: boolean;
  /** `ok`, or why not (log-safe: credentials redacted). */
  reason: string;
  /** Consecutive failed pings. */
  failures: number;
  /** When `healthy` last changed (or the check started). */
  since: Date;
}

/** One ping's result. */
export type PingResult = { ok: true } | { ok: false; reason: string };

/**
 * The state after a ping, pure: healthy again at the first success, unhealthy once
 * `failuresToUnhealthy` pings in a row failed (the reason is the latest failure's).
 */
export function nextHealth(state: HealthState, ping: PingResult, failuresToUnhealthy: number, now: Date): HealthState {
  if (ping.ok) return state.healthy ? { ...state, failures: 0 } : { healthy: true, reason: 'ok', failures: 0, since: now };
  const failures = state.failures + 1;
  if (!state.healthy) return { ...state, reason: ping.reason, failures };
  return failures >= failuresToUnhealthy ? { healthy: false, reason: ping.reason, failures, since: now } : { ...state, failures };
}

export interface PostgresHealthOptions {
  /** A raw `pg.Pool` (see {@link SqlClient}); a small one of its own keeps pings from queueing behind busy connections. */
  pool: SqlClient;
  /** Between pings (default 1000 ms). */
  intervalMs?: number;
  /** How long a ping may take before it counts as failed (default 2000 ms). */
  timeoutMs?: number;
  /** Failed pings in a row before the state turns unhealthy (default 1). */
  failuresToUnhealthy?: number;
  log?: Logger;
  /** Called on every change of `healthy`, including the first answer after start(). */
  onChange?: (state: HealthState) => void;
}

/**
 * Pings PostgreSQL (`SELECT 1`) on an interval, for /readyz and so the daemon can pause its
 * work queue while the database is gone and resume it when it is back. Not healthy until
 * the first ping succeeds. A ping still running when the next is due is not doubled: it
 * counts as failed once it exceeds the timeout, and the next starts after it settles or times out.
 */
export class PostgresHealth {
  readonly #pool: SqlClient;
  readonly #intervalMs: number;
  readonly #timeoutMs: number;
  readonly #threshold: number;
  readonly #log: Logger | undefined;
  readonly #listeners = new Set<(state: HealthState) => void>();
  #state: HealthState = { healthy: false, reason: 'not checked yet', failures: 0, since: new Date() };
  #timer: NodeJS.Timeout | undefined;
  #stopped = false;
  #answered = false;
  #started = false;
  #ping: Promise<void> | undefined;

  constructor(opts: PostgresHealthOptions) {
    this.#pool = opts.pool;
    this.#intervalMs = opts.intervalMs ?? 1000;
    this.#timeoutMs = opts.timeoutMs ?? 2000;
    this.#threshold = opts.failuresToUnhealthy ?? 1;
    this.#log = opts.log;
    if (opts.onChange) this.#listeners.add(opts.onChange);
  }

  /** Pings once now (resolves when answered or timed out), then every interval until stop(). */
  async start(): Promise<void> {
    if (this.#started) throw new Error('the PostgreSQL health check was already started');
    this.#started = true;
    await this.#check();
    this.#schedule();
  }

  /** Stops pinging (the state stays as last seen). */
  async stop(): Promise<void> {
    this.#stopped = true;
    clearTimeout(this.#timer);
    await this.#ping;
  }

  healthy(): boolean {
    return this.#state.healthy;
  }

  /** `ok`, or why PostgreSQL is not usable (for /readyz). */
  reason(): string {
    return this.#state.reason;
  }

  state(): HealthState {
    return { ...this.#state };
  }

  /** Adds a change listener; returns its removal. */
  subscribe(listener: (state: HealthState) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  #schedule(): void {
    if (this.#stopped) return;
    this.#timer = setTimeout(() => {
      void this.#check().then(() => this.#schedule());
    }, this.#intervalMs);
    this.#timer.unref();
  }

  async #check(): Promise<void> {
    this.#ping = (async () => {
      let result: PingResult;
      try {
        await withTimeout(this.#pool.query('SELECT 1'), this.#timeoutMs, 'PostgreSQL ping');
        result = { ok: true };
      } catch (e) {
        const { message, code } = describeError(e);
        result = { ok: false, reason: code ? `${code}: ${message}` : message };
      }
      if (this.#stopped) return;
      const before = this.#state;
      this.#state = nextHealth(before, result, this.#threshold, new Date());
      // The first answer is reported even when it is "unhealthy": it was unknown before.
      const first = !this.#answered;
      this.#answered = true;
      if (first || this.#state.healthy !== before.healthy) this.#changed();
    })();
    await this.#ping;
  }

  #changed(): void {
    const state = this.state();
    if (state.healthy) this.#log?.info({ postgres: 'healthy' }, 'PostgreSQL is reachable');
    else this.#log?.warn({ postgres: 'unhealthy', reason: state.reason }, 'PostgreSQL is unreachable');
    for (const listener of this.#listeners) {
      try {
        listener(state);
      } catch (e) {
        this.#log?.error({ error: describeError(e) }, 'a PostgreSQL health listener failed');
      }
    }
  }
}

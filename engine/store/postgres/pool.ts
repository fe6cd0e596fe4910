import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import type { PoolClient, QueryResult, QueryResultRow } from 'pg';

/**
 * What the Postgres stores log through: a subset of pino's Logger (which satisfies it), so
 * tests can pass a plain object and the stores need not know the logger's setup.
 */
export interface StoreLog {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

/** Something SQL can be sent to: the pool (each call on any connection) or one transaction's client. */
export interface Queryable {
  query<R extends QueryResultRow = QueryResultRow>(text: string, values?: readonly unknown[]): Promise<QueryResult<R>>;
}

/** How {@link openPostgresPool} connects and how long it rides out an outage. */
export interface PostgresPoolOptions {
  /**
   * How long a query or transaction that failed because PostgreSQL was unreachable is
   * retried before the failure is given up on (default 5 minutes): a write made while
   * the server restarts or fails over lands once it is back instead of being lost.
   */
  outageToleranceMs?: number;
  /** How long one connection attempt may take (default 10 s): a black-holed host fails rather than hangs. */
  connectTimeoutMs?: number;
  /** Connections at most (default 10). */
  max?: number;
  /** First pause between retries (default 100 ms); doubles up to `retryMaxDelayMs`. */
  retryInitialDelayMs?: number;
  /** Longest pause between retries (default 2 s): a recovered server is noticed within that. */
  retryMaxDelayMs?: number;
  /** `application_name` of the sessions, as pg_stat_activity shows them (default `driftless`). */
  applicationName?: string;
  log?: StoreLog | undefined;
}

/** Per call: `retry: false` fails at once on a connection error (a caller with its own schedule, e.g. lock renewal). */
export interface QueryOptions {
  retry?: boolean;
}

/**
 * Thrown when PostgreSQL stayed unreachable for the whole outage tolerance; `cause` is the
 * last connection error. Also thrown, at once, for a call retrying when the pool closes.
 */
export class PostgresUnavailableError extends Error {
  override readonly name = 'PostgresUnavailableError';
  constructor(
    message: string,
    /** How long the call kept retrying. */
    readonly waitedMs: number,
    options: { cause: unknown },
  ) {
    super(message, options);
  }
}

/**
 * The connection pool of the Postgres stores: a pg.Pool plus `query` and `withTransaction`
 * helpers that ride out a PostgreSQL outage (see {@link isConnectionError}).
 */
export interface PostgresPool extends Queryable {
  /** The underlying pg.Pool, for code that needs a raw client (e.g. LISTEN, pg-boss). Its calls are not retried. */
  readonly pool: pg.Pool;
  /**
   * Runs one statement. A connection-class failure is retried with backoff for up to the
   * outage tolerance; any other error (a constraint, a syntax error) rejects at once.
   * A statement whose connection broke after the server ran it runs again: the stores'
   * statements are written to be safe to rerun (upserts, keyed deletes, inserts keyed by
   * a per-call id); callers of this pool must make theirs so too.
   */
  query<R extends QueryResultRow = QueryResultRow>(
    text: string,
    values?: readonly unknown[],
    options?: QueryOptions,
  ): Promise<QueryResult<R>>;
  /**
   * Runs `fn` in a transaction on one connection: COMMIT when it resolves, ROLLBACK when
   * it rejects. A connection-class failure anywhere (BEGIN, `fn`'s statements, COMMIT)
   * reruns the whole transaction, so `fn` must be safe to run again (read what it needs
   * inside, no side effects outside the database).
   */
  withTransaction<T>(fn: (tx: Queryable) => Promise<T>, options?: QueryOptions): Promise<T>;
  /** Stops retries in progress (they reject with PostgresUnavailableError) and ends every connection; idempotent. */
  close(): Promise<void>;
}

/** POSIX errno codes of a socket that could not connect or lost its peer: the server is (for now) not there. */
const CONNECTION_ERRNOS = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ECONNABORTED',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'EHOSTDOWN',
  'ENETUNREACH',
  'ENETDOWN',
  // A resolver that cannot answer right now (ENOTFOUND, a name that does not exist, is
  // a configuration mistake and fails at once).
  'EAI_AGAIN',
]);

/**
 * SQLSTATEs of a server going away or not accepting connections yet: 57P01 admin_shutdown
 * (a fast shutdown or a terminated backend), 57P02 crash_shutdown, 57P03 cannot_connect_now
 * (starting up, shutting down, in recovery). Class 08 (connection exception) is matched by prefix.
 */
const CONNECTION_SQLSTATES = new Set(['57P01', '57P02', '57P03']);

/**
 * Whether `error` means "PostgreSQL is not reachable right now" rather than "this statement
 * is wrong": decided by the error's `code` (a SQLSTATE from the server, or an errno from
 * the socket), never its message, with one exception: node-postgres reports a connection
 * that closed under it (the server restarting, a proxy dropping it, the connect timeout)
 * as a plain `Error('Connection terminated…')` with no code, so that message prefix is
 * matched too. `cause` chains and AggregateErrors (a host that resolves to several
 * addresses, each refusing) are looked through.
 */
export function isConnectionError(error: unknown, depth = 0): boolean {
  if (depth > 5 || typeof error !== 'object' || error === null) return false;
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string') {
    if (CONNECTION_ERRNOS.has(code) || CONNECTION_SQLSTATES.has(code)) return true;
    // A SQLSTATE is five characters; class 08 is "connection exception" (08000, 08003, 08006, 08001, 08004, 08P01).
    if (code.length === 5 && code.startsWith('08')) return true;
  }
  // The one message test (see above): node-postgres has no code for a terminated connection.
  if (error instanceof Error && code === undefined && error.message.startsWith('Connection terminated')) return true;
  if (error instanceof AggregateError && error.errors.some((e) => isConnectionError(e, depth + 1))) return true;
  return 'cause' in error && isConnectionError((error as { cause?: unknown }).cause, depth + 1);
}

/** The error's code or, failing that, its message: what a log line shows of a connection failure. */
function describe(error: unknown): string {
  if (typeof error === 'object' && error !== null) {
    const code = (error as { code?: unknown }).code;
    const message = error instanceof Error ? error.message : String(error);
    return typeof code === 'string' ? `${code}: ${message}` : message;
  }
  return String(error);
}

/** A call that was waiting out an outage when the pool closed: it gives up at once. */
function closedWhileWaiting(what: string, waitedMs: number, cause: unknown): PostgresUnavailableError {
  return new PostgresUnavailableError(`${what}: the PostgreSQL pool was closed while the call waited for the server`, waitedMs, { cause });
}

/**
 * Opens the pool the Postgres stores share. No connection is made yet (the first query
 * connects); `url` is a libpq-style `postgres://user:password@host:port/database?...` URL
 * and is never logged (it may carry a password).
 */
export function openPostgresPool(url: string, opts: PostgresPoolOptions = {}): PostgresPool {
  const tolerance = opts.outageToleranceMs ?? 5 * 60_000;
  const initialDelay = opts.retryInitialDelayMs ?? 100;
  const maxDelay = opts.retryMaxDelayMs ?? 2_000;
  const log = opts.log;
  const pool = new pg.Pool({
    connectionString: url,
    application_name: opts.applicationName ?? 'driftless',
    connectionTimeoutMillis: opts.connectTimeoutMs ?? 10_000,
    max: opts.max ?? 10,
    // Dead peers (a host that vanished without closing the socket) are noticed by TCP
    // keepalive instead of after the OS's retransmission timeout.
    keepAlive: true,
    // Idle connections do not keep a process alive that has nothing else left to do.
    allowExitOnIdle: true,
  });
  // An idle connection that breaks (the server restarting) is emitted here; unhandled, it
  // would crash the process. The pool has already dropped that connection; the next query
  // opens a new one.
  pool.on('error', (error) => {
    log?.warn({ err: describe(error) }, 'an idle PostgreSQL connection broke; it is replaced on next use');
  });

  const stop = new AbortController();
  let closing: Promise<void> | undefined;
  /** Calls currently waiting out an outage: logged once when the first starts and once when it ends. */
  let outage: { since: number; waiting: number } | undefined;

  async function withRetry<T>(what: string, op: () => Promise<T>, retry: boolean): Promise<T> {
    const started = Date.now();
    let delay = initialDelay;
    let counted = false;
    let succeeded = false;
    try {
      for (;;) {
        try {
          const result = await op();
          succeeded = true;
          return result;
        } catch (error) {
          if (!retry || !isConnectionError(error)) throw error;
          const waited = Date.now() - started;
          if (stop.signal.aborted) throw closedWhileWaiting(what, waited, error);
          if (waited + delay > tolerance) {
            throw new PostgresUnavailableError(
              `${what}: PostgreSQL unreachable for ${Math.round(waited / 1000)} s (outage tolerance ${Math.round(tolerance / 1000)} s): ${describe(error)}`,
              waited,
              { cause: error },
            );
          }
          if (!counted) {
            counted = true;
            if (!outage) {
              outage = { since: started, waiting: 0 };
              log?.warn(
                { err: describe(error), toleranceMs: tolerance },
                'PostgreSQL unreachable; store calls are retried until it is back or the outage tolerance runs out',
              );
            }
            outage.waiting++;
          }
          try {
            // Jitter, so replicas that lost the server together do not reconnect in lockstep.
            await sleep(delay / 2 + Math.random() * (delay / 2), undefined, { signal: stop.signal });
          } catch {
            // Aborted by close(): give up now rather than try a pool that is ending.
            throw closedWhileWaiting(what, Date.now() - started, error);
          }
          delay = Math.min(delay * 2, maxDelay);
        }
      }
    } finally {
      if (counted && outage && --outage.waiting === 0) {
        // The last call that waited has settled: the outage is over as far as this pool can tell.
        if (succeeded)
          log?.info({ outageMs: Date.now() - outage.since }, 'PostgreSQL reachable again; the waiting store calls went through');
        outage = undefined;
      }
    }
  }

  /** One connection's statements; not retried on their own (the transaction is). */
  const clientQueryable = (client: PoolClient): Queryable => ({
    query: <R extends QueryResultRow>(text: string, values?: readonly unknown[]) => client.query<R>(text, values as unknown[] | undefined),
  });

  return {
    pool,
    query<R extends QueryResultRow = QueryResultRow>(text: string, values?: readonly unknown[], options: QueryOptions = {}) {
      return withRetry('query', () => pool.query<R>(text, values as unknown[] | undefined), options.retry ?? true);
    },
    withTransaction<T>(fn: (tx: Queryable) => Promise<T>, options: QueryOptions = {}) {
      return withRetry(
        'transaction',
        async () => {
          const client = await pool.connect();
          let broken: unknown;
          try {
            await client.query('BEGIN');
            const result = await fn(clientQueryable(client));
            await client.query('COMMIT');
            return result;
          } catch (error) {
            // A broken connection is not given back to the pool; a healthy one is rolled back first.
            if (isConnectionError(error)) broken = error;
            else await client.query('ROLLBACK').catch((rollbackError: unknown) => (broken = rollbackError));
            throw error;
          } finally {
            client.release(broken instanceof Error ? broken : broken === undefined ? undefined : true);
          }
        },
        options.retry ?? true,
      );
    },
    close() {
      closing ??= (async () => {
        stop.abort();
        await pool.end();
      })();
      return closing;
    },
  };
}

import pg from 'pg';
import { type Logger, pino } from 'pino';

/** A logger that keeps every line in memory, so a test can read what was logged (and check nothing leaks). */
export interface CapturedLog {
  log: Logger;
  lines: string[];
  /** Every line, joined. */
  text(): string;
}

export function captureLog(level = 'debug'): CapturedLog {
  const lines: string[] = [];
  // DRIFTLESS_TEST_LOG=1 echoes the lines to stderr while debugging a test.
  const echo = process.env.DRIFTLESS_TEST_LOG === '1';
  const log = pino(
    { level },
    {
      write(line: string) {
        lines.push(line);
        if (echo) process.stderr.write(line);
      },
    },
  );
  return { log, lines, text: () => lines.join('') };
}

/**
 * A raw pg.Pool as the daemon would hand to the lease and the health check, with the
 * `'error'` listener every pool needs (an idle connection breaking when the server stops
 * is emitted there, and unheard it would crash the test process).
 */
export function rawPool(url: string, max = 4): pg.Pool {
  const pool = new pg.Pool({ connectionString: url, max, connectionTimeoutMillis: 2000 });
  pool.on('error', () => undefined);
  return pool;
}

/** The lease table exactly as the Postgres store's migration creates it (driftless.leases). */
export async function createLeaseTable(url: string): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query('CREATE SCHEMA IF NOT EXISTS driftless');
    await client.query(`CREATE TABLE IF NOT EXISTS driftless.leases (
      name text PRIMARY KEY,
      holder text NOT NULL,
      acquired_at timestamptz NOT NULL,
      expires_at timestamptz NOT NULL
    )`);
  } finally {
    await client.end();
  }
}

/** Polls `condition` every 25 ms until it holds; throws naming `what` after `timeoutMs`. */
export async function until(condition: () => boolean | Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** A promise and its resolver, for handlers a test releases at a moment of its choosing. */
export function deferred<T = void>(): { promise: Promise<T>; resolve: (value: T) => void } {
  let resolve: (value: T) => void = () => undefined;
  const promise = new Promise<T>((r) => {
    resolve = r;
  });
  return { promise, resolve };
}

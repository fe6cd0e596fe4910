import type { ForgeOutbox, OutboxEntry } from '../forge-outbox.js';
import type { PostgresPool } from './pool.js';
import { type OutboxRow, outboxEntryOf } from '../outbox-rows.js';

/**
 * ForgeOutbox on PostgreSQL, shared by every replica. As in the SQLite outbox, a put
 * replaces the key's wish with a new version (`seq`), and delivered/failed only touch
 * the version they name, so a wish put while an older one was being delivered survives.
 * Versions come from a sequence rather than MAX(seq) + 1: replicas putting at once get
 * distinct ones (values still only increase, though they no longer restart at 1 when the
 * outbox empties). Due times are timestamptz: compared as times, not strings.
 */
export class PostgresForgeOutbox implements ForgeOutbox {
  constructor(private readonly db: PostgresPool) {}

  async put(key: string, payload: unknown, at: Date): Promise<void> {
    await this.db.query(
      `INSERT INTO driftless.forge_outbox (key, payload, seq, attempts, next_attempt_at, last_error, created_at)
       VALUES ($1, $2, nextval('driftless.forge_outbox_seq'), 0, $3, NULL, $3)
       ON CONFLICT (key) DO UPDATE SET payload = excluded.payload, seq = excluded.seq, attempts = 0,
         next_attempt_at = excluded.next_attempt_at, last_error = NULL`,
      [key, JSON.stringify(payload), at],
    );
  }

  async get(key: string): Promise<OutboxEntry | undefined> {
    const r = await this.db.query<OutboxRow>('SELECT * FROM driftless.forge_outbox WHERE key = $1', [key]);
    const row = r.rows[0];
    return row ? outboxEntryOf(row) : undefined;
  }

  async list(): Promise<OutboxEntry[]> {
    return (await this.db.query<OutboxRow>('SELECT * FROM driftless.forge_outbox ORDER BY seq')).rows.map(outboxEntryOf);
  }

  async due(now: Date): Promise<OutboxEntry[]> {
    return (
      await this.db.query<OutboxRow>('SELECT * FROM driftless.forge_outbox WHERE next_attempt_at <= $1 ORDER BY seq', [now])
    ).rows.map(outboxEntryOf);
  }

  async nextDue(): Promise<Date | undefined> {
    const r = await this.db.query<{ t: Date | null }>('SELECT MIN(next_attempt_at) AS t FROM driftless.forge_outbox');
    return r.rows[0]?.t ?? undefined;
  }

  async delivered(key: string, seq: number): Promise<void> {
    await this.db.query('DELETE FROM driftless.forge_outbox WHERE key = $1 AND seq = $2', [key, seq]);
  }

  async failed(key: string, seq: number, nextAttemptAt: Date, error: string): Promise<void> {
    await this.db.query(
      'UPDATE driftless.forge_outbox SET attempts = attempts + 1, next_attempt_at = $1, last_error = $2 WHERE key = $3 AND seq = $4',
      [nextAttemptAt, error, key, seq],
    );
  }

  async dropPrefix(prefix: string): Promise<void> {
    // A plain prefix comparison, not LIKE: `%` and `_` in a branch name are not wildcards.
    await this.db.query('DELETE FROM driftless.forge_outbox WHERE left(key, length($1::text)) = $1::text', [prefix]);
  }

  /** Nothing to release: the pool is shared, and closed by its owner (openPostgresStores' close). */
  async close(): Promise<void> {}
}

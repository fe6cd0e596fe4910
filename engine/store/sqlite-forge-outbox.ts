import type { DatabaseSync } from 'node:sqlite';
import { openSqlite } from './open-sqlite.js';
import type { ForgeOutbox, OutboxEntry } from './forge-outbox.js';
import { type OutboxRow, outboxEntryOf } from './outbox-rows.js';

const SCHEMA = `
CREATE TABLE IF NOT EXISTS forge_outbox (
  key TEXT PRIMARY KEY,
  payload TEXT NOT NULL,
  seq INTEGER NOT NULL,
  attempts INTEGER NOT NULL DEFAULT 0,
  next_attempt_at TEXT NOT NULL,
  last_error TEXT,
  created_at TEXT NOT NULL
);
`;

/**
 * The forge outbox in the daemon's SQLite file (its own table and connection, like the
 * daemon store). node:sqlite is synchronous: each method does its work before it returns.
 */
export class SqliteForgeOutbox implements ForgeOutbox {
  private readonly db: DatabaseSync;

  /** Opens `file` (created when missing) and adds the outbox table when it lacks it. */
  constructor(file: string) {
    this.db = openSqlite(file);
    this.db.exec(SCHEMA);
  }

  async put(key: string, payload: unknown, at: Date): Promise<void> {
    const seq = ((this.db.prepare('SELECT MAX(seq) AS s FROM forge_outbox').get() as { s: number | null }).s ?? 0) + 1;
    this.db
      .prepare(
        `INSERT INTO forge_outbox (key, payload, seq, attempts, next_attempt_at, last_error, created_at) VALUES (?, ?, ?, 0, ?, NULL, ?)
         ON CONFLICT (key) DO UPDATE SET payload = excluded.payload, seq = excluded.seq, attempts = 0,
           next_attempt_at = excluded.next_attempt_at, last_error = NULL`,
      )
      .run(key, JSON.stringify(payload), seq, at.toISOString(), at.toISOString());
  }

  async get(key: string): Promise<OutboxEntry | undefined> {
    const r = this.db.prepare('SELECT * FROM forge_outbox WHERE key = ?').get(key) as OutboxRow | undefined;
    return r ? outboxEntryOf(r) : undefined;
  }

  async list(): Promise<OutboxEntry[]> {
    return (this.db.prepare('SELECT * FROM forge_outbox ORDER BY seq').all() as unknown as OutboxRow[]).map(outboxEntryOf);
  }

  async due(now: Date): Promise<OutboxEntry[]> {
    return (
      this.db.prepare('SELECT * FROM forge_outbox WHERE next_attempt_at <= ? ORDER BY seq').all(now.toISOString()) as unknown as OutboxRow[]
    ).map(outboxEntryOf);
  }

  async nextDue(): Promise<Date | undefined> {
    const r = this.db.prepare('SELECT MIN(next_attempt_at) AS t FROM forge_outbox').get() as { t: string | null };
    return r.t ? new Date(r.t) : undefined;
  }

  async delivered(key: string, seq: number): Promise<void> {
    this.db.prepare('DELETE FROM forge_outbox WHERE key = ? AND seq = ?').run(key, seq);
  }

  async failed(key: string, seq: number, nextAttemptAt: Date, error: string): Promise<void> {
    this.db
      .prepare('UPDATE forge_outbox SET attempts = attempts + 1, next_attempt_at = ?, last_error = ? WHERE key = ? AND seq = ?')
      .run(nextAttemptAt.toISOString(), error, key, seq);
  }

  async dropPrefix(prefix: string): Promise<void> {
    this.db.prepare('DELETE FROM forge_outbox WHERE substr(key, 1, length(?)) = ?').run(prefix, prefix);
  }

  async close(): Promise<void> {
    if (this.db.isOpen) this.db.close();
  }
}

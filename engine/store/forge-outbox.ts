import type { DatabaseSync } from 'node:sqlite';
import { openSqlite } from './open-sqlite.js';

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

/** One thing to tell the forge (a commit status, a comment), as the latest wish for its key. */
export interface OutboxEntry {
  /** e.g. `status:feature/x:dev`, `comment:feature/x`: a newer wish for a key replaces the older one. */
  key: string;
  payload: unknown;
  /** Increases with every put: a delivery only removes the version it delivered. */
  seq: number;
  attempts: number;
  nextAttemptAt: string;
  lastError: string | undefined;
  createdAt: string;
}

/**
 * The daemon's forge outbox: commit statuses and merge-request comments waiting to be
 * delivered, in the daemon's SQLite file (its own table and connection, like the daemon
 * store), so a forge that is down or refuses the token loses nothing, across restarts too.
 */
export class ForgeOutbox {
  private readonly db: DatabaseSync;

  constructor(file: string) {
    this.db = openSqlite(file);
    this.db.exec(SCHEMA);
  }

  /** Stores the latest wish for `key`, due now. */
  put(key: string, payload: unknown, at: Date): void {
    const seq = ((this.db.prepare('SELECT MAX(seq) AS s FROM forge_outbox').get() as { s: number | null }).s ?? 0) + 1;
    this.db
      .prepare(
        `INSERT INTO forge_outbox (key, payload, seq, attempts, next_attempt_at, last_error, created_at) VALUES (?, ?, ?, 0, ?, NULL, ?)
         ON CONFLICT (key) DO UPDATE SET payload = excluded.payload, seq = excluded.seq, attempts = 0,
           next_attempt_at = excluded.next_attempt_at, last_error = NULL`,
      )
      .run(key, JSON.stringify(payload), seq, at.toISOString(), at.toISOString());
  }

  get(key: string): OutboxEntry | undefined {
    const r = this.db.prepare('SELECT * FROM forge_outbox WHERE key = ?').get(key) as Row | undefined;
    return r ? entry(r) : undefined;
  }

  /** Every entry, oldest wish first. */
  list(): OutboxEntry[] {
    return (this.db.prepare('SELECT * FROM forge_outbox ORDER BY seq').all() as unknown as Row[]).map(entry);
  }

  /** Entries due at `now`, oldest wish first. */
  due(now: Date): OutboxEntry[] {
    return (
      this.db.prepare('SELECT * FROM forge_outbox WHERE next_attempt_at <= ? ORDER BY seq').all(now.toISOString()) as unknown as Row[]
    ).map(entry);
  }

  /** The earliest time something is due, if anything waits. */
  nextDue(): Date | undefined {
    const r = this.db.prepare('SELECT MIN(next_attempt_at) AS t FROM forge_outbox').get() as { t: string | null };
    return r.t ? new Date(r.t) : undefined;
  }

  /** Removes the delivered version (a newer wish put meanwhile stays). */
  delivered(key: string, seq: number): void {
    this.db.prepare('DELETE FROM forge_outbox WHERE key = ? AND seq = ?').run(key, seq);
  }

  failed(key: string, seq: number, nextAttemptAt: Date, error: string): void {
    this.db
      .prepare('UPDATE forge_outbox SET attempts = attempts + 1, next_attempt_at = ?, last_error = ? WHERE key = ? AND seq = ?')
      .run(nextAttemptAt.toISOString(), error, key, seq);
  }

  /** Drops every entry whose key starts with `prefix` (a merge request closed without merge). */
  dropPrefix(prefix: string): void {
    this.db.prepare('DELETE FROM forge_outbox WHERE substr(key, 1, length(?)) = ?').run(prefix, prefix);
  }

  close(): void {
    if (this.db.isOpen) this.db.close();
  }
}

interface Row {
  key: string;
  payload: string;
  seq: number;
  attempts: number;
  next_attempt_at: string;
  last_error: string | null;
  created_at: string;
}

function entry(r: Row): OutboxEntry {
  return {
    key: r.key,
    payload: JSON.parse(r.payload) as unknown,
    seq: r.seq,
    attempts: r.attempts,
    nextAttemptAt: r.next_attempt_at,
    lastError: r.last_error ?? undefined,
    createdAt: r.created_at,
  };
}

// The forge outbox table has the same columns in SQLite and PostgreSQL: one reading of a row
// for both stores.
import type { OutboxEntry } from './forge-outbox.js';

/** A `forge_outbox` row (PostgreSQL returns the sequence as a string and timestamps as Dates). */
export interface OutboxRow {
  key: string;
  payload: string;
  seq: number | string;
  attempts: number;
  next_attempt_at: string | Date;
  last_error: string | null;
  created_at: string | Date;
}

const iso = (t: string | Date): string => (t instanceof Date ? t.toISOString() : t);

/** The entry a row stands for. */
export function outboxEntryOf(r: OutboxRow): OutboxEntry {
  return {
    key: r.key,
    payload: JSON.parse(r.payload) as unknown,
    seq: Number(r.seq),
    attempts: r.attempts,
    nextAttemptAt: iso(r.next_attempt_at),
    lastError: r.last_error ?? undefined,
    createdAt: iso(r.created_at),
  };
}

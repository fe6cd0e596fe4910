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
 * delivered, persisted so a forge that is down or refuses the token loses nothing, across
 * restarts too. Implementations: engine/store/sqlite-forge-outbox.ts.
 */
export interface ForgeOutbox {
  /** Stores the latest wish for `key`, due now. */
  put(key: string, payload: unknown, at: Date): Promise<void>;
  /** The waiting wish for `key`, if any. */
  get(key: string): Promise<OutboxEntry | undefined>;
  /** Every entry, oldest wish first. */
  list(): Promise<OutboxEntry[]>;
  /** Entries due at `now`, oldest wish first. */
  due(now: Date): Promise<OutboxEntry[]>;
  /** The earliest time something is due, if anything waits. */
  nextDue(): Promise<Date | undefined>;
  /** Removes the delivered version (a newer wish put meanwhile stays). */
  delivered(key: string, seq: number): Promise<void>;
  /** Counts a failed attempt at version `seq` of `key` and sets when it is due again. */
  failed(key: string, seq: number, nextAttemptAt: Date, error: string): Promise<void>;
  /** Drops every entry whose key starts with `prefix` (a merge request closed without merge). */
  dropPrefix(prefix: string): Promise<void>;
  /** Releases the connection; idempotent. */
  close(): Promise<void>;
}

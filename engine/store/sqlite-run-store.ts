import type { DatabaseSync } from 'node:sqlite';
import { openSqlite } from './open-sqlite.js';
import { currentProcess, holderIsAlive } from '../util/process-identity.js';
import type { AlertState, DriftRecord, LockAttempt, LockOwner, NewRunRecord, RunQuery, RunRecord, StackStatus } from '../model/index.js';
import type { RunStore } from './run-store.js';
import { type DriftRow, driftRecordOf, type RunRow, runRecordOf } from './history-rows.js';

const SCHEMA = `
CREATE TABLE IF NOT EXISTS runs (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  environment TEXT NOT NULL,
  stack TEXT NOT NULL,
  revision TEXT NOT NULL,
  trigger TEXT NOT NULL,
  operation TEXT NOT NULL,
  result TEXT NOT NULL,
  changes TEXT NOT NULL,
  duration_ms INTEGER NOT NULL,
  error_kind TEXT,
  error TEXT,
  reason TEXT,
  started_at TEXT NOT NULL,
  finished_at TEXT NOT NULL,
  author TEXT,
  committer TEXT,
  signer_principal TEXT,
  signer_fingerprint TEXT,
  signer_format TEXT
);
CREATE INDEX IF NOT EXISTS runs_by_stack ON runs (environment, stack, id);
CREATE INDEX IF NOT EXISTS runs_by_revision ON runs (revision);
CREATE TABLE IF NOT EXISTS stack_status (
  environment TEXT NOT NULL,
  stack TEXT NOT NULL,
  status TEXT NOT NULL,
  PRIMARY KEY (environment, stack)
);
CREATE TABLE IF NOT EXISTS drift (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  environment TEXT NOT NULL,
  stack TEXT NOT NULL,
  revision TEXT NOT NULL,
  checked_at TEXT NOT NULL,
  drifted INTEGER NOT NULL,
  resource_count INTEGER NOT NULL,
  remediated INTEGER NOT NULL,
  report TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS drift_by_stack ON drift (environment, stack, id);
CREATE TABLE IF NOT EXISTS alerts (
  key TEXT PRIMARY KEY,
  state TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS locks (
  environment TEXT NOT NULL,
  stack TEXT NOT NULL,
  pid INTEGER NOT NULL,
  host TEXT NOT NULL,
  process_start TEXT NOT NULL,
  purpose TEXT NOT NULL,
  acquired_at TEXT NOT NULL,
  PRIMARY KEY (environment, stack)
);
`;

/** Columns added after the first release: added to an existing file when missing. */
const RUN_AUDIT_COLUMNS = ['author', 'committer', 'signer_principal', 'signer_fingerprint', 'signer_format'] as const;

interface LockRow {
  pid: number;
  host: string;
  process_start: string;
  purpose: string;
  acquired_at: string;
}

function toOwner(r: LockRow): LockOwner {
  return { pid: r.pid, host: r.host, processStart: r.process_start, purpose: r.purpose, acquiredAt: r.acquired_at };
}

/**
 * Runs `fn` in a `BEGIN IMMEDIATE` transaction: the write lock is taken up front (waiting
 * up to the busy timeout), so two processes cannot both read "no holder" and then both
 * write. node:sqlite has no transaction helper; this does what better-sqlite3's
 * `transaction(fn).immediate()` did: commit on return, roll back on a throw (or a failed
 * COMMIT), rethrow.
 */
function immediateTransaction<T>(db: DatabaseSync, fn: () => T): T {
  db.exec('BEGIN IMMEDIATE');
  try {
    const result = fn();
    db.exec('COMMIT');
    return result;
  } finally {
    // Still open only if fn or COMMIT threw: undo the partial work and release the lock.
    if (db.isTransaction) db.exec('ROLLBACK');
  }
}

/**
 * RunStore on SQLite (WAL mode, so a reader never waits for a writer). Several driftless
 * processes may share the file: locks are taken in IMMEDIATE transactions. node:sqlite is
 * synchronous: each method does its work before returning and hands back a settled promise
 * (a failure is a rejection, not a throw), so no other store call interleaves with one.
 */
export class SqliteRunStore implements RunStore {
  private readonly db: DatabaseSync;

  constructor(file: string) {
    this.db = openSqlite(file);
    this.db.exec('PRAGMA synchronous = NORMAL');
    this.db.exec(SCHEMA);
    this.migrate();
  }

  /** A file from before the audit columns gets them (ALTER TABLE ADD COLUMN keeps every row; old runs read as unknown). */
  private migrate(): void {
    const have = new Set((this.db.prepare('PRAGMA table_info(runs)').all() as { name: string }[]).map((c) => c.name));
    for (const column of RUN_AUDIT_COLUMNS) if (!have.has(column)) this.db.exec(`ALTER TABLE runs ADD COLUMN ${column} TEXT`);
  }

  async recordRun(run: NewRunRecord): Promise<RunRecord> {
    const info = this.db
      .prepare(
        `INSERT INTO runs (environment, stack, revision, trigger, operation, result, changes, duration_ms,
           error_kind, error, reason, started_at, finished_at, author, committer, signer_principal, signer_fingerprint, signer_format)
         VALUES (@environment, @stack, @revision, @trigger, @operation, @result, @changes, @durationMs,
           @errorKind, @error, @reason, @startedAt, @finishedAt, @author, @committer, @signerPrincipal, @signerFingerprint, @signerFormat)`,
      )
      // Each placeholder named: node:sqlite throws on keys the statement does not use, and a
      // caller may pass a wider object than NewRunRecord.
      .run({
        environment: run.environment,
        stack: run.stack,
        revision: run.revision,
        trigger: run.trigger,
        operation: run.operation,
        result: run.result,
        changes: JSON.stringify(run.changes),
        durationMs: run.durationMs,
        errorKind: run.errorKind ?? null,
        error: run.error ?? null,
        reason: run.reason ?? null,
        startedAt: run.startedAt,
        finishedAt: run.finishedAt,
        author: run.author ?? null,
        committer: run.committer ?? null,
        signerPrincipal: run.signer?.principal ?? null,
        signerFingerprint: run.signer?.fingerprint ?? null,
        signerFormat: run.signer?.format ?? null,
      });
    return { ...run, id: Number(info.lastInsertRowid) };
  }

  async listRuns(query: RunQuery = {}): Promise<RunRecord[]> {
    const where: string[] = [];
    const params: Record<string, string | number> = { limit: query.limit ?? 100 };
    for (const key of ['environment', 'stack', 'revision'] as const) {
      const value = query[key];
      if (value !== undefined) {
        where.push(`${key} = @${key}`);
        params[key] = value;
      }
    }
    if (query.before !== undefined) {
      where.push('id < @before');
      params.before = query.before;
    }
    const sql = `SELECT * FROM runs ${where.length ? 'WHERE ' + where.join(' AND ') : ''} ORDER BY id DESC LIMIT @limit`;
    // node:sqlite types rows as Record<string, SQLOutputValue>, which TS will not narrow to an interface directly.
    return (this.db.prepare(sql).all(params) as unknown as RunRow[]).map(runRecordOf);
  }

  async getStatus(environment: string, stack: string): Promise<StackStatus | undefined> {
    const row = this.db.prepare('SELECT status FROM stack_status WHERE environment = ? AND stack = ?').get(environment, stack) as
      | { status: string }
      | undefined;
    return row ? (JSON.parse(row.status) as StackStatus) : undefined;
  }

  async listStatuses(environment: string): Promise<StackStatus[]> {
    const rows = this.db.prepare('SELECT status FROM stack_status WHERE environment = ? ORDER BY stack').all(environment) as {
      status: string;
    }[];
    return rows.map((r) => JSON.parse(r.status) as StackStatus);
  }

  async saveStatus(status: StackStatus): Promise<void> {
    this.db
      .prepare(
        `INSERT INTO stack_status (environment, stack, status) VALUES (?, ?, ?)
         ON CONFLICT (environment, stack) DO UPDATE SET status = excluded.status`,
      )
      .run(status.environment, status.stack, JSON.stringify(status));
  }

  async deleteStatus(environment: string, stack: string): Promise<void> {
    this.db.prepare('DELETE FROM stack_status WHERE environment = ? AND stack = ?').run(environment, stack);
  }

  async tryLock(environment: string, stack: string, purpose: string): Promise<LockAttempt> {
    const me = currentProcess();
    return immediateTransaction(this.db, (): LockAttempt => {
      const row = this.db
        .prepare('SELECT pid, host, process_start, purpose, acquired_at FROM locks WHERE environment = ? AND stack = ?')
        .get(environment, stack) as LockRow | undefined;
      const holder = row ? toOwner(row) : undefined;
      if (holder && holderIsAlive(holder)) return { acquired: false, heldBy: holder };
      this.db
        .prepare(
          `INSERT INTO locks (environment, stack, pid, host, process_start, purpose, acquired_at)
           VALUES (?, ?, ?, ?, ?, ?, ?)
           ON CONFLICT (environment, stack) DO UPDATE SET pid = excluded.pid, host = excluded.host,
             process_start = excluded.process_start, purpose = excluded.purpose, acquired_at = excluded.acquired_at`,
        )
        .run(environment, stack, me.pid, me.host, me.processStart, purpose, new Date().toISOString());
      return { acquired: true, clearedStale: holder };
    });
  }

  async unlock(environment: string, stack: string): Promise<void> {
    const me = currentProcess();
    this.db
      .prepare('DELETE FROM locks WHERE environment = ? AND stack = ? AND pid = ? AND host = ?')
      .run(environment, stack, me.pid, me.host);
  }

  async recordDrift(record: Omit<DriftRecord, 'id'>): Promise<DriftRecord> {
    const info = this.db
      .prepare(
        `INSERT INTO drift (environment, stack, revision, checked_at, drifted, resource_count, remediated, report)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(
        record.environment,
        record.stack,
        record.revision,
        record.checkedAt,
        record.drifted ? 1 : 0,
        record.resourceCount,
        record.remediated ? 1 : 0,
        JSON.stringify(record.report),
      );
    return { ...record, id: Number(info.lastInsertRowid) };
  }

  async listDrift(query: { environment?: string; stack?: string; limit?: number; before?: number } = {}): Promise<DriftRecord[]> {
    const where: string[] = [];
    const params: Record<string, string | number> = { limit: query.limit ?? 100 };
    if (query.environment !== undefined) {
      where.push('environment = @environment');
      params.environment = query.environment;
    }
    if (query.stack !== undefined) {
      where.push('stack = @stack');
      params.stack = query.stack;
    }
    if (query.before !== undefined) {
      where.push('id < @before');
      params.before = query.before;
    }
    const rows = this.db
      .prepare(`SELECT * FROM drift ${where.length ? 'WHERE ' + where.join(' AND ') : ''} ORDER BY id DESC LIMIT @limit`)
      .all(params) as unknown as DriftRow[];
    return rows.map(driftRecordOf);
  }

  async getAlert(key: string): Promise<AlertState | undefined> {
    const row = this.db.prepare('SELECT state FROM alerts WHERE key = ?').get(key) as { state: string } | undefined;
    return row ? (JSON.parse(row.state) as AlertState) : undefined;
  }

  async setAlert(state: AlertState): Promise<void> {
    this.db
      .prepare('INSERT INTO alerts (key, state) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET state = excluded.state')
      .run(state.key, JSON.stringify(state));
  }

  async clearAlert(key: string): Promise<void> {
    this.db.prepare('DELETE FROM alerts WHERE key = ?').run(key);
  }

  async close(): Promise<void> {
    // node:sqlite throws on a second close; better-sqlite3 did not: keep close() idempotent.
    if (this.db.isOpen) this.db.close();
  }
}

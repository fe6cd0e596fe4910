import type { AlertState, DriftRecord, LockAttempt, NewRunRecord, RunQuery, RunRecord, StackStatus } from '../model/index.js';

/**
 * The engine's memory: run history, last status per stack, drift checks, alert state and
 * cross-process stack locks. Survives restarts; shared by every driftless process using the
 * same store (one state folder's SQLite file, or one shared PostgreSQL database).
 * Every method is asynchronous: a failure is a rejected promise, never a synchronous throw.
 */
export interface RunStore {
  recordRun(run: NewRunRecord): Promise<RunRecord>;
  listRuns(query?: RunQuery): Promise<RunRecord[]>;
  getStatus(environment: string, stack: string): Promise<StackStatus | undefined>;
  listStatuses(environment: string): Promise<StackStatus[]>;
  saveStatus(status: StackStatus): Promise<void>;
  deleteStatus(environment: string, stack: string): Promise<void>;
  /**
   * Takes the lock unless a live holder has it: SQLite clears a dead local process's lock;
   * Postgres takes over a lock whose holder stopped renewing it (expired), and reports it as clearedStale.
   */
  tryLock(environment: string, stack: string, purpose: string): Promise<LockAttempt>;
  unlock(environment: string, stack: string): Promise<void>;
  recordDrift(record: Omit<DriftRecord, 'id'>): Promise<DriftRecord>;
  listDrift(query?: { environment?: string; stack?: string; limit?: number; before?: number }): Promise<DriftRecord[]>;
  getAlert(key: string): Promise<AlertState | undefined>;
  setAlert(state: AlertState): Promise<void>;
  clearAlert(key: string): Promise<void>;
  close(): Promise<void>;
}

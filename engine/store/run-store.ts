import type { AlertState, DriftRecord, LockAttempt, NewRunRecord, RunQuery, RunRecord, StackStatus } from '../model/index.js';

/**
 * The engine's memory: run history, last status per stack, and cross-process stack
 * locks. Survives restarts; shared by every driftless process using the same state folder.
 */
export interface RunStore {
  recordRun(run: NewRunRecord): RunRecord;
  listRuns(query?: RunQuery): RunRecord[];
  getStatus(environment: string, stack: string): StackStatus | undefined;
  listStatuses(environment: string): StackStatus[];
  saveStatus(status: StackStatus): void;
  deleteStatus(environment: string, stack: string): void;
  /** Takes the lock unless a live process holds it; a dead local holder's lock is cleared. */
  tryLock(environment: string, stack: string, purpose: string): LockAttempt;
  unlock(environment: string, stack: string): void;
  recordDrift(record: Omit<DriftRecord, 'id'>): DriftRecord;
  listDrift(query?: { environment?: string; stack?: string; limit?: number; before?: number }): DriftRecord[];
  getAlert(key: string): AlertState | undefined;
  setAlert(state: AlertState): void;
  clearAlert(key: string): void;
  close(): void;
}

// The history tables (runs, drift checks) have the same columns in SQLite and PostgreSQL:
// one reading of a row for both stores.
import type { DriftRecord, RunRecord } from '../model/index.js';

/** A run as a store's `runs` table row holds it: the same columns in SQLite and PostgreSQL. */
export interface RunRow {
  /** SQLite returns a number, PostgreSQL a bigint as a string. */
  id: number | string;
  environment: string;
  stack: string;
  revision: string;
  trigger: string;
  operation: string;
  result: string;
  changes: string;
  duration_ms: number;
  error_kind: string | null;
  error: string | null;
  reason: string | null;
  started_at: string;
  finished_at: string;
  author: string | null;
  committer: string | null;
  signer_principal: string | null;
  signer_fingerprint: string | null;
  signer_format: string | null;
  /** PostgreSQL only: the replica that recorded it. */
  replica?: string | null;
}

/** The record a row stands for; absent audit fields and replica are left out, not undefined. */
export function runRecordOf(r: RunRow): RunRecord {
  return {
    id: Number(r.id),
    environment: r.environment,
    stack: r.stack,
    revision: r.revision,
    trigger: r.trigger as RunRecord['trigger'],
    operation: r.operation as RunRecord['operation'],
    result: r.result as RunRecord['result'],
    changes: JSON.parse(r.changes) as RunRecord['changes'],
    durationMs: r.duration_ms,
    errorKind: (r.error_kind ?? undefined) as RunRecord['errorKind'],
    error: r.error ?? undefined,
    reason: r.reason ?? undefined,
    startedAt: r.started_at,
    finishedAt: r.finished_at,
    ...(r.author !== null ? { author: r.author } : {}),
    ...(r.committer !== null ? { committer: r.committer } : {}),
    ...(r.signer_principal !== null && r.signer_fingerprint !== null
      ? {
          signer: {
            principal: r.signer_principal,
            fingerprint: r.signer_fingerprint,
            format: r.signer_format === 'gpg' ? ('gpg' as const) : ('ssh' as const),
          },
        }
      : {}),
    ...(r.replica !== null && r.replica !== undefined ? { replica: r.replica } : {}),
  };
}

/** A drift check as a `drift` table row holds it (SQLite keeps booleans as 0/1). */
export interface DriftRow {
  id: number | string;
  environment: string;
  stack: string;
  revision: string;
  checked_at: string;
  drifted: boolean | number;
  resource_count: number;
  remediated: boolean | number;
  report: string;
}

/** The record a drift row stands for. */
export function driftRecordOf(r: DriftRow): DriftRecord {
  return {
    id: Number(r.id),
    environment: r.environment,
    stack: r.stack,
    revision: r.revision,
    checkedAt: r.checked_at,
    drifted: Boolean(r.drifted),
    resourceCount: r.resource_count,
    remediated: Boolean(r.remediated),
    report: JSON.parse(r.report) as unknown,
  };
}

import type { StackTarget } from '../../run/stack-runner.js';

/** What the pre-screen found for one resource of a stack. */
export interface ResourceScreen {
  urn: string;
  type: string;
  name: string;
  /**
   * same / differs / deleted: compared live; unreadable: not comparable in-process
   * (secret inputs, failed read); no-reader: a type the in-process readers do not know;
   * not-read: skipped because the stack already needed a refresh.
   */
  result: 'same' | 'differs' | 'deleted' | 'unreadable' | 'no-reader' | 'not-read';
  detail?: string;
}

/** The pre-screen's verdict on one stack. */
export type PrescreenVerdict =
  /** Every resource was read live and equals the recorded state: no refresh needed. */
  | { result: 'in-sync'; fingerprint: string; resources: ResourceScreen[] }
  /** Something differs or could not be read: the stack goes to previewRefresh. */
  | { result: 'refresh'; reason: string; resources: ResourceScreen[] };

/** Counters of one sweep. */
export interface PrescreenStats {
  stacks: number;
  inSync: number;
  toRefresh: number;
  /** Resources read live. */
  resourcesRead: number;
  /** HTTP requests made to AWS by the in-process readers (retries included). */
  awsRequests: number;
  /** Requests made to read states from S3 backends. */
  stateRequests: number;
  durationMs: number;
}

/** One sweep over some stacks: a verdict per stack name. */
export interface PrescreenSweep {
  verdicts: Map<string, PrescreenVerdict>;
  stats: PrescreenStats;
}

/**
 * Reads live state for many stacks in one process and says which stacks need the
 * authoritative (and slow) previewRefresh. It must never call a drifted stack in sync.
 */
export interface StackPrescreen {
  screen(targets: readonly StackTarget[], opts?: { signal?: AbortSignal }): Promise<PrescreenSweep>;
  /** Whether the stack's state is still the one that was screened (asked again under the stack lock). */
  stillCurrent(target: StackTarget, fingerprint: string): Promise<boolean>;
}

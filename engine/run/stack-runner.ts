import type { ChangeCounts, ErrorKind, PluginUse, RecordedOutputs } from '../model/index.js';

/** Where a stack's Pulumi state lives. */
export interface BackendTarget {
  /** `file:///abs/path` or `s3://bucket?region=…&endpoint=…`. */
  url: string;
  /** PULUMI_HOME for the CLI processes. */
  pulumiHome: string;
}

/** Everything a runner needs to operate on one stack. */
export interface StackTarget {
  environment: string;
  stack: string;
  /** The trusted template program, already bound to its params and context. */
  program: () => Promise<Record<string, unknown>>;
  backend: BackendTarget;
  /** Variables for the CLI and the provider plugin (AWS region, endpoint, credentials source). */
  envVars: Record<string, string>;
  /** Scratch folder of the Pulumi workspace. */
  workDir: string;
  /** Secrets provider: `passphrase` (default) or e.g. `awskms://alias/x?region=…`. */
  secretsProvider: string;
  /** Resource plugins to register by path; the bundled driftless-aws one when absent. */
  plugins?: PluginUse | undefined;
}

/** One resource as an operation saw it: the step and the states before and after. */
export interface ResourceStep {
  urn: string;
  type: string;
  name: string;
  /** Pulumi's op: same, create, update, replace, delete, create-replacement, refresh, … */
  op: string;
  oldInputs: Record<string, unknown> | undefined;
  newInputs: Record<string, unknown> | undefined;
  oldOutputs: Record<string, unknown> | undefined;
  newOutputs: Record<string, unknown> | undefined;
  /** Top-level properties the engine reported as different, when it knows them. */
  diffs: string[] | undefined;
}

/** How a Pulumi operation ended, as a value. */
export type OperationOutcome =
  | {
      ok: true;
      changes: ChangeCounts;
      steps: ResourceStep[];
      outputs: RecordedOutputs;
      durationMs: number;
    }
  | { ok: false; kind: ErrorKind; message: string; durationMs: number };

/** Options of an operation. */
export interface OperationOptions {
  /** Refresh live state first (preview/up), so the result reverts drift. */
  refresh?: boolean;
  /** Aborts the operation: the runner cancels it safely. */
  signal?: AbortSignal;
  /** Receives one line per engine event worth logging. */
  onProgress?: (event: { urn?: string; op?: string; message: string }) => void;
  /**
   * Hosts whose driftless holder of this stack's lock was proven gone (replicas: its lock
   * expired and this operation took it over), so a Pulumi backend lock left from such a
   * host is dead too, although its pid cannot be checked from here.
   */
  deadHosts?: readonly string[];
}

/**
 * Runs Pulumi operations on one stack. The only implementation wraps the Automation
 * API (engine/pulumi/); the reconciler and drift logic see only this interface.
 */
export interface StackRunner {
  preview(target: StackTarget, opts?: OperationOptions): Promise<OperationOutcome>;
  up(target: StackTarget, opts?: OperationOptions): Promise<OperationOutcome>;
  destroy(target: StackTarget, opts?: OperationOptions): Promise<OperationOutcome>;
  /** Refresh in preview mode: reports drift, changes neither state nor cloud. */
  previewRefresh(target: StackTarget, opts?: OperationOptions): Promise<OperationOutcome>;
}

/** Operations that count as changes in a change summary. */
export const CHANGING_OPS = new Set(['create', 'update', 'replace', 'delete', 'create-replacement', 'delete-replaced']);

/** Whether a change summary holds any change (anything but `same`). */
export function hasChanges(changes: ChangeCounts): boolean {
  return Object.entries(changes).some(([op, n]) => op !== 'same' && (n ?? 0) > 0);
}

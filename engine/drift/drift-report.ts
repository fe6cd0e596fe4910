import type { ResourceStep } from '../run/stack-runner.js';
import { fieldDiff } from './field-diff.js';

/** One field whose live value differs from what Git (through the last apply) wants. */
export interface DriftedField {
  path: string;
  /** Value from Git, as last applied. */
  desired: unknown;
  /** Value in the cloud now. */
  actual: unknown;
}

/** One resource that changed behind Git's back. */
export interface DriftedResource {
  urn: string;
  type: string;
  name: string;
  /** modified: fields differ; deleted: the resource is gone from the cloud. */
  kind: 'modified' | 'deleted';
  fields: DriftedField[];
}

/** The drift of one stack at one check. A value: remediation is a separate decision. */
export interface DriftReport {
  environment: string;
  stack: string;
  revision: string;
  checkedAt: string;
  drifted: boolean;
  resources: DriftedResource[];
}

/** How Pulumi's engine marks a secret in serialized properties. */
const SECRET_SIG = '4dabf18193072939515e22adb298388d';
const MASK = '[secret]';

function isSecret(v: unknown): boolean {
  return v === MASK || (typeof v === 'object' && v !== null && SECRET_SIG in v);
}

/** A value as reports show it: secrets masked, nothing else changed. */
function shown(v: unknown): unknown {
  return isSecret(v) ? MASK : v;
}

function userFields(props: Record<string, unknown> | undefined): Record<string, unknown> {
  return Object.fromEntries(Object.entries(props ?? {}).filter(([k]) => !k.startsWith('__')));
}

/**
 * Builds the drift of a stack from the steps of a refresh in preview mode: an `update`
 * step is a resource modified out-of-band (its fields compared between the state's
 * inputs and the refreshed ones), a `delete` step one deleted out-of-band. Pure.
 */
export function driftFromRefreshSteps(steps: readonly ResourceStep[]): DriftedResource[] {
  const drifted: DriftedResource[] = [];
  for (const s of steps) {
    if (s.op === 'delete') {
      drifted.push({ urn: s.urn, type: s.type, name: s.name, kind: 'deleted', fields: [] });
    } else if (s.op === 'update') {
      // Masked secrets compare equal, so a drifted secret shows as a modified resource
      // without visible fields rather than not at all.
      const fields = fieldDiff(userFields(s.oldInputs), userFields(s.newInputs)).map((f) => ({
        path: f.path,
        desired: shown(f.before),
        actual: shown(f.after),
      }));
      drifted.push({ urn: s.urn, type: s.type, name: s.name, kind: 'modified', fields });
    }
  }
  return drifted;
}

/** A stable fingerprint of what drifted, so the same drift alerts once, not on every check. */
export function driftFingerprint(resources: readonly DriftedResource[]): string {
  return JSON.stringify(resources.map((r) => [r.urn, r.kind, r.fields.map((f) => [f.path, f.actual])]));
}

/** A value in a drift line; an absent field reads as such, not as "undefined". */
function show(v: unknown): string {
  return v === undefined ? '(absent)' : JSON.stringify(v);
}

/** One line per drifted field, e.g. `~ orders-queue queue: visibilityTimeoutSeconds desired 30, actual 120`. */
export function formatDrift(report: DriftReport): string[] {
  return report.resources.flatMap((r) =>
    r.kind === 'deleted'
      ? [`- ${report.stack} ${r.type} ${r.name}: deleted out-of-band`]
      : r.fields.length === 0
        ? [`~ ${report.stack} ${r.type} ${r.name}: modified out-of-band (the changed values are secret)`]
        : r.fields.map((f) => `~ ${report.stack} ${r.type} ${r.name}: ${f.path} desired ${show(f.desired)}, actual ${show(f.actual)}`),
  );
}

import type { ResourceStep } from '../run/stack-runner.js';
import { fieldDiff } from './field-diff.js';

/** One field whose live value differs from what Git (through the last apply) wants. */
export interface DriftedField {
  path: string;
  /** Value from Git, as last applied. */
  desired: unknown;
  /** Value in the cloud now. */
  actual: unknown;
  /** Listed in spec.drift.ignore: reported, but no drift (no alert, no remediation). Absent otherwise. */
  ignored?: true;
}

/** One resource that changed behind Git's back. */
export interface DriftedResource {
  urn: string;
  type: string;
  name: string;
  /** modified: fields differ; deleted: the resource is gone from the cloud. */
  kind: 'modified' | 'deleted';
  fields: DriftedField[];
  /** Every field that drifted is ignored: the resource does not count as drifted. Absent otherwise. */
  ignored?: true;
}

/** The drift of one stack at one check. A value: remediation is a separate decision. */
export interface DriftReport {
  environment: string;
  stack: string;
  revision: string;
  checkedAt: string;
  /** Whether anything not ignored drifted. */
  drifted: boolean;
  /** Every resource that changed behind Git's back, ignored ones included (marked). */
  resources: DriftedResource[];
  /** Fields that drifted but are listed in spec.drift.ignore; absent when none. */
  ignoredFields?: number;
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

/** The drift that counts: resources not ignored, each with only its fields not ignored. */
export function countedDrift(resources: readonly DriftedResource[]): DriftedResource[] {
  return resources
    .filter((r) => !r.ignored)
    .map((r) => (r.fields.some((f) => f.ignored) ? { ...r, fields: r.fields.filter((f) => !f.ignored) } : r));
}

/**
 * A stable fingerprint of what drifted, so the same drift alerts once, not on every check.
 * Ignored fields are left out: their changing alerts nothing.
 */
export function driftFingerprint(resources: readonly DriftedResource[]): string {
  return JSON.stringify(countedDrift(resources).map((r) => [r.urn, r.kind, r.fields.map((f) => [f.path, f.actual])]));
}

/** A value in a drift line; an absent field reads as such, not as "undefined". */
function show(v: unknown): string {
  return v === undefined ? '(absent)' : JSON.stringify(v);
}

/**
 * One line per drifted field, e.g. `~ orders-queue queue: visibilityTimeoutSeconds desired 30, actual 120`.
 * Ignored fields are left out unless `withIgnored`, which prints them as
 * `= … (ignored by drift.ignore)`.
 */
export function formatDrift(report: DriftReport, opts: { withIgnored?: boolean } = {}): string[] {
  return report.resources.flatMap((r) => {
    if (r.kind === 'deleted') return [`- ${report.stack} ${r.type} ${r.name}: deleted out-of-band`];
    if (r.fields.length === 0) return [`~ ${report.stack} ${r.type} ${r.name}: modified out-of-band (the changed values are secret)`];
    return r.fields
      .filter((f) => opts.withIgnored || !f.ignored)
      .map(
        (f) =>
          `${f.ignored ? '=' : '~'} ${report.stack} ${r.type} ${r.name}: ${f.path} desired ${show(f.desired)}, actual ${show(f.actual)}${f.ignored ? ' (ignored by drift.ignore)' : ''}`,
      );
  });
}

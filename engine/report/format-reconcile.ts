import type { ReconcileResult, StackOutcome } from '../run/reconcile.js';
import type { ResourceStep } from '../run/stack-runner.js';
import type { ChangeCounts } from '../model/index.js';
import { fieldDiff, type FieldChange } from '../drift/field-diff.js';

/** A resource change as reports show it: no raw state, only the fields that differ. */
export interface ReportedStep {
  urn: string;
  type: string;
  name: string;
  op: string;
  fields: FieldChange[];
}

/** The JSON form of a reconcile result (`--json`). */
export interface ReconcileReport {
  environment: string;
  revision: string;
  operation: string;
  pulumiOperations: number;
  changes: boolean;
  stacks: (Omit<StackOutcome, 'steps'> & { steps: ReportedStep[] })[];
}

const OP_SYMBOL: Record<string, string> = {
  create: '+',
  update: '~',
  replace: '+-',
  'create-replacement': '+-',
  'delete-replaced': '-',
  delete: '-',
  same: ' ',
  refresh: '~',
};

/** Drops Pulumi's own keys (`__defaults`, `__meta`…) so reports show only user-facing fields. */
function withoutBookkeeping(props: Record<string, unknown> | undefined): Record<string, unknown> | undefined {
  return props && Object.fromEntries(Object.entries(props).filter(([k]) => !k.startsWith('__')));
}

/** Steps that change something, each with its field-level changes. */
export function reportedSteps(steps: readonly ResourceStep[]): ReportedStep[] {
  return steps
    .filter((s) => s.op !== 'same' && s.op !== 'read')
    .map((s) => ({
      urn: s.urn,
      type: s.type,
      name: s.name,
      op: s.op,
      fields: s.op === 'create' || s.op === 'delete' ? [] : fieldDiff(withoutBookkeeping(s.oldInputs), withoutBookkeeping(s.newInputs)),
    }));
}

/** The structured report of a reconcile. */
export function reconcileReport(r: ReconcileResult): ReconcileReport {
  return {
    environment: r.environment,
    revision: r.revision,
    operation: r.operation,
    pulumiOperations: r.pulumiOperations,
    changes: r.stacks.some((s) => reportedSteps(s.steps).length > 0),
    stacks: r.stacks.map((s) => ({ ...s, steps: reportedSteps(s.steps) })),
  };
}

/** `create 1, update 2` (leaving out unchanged resources), or `no changes`. */
export function formatCounts(c: ChangeCounts): string {
  const parts = Object.entries(c)
    .filter(([op, n]) => op !== 'same' && (n ?? 0) > 0)
    .map(([op, n]) => `${op} ${n}`);
  return parts.length > 0 ? parts.join(', ') : 'no changes';
}

function formatValue(v: unknown): string {
  if (v === undefined) return '(unset)';
  const s = typeof v === 'string' ? JSON.stringify(v) : JSON.stringify(v);
  return s.length > 120 ? s.slice(0, 117) + '...' : s;
}

/** Readable text of a reconcile: one block per stack, one line per changed field. */
export function formatReconcileText(r: ReconcileResult): string {
  const lines = [`driftless ${r.operation} ${r.environment} @ ${r.revision}`];
  for (const s of r.stacks) {
    const head = `${s.outcome.padEnd(9)} ${s.stack}`;
    const detail = ['unchanged', 'blocked', 'orphaned', 'failed'].includes(s.outcome)
      ? s.reason
      : `${s.reason}; ${formatCounts(s.changes)}${s.durationMs ? ` (${(s.durationMs / 1000).toFixed(1)} s)` : ''}`;
    lines.push(`${head}: ${detail}`);
    if (s.error) lines.push(...s.error.split('\n').map((l) => `    error [${s.errorKind}]: ${l}`));
    for (const step of reportedSteps(s.steps)) {
      lines.push(`    ${(OP_SYMBOL[step.op] ?? '?').padEnd(2)} ${step.op} ${step.type} ${step.name}`);
      for (const f of step.fields) lines.push(`          ${f.path}: ${formatValue(f.before)} => ${formatValue(f.after)}`);
    }
  }
  const applied = r.stacks.filter((s) => s.outcome === 'applied' || s.outcome === 'previewed').length;
  const failed = r.stacks.filter((s) => s.outcome === 'failed' || s.outcome === 'blocked').length;
  lines.push(
    `${r.stacks.length} stack(s): ${applied} ${r.operation === 'preview' ? 'previewed' : 'applied'}, ${r.stacks.filter((s) => s.outcome === 'unchanged').length} unchanged, ${failed} failed or blocked; ${r.pulumiOperations} Pulumi operation(s)`,
  );
  return lines.join('\n') + '\n';
}

import { conditionOf, type Condition, type EnvironmentStatus } from '../model/index.js';

/**
 * The condition that says most about an environment: Stalled when it holds (someone must
 * act, or retries are exhausted), else Reconciling when it holds (an up runs or a retry is
 * scheduled), else Ready.
 */
export function headlineCondition(s: EnvironmentStatus): Condition | undefined {
  const stalled = conditionOf(s, 'Stalled');
  if (stalled?.status === 'True') return stalled;
  const reconciling = conditionOf(s, 'Reconciling');
  if (reconciling?.status === 'True') return reconciling;
  return conditionOf(s, 'Ready');
}

const time = (iso: string | undefined) => (iso ? iso.replace(/\.\d{3}Z$/, 'Z') : '-');

/** `flux get kustomizations`-style table: NAME REVISION READY REASON MESSAGE NEXT-RETRY NEXT-DRIFT. */
export function formatStatusTable(statuses: readonly EnvironmentStatus[]): string {
  const rows = [
    ['NAME', 'REVISION', 'READY', 'REASON', 'MESSAGE', 'NEXT-RETRY', 'NEXT-DRIFT'],
    ...statuses.map((s) => {
      const head = headlineCondition(s);
      const ready = conditionOf(s, 'Ready');
      // The failing commit while there is one, else the applied one.
      const revision = ready?.status === 'True' ? s.lastAppliedRevision : (s.lastAttemptedRevision ?? s.lastAppliedRevision);
      const message = (head?.message || ready?.message || '').split('\n')[0] ?? '';
      return [
        s.environment,
        revision ? revision.slice(0, 12) : '-',
        ready?.status ?? 'Unknown',
        head?.reason ?? '-',
        message.length > 100 ? `${message.slice(0, 97)}...` : message,
        time(s.nextRetryAt),
        time(s.nextDriftCheckAt),
      ];
    }),
  ];
  const widths = rows[0]?.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length))) ?? [];
  return rows.map((r) => r.map((cell, i) => (i === r.length - 1 ? cell : cell.padEnd(widths[i] ?? 0))).join('  ')).join('\n') + '\n';
}

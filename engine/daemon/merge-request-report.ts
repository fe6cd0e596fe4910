import { formatMessage } from '../load/index.js';
import type { ChangeCounts } from '../model/index.js';
import type { ReconcileReport } from '../report/format-reconcile.js';
import type { PreviewReport } from './preview-report.js';

/** One environment's commit status: state and one line. */
export interface EnvironmentStatus {
  environment: string;
  state: 'success' | 'failure';
  description: string;
}

const ORDER = ['update', 'create', 'replace', 'delete'];
const rank = (op: string) => (ORDER.includes(op) ? ORDER.indexOf(op) : ORDER.length);

/** `2 to update, 1 to create`, or `no changes`. */
export function countsPhrase(c: ChangeCounts, verb: 'to' | 'done' = 'to'): string {
  const past: Record<string, string> = { update: 'updated', create: 'created', replace: 'replaced', delete: 'deleted' };
  const parts = Object.entries(c)
    .filter(([op, n]) => op !== 'same' && (n ?? 0) > 0)
    .sort(([a], [b]) => rank(a) - rank(b))
    .map(([op, n]) => (verb === 'to' ? `${n} to ${op}` : `${n} ${past[op] ?? op}`));
  return parts.length > 0 ? parts.join(', ') : 'no changes';
}

function sumCounts(stacks: readonly { changes: ChangeCounts }[]): ChangeCounts {
  const total: Record<string, number> = {};
  for (const s of stacks) for (const [op, n] of Object.entries(s.changes)) total[op] = (total[op] ?? 0) + (n ?? 0);
  return total;
}

/** The status of each environment of a preview report. */
export function previewStatuses(r: PreviewReport): EnvironmentStatus[] {
  return r.environments.map((e) => {
    if (!e.valid) {
      const first = e.messages.find((m) => m.severity === 'error') ?? e.messages[0];
      const more = e.messages.filter((m) => m.severity === 'error').length - 1;
      return {
        environment: e.environment,
        state: 'failure' as const,
        description: `invalid: ${first ? formatMessage(first) : 'see the report'}${more > 0 ? ` (+${more} more)` : ''}`,
      };
    }
    return deployOrPreviewStatus(e.environment, e.preview);
  });
}

/** A reconcile's status line: the first failure, or the change counts. */
export function deployOrPreviewStatus(environment: string, r: ReconcileReport | undefined, verb: 'to' | 'done' = 'to'): EnvironmentStatus {
  const failed = r?.stacks.find((s) => s.outcome === 'failed' || s.outcome === 'blocked');
  if (failed)
    return {
      environment,
      state: 'failure',
      description: `${failed.stack}: ${(failed.error ?? failed.reason).split('\n')[0] ?? failed.outcome}`,
    };
  return { environment, state: 'success', description: countsPhrase(sumCounts(r?.stacks ?? []), verb) };
}

function value(v: unknown): string {
  const s = v === undefined ? '(unset)' : JSON.stringify(v);
  return (s.length > 200 ? s.slice(0, 197) + '...' : s).replace(/`/g, "'");
}

/** Per stack a collapsible block with its resources and `field: old => new` lines. */
export function stackDetails(r: ReconcileReport, verb: 'to' | 'done'): string[] {
  const lines: string[] = [];
  for (const s of r.stacks) {
    const failed = s.outcome === 'failed' || s.outcome === 'blocked';
    const head = failed ? `${s.outcome}` : s.steps.length === 0 ? 'no changes' : countsPhrase(s.changes, verb);
    lines.push(
      `<details${failed || s.steps.length > 0 ? ' open' : ''}><summary><b>${r.environment} / ${s.stack}</b>: ${head}</summary>`,
      '',
    );
    if (s.error) lines.push('```', ...s.error.split('\n').slice(0, 40), '```', '');
    for (const step of s.steps) {
      lines.push(`- \`${step.op}\` ${step.type} **${step.name}**`);
      for (const f of step.fields) lines.push(`  - \`${f.path}: ${value(f.before)} => ${value(f.after)}\``);
    }
    lines.push('', '</details>', '');
  }
  return lines;
}

/** Where a preview was computed from, per environment: the deploy branch and its last applied commit. */
export interface PreviewBase {
  environment: string;
  deployBranch: string;
  revision: string | undefined;
}

const short = (sha: string | undefined) => (sha ? sha.slice(0, 12) : '(none yet)');

/** THE merge-request comment of a preview report (without the marker). */
export function previewComment(r: PreviewReport, bases: readonly PreviewBase[], reportUrl: string | undefined): string {
  const statuses = previewStatuses(r);
  const lines = [
    `## driftless preview of \`${r.branch}\` @ \`${short(r.revision)}\``,
    '',
    '| environment | result | computed against |',
    '|---|---|---|',
  ];
  for (const s of statuses) {
    const b = bases.find((x) => x.environment === s.environment);
    lines.push(
      `| ${s.environment} | ${s.state === 'success' ? '✅' : '❌'} ${s.description.replace(/\|/g, '\\|')} | base \`${short(b?.revision)}\` (${b?.deployBranch ?? 'main'}) |`,
    );
  }
  lines.push('');
  for (const e of r.environments) {
    const b = bases.find((x) => x.environment === e.environment);
    lines.push(
      `### ${e.environment}`,
      '',
      `Computed against base commit \`${short(b?.revision)}\` (last applied on \`${b?.deployBranch ?? 'main'}\`).`,
      '',
    );
    if (!e.valid) {
      lines.push('**Invalid: nothing would be applied from this commit.**', '', '```', ...e.messages.map(formatMessage), '```', '');
      continue;
    }
    if (e.preview) lines.push(...stackDetails(e.preview, 'to'));
  }
  lines.push(`Commit by ${r.author} · ${reportUrl ? `[full report](${reportUrl}) · ` : ''}generated ${r.generatedAt}`, '');
  return lines.join('\n');
}

/** THE merge-request comment after a deploy: `applied at <sha>: …` or the failure, per environment. */
export function deployComment(
  sha: string,
  environments: readonly { environment: string; report: ReconcileReport }[],
  runsUrl: string | undefined,
): string {
  const statuses = environments.map((e) => deployOrPreviewStatus(e.environment, e.report, 'done'));
  const failed = statuses.some((s) => s.state === 'failure');
  const summary = statuses.map((s) => `${s.environment}: ${s.description}`).join('; ');
  const lines = [
    failed ? `## driftless: applying \`${short(sha)}\` failed: ${summary}` : `## driftless: applied at \`${short(sha)}\`: ${summary}`,
    '',
  ];
  for (const e of environments) lines.push(...stackDetails(e.report, 'done'));
  if (runsUrl) lines.push(`[runs of this commit](${runsUrl})`, '');
  return lines.join('\n');
}

import { formatMessage, type ValidationMessage } from '../load/index.js';
import { formatCounts, reconcileReport, type ReconcileReport } from '../report/format-reconcile.js';
import type { ReconcileResult } from '../run/reconcile.js';

/** One environment in a branch's preview: its validation errors, or what `up` would do. */
export interface EnvironmentPreview {
  environment: string;
  messages: ValidationMessage[];
  /** Absent when the environment is invalid at this commit (nothing was previewed). */
  result?: ReconcileResult;
}

/** The JSON form of a branch's preview report. */
export interface PreviewReport {
  branch: string;
  revision: string;
  author: string;
  generatedAt: string;
  /** True when any environment would change or is invalid. */
  changes: boolean;
  environments: { environment: string; valid: boolean; messages: ValidationMessage[]; preview?: ReconcileReport }[];
}

function cell(v: unknown): string {
  const s = v === undefined ? '(unset)' : JSON.stringify(v);
  return (s.length > 80 ? s.slice(0, 77) + '...' : s).replace(/\|/g, '\\|');
}

/** Markdown a merge request can show: per stack, the resources and fields that change. */
export function previewMarkdown(r: PreviewReport): string {
  const lines = [`## driftless preview of \`${r.branch}\` @ \`${r.revision.slice(0, 12)}\``, '', `Commit by ${r.author}.`, ''];
  for (const e of r.environments) {
    lines.push(`### ${e.environment}`, '');
    if (!e.valid) {
      lines.push('**Invalid: nothing would be applied from this commit.**', '', '```', ...e.messages.map(formatMessage), '```', '');
      continue;
    }
    for (const s of e.preview?.stacks ?? []) {
      lines.push(
        `- **${s.stack}**: ${s.outcome}${s.outcome === 'previewed' ? ` (${formatCounts(s.changes)})` : ''}${s.error ? ` — ${s.error.split('\n')[0]}` : ''}`,
      );
      for (const step of s.steps) {
        lines.push(`  - \`${step.op}\` ${step.type} \`${step.name}\``);
        if (step.fields.length > 0) {
          lines.push('', '    | field | before | after |', '    |---|---|---|');
          for (const f of step.fields) lines.push(`    | \`${f.path}\` | ${cell(f.before)} | ${cell(f.after)} |`);
          lines.push('');
        }
      }
    }
    lines.push('');
  }
  return lines.join('\n');
}

/** Builds the report of one branch at one commit. */
export function buildPreviewReport(input: {
  branch: string;
  revision: string;
  author: string;
  at: Date;
  environments: EnvironmentPreview[];
}): { json: PreviewReport; markdown: string } {
  const environments = input.environments.map((e) => {
    const preview = e.result ? reconcileReport(e.result) : undefined;
    return { environment: e.environment, valid: e.result !== undefined, messages: e.messages, ...(preview ? { preview } : {}) };
  });
  const json: PreviewReport = {
    branch: input.branch,
    revision: input.revision,
    author: input.author,
    generatedAt: input.at.toISOString(),
    changes: environments.some((e) => !e.valid || e.preview?.changes === true),
    environments,
  };
  return { json, markdown: previewMarkdown(json) };
}

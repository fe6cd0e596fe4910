import { parseArgs } from 'node:util';
import { DriftChecker, driftCheckFailed, driftFound, type DriftCheckResult } from '../../drift/drift-checker.js';
import { formatDrift } from '../../drift/drift-report.js';
import { openEngine } from '../../main/engine.js';
import { NotificationHub, notifiersFrom } from '../../notify/notifier.js';
import { checkEnvironmentDrift } from '../../drift/check-environment-drift.js';
import { ExitCode, printJson, type Command } from '../command.js';
import { environmentOptions, environmentOptionsUsage, selectEnvironment } from '../environment-args.js';

/** Readable text of a drift check: one line per stack, then one per drifted field. */
export function formatDriftText(r: DriftCheckResult): string {
  const lines = [`driftless drift ${r.environment} @ ${r.revision}`];
  for (const s of r.stacks) {
    lines.push(`${s.status.padEnd(18)} ${s.stack}${s.reason ? `: ${s.reason}` : ''}${s.error ? `: ${s.error.split('\n')[0]}` : ''}`);
    if (s.report?.drifted || s.report?.ignoredFields) lines.push(...formatDrift(s.report, { withIgnored: true }).map((l) => `    ${l}`));
  }
  const drifted = r.stacks.filter((s) => s.report?.drifted).length;
  const remediated = r.stacks.filter((s) => s.status === 'remediated').length;
  const ignored = r.stacks.reduce((n, s) => n + (s.report?.ignoredFields ?? 0), 0);
  lines.push(
    `${r.stacks.length} stack(s) checked: ${drifted} drifted, ${remediated} remediated${ignored > 0 ? `, ${ignored} ignored field(s)` : ''}`,
  );
  return lines.join('\n') + '\n';
}

/** `driftless drift --env E [--stack S] [--remediate] [--json]`. */
export const driftCommand: Command = {
  name: 'drift',
  usage: `usage: driftless drift --env E [--stack S] [--remediate] [--json]

Refreshes live state in preview mode and reports every resource changed or deleted
behind Git's back, field by field: desired (Git) and actual (cloud). Without --remediate
it changes nothing, whatever the stacks' drift mode (the daemon's scheduled checks are
what remediates stacks in remediate mode). Fields listed in spec.drift.ignore are shown
as ignored and do not count as drift.

${environmentOptionsUsage}
  --remediate  put back every drifted stack (whatever its mode) with up --refresh and
               check it again; refused for a stack whose last up failed, while Git's
               state is invalid, or while Git holds changes not applied yet

exit: 0 no drift (or only ignored fields), 2 drift found (even if remediated), 1 error`,
  async run(argv, io) {
    const { values } = parseArgs({ args: argv, options: { ...environmentOptions, remediate: { type: 'boolean', default: false } } });
    const selected = await selectEnvironment(values, io, 'drift');
    if (!selected) return ExitCode.error;
    const engine = openEngine(values['state-dir'] ? { stateDir: values['state-dir'] } : {});
    try {
      const { environment, revision } = selected;
      const { notifiers, problems } = notifiersFrom(environment.spec.notifications, engine.log);
      for (const p of problems) engine.log.warn(p);
      const checker = new DriftChecker({
        store: engine.store,
        runner: engine.runner,
        reconciler: engine.reconciler,
        notifier: new NotificationHub(notifiers, engine.log),
        log: engine.log,
      });
      const result = await checkEnvironmentDrift(checker, {
        environment,
        revision,
        trigger: 'cli',
        stateDir: engine.stateDir,
        baseDir: process.cwd(),
        awsEndpointOverride: process.env.DRIFTLESS_AWS_ENDPOINT,
        only: values.stack,
        remediation: values.remediate ? 'all' : 'none',
        allowRemediation: true,
        plugins: selected.plugins,
      });
      if (values.json) printJson(io, result);
      else io.out(formatDriftText(result));
      if (driftCheckFailed(result)) return ExitCode.error;
      return driftFound(result) ? ExitCode.changes : ExitCode.ok;
    } finally {
      await engine.close();
    }
  },
};

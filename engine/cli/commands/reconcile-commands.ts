import { parseArgs } from 'node:util';
import { openEngine } from '../../main/engine.js';
import { formatReconcileText, reconcileReport } from '../../report/format-reconcile.js';
import { resultFailed, resultHasChanges } from '../../run/reconcile.js';
import { bindOperation, reconcileEnvironment } from '../../run/reconcile-environment.js';
import { ExitCode, printJson, type Command, type CommandIO } from '../command.js';
import { environmentOptions, environmentOptionsUsage, selectEnvironment } from '../environment-args.js';

/** Runs `up` or `preview` on an environment through the reconciler. */
async function reconcileCommand(operation: 'up' | 'preview', argv: string[], io: CommandIO): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      ...environmentOptions,
      refresh: { type: 'boolean', default: false },
      'detailed-exitcode': { type: 'boolean', default: operation === 'preview' },
    },
  });
  const selected = await selectEnvironment(values, io, operation);
  if (!selected) return ExitCode.error;
  const engine = openEngine(values['state-dir'] ? { stateDir: values['state-dir'] } : {});
  const abort = new AbortController();
  const onSignal = () => abort.abort();
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    const { environment, revision } = selected;
    const result = await reconcileEnvironment(engine.reconciler, {
      environment,
      revision,
      operation,
      trigger: 'cli',
      stateDir: engine.stateDir,
      baseDir: process.cwd(),
      awsEndpointOverride: process.env.DRIFTLESS_AWS_ENDPOINT,
      refresh: values.refresh,
      only: values.stack,
      signal: abort.signal,
      plugins: selected.plugins,
      audit: selected.audit,
    });
    if (values.json) printJson(io, reconcileReport(result));
    else io.out(formatReconcileText(result));
    if (resultFailed(result)) return ExitCode.error;
    return values['detailed-exitcode'] && resultHasChanges(result) ? ExitCode.changes : ExitCode.ok;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    await engine.close();
  }
}

/** `driftless up --env E [--stack S]`. */
export const upCommand: Command = {
  name: 'up',
  usage: `usage: driftless up --env E [--stack S] [--refresh] [--json]

Applies every stack whose spec, template version or dependency outputs changed since
its last successful apply; unchanged stacks start no Pulumi at all.

${environmentOptionsUsage}
  --refresh            refresh live state first, so drift is reverted too
  --detailed-exitcode  exit 2 when changes were applied

exit: 0 success, 1 a stack failed or the environment is invalid, 2 changes (with --detailed-exitcode)`,
  run: (argv, io) => reconcileCommand('up', argv, io),
};

/** `driftless preview --env E [--stack S]`. */
export const previewCommand: Command = {
  name: 'preview',
  usage: `usage: driftless preview --env E [--stack S] [--refresh] [--json]

Previews the stacks that up would act on; nothing is changed.

${environmentOptionsUsage}
  --refresh  refresh live state first, so the preview includes reverting drift

exit: 0 no changes, 2 changes, 1 error`,
  run: (argv, io) => reconcileCommand('preview', argv, io),
};

/** `driftless destroy --env E --stack S --yes`. */
export const destroyCommand: Command = {
  name: 'destroy',
  usage: `usage: driftless destroy --env E --stack S --yes [--json]

${environmentOptionsUsage}
  --yes  required: destroying is never implicit`,
  async run(argv, io) {
    const { values } = parseArgs({ args: argv, options: { ...environmentOptions, yes: { type: 'boolean', default: false } } });
    if (values.stack?.length !== 1) {
      io.err('driftless destroy: name exactly one --stack\n');
      return ExitCode.error;
    }
    if (!values.yes) {
      io.err(`driftless destroy: this deletes every resource of stack ${values.stack[0]}; add --yes to confirm\n`);
      return ExitCode.error;
    }
    const selected = await selectEnvironment(values, io, 'destroy');
    if (!selected) return ExitCode.error;
    const engine = openEngine(values['state-dir'] ? { stateDir: values['state-dir'] } : {});
    try {
      const { environment, revision } = selected;
      const stack = values.stack[0] as string;
      const bound = bindOperation({
        environment,
        revision,
        trigger: 'cli',
        stateDir: engine.stateDir,
        baseDir: process.cwd(),
        awsEndpointOverride: process.env.DRIFTLESS_AWS_ENDPOINT,
        plugins: selected.plugins,
      });
      const outcome = await engine.reconciler.destroy({
        environment: environment.name,
        revision,
        trigger: 'cli',
        stack,
        target: bound.removedTarget(stack),
      });
      if (values.json) printJson(io, outcome);
      else io.out(`${outcome.outcome} ${stack}${outcome.error ? `: ${outcome.error}` : ''}\n`);
      return outcome.outcome === 'destroyed' ? ExitCode.ok : ExitCode.error;
    } finally {
      await engine.close();
    }
  },
};

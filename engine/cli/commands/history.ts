import { parseArgs } from 'node:util';
import { openEngine } from '../../main/engine.js';
import { formatCounts } from '../../report/format-reconcile.js';
import { ExitCode, printJson, type Command } from '../command.js';

/** `driftless history`: the recorded runs, newest first. */
export const historyCommand: Command = {
  name: 'history',
  usage: `usage: driftless history [--env E] [--stack S] [--revision R] [--limit N] [--json]`,
  async run(argv, io) {
    const { values } = parseArgs({
      args: argv,
      options: {
        env: { type: 'string' },
        stack: { type: 'string' },
        revision: { type: 'string' },
        limit: { type: 'string', default: '50' },
        'state-dir': { type: 'string' },
        json: { type: 'boolean', default: false },
      },
    });
    const limit = Number(values.limit);
    if (!Number.isInteger(limit) || limit < 1) {
      io.err(`driftless history: --limit must be a positive whole number, got "${values.limit}"\n`);
      return ExitCode.error;
    }
    const engine = openEngine(values['state-dir'] ? { stateDir: values['state-dir'] } : {});
    try {
      const runs = engine.store.listRuns({
        limit,
        ...(values.env ? { environment: values.env } : {}),
        ...(values.stack ? { stack: values.stack } : {}),
        ...(values.revision ? { revision: values.revision } : {}),
      });
      if (values.json) printJson(io, runs);
      else if (runs.length === 0) io.out('no runs recorded\n');
      else
        for (const r of runs) {
          io.out(
            `${r.finishedAt}  ${r.environment}/${r.stack}  ${r.operation.padEnd(9)} ${r.result.padEnd(9)} ${r.revision.slice(0, 12)}  ${r.trigger}  ${r.result === 'failed' ? `[${r.errorKind}] ${r.error?.split('\n')[0] ?? ''}` : formatCounts(r.changes)}  (${r.reason ?? ''}, ${(r.durationMs / 1000).toFixed(1)} s)\n`,
          );
        }
      return ExitCode.ok;
    } finally {
      engine.close();
    }
  },
};

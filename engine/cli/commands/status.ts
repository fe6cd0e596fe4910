import { parseArgs } from 'node:util';
import { formatStatusTable } from '../../report/format-status.js';
import { openStoresFor } from '../daemon-stores-arg.js';
import { ExitCode, printJson, type Command } from '../command.js';

/** `driftless status`: each environment's persisted status, as the daemon last wrote it. */
export const statusCommand: Command = {
  name: 'status',
  usage: `usage: driftless status [--env E] [--json] [--state-dir D | --config daemon.yaml]

Each environment's status as the daemon keeps it (in its state folder, or with --config
wherever that configuration keeps it: the replicas' PostgreSQL): the conditions
Ready, Reconciling, Stalled and Drifted (status, reason, message, since when), the last
attempted and applied commits, failures in a row, the next retry and the next drift check.

  NAME  REVISION  READY  REASON  MESSAGE  NEXT-RETRY  NEXT-DRIFT

REASON is Stalled's when it holds, else Reconciling's when it holds, else Ready's.

exit: 0 printed, 1 no status (for E)`,
  async run(argv, io) {
    const { values } = parseArgs({
      args: argv,
      options: {
        env: { type: 'string' },
        json: { type: 'boolean', default: false },
        'state-dir': { type: 'string' },
        config: { type: 'string' },
      },
    });
    const opened = await openStoresFor('status', values);
    if (!opened.ok) {
      io.err(`${opened.message}\n`);
      return ExitCode.error;
    }
    const store = opened.stores.daemon;
    try {
      const statuses = (await store.listStatuses()).filter((s) => values.env === undefined || s.environment === values.env);
      if (values.env !== undefined && statuses.length === 0) {
        const known = (await store.listStatuses()).map((s) => s.environment);
        io.err(`driftless status: no status for environment ${values.env} (known: ${known.join(', ') || 'none'})\n`);
        return ExitCode.error;
      }
      if (values.json) printJson(io, values.env !== undefined ? statuses[0] : statuses);
      else if (statuses.length === 0) io.out('no environment status recorded\n');
      else io.out(formatStatusTable(statuses));
      return ExitCode.ok;
    } finally {
      await opened.stores.close();
    }
  },
};

import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { formatStatusTable } from '../../report/format-status.js';
import { SqliteDaemonStore } from '../../store/sqlite-daemon-store.js';
import { defaultStateDir } from '../../toolchain/paths.js';
import { ExitCode, printJson, type Command } from '../command.js';

/** `driftless status`: each environment's persisted status, as the daemon last wrote it. */
export const statusCommand: Command = {
  name: 'status',
  usage: `usage: driftless status [--env E] [--json] [--state-dir D]

Each environment's status as the daemon keeps it (in its state folder): the conditions
Ready, Reconciling, Stalled and Drifted (status, reason, message, since when), the last
attempted and applied commits, failures in a row, the next retry and the next drift check.

  NAME  REVISION  READY  REASON  MESSAGE  NEXT-RETRY  NEXT-DRIFT

REASON is Stalled's when it holds, else Reconciling's when it holds, else Ready's.

exit: 0 printed, 1 no status (for E)`,
  async run(argv, io) {
    const { values } = parseArgs({
      args: argv,
      options: { env: { type: 'string' }, json: { type: 'boolean', default: false }, 'state-dir': { type: 'string' } },
    });
    const file = join(values['state-dir'] ?? defaultStateDir(), 'driftless.db');
    if (!existsSync(file)) {
      io.err(`driftless status: no daemon state in ${file} (has the daemon run with this state folder?)\n`);
      return ExitCode.error;
    }
    const store = new SqliteDaemonStore(file);
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
      await store.close();
    }
  },
};

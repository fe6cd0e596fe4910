import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { SqliteDaemonStore } from '../../store/sqlite-daemon-store.js';
import { defaultStateDir } from '../../toolchain/paths.js';
import { ExitCode, printJson, type Command } from '../command.js';

/** `driftless report --branch B`: the daemon's preview report of a branch, from the run store. */
export const reportCommand: Command = {
  name: 'report',
  usage: `usage: driftless report --branch B [--json] [--state-dir D]

Prints the preview report the daemon wrote for branch B (Markdown, or JSON with --json).

exit: 0 report printed, 1 no report for that branch`,
  async run(argv, io) {
    const { values } = parseArgs({
      args: argv,
      options: { branch: { type: 'string' }, json: { type: 'boolean', default: false }, 'state-dir': { type: 'string' } },
    });
    if (!values.branch) {
      io.err('driftless report: --branch is required\n');
      return ExitCode.error;
    }
    const store = new SqliteDaemonStore(join(values['state-dir'] ?? defaultStateDir(), 'driftless.db'));
    try {
      const report = await store.getReport(values.branch);
      if (!report) {
        const known = await store.reportBranches();
        io.err(`driftless report: no preview report for branch ${values.branch} (reports exist for: ${known.join(', ') || 'none'})\n`);
        return ExitCode.error;
      }
      if (values.json) printJson(io, report.json);
      else io.out(report.markdown + '\n');
      return ExitCode.ok;
    } finally {
      await store.close();
    }
  },
};

import { parseArgs } from 'node:util';
import { openStoresFor } from '../daemon-stores-arg.js';
import { formatCounts } from '../../report/format-reconcile.js';
import type { RunRecord } from '../../model/index.js';
import { ExitCode, printJson, type Command } from '../command.js';

/** `  by Ada <ada@x>, committed by ..., signed by ada@x (ssh SHA256:...)`, or nothing when unknown. */
function whoChanged(r: RunRecord): string {
  const parts = [
    r.author ? `by ${r.author}` : '',
    r.committer && r.committer !== r.author ? `committed by ${r.committer}` : '',
    r.signer ? `signed by ${r.signer.principal} (${r.signer.format} ${r.signer.fingerprint})` : '',
  ].filter((p) => p !== '');
  return parts.length > 0 ? `  ${parts.join(', ')}` : '';
}

/** `driftless history`: the recorded runs, newest first. */
export const historyCommand: Command = {
  name: 'history',
  usage: `usage: driftless history [--env E] [--stack S] [--revision R] [--limit N] [--json] [--state-dir D | --config daemon.yaml]

Each run shows the commit's author, its committer when different, the key that signed it
when the daemon verified the signature (--json: author, committer, signer), and with
replicas the replica that ran it. --config reads the store that daemon configuration
names (the replicas' PostgreSQL, or its state folder).`,
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
        config: { type: 'string' },
      },
    });
    const limit = Number(values.limit);
    if (!Number.isInteger(limit) || limit < 1) {
      io.err(`driftless history: --limit must be a positive whole number, got "${values.limit}"\n`);
      return ExitCode.error;
    }
    const opened = await openStoresFor('history', values);
    if (!opened.ok) {
      io.err(`${opened.message}\n`);
      return ExitCode.error;
    }
    try {
      const runs = await opened.stores.runs.listRuns({
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
            `${r.finishedAt}  ${r.environment}/${r.stack}  ${r.operation.padEnd(9)} ${r.result.padEnd(9)} ${r.revision.slice(0, 12)}  ${r.trigger}  ${r.result === 'failed' ? `[${r.errorKind}] ${r.error?.split('\n')[0] ?? ''}` : formatCounts(r.changes)}  (${r.reason ?? ''}, ${(r.durationMs / 1000).toFixed(1)} s${r.replica ? `, on ${r.replica}` : ''})${whoChanged(r)}\n`,
          );
        }
      return ExitCode.ok;
    } finally {
      await opened.stores.close();
    }
  },
};

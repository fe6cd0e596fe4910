import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { startTestPostgres } from '../../localpg/embedded-postgres.js';
import { ExitCode, type Command } from '../command.js';

/** `driftless dev-postgres`: a local PostgreSQL to try the replicas mode with (never for production). */
export const devPostgresCommand: Command = {
  name: 'dev-postgres',
  usage: `usage: driftless dev-postgres [--data DIR] [--port N]

  Runs a local PostgreSQL (the embedded-postgres development dependency) in the
  foreground until Ctrl-C, and prints the connection string to export for
  store.postgres.urlFromEnv. For trials of several replicas on one machine; in
  production point store.postgres at your own server.

  --data DIR  data folder, kept between runs (default: a temporary one, removed at exit)
  --port N    port (default: a free one)`,
  async run(argv, io) {
    const { values } = parseArgs({ args: argv, options: { data: { type: 'string' }, port: { type: 'string' } } });
    const port = values.port === undefined ? undefined : Number(values.port);
    if (port !== undefined && !(Number.isInteger(port) && port > 0 && port < 65536)) {
      io.err(`driftless dev-postgres: --port must be a port number, got "${values.port}"\n`);
      return ExitCode.error;
    }
    let pg: Awaited<ReturnType<typeof startTestPostgres>>;
    try {
      // A kept data folder keeps its password: a fixed development one (this server is for trials only).
      pg = await startTestPostgres('driftless', {
        ...(port !== undefined ? { port } : {}),
        ...(values.data ? { dataDir: resolve(values.data), password: 'driftless-dev' } : {}),
      });
    } catch (e) {
      io.err(`driftless dev-postgres: ${e instanceof Error ? e.message : String(e)}\n`);
      return ExitCode.error;
    }
    io.out(`PostgreSQL is running. In the shell of each replica:\n  export DRIFTLESS_POSTGRES_URL=${pg.url}\nCtrl-C stops it.\n`);
    await new Promise<void>((done) => {
      process.once('SIGINT', done);
      process.once('SIGTERM', done);
    });
    await pg.dispose();
    io.out('stopped\n');
    return ExitCode.ok;
  },
};

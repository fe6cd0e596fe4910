import { parseArgs } from 'node:util';
import { ensureLocalStack, localstackStatus, stopLocalStack } from '../../localstack/lifecycle.js';
import { ExitCode, printJson, type Command } from '../command.js';

/** `driftless localstack start|stop|status`: the LocalStack that tests and the daemon use. */
export const localstackCommand: Command = {
  name: 'localstack',
  usage: `usage: driftless localstack start|stop|status [--port N] [--json]

  start   start LocalStack on 127.0.0.1:PORT unless one is already healthy there
  stop    stop the LocalStack that driftless started (never a foreign one)
  status  report whether it runs, who started it and which services are up

  --port N  gateway port (default: DRIFTLESS_LOCALSTACK_PORT or 4566)
  --json    machine-readable output`,
  async run(argv, io) {
    const { values, positionals } = parseArgs({
      args: argv,
      allowPositionals: true,
      options: { port: { type: 'string' }, json: { type: 'boolean', default: false } },
    });
    const port = values.port === undefined ? undefined : Number(values.port);
    if (port !== undefined && !(Number.isInteger(port) && port > 0 && port < 65536)) {
      io.err(`driftless localstack: --port must be a port number, got "${values.port}"\n`);
      return ExitCode.error;
    }
    const opts = port === undefined ? {} : { port };
    switch (positionals[0]) {
      case 'start': {
        const r = await ensureLocalStack(opts);
        if (!r.ok) {
          io.err(`driftless localstack start: ${r.message}\n`);
          return ExitCode.error;
        }
        const { endpoint, startedHere, pid, version, services } = r.value;
        const up = Object.keys(services).filter((s) => services[s] !== 'disabled');
        if (values.json) printJson(io, { endpoint, startedHere, pid, version, services: up });
        else
          io.out(
            `${startedHere ? 'started' : 'already running:'} LocalStack ${version} at ${endpoint}${pid ? ` (pid ${pid})` : ''}\nservices: ${up.join(', ')}\n`,
          );
        return ExitCode.ok;
      }
      case 'stop': {
        const r = await stopLocalStack(opts);
        if (values.json) printJson(io, r);
        else io.out(r.reason + '\n');
        return ExitCode.ok;
      }
      case 'status': {
        const s = await localstackStatus(opts);
        if (values.json) printJson(io, s);
        else if (!s.running) io.out(`LocalStack is not running at ${s.endpoint}\n`);
        else
          io.out(
            `LocalStack ${s.version} is running at ${s.endpoint}` +
              (s.managedByDriftless ? ` (started by driftless, pid ${s.pid})` : ' (not started by driftless)') +
              `\nservices: ${Object.entries(s.services)
                .map(([k, v]) => `${k}=${v}`)
                .join(', ')}\n`,
          );
        return s.running ? ExitCode.ok : ExitCode.error;
      }
      default:
        io.err(this.usage + '\n');
        return ExitCode.error;
    }
  },
};

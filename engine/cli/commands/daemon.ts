import { dirname, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { existsSync } from 'node:fs';
import { loadDaemonConfig, resolveTrust } from '../../config/daemon-config.js';
import { builtinExtensions } from '../../daemon/extensions.js';
import { startDaemon } from '../../daemon/main.js';
import { formatMessage } from '../../load/index.js';
import { ensureLocalStack } from '../../localstack/lifecycle.js';
import { createLogger } from '../../log/logger.js';
import { installTemplates } from '../../templates/install.js';
import { projectRoot } from '../../toolchain/paths.js';
import { ExitCode, type Command } from '../command.js';

/**
 * Defaults of `--local` (what `npm start` runs): this repository as the Git source, a
 * LocalStack started for it, file backends under this repository, a short poll.
 * Variables already set win, so each default can still be changed.
 */
function localDefaults(endpoint: string): Record<string, string> {
  return {
    DRIFTLESS_REPOSITORY: projectRoot,
    DRIFTLESS_AWS_ENDPOINT: endpoint,
    DRIFTLESS_BACKEND_BASE_DIR: projectRoot,
    DRIFTLESS_POLL_INTERVAL_SECONDS: '10',
  };
}

/** `driftless daemon [--config file] [--local]`. */
export const daemonCommand: Command = {
  name: 'daemon',
  usage: `usage: driftless daemon [--config daemon.yaml] [--local]

Watches a Git repository: applies each environment's deploy branch with up, previews
every other branch that changes environment files, serves /healthz, /readyz, /metrics,
/api/environments, /api/runs, /api/reports/<branch> and the GitHub/GitLab webhooks.

  --config F  YAML configuration (see docs/daemon.md); environment variables override it
  --local     embedded defaults: this repository, a LocalStack started for it, file backends

Stops gracefully on SIGTERM or SIGINT (a second signal exits at once).`,
  async run(argv, io) {
    const { values } = parseArgs({ args: argv, options: { config: { type: 'string' }, local: { type: 'boolean', default: false } } });
    let env: NodeJS.ProcessEnv = process.env;
    if (values.local) {
      const ls = await ensureLocalStack();
      if (!ls.ok) {
        io.err(`driftless daemon: LocalStack could not be started: ${ls.message}\n`);
        return ExitCode.error;
      }
      env = { ...localDefaults(ls.value.endpoint), ...process.env };
    }
    const loaded = await loadDaemonConfig(values.config ? resolve(values.config) : undefined, env);
    if (!loaded.ok) {
      io.err(loaded.messages.map(formatMessage).join('\n') + '\ndriftless daemon: the configuration is invalid; not started\n');
      return ExitCode.error;
    }
    // Fail closed: a template package that cannot be installed stops the daemon before it
    // touches Git or any stack, naming the package and the reason.
    const baseDir = values.config ? dirname(resolve(values.config)) : process.cwd();
    // Trusted keys are the operator's files, resolved like templates; a missing one stops the daemon (fail closed).
    const trust = resolveTrust(loaded.config.trust, baseDir);
    const missing = [trust.allowedSignersFile, trust.gpgHome].filter((f): f is string => f !== undefined && !existsSync(f));
    if (missing.length > 0) {
      io.err(`${missing.map((f) => `driftless daemon: trusted keys not found: ${f}`).join('\n')}\ndriftless daemon: not started\n`);
      return ExitCode.error;
    }
    const config = { ...loaded.config, trust };
    const installed = await installTemplates(
      { packages: config.templates.packages, from: config.templates.from, baseDir },
      { dir: config.plugins.dir === undefined ? undefined : resolve(baseDir, config.plugins.dir), acquire: config.plugins.acquire },
    );
    if (!installed.ok) {
      io.err(
        `${installed.problems.map((p) => `driftless daemon: ${p}`).join('\n')}\ndriftless daemon: the template installation is refused; not started\n`,
      );
      return ExitCode.error;
    }
    const log = createLogger();
    let running: Awaited<ReturnType<typeof startDaemon>>;
    try {
      running = await startDaemon(config, { log, env, extensions: builtinExtensions(), templates: installed.value });
    } catch (e) {
      // Start-up refusals (a port in use, a database schema newer than this build, PostgreSQL unreachable) are messages, not traces.
      io.err(`driftless daemon: ${e instanceof Error ? e.message : String(e)}; not started\n`);
      return ExitCode.error;
    }
    const { deadlineSeconds } = loaded.config.shutdown;
    return new Promise<number>((done) => {
      let stopping = false;
      const onSignal = (signal: NodeJS.Signals) => {
        if (stopping) {
          log.warn({ signal }, 'second signal: exiting now');
          process.exit(130);
        }
        stopping = true;
        // The last resort if cancelling hangs: the next start clears locks of dead processes.
        setTimeout(
          () => {
            log.error(`still running ${deadlineSeconds} s after ${signal}: exiting anyway`);
            process.exit(ExitCode.error);
          },
          deadlineSeconds * 1000 + 2000,
        ).unref();
        void running.stop(`received ${signal}`).then(
          (clean) => done(clean ? ExitCode.ok : ExitCode.error),
          (e: unknown) => {
            log.error({ err: e instanceof Error ? e.message : String(e) }, 'stopping failed');
            done(ExitCode.error);
          },
        );
      };
      process.on('SIGTERM', onSignal);
      process.on('SIGINT', onSignal);
    });
  },
};

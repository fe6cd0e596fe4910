import { type ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import { projectRoot } from '../../engine/toolchain/paths.js';

/**
 * The built daemon (`driftless daemon --config configFile`) as its own process in `cwd`,
 * at info level in JSON: `logs()` returns its stdout and stderr so far, `exited` resolves
 * with its exit code. `detached` puts it in a process group of its own, so a test can
 * kill it together with the Pulumi processes it started (`process.kill(-pid)`), as a
 * machine that dies would.
 */
export function startDaemonProcess(
  cwd: string,
  configFile: string,
  opts: { env?: NodeJS.ProcessEnv; detached?: boolean } = {},
): { child: ChildProcess; logs: () => string; exited: Promise<number | null> } {
  let logs = '';
  const child = spawn(process.execPath, [join(projectRoot, 'bin', 'driftless-cli.js'), 'daemon', '--config', configFile], {
    cwd,
    env: { ...process.env, ...opts.env, DRIFTLESS_LOG_LEVEL: 'info', DRIFTLESS_LOG_FORMAT: 'json' },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: opts.detached ?? false,
  });
  child.stdout?.on('data', (c: Buffer) => (logs += c.toString()));
  child.stderr?.on('data', (c: Buffer) => (logs += c.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, logs: () => logs, exited };
}

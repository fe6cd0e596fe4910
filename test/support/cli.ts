import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { projectRoot } from '../../engine/toolchain/paths.js';

/** What one run of the built CLI produced. */
export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * Runs the built `driftless` CLI (bin/driftless-cli.js → dist/; tests run on the project's Node 24, so process.execPath is it) as a separate process, the
 * way a user runs it. `npm test` builds dist/ first (pretest).
 */
export function runDriftless(
  args: string[],
  opts: { cwd?: string; env?: Record<string, string>; timeoutMs?: number } = {},
): Promise<CliRun> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [join(projectRoot, 'bin', 'driftless-cli.js'), ...args],
      {
        cwd: opts.cwd ?? projectRoot,
        env: { ...process.env, ...opts.env },
        timeout: opts.timeoutMs ?? 170_000,
        maxBuffer: 64 * 1024 * 1024,
      },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

import { runCli } from '../../engine/cli/main.js';
import type { CliRun } from './cli.js';

/**
 * Runs `driftless <args>` in this process through the same entry the built CLI calls
 * (runCli with stdout/stderr captured), so unit tests check exit codes and output without
 * a build (dist/) or a child process. Relative paths resolve against the current working
 * directory, the project root under vitest, as they do for a user in that folder. For the
 * real process, see runDriftless in ./cli.ts (integration and e2e tiers).
 */
export async function runCliInProcess(args: string[]): Promise<CliRun> {
  let stdout = '';
  let stderr = '';
  const code = await runCli(args, {
    out: (t) => {
      stdout += t;
    },
    err: (t) => {
      stderr += t;
    },
  });
  return { code, stdout, stderr };
}

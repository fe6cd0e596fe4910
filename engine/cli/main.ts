import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { projectRoot } from '../toolchain/paths.js';
import { ExitCode, type CommandIO } from './command.js';
import { commands } from './registry.js';

const version: string = (JSON.parse(readFileSync(join(projectRoot, 'package.json'), 'utf8')) as { version: string }).version;

function help(): string {
  const width = Math.max(...commands.map((c) => c.name.length));
  return `driftless ${version}: GitOps for cloud infrastructure on the Pulumi Automation API

usage: driftless <command> [options]

commands:
${commands.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`).join('\n')}

options:
  --version  print the version
  --help     this text; \`driftless <command> --help\` for a command's options

exit codes: 0 success / no changes, 1 error, 2 changes or drift found (where asked)
`;
}

/** Runs the CLI with arguments (without node and script); resolves to the exit code. */
export async function runCli(argv: string[], io: CommandIO): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    io.out(help());
    return name === undefined ? ExitCode.error : ExitCode.ok;
  }
  if (name === '--version' || name === '-v') {
    io.out(`${version}\n`);
    return ExitCode.ok;
  }
  const entry = commands.find((c) => c.name === name);
  if (!entry) {
    io.err(`driftless: unknown command "${name}"\n\n${help()}`);
    return ExitCode.error;
  }
  const command = await entry.load();
  if (rest.includes('--help') || rest.includes('-h')) {
    io.out(command.usage + '\n');
    return ExitCode.ok;
  }
  try {
    return await command.run(rest, io);
  } catch (e) {
    // parseArgs reports bad options by throwing; that is a usage error, not a crash.
    if ((e as NodeJS.ErrnoException).code?.startsWith('ERR_PARSE_ARGS')) {
      io.err(`driftless ${name}: ${(e as Error).message}\n\n${command.usage}\n`);
      return ExitCode.error;
    }
    // Commands return errors as exit codes; reaching here is a bug or an unclassified
    // external failure, so say which command and keep the stack for the report.
    io.err(`driftless ${name}: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
    return ExitCode.error;
  }
}

/** Where a command writes: stdout for results, stderr for diagnostics. Injected for tests. */
export interface CommandIO {
  out: (text: string) => void;
  err: (text: string) => void;
}

/** One `driftless <name>` subcommand. */
export interface Command {
  name: string;
  /** Full usage text for `driftless <name> --help`. */
  usage: string;
  /** Runs with the arguments after the command name; resolves to the exit code. */
  run(argv: string[], io: CommandIO): Promise<number>;
}

/**
 * A command as the registry lists it: the one-line summary for `driftless --help`, and
 * its implementation loaded only when it runs, so a quick command never pays for the
 * Pulumi SDK, the AWS SDK or SQLite.
 */
export interface CommandEntry {
  name: string;
  summary: string;
  load(): Promise<Command>;
}

/** Exit codes in the Terraform/Pulumi tradition. */
export const ExitCode = {
  ok: 0,
  error: 1,
  /** Changes (preview) or drift found, where a detailed exit code was asked for. */
  changes: 2,
} as const;

/** Writes a value as pretty JSON followed by a newline. */
export function printJson(io: CommandIO, value: unknown): void {
  io.out(JSON.stringify(value, null, 2) + '\n');
}

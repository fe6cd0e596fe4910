/**
 * Whether a process.emitWarning call is of `type`: a string warning carries its type in
 * the second argument (a string or `{ type }`), an Error warning in its name.
 */
function isOfType(type: string, warning: string | Error, opt: unknown): boolean {
  const given = typeof opt === 'string' ? opt : (opt as { type?: string } | undefined)?.type;
  return given === type || (warning instanceof Error && warning.name === type);
}

/**
 * Drops two warnings that are noise in every CLI run and log line, and lets every other
 * warning print:
 * - the AWS SDK's NodeVersionSupportWarning, which it prints in every process that loads a
 *   client when the Node version nears the end of the SDK's support; which Node driftless
 *   runs on is a setup decision (README), not something each run can act on;
 * - Node's ExperimentalWarning for `node:sqlite` ("SQLite is an experimental feature..."),
 *   printed by the Node 24 releases that still flag it, because the stores use it instead
 *   of a native addon on purpose. Only that one: other ExperimentalWarnings still print.
 * Call it before anything imports `node:sqlite` (the warning is emitted on first load).
 */
export function silenceKnownNodeWarnings(): void {
  const emitWarning = process.emitWarning.bind(process) as (...args: unknown[]) => void;
  process.emitWarning = ((warning: string | Error, ...rest: unknown[]) => {
    if (isOfType('NodeVersionSupportWarning', warning, rest[0])) return;
    const message = warning instanceof Error ? warning.message : String(warning);
    if (isOfType('ExperimentalWarning', warning, rest[0]) && /\bSQLite\b/i.test(message)) return;
    emitWarning(warning, ...rest);
  }) as typeof process.emitWarning;
}

/**
 * Drops the AWS SDK's "Node 20 support ends in 2027" warning, which it prints in every
 * process that loads a client. Running on Node 20 is a setup decision (README); repeating
 * it in every CLI run and log is noise. Every other warning still prints.
 */
export function silenceNodeVersionWarning(): void {
  const emitWarning = process.emitWarning.bind(process) as (...args: unknown[]) => void;
  process.emitWarning = ((warning: string | Error, ...rest: unknown[]) => {
    const opt = rest[0];
    const type = typeof opt === 'string' ? opt : (opt as { type?: string } | undefined)?.type;
    if (type === 'NodeVersionSupportWarning' || (warning instanceof Error && warning.name === 'NodeVersionSupportWarning')) return;
    emitWarning(warning, ...rest);
  }) as typeof process.emitWarning;
}

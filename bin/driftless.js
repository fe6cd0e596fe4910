#!/usr/bin/env node
// Entry point of the `driftless` CLI. The engine is TypeScript compiled to dist/ by
// `npm run setup` (or `npm run build`).
import { existsSync } from 'node:fs';

// The AWS SDK warns on every process that Node 20 support ends in 2027; the supported
// versions are a setup decision (see README), not something to repeat in every log.
const emitWarning = process.emitWarning.bind(process);
process.emitWarning = (warning, ...rest) => {
  const type = typeof rest[0] === 'string' ? rest[0] : rest[0]?.type;
  if (type === 'NodeVersionSupportWarning' || (warning instanceof Error && warning.name === 'NodeVersionSupportWarning')) return;
  emitWarning(warning, ...rest);
};

const main = new URL('../dist/engine/cli/main.js', import.meta.url);
if (!existsSync(main)) {
  process.stderr.write('driftless: the engine is not built yet: run `npm run setup`\n');
  process.exit(1);
}
const { runCli } = await import(main.href);
const code = await runCli(process.argv.slice(2), {
  out: (t) => process.stdout.write(t),
  err: (t) => process.stderr.write(t),
});
process.exitCode = code;

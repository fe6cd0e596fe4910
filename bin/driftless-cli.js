#!/usr/bin/env node
// Entry point of the `driftless` CLI. The engine is TypeScript compiled to dist/ by
// `npm run setup` (or `npm run build`).
import { existsSync } from 'node:fs';

const main = new URL('../dist/engine/cli/main.js', import.meta.url);
if (!existsSync(main)) {
  process.stderr.write('driftless: the engine is not built yet: run `npm run setup`\n');
  process.exit(1);
}
const { silenceKnownNodeWarnings } = await import(new URL('../dist/engine/util/node-warnings.js', import.meta.url).href);
silenceKnownNodeWarnings();
// A reader that stops early (`driftless templates | head`) closes the pipe: that ends the
// output, it is not an error worth a stack trace.
process.stdout.on('error', (e) => {
  if (e.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  throw e;
});
const { runCli } = await import(main.href);
const code = await runCli(process.argv.slice(2), {
  out: (t) => process.stdout.write(t),
  err: (t) => process.stderr.write(t),
});
process.exitCode = code;

// Bundles the provider plugin into one file. The Pulumi engine starts the plugin for
// every operation; measured on these machines, the bundle answers in ~0.3-0.4 s
// against ~0.57 s for node resolving the tsc output module by module.
import { build } from 'esbuild';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
await build({
  entryPoints: [join(root, 'provider', 'src', 'main.ts')],
  outfile: join(root, 'dist', 'provider', 'plugin.cjs'),
  bundle: true,
  minify: true,
  sourcemap: true,
  platform: 'node',
  target: 'node20',
  // @pulumi/pulumi is CommonJS; AWS SDK modules imported with import() stay lazy.
  format: 'cjs',
  logLevel: 'warning',
});

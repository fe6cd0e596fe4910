// Bundles the dashboard (ui/src, preact + cytoscape) into dist/ui with esbuild: one
// app.js, one app.css, index.html and the icon. Everything the page loads is in there;
// nothing comes from a CDN. `node ui/build.mjs` (part of `npm run build`).
import { copyFileSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { build } from 'esbuild';

const here = dirname(fileURLToPath(import.meta.url));

/** Builds the bundle into `outdir` (default dist/ui); resolves to its size in bytes per file. */
export async function buildUi({ outdir = join(here, '..', 'dist', 'ui'), minify = true } = {}) {
  mkdirSync(outdir, { recursive: true });
  const result = await build({
    entryPoints: { app: join(here, 'src', 'main.tsx') },
    bundle: true,
    format: 'esm',
    target: ['es2022'],
    platform: 'browser',
    jsx: 'automatic',
    jsxImportSource: 'preact',
    minify,
    sourcemap: false,
    legalComments: 'linked',
    outdir,
    metafile: true,
    logLevel: 'warning',
    define: { 'process.env.NODE_ENV': '"production"' },
  });
  await build({ entryPoints: { app: join(here, 'src', 'app.css') }, bundle: true, minify, outdir, logLevel: 'warning' });
  copyFileSync(join(here, 'index.html'), join(outdir, 'index.html'));
  copyFileSync(join(here, 'favicon.svg'), join(outdir, 'favicon.svg'));
  return Object.fromEntries(Object.entries(result.metafile.outputs).map(([file, o]) => [file, o.bytes]));
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const sizes = await buildUi();
  for (const [file, bytes] of Object.entries(sizes)) console.log(`${file} ${(bytes / 1024).toFixed(1)} KiB`);
}

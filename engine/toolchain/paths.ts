import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The project root: the folder holding package.json. Found by walking up from this
 * module, so the same code works from engine/ (vitest) and from dist/engine/ (built).
 */
export const projectRoot: string = (() => {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'package.json'))) {
    const parent = dirname(dir);
    if (parent === dir) throw new Error('driftless: cannot find package.json above ' + fileURLToPath(import.meta.url));
    dir = parent;
  }
  return dir;
})();

/** Project-local tools installed by `npm run setup` (git-ignored). */
export const toolsDir = join(projectRoot, '.tools');

/** The Pulumi CLI built by setup; the engine uses it without anyone editing PATH. */
export const pulumiBinDir = join(toolsDir, 'pulumi', 'bin');

/** The LocalStack virtualenv linked by setup. */
export const localstackVenv = join(toolsDir, 'localstack-venv');

/** Folder holding the `pulumi-resource-driftless-aws` plugin shim. */
export const providerPluginDir = join(projectRoot, 'provider', 'bin');

/** Default state folder: file backend, PULUMI_HOME, run store, LocalStack pid file. */
export function defaultStateDir(env: NodeJS.ProcessEnv = process.env): string {
  return resolve(env.DRIFTLESS_STATE_DIR ?? join(projectRoot, '.driftless'));
}

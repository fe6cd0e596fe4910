import { registerHooks } from 'node:module';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { projectRoot } from '../toolchain/paths.js';

/**
 * Packages the installation provides to template packages, like peer dependencies: a
 * package imports `driftless/template` (and may rely on driftless's own `zod` and
 * `@pulumi/pulumi`) without installing them, because an operator installs template
 * packages in a folder of their own, apart from driftless.
 */
const HOST_PROVIDED = /^(driftless|zod|@pulumi\/pulumi)(\/.*)?$/;

let registered = false;

/**
 * Lets modules anywhere resolve the host-provided packages from this installation when
 * they cannot resolve them themselves. A package that brings its own copy keeps it (the
 * loader checks that copy's version at start-up); only a failed resolution falls back,
 * so nothing that resolves today resolves differently.
 */
export function provideHostModules(): void {
  if (registered) return;
  registered = true;
  const hostParent = pathToFileURL(join(projectRoot, 'package.json')).href;
  registerHooks({
    resolve(specifier, context, nextResolve) {
      if (!HOST_PROVIDED.test(specifier)) return nextResolve(specifier, context);
      try {
        return nextResolve(specifier, context);
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'ERR_MODULE_NOT_FOUND') throw e;
        return nextResolve(specifier, { ...context, parentURL: hostParent });
      }
    },
  });
}

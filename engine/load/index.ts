// The loader: reads an environments tree into validated values. Errors are values
// (ValidationMessage[]); nothing here throws on bad input or starts Pulumi.
import type { Dirent } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { checkEnvironment, type CheckOptions, type EnvironmentCheck, type LoadedEnvironment } from './check-environment.js';
import { compareMessages, type ValidationMessage } from './messages.js';
import { describeFsError, entryMessage, readEnvironmentSource } from './read-tree.js';
import { builtinRegistry } from '../templates/builtin.js';
import type { TemplateRegistry } from '../templates/registry.js';

export { checkEnvironment, ENVIRONMENT_FILE, SHARED_BACKEND_MESSAGE } from './check-environment.js';
export type { CheckOptions, EnvironmentCheck, EnvironmentSource, LoadedEnvironment, LoadedStack, SourceFile } from './check-environment.js';
export type { DependencyGraph } from './graph.js';
export { compareMessages, formatMessage, hasErrors } from './messages.js';
export type { Severity, ValidationMessage } from './messages.js';

/** Loads one environment folder (environment.yaml plus one Stack per other YAML file). */
export async function loadEnvironment(
  dir: string,
  templates: TemplateRegistry = builtinRegistry(),
  options: CheckOptions = {},
): Promise<EnvironmentCheck> {
  try {
    return checkEnvironment(await readEnvironmentSource(dir), templates, options);
  } catch (e) {
    return { messages: [entryMessage(resolve(dir), `internal error while loading: ${e instanceof Error ? e.message : String(e)}`)] };
  }
}

/** Valid environments of a tree and every message about the whole tree. */
export interface EnvironmentsLoad {
  environments: LoadedEnvironment[];
  messages: ValidationMessage[];
}

/**
 * Loads every environment folder under `rootDir`. Only environments without errors are
 * returned; messages cover all of them, so a bad environment never hides another's errors
 * and never blocks a good one.
 */
export async function loadEnvironments(
  rootDir: string,
  templates: TemplateRegistry = builtinRegistry(),
  options: CheckOptions = {},
): Promise<EnvironmentsLoad> {
  const root = resolve(rootDir);
  let entries: Dirent[];
  try {
    entries = await readdir(root, { withFileTypes: true });
  } catch (e) {
    return { environments: [], messages: [entryMessage(root, `environments folder ${describeFsError(e)}`)] };
  }
  const environments: LoadedEnvironment[] = [];
  const messages: ValidationMessage[] = [];
  const folders = entries
    .filter((e) => !e.name.startsWith('.') && e.isDirectory())
    .map((e) => e.name)
    .sort();
  for (const e of entries) {
    if (e.name.startsWith('.')) continue;
    if (e.isSymbolicLink())
      messages.push(entryMessage(join(root, e.name), 'symbolic links are not followed: environments are folders of the repository'));
    else if (e.isFile() && /\.ya?ml$/i.test(e.name))
      messages.push(
        entryMessage(
          join(root, e.name),
          'YAML files belong in an environment folder (environments/<name>/): this one is part of no environment',
        ),
      );
  }
  if (folders.length === 0) messages.push(entryMessage(root, 'no environment folders found'));
  for (const name of folders) {
    const r = await loadEnvironment(join(root, name), templates, options);
    if (r.environment) environments.push(r.environment);
    messages.push(...r.messages);
  }
  return { environments, messages: messages.sort(compareMessages) };
}

import { resolve } from 'node:path';
import { installTemplates, type TemplateInstallation } from '../templates/install.js';
import type { CommandIO } from './command.js';

/**
 * Options naming the operator's template packages, taken by every command that validates
 * or runs environments, so a laptop sees what the daemon's config gives it. Each falls back
 * to an environment variable; none is ever read from the environments repository.
 */
export const templateOptions = {
  templates: { type: 'string', multiple: true },
  'templates-from': { type: 'string' },
  'plugins-dir': { type: 'string' },
  'acquire-plugins': { type: 'boolean' },
} as const;

/** Usage lines for {@link templateOptions}. */
export const templateOptionsUsage = `  --templates P       template packages (repeatable or comma-separated): npm names resolved
                      from --templates-from, or package folders (/…, ./…); env DRIFTLESS_TEMPLATES
  --templates-from D  folder whose node_modules holds them (env DRIFTLESS_TEMPLATES_FROM; default: .)
  --plugins-dir D     Pulumi plugin folder for plugins templates need (env DRIFTLESS_PLUGINS_DIR)
  --acquire-plugins   let Pulumi download missing plugins (env DRIFTLESS_ACQUIRE_PLUGINS=true)`;

/** Parsed {@link templateOptions}. */
export interface TemplateOptionValues {
  templates?: string[] | undefined;
  'templates-from'?: string | undefined;
  'plugins-dir'?: string | undefined;
  'acquire-plugins'?: boolean | undefined;
}

const list = (values: readonly string[]): string[] =>
  values
    .flatMap((v) => v.split(','))
    .map((v) => v.trim())
    .filter((v) => v !== '');

/**
 * The installation the options (or their environment variables) describe; prints every
 * problem, naming the package, and returns undefined when any package is refused, so the
 * command runs nothing.
 */
export async function loadInstallation(
  values: TemplateOptionValues,
  io: CommandIO,
  command: string,
  env: NodeJS.ProcessEnv = process.env,
): Promise<TemplateInstallation | undefined> {
  const pluginsDir = values['plugins-dir'] ?? env.DRIFTLESS_PLUGINS_DIR;
  const packages = list(values.templates ?? (env.DRIFTLESS_TEMPLATES ? [env.DRIFTLESS_TEMPLATES] : []));
  const r = await installTemplates(
    { packages, from: values['templates-from'] ?? env.DRIFTLESS_TEMPLATES_FROM, baseDir: process.cwd() },
    {
      dir: pluginsDir === undefined ? undefined : resolve(pluginsDir),
      acquire: values['acquire-plugins'] ?? env.DRIFTLESS_ACQUIRE_PLUGINS === 'true',
    },
  );
  if (r.ok) return r.value;
  io.err(
    `${r.problems.map((p) => `driftless ${command}: ${p}`).join('\n')}\ndriftless ${command}: the template installation is refused; nothing was run\n`,
  );
  return undefined;
}

import { resolve } from 'node:path';
import { loadEnvironments, formatMessage, hasErrors, type LoadedEnvironment } from '../load/index.js';
import { commitAuthors, workingRevision } from '../source/git-client.js';
import type { CommitAudit, PluginUse } from '../model/index.js';
import type { CommandIO } from './command.js';
import { loadInstallation, type TemplateOptionValues, templateOptions, templateOptionsUsage } from './template-args.js';

/** Options shared by the commands that act on an environment. */
export const environmentOptions = {
  env: { type: 'string' },
  stack: { type: 'string', multiple: true },
  dir: { type: 'string', default: 'environments' },
  'state-dir': { type: 'string' },
  revision: { type: 'string' },
  json: { type: 'boolean', default: false },
  ...templateOptions,
} as const;

/** Usage lines for {@link environmentOptions}. */
export const environmentOptionsUsage = `  --env E          environment (folder under --dir)
  --stack S        only this stack (repeatable)
  --dir D          environments folder (default: environments)
  --state-dir D    driftless state folder (default: DRIFTLESS_STATE_DIR or .driftless)
  --revision R     commit to record (default: the Git HEAD of --dir, "-dirty" if modified)
  --json           machine-readable output
${templateOptionsUsage}`;

/** An environment picked by `--env`, with what the run records. */
export interface SelectedEnvironment {
  environment: LoadedEnvironment;
  revision: string;
  /** Resource plugins of the template installation, for the operation's workspaces. */
  plugins: PluginUse;
  /** Author and committer of the revision, when it is a commit of the folder's repository. */
  audit?: CommitAudit | undefined;
}

/**
 * Loads the tree, refuses to act on an environment with any error (printing all of
 * them with file:line:col), and picks `--env`. Returns undefined after printing why.
 */
export async function selectEnvironment(
  values: {
    env?: string | undefined;
    dir?: string | undefined;
    revision?: string | undefined;
    stack?: string[] | undefined;
  } & TemplateOptionValues,
  io: CommandIO,
  command: string,
): Promise<SelectedEnvironment | undefined> {
  if (!values.env) {
    io.err(`driftless ${command}: --env is required\n`);
    return undefined;
  }
  const installation = await loadInstallation(values, io, command);
  if (!installation) return undefined;
  const dir = resolve(values.dir ?? 'environments');
  const load = await loadEnvironments(dir, installation.registry);
  const envDir = resolve(dir, values.env);
  const own = load.messages.filter((m) => resolve(m.file).startsWith(envDir + '/') || resolve(m.file) === envDir);
  if (hasErrors(own)) {
    io.err(own.map(formatMessage).join('\n') + `\ndriftless ${command}: environment ${values.env} is invalid; nothing was run\n`);
    return undefined;
  }
  const environment = load.environments.find((e) => e.name === values.env);
  if (!environment) {
    const known = load.environments.map((e) => e.name).join(', ') || 'none';
    io.err(`driftless ${command}: no environment "${values.env}" in ${dir} (found: ${known})\n`);
    return undefined;
  }
  const unknown = (values.stack ?? []).filter((s) => !environment.stacks.some((x) => x.name === s));
  if (unknown.length > 0) {
    io.err(
      `driftless ${command}: environment ${values.env} has no stack ${unknown.join(', ')} (stacks: ${environment.stacks.map((s) => s.name).join(', ')})\n`,
    );
    return undefined;
  }
  const revision = values.revision ?? (await workingRevision(dir, [environment.dir]));
  const audit = await commitAuthors(dir, revision);
  return {
    environment,
    revision,
    plugins: { plugins: installation.plugins, acquire: installation.acquirePlugins },
    ...(audit ? { audit } : {}),
  };
}

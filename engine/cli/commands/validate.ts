import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { ENVIRONMENT_FILE, formatMessage, hasErrors, loadEnvironment, loadEnvironments, type EnvironmentsLoad } from '../../load/index.js';
import type { TemplateRegistry } from '../../templates/registry.js';
import { ExitCode, printJson, type Command } from '../command.js';
import { loadInstallation, templateOptions, templateOptionsUsage } from '../template-args.js';

/** A folder holding environment.yaml is one environment; any other folder is a tree of them. */
async function load(dir: string, templates: TemplateRegistry): Promise<EnvironmentsLoad> {
  const single = await stat(join(dir, ENVIRONMENT_FILE)).then(
    (s) => s.isFile(),
    () => false,
  );
  if (!single) return loadEnvironments(dir, templates);
  const r = await loadEnvironment(dir, templates);
  return { environments: r.environment ? [r.environment] : [], messages: r.messages };
}

/** `driftless validate [dir]`: every message about an environments tree, exit 1 on any error. */
export const validateCommand: Command = {
  name: 'validate',
  usage: `usage: driftless validate [dir] [--json]

  Checks every environment folder under dir (default: environments), or the one
  environment dir is. Reports all problems as file:line:col path: message.
  Exit 0 when everything is valid, 1 otherwise.

  --json  {valid, environments: [{name, stacks}], messages: [{file, line, col, path, message, severity}]}
${templateOptionsUsage}`,
  async run(argv, io) {
    const options = { json: { type: 'boolean', default: false }, ...templateOptions } as const;
    let parsed: ReturnType<typeof parseArgs<{ args: string[]; allowPositionals: true; options: typeof options }>>;
    try {
      parsed = parseArgs({ args: argv, allowPositionals: true, options });
    } catch (e) {
      io.err(`driftless validate: ${e instanceof Error ? e.message : String(e)}\n`);
      return ExitCode.error;
    }
    const { values, positionals } = parsed;
    if (positionals.length > 1) {
      io.err(`driftless validate: expected at most one folder, got ${positionals.length}\n`);
      return ExitCode.error;
    }
    const installation = await loadInstallation(values, io, 'validate');
    if (!installation) return ExitCode.error;
    const { environments, messages } = await load(positionals[0] ?? 'environments', installation.registry);
    const valid = !hasErrors(messages);
    if (values.json) {
      printJson(io, {
        valid,
        environments: environments.map((e) => ({ name: e.name, stacks: e.stacks.map((s) => s.name) })),
        messages,
      });
    } else {
      for (const m of messages) io.out(formatMessage(m) + '\n');
      const errors = messages.filter((m) => m.severity === 'error').length;
      const stacks = environments.reduce((n, e) => n + e.stacks.length, 0);
      io.out(
        valid
          ? `valid: ${environments.length} environment${environments.length === 1 ? '' : 's'}, ${stacks} stack${stacks === 1 ? '' : 's'}\n`
          : `${errors} error${errors === 1 ? '' : 's'} in ${new Set(messages.filter((m) => m.severity === 'error').map((m) => m.file)).size} file(s)\n`,
      );
    }
    return valid ? ExitCode.ok : ExitCode.error;
  },
};

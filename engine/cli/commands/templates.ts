import { parseArgs } from 'node:util';
import { renderReference } from '../../templates/reference.js';
import { describeOrigin, type InstalledTemplate } from '../../templates/registry.js';
import { type Command, ExitCode, printJson } from '../command.js';
import { loadInstallation, templateOptions, templateOptionsUsage } from '../template-args.js';

/** One template as `driftless templates --json` lists it. */
function templateJson(t: InstalledTemplate) {
  const d = t.definition;
  return {
    name: d.name,
    version: d.version,
    description: d.description,
    source:
      t.origin.kind === 'builtin'
        ? { kind: 'builtin' }
        : { kind: 'package', package: t.origin.package, packageVersion: t.origin.packageVersion, path: t.origin.path },
    outputs: d.outputs.map((o) => ({ name: o.name, description: o.description })),
    plugins: d.plugins.map((p) => ({ name: p.name, version: p.version })),
  };
}

/** `driftless templates`: the installed templates, or the reference page of some of them. */
export const templatesCommand: Command = {
  name: 'templates',
  usage: `usage: driftless templates [--json] [--reference [--package P]]

  Lists the installed templates: built-in ones and those of the configured template
  packages, with version, source package and path, outputs and required plugins. A
  package that cannot be installed is named with the reason, and the command exits 1.

  --json        machine-readable output
  --reference   print the Markdown reference (params tables from each schema)
  --package P   with --reference: only the templates of package P ("builtin" for driftless's own)
${templateOptionsUsage}`,
  async run(argv, io) {
    const options = {
      json: { type: 'boolean', default: false },
      reference: { type: 'boolean', default: false },
      package: { type: 'string' },
      ...templateOptions,
    } as const;
    const { values } = parseArgs({ args: argv, options });
    const installation = await loadInstallation(values, io, 'templates');
    if (!installation) return ExitCode.error;
    let templates = installation.registry.list();
    if (values.package !== undefined) {
      const wanted = values.package;
      templates = templates.filter((t) => (t.origin.kind === 'builtin' ? wanted === 'builtin' : t.origin.package === wanted));
      if (templates.length === 0) {
        io.err(`driftless templates: no installed template comes from package "${wanted}"\n`);
        return ExitCode.error;
      }
    }
    if (values.reference) io.out(renderReference(templates));
    else if (values.json) printJson(io, { templates: templates.map(templateJson) });
    else
      for (const t of templates)
        io.out(
          `${t.definition.name}@${t.definition.version}  ${t.definition.description}\n` +
            `  source:  ${describeOrigin(t.origin)}\n` +
            `  outputs: ${t.definition.outputs.map((o) => o.name).join(', ') || 'none'}\n` +
            (t.definition.plugins.length > 0 ? `  plugins: ${t.definition.plugins.map((p) => `${p.name}@${p.version}`).join(', ')}\n` : ''),
        );
    return ExitCode.ok;
  },
};

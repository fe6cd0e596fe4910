import { parseArgs } from 'node:util';
import { documentKinds, documentsJsonSchema, kindJsonSchema, type DocumentKind } from '../../load/json-schema.js';
import { ExitCode, printJson, type Command } from '../command.js';
import { loadInstallation, templateOptions, templateOptionsUsage } from '../template-args.js';

/** `driftless schema`: JSON Schema of the YAML documents, for editors. */
export const schemaCommand: Command = {
  name: 'schema',
  usage: `usage: driftless schema [--kind Environment|Stack]

  Prints a draft-07 JSON Schema derived from the Zod schemas. Without --kind, one schema
  covers both kinds (chosen by the document's kind), which is what an editor wants for
  environments/**/*.yaml; see docs/editor-setup.md.

  --kind K  only the schema of kind K
${templateOptionsUsage}

  Every installed template's params are in it, package templates too.`,
  async run(argv, io) {
    const options = { kind: { type: 'string' }, ...templateOptions } as const;
    let values: ReturnType<typeof parseArgs<{ args: string[]; options: typeof options }>>['values'];
    try {
      ({ values } = parseArgs({ args: argv, options }));
    } catch (e) {
      io.err(`driftless schema: ${e instanceof Error ? e.message : String(e)}\n`);
      return ExitCode.error;
    }
    const installation = await loadInstallation(values, io, 'schema');
    if (!installation) return ExitCode.error;
    if (values.kind === undefined) {
      printJson(io, documentsJsonSchema(installation.registry));
      return ExitCode.ok;
    }
    if (!(documentKinds as readonly string[]).includes(values.kind)) {
      io.err(`driftless schema: --kind must be one of ${documentKinds.join(', ')}, got "${values.kind}"\n`);
      return ExitCode.error;
    }
    printJson(io, kindJsonSchema(values.kind as DocumentKind, installation.registry));
    return ExitCode.ok;
  },
};

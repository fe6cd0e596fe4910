import { parseArgs } from 'node:util';
import { documentKinds, documentsJsonSchema, kindJsonSchema, type DocumentKind } from '../../../schemas/json-schema.js';
import { ExitCode, printJson, type Command } from '../command.js';

/** `driftless schema`: JSON Schema of the YAML documents, for editors. */
export const schemaCommand: Command = {
  name: 'schema',
  usage: `usage: driftless schema [--kind Environment|Stack]

  Prints a draft-07 JSON Schema derived from the Zod schemas. Without --kind, one schema
  covers both kinds (chosen by the document's kind), which is what an editor wants for
  environments/**/*.yaml; see docs/editor-setup.md.

  --kind K  only the schema of kind K`,
  async run(argv, io) {
    let values;
    try {
      ({ values } = parseArgs({ args: argv, options: { kind: { type: 'string' } } }));
    } catch (e) {
      io.err(`driftless schema: ${e instanceof Error ? e.message : String(e)}\n`);
      return ExitCode.error;
    }
    if (values.kind === undefined) {
      printJson(io, documentsJsonSchema());
      return ExitCode.ok;
    }
    if (!(documentKinds as readonly string[]).includes(values.kind)) {
      io.err(`driftless schema: --kind must be one of ${documentKinds.join(', ')}, got "${values.kind}"\n`);
      return ExitCode.error;
    }
    printJson(io, kindJsonSchema(values.kind as DocumentKind));
    return ExitCode.ok;
  },
};

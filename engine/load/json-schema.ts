import { z } from 'zod';
import { templateCatalog, templateNames } from '../stacks/catalog.js';
import { API_VERSION } from './common.js';
import { Environment } from './environment.js';
import { Stack } from './stack.js';

/** A JSON Schema document, as plain JSON. */
export type JsonSchema = { [key: string]: unknown };

/** The two kinds of document, as `kind` spells them. */
export const documentKinds = ['Environment', 'Stack'] as const;
/** One kind of document. */
export type DocumentKind = (typeof documentKinds)[number];

const DRAFT = 'http://json-schema.org/draft-07/schema#';

/**
 * Draft-07 JSON Schema of one Zod schema, as input: fields with defaults are optional,
 * as in the YAML people write. Checks Zod runs in code (cron, names, cross-field rules)
 * have no JSON Schema form and are left to `driftless validate`.
 */
function toJson(schema: z.ZodType): JsonSchema {
  const json = z.toJSONSchema(schema, { target: 'draft-7', io: 'input', unrepresentable: 'any' }) as JsonSchema;
  delete json.$schema;
  return json;
}

/**
 * The Stack schema with editor help the Zod schema cannot carry: `spec.template` lists the
 * catalogue, and `spec.params` takes the schema of the template named.
 */
function stackJsonSchema(): JsonSchema {
  const json = toJson(Stack);
  const spec = (json.properties as Record<string, JsonSchema>).spec!;
  const props = spec.properties as Record<string, JsonSchema>;
  props.template = { type: 'string', enum: [...templateNames], description: 'a template of the catalogue (stacks/<name>)' };
  spec.allOf = templateNames.map((name) => ({
    if: { type: 'object', properties: { template: { const: name } }, required: ['template'] },
    then: { properties: { params: { ...toJson(templateCatalog.get(name)!.params), description: templateCatalog.get(name)!.description } } },
  }));
  return json;
}

/** The JSON Schema of one kind of document. */
export function kindJsonSchema(kind: DocumentKind): JsonSchema {
  const body = kind === 'Environment' ? toJson(Environment) : stackJsonSchema();
  return { $schema: DRAFT, title: `driftless ${API_VERSION} ${kind}`, ...body };
}

/**
 * One schema for every file of an environments tree: `kind: Environment` documents are
 * checked as Environments, all others as Stacks. This is what editors are pointed at.
 */
export function documentsJsonSchema(): JsonSchema {
  return {
    $schema: DRAFT,
    title: `driftless ${API_VERSION} documents (Environment or Stack)`,
    definitions: { Environment: toJson(Environment), Stack: stackJsonSchema() },
    if: { type: 'object', properties: { kind: { const: 'Environment' } }, required: ['kind'] },
    then: { $ref: '#/definitions/Environment' },
    else: { $ref: '#/definitions/Stack' },
  };
}

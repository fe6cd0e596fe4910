import { z } from 'zod';
import { API_VERSION } from '../../schemas/common.js';
import { Environment } from '../../schemas/environment.js';
import { Stack } from '../../schemas/stack.js';
import { builtinRegistry } from '../templates/builtin.js';
import type { TemplateRegistry } from '../templates/registry.js';
import { must } from './must.js';

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

const escapeRegExp = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/**
 * The Stack schema with editor help the Zod schema cannot carry: `spec.template` lists the
 * installed templates (with an optional `@range`), and `spec.params` takes the schema of
 * the template named — built-in and package templates alike.
 */
function stackJsonSchema(templates: TemplateRegistry): JsonSchema {
  const json = toJson(Stack);
  const spec = must((json.properties as Record<string, JsonSchema>).spec, 'the Stack schema has a spec property');
  const props = spec.properties as Record<string, JsonSchema>;
  const names = templates.names();
  props.template = {
    type: 'string',
    anyOf: [{ enum: names }, { type: 'string', pattern: `^(${names.map(escapeRegExp).join('|')})@.+$` }],
    description: 'an installed template (`driftless templates`), optionally with a version range: acme/worker@^2',
  };
  spec.allOf = templates.list().map(({ definition: template }) => {
    return {
      if: {
        type: 'object',
        properties: { template: { type: 'string', pattern: `^${escapeRegExp(template.name)}(@.+)?$` } },
        required: ['template'],
      },
      // biome-ignore lint/suspicious/noThenProperty: JSON Schema's if/then keyword, not a thenable.
      then: { properties: { params: { ...toJson(template.params), description: template.description } } },
    };
  });
  return json;
}

/** The JSON Schema of one kind of document. */
export function kindJsonSchema(kind: DocumentKind, templates: TemplateRegistry = builtinRegistry()): JsonSchema {
  const body = kind === 'Environment' ? toJson(Environment) : stackJsonSchema(templates);
  return { $schema: DRAFT, title: `driftless ${API_VERSION} ${kind}`, ...body };
}

/**
 * One schema for every file of an environments tree: `kind: Environment` documents are
 * checked as Environments, all others as Stacks. This is what editors are pointed at.
 */
export function documentsJsonSchema(templates: TemplateRegistry = builtinRegistry()): JsonSchema {
  return {
    $schema: DRAFT,
    title: `driftless ${API_VERSION} documents (Environment or Stack)`,
    definitions: { Environment: toJson(Environment), Stack: stackJsonSchema(templates) },
    if: { type: 'object', properties: { kind: { const: 'Environment' } }, required: ['kind'] },
    // biome-ignore lint/suspicious/noThenProperty: JSON Schema's if/then keyword, not a thenable.
    then: { $ref: '#/definitions/Environment' },
    else: { $ref: '#/definitions/Stack' },
  };
}

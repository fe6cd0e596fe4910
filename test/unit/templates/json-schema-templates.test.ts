import { Ajv } from 'ajv';
import { describe, expect, it } from 'vitest';
import { documentsJsonSchema, type JsonSchema, kindJsonSchema } from '../../../engine/load/json-schema.js';
import { type InstalledTemplate, TemplateRegistry } from '../../../engine/templates/registry.js';
import { defineTemplate, z } from '../../../sdk/template/index.js';
import { builtinTemplates } from '../../../stacks/index.js';

const worker = defineTemplate({
  name: 'acme/worker',
  version: '1.3.0',
  description: 'a worker service of the Acme platform',
  params: z.strictObject({
    image: z.string().min(1).describe('container image'),
    replicas: z.number().int().min(1).default(2).describe('how many tasks run'),
  }),
  outputs: [{ name: 'serviceArn', description: 'service ARN' }],
  program: () => ({ serviceArn: 'arn:aws:ecs:us-east-1:000000000000:service/worker' }),
});

const installed: InstalledTemplate[] = [
  ...builtinTemplates.map((definition): InstalledTemplate => ({ definition, origin: { kind: 'builtin' } })),
  {
    definition: worker,
    origin: { kind: 'package', package: '@acme/driftless-templates', packageVersion: '1.3.0', path: '/opt/templates/acme' },
  },
];
const made = TemplateRegistry.of(installed);
if (!made.ok) throw new Error(made.problems.join('; '));
const registry = made.value;

/** A Stack document of `template` with `params`. */
function stack(template: string, params: Record<string, unknown>): Record<string, unknown> {
  return { apiVersion: 'driftless/v1', kind: 'Stack', metadata: { name: 'orders-worker' }, spec: { template, params } };
}

// Formats (uri) are checked by the Zod schemas; ajv is asked about structure only. The
// allOf branches' `if` give spec.template a pattern without `type: string` (valid draft-07,
// which ajv's strictTypes would only log about).
const ajv = new Ajv({ allErrors: true, validateFormats: false, strictTypes: false });
const schema = documentsJsonSchema(registry);
const validate = ajv.compile(schema);

/** The shape of the Stack schema's spec that these tests read. */
interface SpecSchema {
  properties: Record<string, JsonSchema>;
  allOf: { if: { properties: { template: { pattern: string } } }; then: { properties: { params: JsonSchema } } }[];
}

/** spec of a Stack schema (the Stack kind alone, or the Stack definition of the combined one). */
const stackSpec = (stackSchema: JsonSchema): SpecSchema => (stackSchema.properties as Record<string, unknown>).spec as SpecSchema;

describe('documentsJsonSchema with a package template installed', () => {
  const spec = stackSpec((schema.definitions as Record<string, JsonSchema>).Stack!);

  it('lists every installed template, the package one included, for spec.template', () => {
    const template = spec.properties.template as { anyOf: [{ enum: string[] }, { pattern: string }] };
    expect(template.anyOf[0].enum).toEqual(registry.names());
    expect(template.anyOf[0].enum).toContain('acme/worker');
    expect(template.anyOf[1].pattern).toContain('acme/worker');
  });

  it('gives acme/worker an allOf branch holding its params properties', () => {
    const branch = spec.allOf.find((b) => b.if.properties.template.pattern === '^acme/worker(@.+)?$');
    expect(branch).toBeDefined();
    const params = branch!.then.properties.params as {
      properties: Record<string, { description?: string; default?: unknown }>;
      required?: string[];
      additionalProperties?: unknown;
      description?: string;
    };
    expect(Object.keys(params.properties).sort()).toEqual(['image', 'replicas']);
    expect(params.properties.image?.description).toBe('container image');
    expect(params.properties.replicas?.default).toBe(2);
    expect(params.required).toEqual(['image']);
    expect(params.additionalProperties).toBe(false);
    expect(params.description).toBe('a worker service of the Acme platform');
    expect(spec.allOf).toHaveLength(registry.names().length);
  });

  it('compiles alone for the Stack kind too', () => {
    const one = kindJsonSchema('Stack', registry);
    expect(() => ajv.compile(one)).not.toThrow();
    expect(stackSpec(one)).toEqual(spec);
  });

  it.each<[string, Record<string, unknown>]>([
    ['acme/worker', { image: 'worker:1' }],
    ['acme/worker@^1', { image: 'worker:1', replicas: 3 }],
    ['acme/worker@1.3.x', { image: 'worker:1' }],
    ['acme/worker@~1.3', { image: 'worker:1' }],
    ['queue', { visibilityTimeoutSeconds: 30 }],
    ['queue@^1', {}],
  ])('accepts template %s with valid params', (template, params) => {
    const doc = stack(template, params);
    expect({ valid: validate(doc), errors: validate.errors ?? null }).toEqual({ valid: true, errors: null });
  });

  it.each<[string, string, Record<string, unknown>]>([
    ['a misspelt template', 'acme/wroker', { image: 'worker:1' }],
    ['a longer name sharing the prefix', 'acme/workers', { image: 'worker:1' }],
    ['an empty range', 'acme/worker@', { image: 'worker:1' }],
    ['an uninstalled namespace', 'other/worker@^1', { image: 'worker:1' }],
    ['an unknown param', 'acme/worker', { image: 'worker:1', replicaz: 3 }],
    ['an unknown param under a range', 'acme/worker@^1', { image: 'worker:1', replicaz: 3 }],
    ['a param of the wrong type', 'acme/worker', { image: 'worker:1', replicas: 'three' }],
    ['a missing required param', 'acme/worker', { replicas: 3 }],
    ['a param of another template', 'acme/worker', { image: 'worker:1', visibilityTimeoutSeconds: 30 }],
  ])('rejects %s', (_why, template, params) => {
    expect(validate(stack(template, params))).toBe(false);
  });

  it('points at the offending param when one is unknown', () => {
    expect(validate(stack('acme/worker', { image: 'worker:1', replicaz: 3 }))).toBe(false);
    expect(validate.errors).toContainEqual(
      expect.objectContaining({
        instancePath: '/spec/params',
        keyword: 'additionalProperties',
        params: { additionalProperty: 'replicaz' },
      }),
    );
  });

  it('knows nothing of acme/worker without the package (the default registry)', () => {
    const builtinOnly = ajv.compile(documentsJsonSchema());
    expect(builtinOnly(stack('acme/worker', { image: 'worker:1' }))).toBe(false);
    expect(builtinOnly(stack('queue', {}))).toBe(true);
  });
});

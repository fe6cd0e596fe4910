import { describe, expect, it, vi } from 'vitest';
import {
  defineTemplate,
  isTemplateDefinition,
  TEMPLATE_API_VERSION,
  type TemplateContext,
  TemplateDefinitionError,
  templateDefinitionProblems,
  type TemplateSpec,
  z,
} from '../../../sdk/template/index.js';

const params = z.strictObject({
  replicas: z.number().int().min(1).default(2),
  image: z.string(),
});

/** A spec that satisfies the contract; each bad case below breaks one field of it. */
function validSpec(): TemplateSpec<typeof params> {
  return {
    name: 'acme/worker',
    version: '1.2.0',
    description: 'a worker service',
    params,
    outputs: [
      { name: 'arn', description: 'service ARN' },
      { name: 'url', description: 'service URL' },
    ],
    plugins: [{ name: 'aws', version: '7.48.0' }],
    program: (p) => ({ arn: `arn:${p.image}`, url: `https://${p.replicas}` }),
  };
}

const ctx: TemplateContext = {
  environment: 'dev',
  stack: 'orders-worker',
  region: 'us-east-1',
  tags: { owner: 'platform' },
  revision: 'abc123',
  dependencies: {},
};

/** validSpec() with `field` replaced by `value` (or removed, for undefined). */
function withField(field: string, value: unknown): Record<string, unknown> {
  const spec: Record<string, unknown> = { ...validSpec() };
  if (value === undefined) delete spec[field];
  else spec[field] = value;
  return spec;
}

describe('templateDefinitionProblems', () => {
  it('finds nothing wrong with a valid spec, with or without plugins', () => {
    expect(templateDefinitionProblems(validSpec())).toEqual([]);
    expect(templateDefinitionProblems(withField('plugins', undefined))).toEqual([]);
    expect(templateDefinitionProblems(withField('name', 'worker'))).toEqual([]);
    expect(templateDefinitionProblems(withField('outputs', []))).toEqual([]);
  });

  it.each<[string, unknown, string]>([
    ['null', null, 'expected an object made by defineTemplate, got null'],
    ['a string', 'acme/worker', 'expected an object made by defineTemplate, got string'],
    ['a number', 42, 'expected an object made by defineTemplate, got number'],
    ['undefined', undefined, 'expected an object made by defineTemplate, got undefined'],
    ['an array', [validSpec()], 'expected an object made by defineTemplate, got object'],
    ['a function', () => validSpec(), 'expected an object made by defineTemplate, got function'],
  ])('refuses %s as a whole', (_why, value, problem) => {
    expect(templateDefinitionProblems(value)).toEqual([problem]);
  });

  it.each<[string, string, unknown, string]>([
    [
      'upper-case name',
      'name',
      'Acme/Worker',
      'name must look like "worker" or "acme/worker" (lower case letters, digits, -), got "Acme/Worker"',
    ],
    ['two namespaces', 'name', 'a/b/c', 'got "a/b/c"'],
    ['empty name', 'name', '', 'name must look like "worker" or "acme/worker"'],
    ['name too long', 'name', `acme/${'w'.repeat(64)}`, 'name must look like'],
    ['namespace too long', 'name', `${'a'.repeat(40)}/worker`, 'name must look like'],
    ['name starting with a digit', 'name', 'acme/1worker', 'name must look like'],
    ['name with an @', 'name', 'acme/worker@1', 'name must look like'],
    ['name not a string', 'name', 7, 'name must look like "worker" or "acme/worker" (lower case letters, digits, -), got 7'],
    ['missing name', 'name', undefined, 'name must look like'],
    ['version latest', 'version', 'latest', 'version must be a semantic version such as 1.2.0, got "latest"'],
    ['version 1', 'version', '1', 'version must be a semantic version such as 1.2.0, got "1"'],
    ['version a range', 'version', '^1.2.0', 'got "^1.2.0"'],
    ['missing version', 'version', undefined, 'version must be a semantic version'],
    ['empty description', 'description', '', 'description must be a non-empty string'],
    ['blank description', 'description', '  \n', 'description must be a non-empty string'],
    ['description not a string', 'description', { text: 'x' }, 'description must be a non-empty string'],
    ['params a plain object', 'params', { replicas: 2 }, 'params must be a Zod 4 schema (import { z } from "driftless/template")'],
    [
      'params a fake with safeParse but no _zod',
      'params',
      { safeParse: () => ({ success: true, data: {} }) },
      'params must be a Zod 4 schema',
    ],
    ['params with _zod but no def', 'params', { safeParse: () => ({ success: true }), _zod: {} }, 'params must be a Zod 4 schema'],
    ['missing params', 'params', undefined, 'params must be a Zod 4 schema'],
    ['outputs not an array', 'outputs', { arn: 'service ARN' }, 'outputs must be a list of { name, description }'],
    ['missing outputs', 'outputs', undefined, 'outputs must be a list of { name, description }'],
    [
      'output name with a dash',
      'outputs',
      [{ name: 'service-arn', description: 'x' }],
      'outputs[0] must be { name: letters and digits, description: string }',
    ],
    [
      'output name starting with a digit',
      'outputs',
      [
        { name: 'arn', description: 'x' },
        { name: '2arn', description: 'x' },
      ],
      'outputs[1] must be',
    ],
    ['output without description', 'outputs', [{ name: 'arn' }], 'outputs[0] must be'],
    ['output not an object', 'outputs', ['arn'], 'outputs[0] must be'],
    [
      'duplicate output',
      'outputs',
      [
        { name: 'arn', description: 'x' },
        { name: 'arn', description: 'y' },
      ],
      'output "arn" is declared twice',
    ],
    ['plugins not an array', 'plugins', { aws: '7.48.0' }, 'plugins must be a list of { name, version }'],
    [
      'plugin with a bad name',
      'plugins',
      [{ name: 'AWS', version: '7.48.0' }],
      'plugins[0] must be { name: e.g. "aws", version: an exact semantic version }',
    ],
    ['plugin with a range as version', 'plugins', [{ name: 'aws', version: '^7' }], 'plugins[0] must be'],
    ['plugin without version', 'plugins', [{ name: 'aws', version: '7.48.0' }, { name: 'random' }], 'plugins[1] must be'],
    ['missing program', 'program', undefined, 'program must be a function (params, ctx) => outputs'],
    ['program not a function', 'program', 'index.js', 'program must be a function'],
  ])('%s', (_why, field, value, problem) => {
    const problems = templateDefinitionProblems(withField(field, value));
    expect(problems).toHaveLength(1);
    expect(problems[0]).toContain(problem);
  });

  it('lists every problem of a spec broken in several ways', () => {
    const problems = templateDefinitionProblems({ name: 'Bad', version: 'latest', outputs: 'arn' });
    expect(problems).toEqual([
      expect.stringContaining('name must look like'),
      expect.stringContaining('version must be a semantic version'),
      'description must be a non-empty string',
      expect.stringContaining('params must be a Zod 4 schema'),
      'outputs must be a list of { name, description }',
      'program must be a function (params, ctx) => outputs',
    ]);
  });
});

describe('defineTemplate', () => {
  it('throws a TemplateDefinitionError listing every problem', () => {
    const spec = { ...validSpec(), version: 'latest', description: '' };
    let error: unknown;
    try {
      defineTemplate(spec);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(TemplateDefinitionError);
    const e = error as TemplateDefinitionError;
    expect(e.name).toBe('TemplateDefinitionError');
    expect(e.template).toBe('acme/worker');
    expect(e.problems).toEqual([
      'version must be a semantic version such as 1.2.0, got "latest"',
      'description must be a non-empty string',
    ]);
    expect(e.message).toBe(
      'invalid template definition acme/worker: version must be a semantic version such as 1.2.0, got "latest"; description must be a non-empty string',
    );
  });

  it('names an unnamed definition <unnamed>', () => {
    const spec = { ...validSpec(), name: undefined } as unknown as TemplateSpec<typeof params>;
    expect(() => defineTemplate(spec)).toThrow(/^invalid template definition <unnamed>: name must look like/);
  });

  it('brands a valid definition; a hand-made copy is not one', () => {
    const definition = defineTemplate(validSpec());
    expect(isTemplateDefinition(definition)).toBe(true);
    const { name, version, description, outputs, plugins, program } = definition;
    expect(isTemplateDefinition({ name, version, description, params, outputs, plugins, program })).toBe(false);
    expect(isTemplateDefinition({ ...validSpec() })).toBe(false);
    expect(isTemplateDefinition({ [Symbol.for('driftless.template')]: TEMPLATE_API_VERSION + 1, name })).toBe(false);
    expect(isTemplateDefinition(null)).toBe(false);
    expect(isTemplateDefinition('acme/worker')).toBe(false);
  });

  it('keeps the spec fields and freezes the definition and its lists', () => {
    const spec = validSpec();
    const definition = defineTemplate(spec);
    expect(definition).toMatchObject({ name: 'acme/worker', version: '1.2.0', description: 'a worker service', params });
    expect(definition.outputs).toEqual(spec.outputs);
    expect(definition.plugins).toEqual([{ name: 'aws', version: '7.48.0' }]);
    expect(Object.isFrozen(definition)).toBe(true);
    expect(Object.isFrozen(definition.outputs)).toBe(true);
    expect(Object.isFrozen(definition.plugins)).toBe(true);
    expect(() => {
      (definition as { name: string }).name = 'acme/other';
    }).toThrow(TypeError);
    (spec.outputs as { name: string; description: string }[]).push({ name: 'extra', description: 'added later' });
    expect(definition.outputs.map((o) => o.name)).toEqual(['arn', 'url']);
  });

  it('defaults plugins to an empty list', () => {
    const { plugins: _, ...spec } = validSpec();
    expect(defineTemplate(spec).plugins).toEqual([]);
  });

  it('parses params (defaults applied) before calling the author program', () => {
    const program = vi.fn((p: z.output<typeof params>) => ({ arn: `arn:${p.image}`, url: `https://${p.replicas}` }));
    const definition = defineTemplate({ ...validSpec(), program });
    expect(definition.program({ image: 'worker:1' }, ctx)).toEqual({ arn: 'arn:worker:1', url: 'https://2' });
    expect(program).toHaveBeenCalledExactlyOnceWith({ replicas: 2, image: 'worker:1' }, ctx);
  });

  it.each<[string, unknown]>([
    ['an unknown param', { image: 'worker:1', replicaz: 3 }],
    ['a param of the wrong type', { image: 'worker:1', replicas: '3' }],
    ['a param below its minimum', { image: 'worker:1', replicas: 0 }],
    ['a missing required param', {}],
    ['no object at all', undefined],
  ])('rejects %s without calling the author program', (_why, raw) => {
    const program = vi.fn(() => ({ arn: 'a', url: 'u' }));
    const definition = defineTemplate({ ...validSpec(), program });
    expect(() => definition.program(raw, ctx)).toThrow(z.ZodError);
    expect(program).not.toHaveBeenCalled();
  });
});

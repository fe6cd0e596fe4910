import { describe, expect, it } from 'vitest';
import { defineTemplate, templateDefinitionProblems, z } from '../../../sdk/template/index.js';
import { configTemplate } from '../../../stacks/config/template.js';

const base = {
  name: 'fixture/env',
  version: '1.0.0',
  description: 'reads variables',
  params: z.strictObject({ vars: z.array(z.string()).default([]) }),
  outputs: [],
  program: () => ({}),
};

describe('TemplateSpec.env', () => {
  it('is optional: a template without it declares no variables', () => {
    expect(defineTemplate(base).env).toBeUndefined();
  });

  it('gets params parsed by the schema and normalises names to { name }', () => {
    const t = defineTemplate({ ...base, env: (p) => [...p.vars, { name: 'B', path: ['vars', 1] }] });
    expect(t.env?.({ vars: ['A'] })).toEqual([{ name: 'A' }, { name: 'B', path: ['vars', 1] }]);
    expect(t.env?.({})).toEqual([{ name: 'B', path: ['vars', 1] }]);
  });

  it('must be a function when given', () => {
    expect(templateDefinitionProblems({ ...base, env: ['A'] })).toEqual([
      'env must be a function (params) => names of environment variables',
    ]);
  });

  it('the config template names every SecureString and secret variable, and no plain value', () => {
    const params = {
      parameters: [
        { name: '/a', value: 'x' },
        { name: '/b', type: 'SecureString', fromEnv: 'B_VALUE' },
      ],
      secrets: [{ name: 'c', fromEnv: 'C_VALUE' }],
    };
    expect(configTemplate.env?.(params)).toEqual([
      { name: 'B_VALUE', path: ['parameters', 1, 'fromEnv'] },
      { name: 'C_VALUE', path: ['secrets', 0, 'fromEnv'] },
    ]);
  });
});

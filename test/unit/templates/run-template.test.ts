import { describe, expect, it } from 'vitest';
import { checkedOutputs, outputProblems, TemplateProgramError } from '../../../engine/templates/run-template.js';
import { defineTemplate, z } from '../../../sdk/template/index.js';

const declared = [{ name: 'arn' }, { name: 'url' }, { name: 'name' }];

describe('outputProblems', () => {
  it.each<[string, Record<string, unknown>, string[]]>([
    ['exact', { arn: 'a', url: 'u', name: 'n' }, []],
    ['exact, in another order', { name: 'n', arn: 'a', url: 'u' }, []],
    ['exact, with empty and undefined values', { arn: '', url: undefined, name: null }, []],
    ['missing one', { arn: 'a', url: 'u' }, ['missing declared output name']],
    ['missing several', { url: 'u' }, ['missing declared outputs arn, name']],
    ['missing all', {}, ['missing declared outputs arn, url, name']],
    ['undeclared one', { arn: 'a', url: 'u', name: 'n', id: 'i' }, ['undeclared output id (declare them in outputs)']],
    ['undeclared several', { arn: 'a', url: 'u', name: 'n', id: 'i', Arn: 'x' }, ['undeclared outputs id, Arn (declare them in outputs)']],
    ['both', { arn: 'a', queueUrl: 'u' }, ['missing declared outputs url, name', 'undeclared output queueUrl (declare them in outputs)']],
  ])('%s', (_why, returned, problems) => {
    expect(outputProblems(declared, returned)).toEqual(problems);
  });

  it('expects nothing of a template that declares no outputs', () => {
    expect(outputProblems([], {})).toEqual([]);
    expect(outputProblems([], { arn: 'a' })).toEqual(['undeclared output arn (declare them in outputs)']);
  });
});

describe('checkedOutputs', () => {
  const definition = defineTemplate({
    name: 'acme/worker',
    version: '1.0.0',
    description: 'a worker',
    params: z.strictObject({}),
    outputs: [
      { name: 'arn', description: 'ARN' },
      { name: 'url', description: 'URL' },
    ],
    program: () => ({ arn: 'a', url: 'u' }),
  });

  /** The TemplateProgramError `run` makes checkedOutputs throw. */
  function failure(run: () => Record<string, unknown>): TemplateProgramError {
    try {
      checkedOutputs(definition, run);
    } catch (e) {
      expect(e).toBeInstanceOf(TemplateProgramError);
      return e as TemplateProgramError;
    }
    throw new Error('checkedOutputs did not throw');
  }

  it('returns the outputs when they are exactly the declared ones', () => {
    const outputs = { arn: 'arn:aws:sqs:us-east-1:000000000000:q', url: 'https://q' };
    expect(checkedOutputs(definition, () => outputs)).toBe(outputs);
  });

  it.each<[string, () => Record<string, unknown>, string]>([
    ['a missing output', () => ({ arn: 'a' }), 'template acme/worker: the program returned missing declared output url'],
    [
      'an undeclared output',
      () => ({ arn: 'a', url: 'u', name: 'n' }),
      'template acme/worker: the program returned undeclared output name (declare them in outputs)',
    ],
    [
      'missing and undeclared outputs',
      () => ({ id: 'i' }),
      'template acme/worker: the program returned missing declared outputs arn, url; undeclared output id (declare them in outputs)',
    ],
    [
      'undefined',
      () => undefined as unknown as Record<string, unknown>,
      'template acme/worker: the program must return an object of outputs',
    ],
    ['null', () => null as unknown as Record<string, unknown>, 'template acme/worker: the program must return an object of outputs'],
    ['a string', () => 'arn' as unknown as Record<string, unknown>, 'template acme/worker: the program must return an object of outputs'],
    [
      'an array',
      () => ['a', 'u'] as unknown as Record<string, unknown>,
      'template acme/worker: the program must return an object of outputs',
    ],
    [
      'a throw',
      () => {
        throw new Error('bucket name taken');
      },
      'template acme/worker: the program threw: bucket name taken',
    ],
    [
      'a throw of a non-error',
      () => {
        throw 'quota exceeded';
      },
      'template acme/worker: the program threw: quota exceeded',
    ],
  ])('refuses %s, naming the template', (_why, run, message) => {
    const e = failure(run);
    expect(e.name).toBe('TemplateProgramError');
    expect(e.template).toBe('acme/worker');
    expect(e.message).toBe(message);
  });
});

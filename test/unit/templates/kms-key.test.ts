import { describe, expect, it } from 'vitest';
import { expectedTags, runProgram, testContext } from '../../support/pulumi-mocks.js';
import { KmsKeyParams } from '../../../stacks/kms-key/params.js';
import { kmsKeyProgram } from '../../../stacks/kms-key/program.js';

describe('kms-key template (Pulumi mocks)', () => {
  it('creates a rotating key with tags and an alias pointing at it', async () => {
    const params = KmsKeyParams.parse({ alias: 'orders/data', deletionWindowInDays: 7 });
    const run = await runProgram(() => kmsKeyProgram(params, testContext('data-key')));

    expect(run.resources.map((r) => [r.type, r.name])).toEqual([
      ['driftless-aws:kms:Key', 'key'],
      ['driftless-aws:kms:Alias', 'alias'],
    ]);
    const [key, alias] = run.resources;
    expect(key!.inputs).toEqual({
      description: 'managed by driftless',
      enableKeyRotation: true,
      deletionWindowInDays: 7,
      tags: expectedTags('data-key'),
    });
    expect(alias!.inputs).toEqual({ name: 'alias/orders/data', targetKeyId: 'key-key' });
    expect(run.outputs).toEqual({ arn: 'arn:aws:kms:us-east-1:000000000000:key', keyId: 'key-key', aliasName: 'alias/orders/data' });
  });

  it('makes no alias when none is asked for', async () => {
    const run = await runProgram(() => kmsKeyProgram(KmsKeyParams.parse({}), testContext('data-key')));
    expect(run.resources.map((r) => r.type)).toEqual(['driftless-aws:kms:Key']);
    expect(run.outputs.aliasName).toBe('');
  });
});

import { describe, expect, it } from 'vitest';
import { expectedTags, mockTemplate } from '../../../sdk/testing/index.js';
import { kmsKeyTemplate } from '../../../stacks/kms-key/template.js';

describe('kms-key template (Pulumi mocks)', () => {
  it('creates a rotating key with tags and an alias pointing at it', async () => {
    const run = await mockTemplate(kmsKeyTemplate, { alias: 'orders/data', deletionWindowInDays: 7 }, { stack: 'data-key' });

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
    const run = await mockTemplate(kmsKeyTemplate, {}, { stack: 'data-key' });
    expect(run.resources.map((r) => r.type)).toEqual(['driftless-aws:kms:Key']);
    expect(run.outputs.aliasName).toBe('');
  });
});

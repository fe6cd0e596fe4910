import { describe, expect, it } from 'vitest';
import { canonicalJson, canonicalPolicy, sameValue } from '../../../provider/src/canonical.js';
import { diffInputs } from '../../../provider/src/diff.js';
import { UNKNOWN } from '../../../provider/src/property-values.js';

describe('canonical forms', () => {
  it('ignores key order and undefined members', () => {
    expect(canonicalJson({ b: 1, a: { d: 2, c: undefined } })).toBe('{"a":{"d":2},"b":1}');
    expect(sameValue({ team: 'a', env: 'b' }, { env: 'b', team: 'a' })).toBe(true);
    expect(sameValue(undefined, undefined)).toBe(true);
    expect(sameValue([1, 2], [2, 1])).toBe(false);
  });

  it('folds one-item lists in policies but keeps Statement a list', () => {
    const written = {
      Version: '2012-10-17',
      Statement: { Effect: 'Allow', Action: ['sqs:SendMessage'], Resource: ['*'], Principal: { AWS: ['*'] } },
    };
    const returned = {
      Statement: [{ Resource: '*', Principal: { AWS: '*' }, Action: 'sqs:SendMessage', Effect: 'Allow' }],
      Version: '2012-10-17',
    };
    expect(canonicalPolicy(written)).toBe(canonicalPolicy(returned));
    expect(JSON.parse(canonicalPolicy(written)).Statement).toHaveLength(1);
    expect(canonicalPolicy({ Statement: [{ Action: ['a', 'b'] }] })).toBe('{"Statement":[{"Action":["a","b"]}]}');
  });
});

describe('diffInputs', () => {
  const rules = { name: 'replace', visibilityTimeoutSeconds: 'update', tags: 'update' } as const;
  const base = { name: 'q', visibilityTimeoutSeconds: 30, tags: { a: '1', b: '2' } };

  it.each([
    ['no change, tags reordered', { ...base, tags: { b: '2', a: '1' } }, [], []],
    ['update-in-place property', { ...base, visibilityTimeoutSeconds: 45 }, ['visibilityTimeoutSeconds'], []],
    ['replace property', { ...base, name: 'q2' }, ['name'], ['name']],
    ['both', { ...base, name: 'q2', tags: {} }, ['name', 'tags'], ['name']],
    ['unknown during preview counts as changed', { ...base, name: UNKNOWN }, ['name'], ['name']],
    ['unknown nested value counts as changed', { ...base, tags: { a: UNKNOWN, b: '2' } }, ['tags'], []],
  ])('%s', (_label, news, changed, replaces) => {
    expect(diffInputs(rules, base, news)).toEqual({ changed, replaces });
  });

  it('ignores properties without a rule (attributes, markers)', () => {
    expect(diffInputs(rules, { ...base, arn: 'x', __defaults: ['name'] }, base)).toEqual({ changed: [], replaces: [] });
  });
});

import { describe, expect, it } from 'vitest';
import { fieldDiff, type FieldChange } from '../../../engine/drift/field-diff.js';

describe('fieldDiff', () => {
  const table: Array<[string, Record<string, unknown> | undefined, Record<string, unknown> | undefined, FieldChange[]]> = [
    ['equal bags', { a: 1, b: { c: [1, 2] } }, { b: { c: [1, 2] }, a: 1 }, []],
    ['undefined equals absent', { a: 1, b: undefined }, { a: 1 }, []],
    ['missing bags are empty', undefined, {}, []],
    [
      'scalar change',
      { visibilityTimeoutSeconds: 30 },
      { visibilityTimeoutSeconds: 45 },
      [{ path: 'visibilityTimeoutSeconds', kind: 'changed', before: 30, after: 45 }],
    ],
    [
      'nested change names the leaf',
      { redrivePolicy: { maxReceiveCount: 3, arn: 'x' } },
      { redrivePolicy: { maxReceiveCount: 9, arn: 'x' } },
      [{ path: 'redrivePolicy.maxReceiveCount', kind: 'changed', before: 3, after: 9 }],
    ],
    [
      'added and removed keys',
      { tags: { team: 'a' } },
      { tags: { owner: 'b' } },
      [
        { path: 'tags.owner', kind: 'added', after: 'b' },
        { path: 'tags.team', kind: 'removed', before: 'a' },
      ],
    ],
    [
      'non-identifier keys are quoted',
      { tags: { 'aws:cost center': 'x' } },
      { tags: { 'aws:cost center': 'y' } },
      [{ path: 'tags["aws:cost center"]', kind: 'changed', before: 'x', after: 'y' }],
    ],
    [
      'lists of the same length compare by item',
      { ids: ['a', 'b'] },
      { ids: ['a', 'c'] },
      [{ path: 'ids[1]', kind: 'changed', before: 'b', after: 'c' }],
    ],
    [
      'a list that changes length is one change',
      { ids: ['a'] },
      { ids: ['a', 'b'] },
      [{ path: 'ids', kind: 'changed', before: ['a'], after: ['a', 'b'] }],
    ],
    [
      'type change is one change',
      { policy: '{}' },
      { policy: { Version: '2012-10-17' } },
      [{ path: 'policy', kind: 'changed', before: '{}', after: { Version: '2012-10-17' } }],
    ],
    ['a whole property disappearing', { policy: 'p', name: 'q' }, { name: 'q' }, [{ path: 'policy', kind: 'removed', before: 'p' }]],
  ];
  it.each(table)('%s', (_label, before, after, expected) => {
    expect(fieldDiff(before, after)).toEqual(expected);
  });
});

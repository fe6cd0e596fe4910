import { describe, expect, it } from 'vitest';
import { countedDrift, driftFingerprint, formatDrift, type DriftedResource } from '../../../engine/drift/drift-report.js';
import { applyIgnoreRules, ignoreCounts, mergeIgnoreRules, pathCovers, ruleMatches } from '../../../engine/drift/ignore-rules.js';
import { parseFieldPath } from '../../../schemas/drift-ignore.js';
import { StackSpec } from '../../../schemas/stack.js';

describe('parseFieldPath', () => {
  const good: [string, unknown][] = [
    ['visibilityTimeoutSeconds', [{ key: 'visibilityTimeoutSeconds' }]],
    ['tags.revision', [{ key: 'tags' }, { key: 'revision' }]],
    ['tags["cost center"]', [{ key: 'tags' }, { key: 'cost center' }]],
    ['["odd key"].x', [{ key: 'odd key' }, { key: 'x' }]],
    ['lifecycleRules[0].days', [{ key: 'lifecycleRules' }, { index: 0 }, { key: 'days' }]],
    ['tags.*', [{ key: 'tags' }, { anyKey: true }]],
    ['rules[*].id', [{ key: 'rules' }, { anyIndex: true }, { key: 'id' }]],
    ['tags.cost-center', [{ key: 'tags' }, { key: 'cost-center' }]],
  ];
  for (const [path, segments] of good)
    it(`parses ${path}`, () => {
      expect(parseFieldPath(path)).toEqual({ ok: true, segments });
    });
  const bad: [string, RegExp][] = [
    ['', /must not be empty/],
    ['tags.', /does not start with a key/],
    ['.tags', /does not start with a key/],
    ['tags..x', /does not start with a key/],
    ['tags[x]', /after "\[" expected/],
    ['tags["unterminated]', /after "\[" expected/],
    ['tags revision', /expected "\." or "\["/],
    ['1abc', /does not start with a key/],
  ];
  for (const [path, problem] of bad)
    it(`refuses ${JSON.stringify(path)}`, () => {
      const r = parseFieldPath(path);
      expect(r.ok).toBe(false);
      if (!r.ok) expect(r.problem).toMatch(problem);
    });
});

describe('pathCovers', () => {
  const table: [string, string, boolean][] = [
    ['tags.revision', 'tags.revision', true],
    ['tags', 'tags.revision', true],
    ['tags', 'tags', true],
    ['tags.revision', 'tags', false],
    ['tags.revision', 'tags.team', false],
    ['tags.*', 'tags.team', true],
    ['tags.*', 'tags', false],
    ['tags.*', 'tags["cost center"]', true],
    ['tags["cost center"]', 'tags["cost center"]', true],
    ['rules[*].days', 'rules[3].days', true],
    ['rules[*].days', 'rules[3].id', false],
    ['rules[1]', 'rules[1].days', true],
    ['rules[1]', 'rules[2].days', false],
    ['rules.*', 'rules[0]', false],
    ['rules[*]', 'rules.x', false],
    ['visibility', 'visibilityTimeoutSeconds', false],
    ['not a path', 'tags', false],
  ];
  for (const [pattern, path, covered] of table)
    it(`${pattern} ${covered ? 'covers' : 'does not cover'} ${path}`, () => {
      expect(pathCovers(pattern, path)).toBe(covered);
    });
});

describe('ruleMatches', () => {
  const queue = { type: 'driftless-aws:sqs:Queue', name: 'jobs' };
  const table: [Parameters<typeof ruleMatches>[0], boolean][] = [
    [{ path: 'tags.revision' }, true],
    [{ path: 'tags.revision', type: 'driftless-aws:sqs:Queue' }, true],
    [{ path: 'tags.revision', type: 'driftless-aws:s3:Bucket' }, false],
    [{ path: 'tags.revision', name: 'jobs' }, true],
    [{ path: 'tags.revision', name: 'jobs-dlq' }, false],
    [{ path: 'tags.revision', type: 'driftless-aws:sqs:Queue', name: 'jobs' }, true],
    [{ path: 'tags.team' }, false],
  ];
  for (const [rule, matches] of table)
    it(`${JSON.stringify(rule)} → ${matches}`, () => {
      expect(ruleMatches(rule, queue, 'tags.revision')).toBe(matches);
    });
});

describe('mergeIgnoreRules', () => {
  it('puts the environment first, adds the stack, normalises strings and drops duplicates', () => {
    expect(
      mergeIgnoreRules(
        ['tags.revision', { path: 'policy', name: 'p' }],
        ['tags.revision', { path: 'visibilityTimeoutSeconds', type: 'a:b:C' }],
      ),
    ).toEqual([{ path: 'tags.revision' }, { path: 'policy', name: 'p' }, { path: 'visibilityTimeoutSeconds', type: 'a:b:C' }]);
    expect(mergeIgnoreRules([], undefined)).toEqual([]);
  });
});

describe('applyIgnoreRules', () => {
  const queue: DriftedResource = {
    urn: 'urn:q',
    type: 'driftless-aws:sqs:Queue',
    name: 'jobs',
    kind: 'modified',
    fields: [
      { path: 'tags.revision', desired: 'abc', actual: 'hotfix' },
      { path: 'visibilityTimeoutSeconds', desired: 30, actual: 120 },
    ],
  };
  const deleted: DriftedResource = { urn: 'urn:b', type: 'driftless-aws:s3:Bucket', name: 'files', kind: 'deleted', fields: [] };
  const secret: DriftedResource = { urn: 'urn:s', type: 'driftless-aws:ssm:Parameter', name: 'p', kind: 'modified', fields: [] };

  it('marks covered fields, and a resource whose every field is covered', () => {
    const some = applyIgnoreRules([queue], [{ path: 'tags.revision' }]);
    expect(some).toEqual([{ ...queue, fields: [{ ...queue.fields[0], ignored: true }, queue.fields[1]] }]);
    expect(ignoreCounts(some)).toEqual({ drifted: 1, ignoredFields: 1 });
    const all = applyIgnoreRules([queue], [{ path: 'tags' }, { path: 'visibilityTimeoutSeconds' }]);
    expect(all[0]?.ignored).toBe(true);
    expect(ignoreCounts(all)).toEqual({ drifted: 0, ignoredFields: 2 });
  });

  it('never ignores a deleted resource or a secret change without visible fields', () => {
    const r = applyIgnoreRules([deleted, secret], [{ path: '*' }]);
    expect(r).toEqual([deleted, secret]);
    expect(ignoreCounts(r)).toEqual({ drifted: 2, ignoredFields: 0 });
  });

  it('leaves resources of another type or name alone, and returns new objects', () => {
    const input = [queue];
    const r = applyIgnoreRules(input, [{ path: 'tags.revision', type: 'driftless-aws:s3:Bucket' }]);
    expect(r).toEqual([queue]);
    expect(queue.fields[0]).not.toHaveProperty('ignored');
  });

  it('ignored fields leave the fingerprint, the counted drift and the alert lines', () => {
    const some = applyIgnoreRules([queue], [{ path: 'tags.revision' }]);
    const other = applyIgnoreRules(
      [{ ...queue, fields: [{ ...queue.fields[0]!, actual: 'another' }, queue.fields[1]!] }],
      [{ path: 'tags.revision' }],
    );
    expect(driftFingerprint(some)).toBe(driftFingerprint(other));
    expect(driftFingerprint(some)).toBe(driftFingerprint([{ ...queue, fields: [queue.fields[1]!] }]));
    expect(countedDrift(some)).toEqual([{ ...queue, fields: [queue.fields[1]] }]);
    const report = { environment: 'dev', stack: 'q', revision: 'r', checkedAt: 't', drifted: true, resources: some };
    expect(formatDrift(report)).toEqual(['~ q driftless-aws:sqs:Queue jobs: visibilityTimeoutSeconds desired 30, actual 120']);
    expect(formatDrift(report, { withIgnored: true })).toEqual([
      '= q driftless-aws:sqs:Queue jobs: tags.revision desired "abc", actual "hotfix" (ignored by drift.ignore)',
      '~ q driftless-aws:sqs:Queue jobs: visibilityTimeoutSeconds desired 30, actual 120',
    ]);
  });
});

describe('spec.drift.ignore in the Stack schema', () => {
  const spec = (ignore: unknown) => StackSpec.safeParse({ template: 'queue', drift: { ignore } });
  it('accepts paths and qualified rules', () => {
    expect(spec(['tags.revision', { path: 'visibilityTimeoutSeconds', type: 'driftless-aws:sqs:Queue', name: 'jobs' }]).success).toBe(true);
  });
  it('refuses bad paths, unknown keys and bad types', () => {
    expect(spec(['tags.']).success).toBe(false);
    expect(spec([{ path: 'x', resource: 'jobs' }]).success).toBe(false);
    expect(spec([{ path: 'x', type: 'Queue' }]).success).toBe(false);
    expect(spec('tags.revision').success).toBe(false);
  });
});

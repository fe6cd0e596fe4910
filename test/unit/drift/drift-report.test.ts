import { describe, expect, it } from 'vitest';
import { driftFingerprint, driftFromRefreshSteps, formatDrift } from '../../../engine/drift/drift-report.js';
import type { ResourceStep } from '../../../engine/run/stack-runner.js';

const step = (op: string, oldInputs: Record<string, unknown>, newInputs: Record<string, unknown>): ResourceStep => ({
  urn: 'urn:pulumi:dev.q::driftless::driftless-aws:sqs:Queue::queue',
  type: 'driftless-aws:sqs:Queue',
  name: 'queue',
  op,
  oldInputs,
  newInputs,
  oldOutputs: undefined,
  newOutputs: undefined,
  diffs: undefined,
});

describe('driftFromRefreshSteps', () => {
  it('reports modified fields with desired and actual values, ignoring Pulumi bookkeeping', () => {
    const drifted = driftFromRefreshSteps([
      step('same', { a: 1 }, { a: 1 }),
      step(
        'update',
        { visibilityTimeoutSeconds: 30, tags: { team: 'a' }, __defaults: [] },
        { visibilityTimeoutSeconds: 120, tags: { team: 'a', rogue: 'x' }, __defaults: ['x'] },
      ),
    ]);
    expect(drifted).toEqual([
      {
        urn: 'urn:pulumi:dev.q::driftless::driftless-aws:sqs:Queue::queue',
        type: 'driftless-aws:sqs:Queue',
        name: 'queue',
        kind: 'modified',
        fields: [
          { path: 'tags.rogue', desired: undefined, actual: 'x' },
          { path: 'visibilityTimeoutSeconds', desired: 30, actual: 120 },
        ],
      },
    ]);
  });

  it('reports a resource deleted out-of-band', () => {
    expect(driftFromRefreshSteps([step('delete', { a: 1 }, {})])).toMatchObject([{ kind: 'deleted', fields: [] }]);
  });

  it('masks secrets and still reports a drifted secret', () => {
    const secret = { '4dabf18193072939515e22adb298388d': '1b47061264138c4ac30d75fd1eb44270', ciphertext: '[secret]' };
    const [r] = driftFromRefreshSteps([step('update', { value: secret }, { value: secret })]);
    expect(r).toMatchObject({ kind: 'modified', fields: [] });
    const [s] = driftFromRefreshSteps([step('update', { value: secret, n: 1 }, { value: 'plain-now', n: 1 })]);
    expect(s?.fields).toEqual([{ path: 'value', desired: '[secret]', actual: 'plain-now' }]);
  });

  it('fingerprints equal drift equally and different drift differently', () => {
    const a = driftFromRefreshSteps([step('update', { t: 30 }, { t: 120 })]);
    const b = driftFromRefreshSteps([step('update', { t: 30 }, { t: 120 })]);
    const c = driftFromRefreshSteps([step('update', { t: 30 }, { t: 90 })]);
    expect(driftFingerprint(a)).toBe(driftFingerprint(b));
    expect(driftFingerprint(a)).not.toBe(driftFingerprint(c));
  });

  it('formats one line per field', () => {
    const resources = driftFromRefreshSteps([step('update', { t: 30 }, { t: 120, extra: true }), step('delete', {}, {})]);
    expect(formatDrift({ environment: 'dev', stack: 'q', revision: 'r', checkedAt: 't', drifted: true, resources })).toEqual([
      '~ q driftless-aws:sqs:Queue queue: extra desired (absent), actual true',
      '~ q driftless-aws:sqs:Queue queue: t desired 30, actual 120',
      '- q driftless-aws:sqs:Queue queue: deleted out-of-band',
    ]);
  });
});

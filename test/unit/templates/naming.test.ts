import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { bucketNameRule, eventRuleNameRule, physicalName, queueNameRule, roleNameRule } from '../../../sdk/template/index.js';
import { testContext } from '../../../sdk/testing/index.js';

const ctx = (environment: string, stack: string) => ({ ...testContext(stack), environment });
const name48 = fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9_-]{0,47}$/);

describe('physical names of templates', () => {
  it('are <environment>-<stack>[-suffix] when they fit', () => {
    expect(physicalName(ctx('dev', 'orders-queue'), queueNameRule(false))).toBe('dev-orders-queue');
    expect(physicalName(ctx('dev', 'orders-queue'), queueNameRule(true), 'dlq')).toBe('dev-orders-queue-dlq.fifo');
    expect(physicalName(ctx('Dev', 'Reports_Bucket'), bucketNameRule)).toBe('dev-reports-bucket');
  });

  it('are cut with a hash of the full name when too long, keeping the ending', () => {
    const long = 'a'.repeat(48);
    const n = physicalName(ctx(long, long), queueNameRule(true), 'dlq');
    expect(n.length).toBeLessThanOrEqual(80);
    expect(n).toMatch(/^a{48}-a+-[0-9a-f]{8}\.fifo$/);
  });

  it('always fit the service rule, are deterministic, and stay distinct for distinct stacks', () => {
    const rules = [
      [bucketNameRule, /^[a-z0-9-]{1,63}$/],
      [roleNameRule, /^[A-Za-z0-9+=,.@_-]{1,64}$/],
      [eventRuleNameRule, /^[A-Za-z0-9._-]{1,64}$/],
      [queueNameRule(false), /^[A-Za-z0-9_-]{1,80}$/],
    ] as const;
    fc.assert(
      fc.property(name48, name48, name48, (env, a, b) => {
        for (const [rule, valid] of rules) {
          const na = physicalName(ctx(env, a), rule);
          expect(na).toMatch(valid);
          expect(physicalName(ctx(env, a), rule)).toBe(na);
          // Case-folding (S3) and character replacement may merge names; otherwise distinct stacks get distinct names.
          const same = rule.lowerCase ? a.toLowerCase() === b.toLowerCase() : a === b;
          if (!same && !/_/.test(a + b)) expect(physicalName(ctx(env, b), rule)).not.toBe(na);
        }
      }),
    );
  });
});

import { describe, expect, it } from 'vitest';
import { budgetKeyOf, groupConcurrencyOf, isBudgetKey, limitOf, stackGroup } from '../../../engine/cluster/budget.js';

describe('groupConcurrencyOf', () => {
  it.each([
    // budget, pg-boss groupConcurrency
    [{ default: 4, overrides: {} }, { default: 4 }],
    [{ default: 1, overrides: {} }, { default: 1 }],
    [
      { default: 4, overrides: { '123456789012/eu-west-1': 8 } },
      { default: 4, tiers: { '123456789012/eu-west-1': 8 } },
    ],
    [
      { default: 2, overrides: { '123456789012/eu-west-1': 1, 'unknown/us-east-1': 6 } },
      { default: 2, tiers: { '123456789012/eu-west-1': 1, 'unknown/us-east-1': 6 } },
    ],
  ])('%j → %j', (budget, expected) => {
    expect(groupConcurrencyOf(budget)).toEqual(expected);
  });

  it.each([
    [{ default: 0, overrides: {} }, /default budget must be an integer ≥ 1/],
    [{ default: 1.5, overrides: {} }, /default budget/],
    [{ default: 2, overrides: { '123456789012/eu-west-1': 0 } }, /budget of 123456789012\/eu-west-1/],
    [{ default: 2, overrides: { 'eu-west-1': 3 } }, /is not <account>\/<region>/],
    [{ default: 2, overrides: { 'a/b/c': 3 } }, /is not <account>\/<region>/],
  ])('refuses %j', (budget, message) => {
    expect(() => groupConcurrencyOf(budget)).toThrow(message);
  });
});

describe('limitOf (pg-boss: tiers[group_tier] ?? default)', () => {
  const config = groupConcurrencyOf({ default: 3, overrides: { '111111111111/eu-west-1': 1 } });
  it.each([
    ['111111111111/eu-west-1', 1],
    ['111111111111/us-east-1', 3],
    ['222222222222/eu-west-1', 3],
  ])('%s → %i', (key, limit) => {
    expect(limitOf(config, key)).toBe(limit);
  });
});

describe('stack groups', () => {
  it('name the budget key as both the group and the tier (overrides are looked up by tier)', () => {
    expect(stackGroup('123456789012/eu-west-1')).toEqual({ id: '123456789012/eu-west-1', tier: '123456789012/eu-west-1' });
  });

  it.each([
    ['123456789012', 'eu-west-1', true],
    ['unknown', 'eu-west-1', true],
    ['', 'eu-west-1', false],
    ['123456789012', '', false],
    ['1234 5678', 'eu-west-1', false],
  ])('budgetKeyOf(%j, %j) valid: %s', (account, region, valid) => {
    if (valid) expect(isBudgetKey(budgetKeyOf(account, region))).toBe(true);
    else expect(() => budgetKeyOf(account, region)).toThrow(/budget key/);
  });

  it('refuses a group that is not a budget key', () => {
    expect(() => stackGroup('eu-west-1')).toThrow(/budget key/);
  });
});

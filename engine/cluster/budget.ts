import type { GroupConcurrencyConfig, GroupOptions } from 'pg-boss';

/**
 * How many stack operations may run at once per AWS account and region, across every
 * replica: `default` for any `<account>/<region>`, `overrides` for named ones
 * (e.g. `{ '123456789012/eu-west-1': 8 }`).
 */
export interface StackBudget {
  default: number;
  overrides: Record<string, number>;
}

/** `<account>/<region>`: neither part empty, neither holding a `/` or white space. */
const BUDGET_KEY = /^[^/\s]+\/[^/\s]+$/;

/** Whether `key` has the `<account>/<region>` shape a budget is keyed by. */
export function isBudgetKey(key: string): boolean {
  return BUDGET_KEY.test(key);
}

/** The budget key of an account and region. */
export function budgetKeyOf(account: string, region: string): string {
  const key = `${account}/${region}`;
  if (!isBudgetKey(key)) throw new Error(`not an <account>/<region> budget key: ${JSON.stringify(key)}`);
  return key;
}

/**
 * The pg-boss group a stack job is inserted with. The tier is the budget key too: pg-boss
 * looks a group's limit up by the job's *tier* (`tiers[group_tier] ?? default`), never by
 * its id, so an override keyed by `<account>/<region>` only applies when the tier names it.
 */
export function stackGroup(budgetKey: string): GroupOptions {
  if (!isBudgetKey(budgetKey)) throw new Error(`not an <account>/<region> budget key: ${JSON.stringify(budgetKey)}`);
  return { id: budgetKey, tier: budgetKey };
}

function assertLimit(value: number, what: string): void {
  // pg-boss asserts the same at work()/fetch() time; failing here names driftless's setting.
  if (!Number.isInteger(value) || value < 1) throw new Error(`${what} must be an integer ≥ 1, not ${value}`);
}

/**
 * The budget as pg-boss's `groupConcurrency`: the default limit, and one tier per
 * override (see {@link stackGroup} for why tiers carry the overrides). No `tiers` key at
 * all when there is no override, which lets pg-boss use its cheaper single-limit query.
 */
export function groupConcurrencyOf(budget: StackBudget): GroupConcurrencyConfig {
  assertLimit(budget.default, 'the default budget');
  const tiers: Record<string, number> = {};
  for (const [key, limit] of Object.entries(budget.overrides)) {
    if (!isBudgetKey(key)) throw new Error(`budget override ${JSON.stringify(key)} is not <account>/<region>`);
    assertLimit(limit, `the budget of ${key}`);
    tiers[key] = limit;
  }
  return Object.keys(tiers).length > 0 ? { default: budget.default, tiers } : { default: budget.default };
}

/** The limit pg-boss applies to a group under `config` (its lookup, for callers and tests). */
export function limitOf(config: GroupConcurrencyConfig, budgetKey: string): number {
  return config.tiers?.[budgetKey] ?? config.default;
}

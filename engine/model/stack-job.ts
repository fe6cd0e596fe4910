import type { CommitAudit, Trigger } from './records.js';

/**
 * One Pulumi operation on one stack, as replicas pass it through the work queue: the
 * leader decides that a stack must change and enqueues this; any replica runs it. It
 * names a commit (never code): the worker reads that commit's YAML from its own mirror
 * of the operator's repository and validates it again.
 */
export interface StackJob {
  environment: string;
  stack: string;
  revision: string;
  operation: 'up' | 'preview';
  trigger: Trigger;
  /** `<account>/<region>`: the budget the operation counts against. */
  budgetKey: string;
  audit?: CommitAudit | undefined;
  refresh?: boolean | undefined;
}

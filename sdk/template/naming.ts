import { createHash } from 'node:crypto';
import type { TemplateContext } from './context.js';

/** One AWS service's naming rule for the physical names templates derive. */
export interface NameRule {
  maxLength: number;
  /** Characters the service accepts; every other character becomes `-`. */
  allowed: RegExp;
  /** S3 accepts lower case only. */
  lowerCase?: boolean;
  /** Fixed ending that must survive shortening, e.g. `.fifo`. */
  ending?: string;
}

const HASH_LENGTH = 8;

/**
 * Deterministic physical name `<environment>-<stack>[-<suffix>]<ending>`. The same stack
 * always gets the same name, so an `up` re-run after a crash finds (and the service
 * refuses to duplicate) what the first run created. A name too long for the service is
 * cut and given a short hash of the full name, which keeps distinct stacks distinct.
 */
export function physicalName(ctx: TemplateContext, rule: NameRule, suffix?: string): string {
  const ending = rule.ending ?? '';
  let base = [ctx.environment, ctx.stack, suffix].filter((p) => p !== undefined && p !== '').join('-');
  if (rule.lowerCase) base = base.toLowerCase();
  base = [...base].map((c) => (rule.allowed.test(c) ? c : '-')).join('');
  if (base.length + ending.length <= rule.maxLength) return base + ending;
  const hash = createHash('sha256').update(base).digest('hex').slice(0, HASH_LENGTH);
  const room = rule.maxLength - ending.length - HASH_LENGTH - 1;
  return `${base.slice(0, room).replace(/-+$/, '')}-${hash}${ending}`;
}

/** SQS queue names: 80 characters including `.fifo`. */
export const queueNameRule = (fifo: boolean): NameRule => ({ maxLength: 80, allowed: /[A-Za-z0-9_-]/, ending: fifo ? '.fifo' : '' });
/** SNS topic names: 256 characters including `.fifo`. */
export const topicNameRule = (fifo: boolean): NameRule => ({ maxLength: 256, allowed: /[A-Za-z0-9_-]/, ending: fifo ? '.fifo' : '' });
/** S3 bucket names: 3-63 lower-case letters, digits and `-` (dots are avoided: they break TLS). */
export const bucketNameRule: NameRule = { maxLength: 63, allowed: /[a-z0-9-]/, lowerCase: true };
/** IAM role names: 64 characters. */
export const roleNameRule: NameRule = { maxLength: 64, allowed: /[A-Za-z0-9+=,.@_-]/ };
/** EventBridge rule names: 64 characters. */
export const eventRuleNameRule: NameRule = { maxLength: 64, allowed: /[A-Za-z0-9._-]/ };

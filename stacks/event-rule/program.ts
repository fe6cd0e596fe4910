import { Rule, Target } from '../../sdk/aws.js';
import { dependencyString, eventRuleNameRule, physicalName, resourceTags, type TemplateProgram } from '../../sdk/template/index.js';
import type { EventRuleParams } from './params.js';

/** An EventBridge rule on the default bus with one target: a queue or topic of another stack. */
export const eventRuleProgram: TemplateProgram<EventRuleParams> = (params, ctx) => {
  const rule = new Rule('rule', {
    name: physicalName(ctx, eventRuleNameRule),
    description: params.description,
    scheduleExpression: params.schedule,
    eventPattern: params.eventPattern,
    state: params.enabled ? 'ENABLED' : 'DISABLED',
    tags: resourceTags(ctx),
  });
  new Target('target', { rule: rule.name, targetId: 'target', arn: dependencyString(params.target, ctx) });
  return { arn: rule.arn, name: rule.name };
};

import { defineTemplate } from '../../sdk/template/index.js';
import { EventRuleParams } from './params.js';
import { eventRuleProgram } from './program.js';

/** The built-in `event-rule` template: an EventBridge rule targeting a queue or topic. */
export const eventRuleTemplate = defineTemplate({
  name: 'event-rule',
  version: '1.0.0',
  description: 'EventBridge rule on a schedule or event pattern, targeting a queue or topic of another stack',
  params: EventRuleParams,
  outputs: [
    { name: 'arn', description: 'rule ARN' },
    { name: 'name', description: 'rule name' },
  ],
  program: eventRuleProgram,
});

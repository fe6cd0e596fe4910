import { defineTemplate } from '../../sdk/template/index.js';
import { TopicParams } from './params.js';
import { topicProgram } from './program.js';

/** The built-in `topic` template: an SNS topic fanning out to queues of other stacks. */
export const topicTemplate = defineTemplate({
  name: 'topic',
  version: '1.0.0',
  description: 'SNS topic with subscriptions to queues of other stacks',
  params: TopicParams,
  outputs: [
    { name: 'arn', description: 'topic ARN' },
    { name: 'name', description: 'topic name' },
  ],
  program: topicProgram,
});

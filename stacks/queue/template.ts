import { defineTemplate } from '../../sdk/template/index.js';
import { QueueParams } from './params.js';
import { queueProgram } from './program.js';

/** The built-in `queue` template: an SQS queue with an optional dead-letter queue. */
export const queueTemplate = defineTemplate({
  name: 'queue',
  version: '1.0.0',
  description: 'SQS queue: visibility timeout, retention, FIFO, optional dead-letter queue',
  params: QueueParams,
  outputs: [
    { name: 'arn', description: 'queue ARN' },
    { name: 'url', description: 'queue URL' },
    { name: 'name', description: 'queue name' },
    { name: 'deadLetterArn', description: 'dead-letter queue ARN (empty string without one)' },
    { name: 'deadLetterName', description: 'dead-letter queue name (empty string without one)' },
    { name: 'visibilityTimeoutSeconds', description: 'configured visibility timeout, for age-of-message alarms' },
    { name: 'maxReceiveCount', description: 'receives before a message moves to the dead-letter queue (0 without one)' },
  ],
  program: queueProgram,
});

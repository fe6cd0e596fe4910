import type { ResourceHandler } from '../handler.js';
import { eventsRule } from './events-rule.js';
import { eventsTarget } from './events-target.js';
import { iamRole } from './iam-role.js';
import { kmsAlias } from './kms-alias.js';
import { kmsKey } from './kms-key.js';
import { logsLogGroup } from './logs-log-group.js';
import { s3Bucket } from './s3-bucket.js';
import { secretsManagerSecret } from './secretsmanager-secret.js';
import { snsSubscription } from './sns-subscription.js';
import { snsTopic } from './sns-topic.js';
import { sqsQueue } from './sqs-queue.js';
import { ssmParameter } from './ssm-parameter.js';

/**
 * Every resource type the provider serves. Adding one = one module in this folder
 * plus one entry here (and its typed class in provider/sdk/).
 */
export const resourceHandlers: readonly ResourceHandler[] = [
  sqsQueue,
  s3Bucket,
  snsTopic,
  snsSubscription,
  iamRole,
  ssmParameter,
  secretsManagerSecret,
  kmsKey,
  kmsAlias,
  logsLogGroup,
  eventsRule,
  eventsTarget,
];

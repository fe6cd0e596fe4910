import type { ResourceHandler } from '../handler.js';
import { s3Bucket } from './s3-bucket.js';
import { snsSubscription } from './sns-subscription.js';
import { snsTopic } from './sns-topic.js';
import { sqsQueue } from './sqs-queue.js';

/**
 * Every resource type the provider serves. Adding one = one module in this folder
 * plus one entry here (and its typed class in provider/sdk/).
 */
export const resourceHandlers: readonly ResourceHandler[] = [sqsQueue, s3Bucket, snsTopic, snsSubscription];

/**
 * Typed resource classes of the driftless-aws provider, for stacks/ templates.
 * Every class is a `pulumi.CustomResource` served by the `pulumi-resource-driftless-aws` plugin.
 */
export * from './sqs.js';
export * from './iam.js';
export * from './ssm.js';
export * from './secretsmanager.js';
export * from './kms.js';
export * from './logs.js';
export * from './events.js';
export { PROVIDER_NAME } from '../src/package-name.js';

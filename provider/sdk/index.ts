/**
 * Typed resource classes of the driftless-aws provider, for stacks/ templates.
 * Every class is a `pulumi.CustomResource` served by the `pulumi-resource-driftless-aws` plugin.
 */
export * from './sqs.js';
export * from './s3.js';
export * from './sns.js';
export * from './iam.js';
export * from './ssm.js';
export * from './secretsmanager.js';
export * from './kms.js';
export * from './logs.js';
export * from './events.js';
export * from './sts.js';
export type { JsonInput } from './resource-props.js';
export { PROVIDER_NAME } from '../src/package-name.js';

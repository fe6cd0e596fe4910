/**
 * Typed resource classes of the driftless-aws provider, for stacks/ templates.
 * Every class is a `pulumi.CustomResource` served by the `pulumi-resource-driftless-aws` plugin.
 */
export * from './sqs.js';
export { PROVIDER_NAME } from '../src/package-name.js';

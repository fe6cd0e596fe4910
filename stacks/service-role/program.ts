import { Role } from '../../sdk/aws.js';
import { dependencyString, physicalName, resourceTags, roleNameRule, type TemplateProgram } from '../../sdk/template/index.js';
import type { ServiceRoleParams } from './params.js';

/** Name of the role's one inline policy. */
export const INLINE_POLICY_NAME = 'least-privilege';

/**
 * An IAM role that the listed services may assume, with one inline policy of allow
 * statements. The params schema has already refused `*` actions and resources; here
 * references to other stacks' outputs become the ARNs they hold.
 */
export const serviceRoleProgram: TemplateProgram<ServiceRoleParams> = (params, ctx) => {
  const role = new Role('role', {
    name: physicalName(ctx, roleNameRule),
    description: params.description,
    maxSessionDurationSeconds: params.maxSessionDurationSeconds,
    assumeRolePolicy: {
      Version: '2012-10-17',
      Statement: [{ Effect: 'Allow', Principal: { Service: params.assumedBy }, Action: 'sts:AssumeRole' }],
    },
    inlinePolicies: {
      [INLINE_POLICY_NAME]: {
        Version: '2012-10-17',
        Statement: params.policies.map((p) => ({
          Effect: 'Allow',
          Action: p.actions,
          Resource: p.resources.map((r) => (typeof r === 'string' ? r : dependencyString(r, ctx))),
        })),
      },
    },
    tags: resourceTags(ctx),
  });
  return { arn: role.arn, name: role.name };
};

import { OutputRef, z } from '../../sdk/template/index.js';

/**
 * One action: `service:Action`. A bare `*` or a whole-service `svc:*` is refused: the point
 * of the template is least privilege, and those grant everything. Prefix wildcards such as
 * `sqs:Get*` stay allowed.
 */
const Action = z.string().superRefine((value, ctx) => {
  if (!/^[a-z0-9-]+:[A-Za-z0-9*]+$/.test(value))
    ctx.addIssue({ code: 'custom', message: `"${value}" is not an IAM action such as sqs:SendMessage` });
  else if (value.endsWith(':*'))
    ctx.addIssue({ code: 'custom', message: `"${value}" grants a whole service: list the actions the role needs` });
});

/** An ARN, or a reference to an ARN output of another stack; `*` is refused. */
const Resource = z.union([
  z.string().superRefine((value, ctx) => {
    if (value === '*')
      ctx.addIssue({ code: 'custom', message: 'resource "*" grants every resource: name ARNs or reference a stack output' });
    else if (!value.startsWith('arn:')) ctx.addIssue({ code: 'custom', message: `"${value}" is not an ARN (arn:partition:service:...)` });
  }),
  OutputRef,
]);

/** One allow statement of the role's inline policy. */
export const RoleStatement = z.strictObject({
  actions: z.array(Action).min(1).describe('IAM actions such as sqs:SendMessage; no "*" and no whole-service svc:*'),
  resources: z.array(Resource).min(1).describe('ARNs, or ARN outputs of other stacks; no "*"'),
});

/** Params of the `service-role` template. */
export const ServiceRoleParams = z.strictObject({
  /** Service principals allowed to assume the role, e.g. lambda.amazonaws.com. */
  assumedBy: z
    .array(z.string().regex(/^[a-z0-9.-]+\.amazonaws\.com$/, 'must be a service principal such as lambda.amazonaws.com'))
    .min(1)
    .describe('service principals that may assume the role, e.g. lambda.amazonaws.com'),
  description: z.string().max(1000).optional().describe('role description'),
  maxSessionDurationSeconds: z.int().min(3600).max(43_200).default(3600).describe('longest session the role grants'),
  policies: z.array(RoleStatement).min(1).describe('allow statements of the inline policy'),
});
/** Validated service-role params. */
export type ServiceRoleParams = z.infer<typeof ServiceRoleParams>;

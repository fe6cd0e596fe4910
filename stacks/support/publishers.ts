import { type CallerIdentity, getCallerIdentity } from '../../sdk/aws.js';
import type { pulumi, TemplateContext } from '../../sdk/template/index.js';

/** Where an ARN lives: partition, region and account (all ARNs a stack writes share them). */
export interface ArnScope {
  partition: string;
  region: string;
  accountId: string;
}

/**
 * The scope of the ARNs this stack writes: the account and partition of the provider's
 * credentials (the account every resource it creates lives in) and the stack's region.
 * Known at preview, so policies naming resources that do not exist yet are exact.
 */
export function arnScope(ctx: TemplateContext): pulumi.Output<ArnScope> {
  return getCallerIdentity().apply((id: CallerIdentity) => ({ partition: id.partition, region: ctx.region, accountId: id.accountId }));
}

/** ARN pattern of every SNS topic of this environment (names start `<environment>-`). */
export function environmentTopicsArn(s: ArnScope, ctx: TemplateContext): string {
  return `arn:${s.partition}:sns:${s.region}:${s.accountId}:${ctx.environment}-*`;
}

/** ARN pattern of every EventBridge rule of this environment on the default bus. */
export function environmentRulesArn(s: ArnScope, ctx: TemplateContext): string {
  return `arn:${s.partition}:events:${s.region}:${s.accountId}:rule/${ctx.environment}-*`;
}

/**
 * A queue's access policy letting this environment's SNS topics and EventBridge rules
 * (same account and region) send to it. The queue's own stack owns its one policy
 * document, so stacks that publish never write it; deterministic physical names
 * (`<environment>-<stack>`) make "this environment's publishers" an ARN pattern.
 */
export function queuePublishersPolicy(s: ArnScope, ctx: TemplateContext, queueName: string): Record<string, unknown> {
  return {
    Version: '2012-10-17',
    Statement: [
      {
        Sid: 'EnvironmentPublishers',
        Effect: 'Allow',
        // Sorted as written: policies compare by canonical text.
        Principal: { Service: ['events.amazonaws.com', 'sns.amazonaws.com'] },
        Action: 'sqs:SendMessage',
        Resource: `arn:${s.partition}:sqs:${s.region}:${s.accountId}:${queueName}`,
        Condition: { ArnLike: { 'aws:SourceArn': [environmentRulesArn(s, ctx), environmentTopicsArn(s, ctx)] } },
      },
    ],
  };
}

/** What SNS grants a topic's own account by default; writing a policy replaces SNS's default, so it is kept. */
const OWNER_ACTIONS = [
  'SNS:AddPermission',
  'SNS:DeleteTopic',
  'SNS:GetTopicAttributes',
  'SNS:ListSubscriptionsByTopic',
  'SNS:Publish',
  'SNS:RemovePermission',
  'SNS:SetTopicAttributes',
  'SNS:Subscribe',
];

/**
 * A topic's access policy: SNS's default grant to the topic's own account and, when
 * `allowRules`, publishing by this environment's EventBridge rules. Always written, so
 * turning the rules off removes their grant instead of leaving it behind.
 */
export function topicPolicy(s: ArnScope, ctx: TemplateContext, topicName: string, allowRules: boolean): Record<string, unknown> {
  const topicArn = `arn:${s.partition}:sns:${s.region}:${s.accountId}:${topicName}`;
  const owner = {
    Sid: 'OwnerAccount',
    Effect: 'Allow',
    Principal: { AWS: '*' },
    Action: OWNER_ACTIONS,
    Resource: topicArn,
    Condition: { StringEquals: { 'AWS:SourceOwner': s.accountId } },
  };
  const rules = {
    Sid: 'EnvironmentRules',
    Effect: 'Allow',
    Principal: { Service: 'events.amazonaws.com' },
    Action: 'sns:Publish',
    Resource: topicArn,
    Condition: { ArnLike: { 'aws:SourceArn': environmentRulesArn(s, ctx) } },
  };
  return { Version: '2012-10-17', Statement: allowRules ? [owner, rules] : [owner] };
}

/** Type tokens, shared by the typed classes (sdk/) and the provider's handlers (src/). */
export const QUEUE_TOKEN = 'driftless-aws:sqs:Queue';
export const ROLE_TOKEN = 'driftless-aws:iam:Role';
export const PARAMETER_TOKEN = 'driftless-aws:ssm:Parameter';
export const SECRET_TOKEN = 'driftless-aws:secretsmanager:Secret';
export const KEY_TOKEN = 'driftless-aws:kms:Key';
export const ALIAS_TOKEN = 'driftless-aws:kms:Alias';
export const LOG_GROUP_TOKEN = 'driftless-aws:logs:LogGroup';
export const RULE_TOKEN = 'driftless-aws:events:Rule';
export const TARGET_TOKEN = 'driftless-aws:events:Target';
export const BUCKET_TOKEN = 'driftless-aws:s3:Bucket';
export const TOPIC_TOKEN = 'driftless-aws:sns:Topic';
export const SUBSCRIPTION_TOKEN = 'driftless-aws:sns:Subscription';
/** Function (invoke) tokens. */
export const CALLER_IDENTITY_TOKEN = 'driftless-aws:sts:getCallerIdentity';

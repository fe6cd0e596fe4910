// driftless/builtins: driftless's built-in templates as values, so a template package can
// build on them — reuse a params schema so the same YAML works with either template, or the
// bucket policy helper — instead of copying them. Part of the stable SDK contract.
export { bucketPolicyDocument, type PolicyDocument } from '../stacks/support/bucket-policy.js';
export { builtinTemplates } from '../stacks/index.js';
export { bucketTemplate } from '../stacks/bucket/template.js';
export { configTemplate } from '../stacks/config/template.js';
export { eventRuleTemplate } from '../stacks/event-rule/template.js';
export { kmsKeyTemplate } from '../stacks/kms-key/template.js';
export { queueTemplate } from '../stacks/queue/template.js';
export { serviceRoleTemplate } from '../stacks/service-role/template.js';
export { topicTemplate } from '../stacks/topic/template.js';

import type { TemplateDefinition } from '../sdk/template/index.js';
import { bucketTemplate } from './bucket/template.js';
import { configTemplate } from './config/template.js';
import { eventRuleTemplate } from './event-rule/template.js';
import { kmsKeyTemplate } from './kms-key/template.js';
import { queueTemplate } from './queue/template.js';
import { serviceRoleTemplate } from './service-role/template.js';
import { topicTemplate } from './topic/template.js';

/**
 * driftless's built-in templates, written on the public template SDK (sdk/template) like
 * any operator-installed package and built on the bundled driftless-aws provider, so they
 * need no plugin installed. Their names carry no namespace: plain names belong to
 * driftless, package templates are namespaced (`acme/worker`).
 *
 * Importing this module loads the programs, hence the Pulumi SDK and the provider's
 * resource classes; the engine reads names, versions, params and outputs from here too.
 */
export const builtinTemplates: readonly TemplateDefinition[] = Object.freeze([
  bucketTemplate,
  queueTemplate,
  topicTemplate,
  serviceRoleTemplate,
  configTemplate,
  eventRuleTemplate,
  kmsKeyTemplate,
]);

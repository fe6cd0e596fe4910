// driftless/template: the public SDK templates are written on, built-in and operator-installed
// alike. It is a stable contract (docs/templates-authoring.md): additions are minor versions of
// driftless, removals or changes of meaning need TEMPLATE_API_VERSION to change.
//
// `z` and `pulumi` are re-exported so that a template package uses driftless's own copies:
// a package then never brings a second zod or Pulumi SDK that the engine cannot read.
export * as pulumi from '@pulumi/pulumi';
export { z } from 'zod';
export type { TemplateContext } from './context.js';
export {
  defineTemplate,
  type EnvRequirement,
  isTemplateDefinition,
  TEMPLATE_API_VERSION,
  TemplateDefinitionError,
  templateDefinitionProblems,
  type PluginRequirement,
  type TemplateDefinition,
  type TemplateOutput,
  type TemplateProgram,
  type TemplateSpec,
} from './define.js';
export { bucketNameRule, eventRuleNameRule, type NameRule, physicalName, queueNameRule, roleNameRule, topicNameRule } from './naming.js';
export { dependencyString, isOutputRef, OutputRef, resolveOutputRef } from './refs.js';
export { resourceTags } from './tags.js';

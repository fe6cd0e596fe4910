import type { TemplateContext } from './context.js';

/**
 * The tags every taggable resource of a stack carries: the environment's and the stack's
 * own (ctx.tags), then the four driftless sets itself. Those four come last so YAML can
 * never relabel a resource as unmanaged or as belonging to another stack.
 */
export function resourceTags(ctx: TemplateContext): Record<string, string> {
  return {
    ...ctx.tags,
    environment: ctx.environment,
    stack: ctx.stack,
    'managed-by': 'driftless',
    revision: ctx.revision,
  };
}

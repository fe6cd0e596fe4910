import { resolveOutputRef, type OutputRef, type TemplateContext } from '../contract.js';

/**
 * The string another stack's output holds, e.g. a queue ARN. The loader has checked the
 * reference against dependsOn and the template's documented outputs; an absent or
 * non-string value means the dependency has not been applied (or hid the value as a
 * secret), and the program stops with a message naming both ends instead of handing
 * AWS an empty ARN.
 */
export function dependencyString(ref: OutputRef, ctx: TemplateContext): string {
  const value = resolveOutputRef(ref, ctx);
  if (typeof value === 'string' && value !== '') return value;
  const why = value === undefined ? 'is missing: has that stack been applied?' : `is not a plain string (${JSON.stringify(value)})`;
  throw new Error(`stack ${ctx.stack}: output "${ref.output}" of stack ${ref.fromStack} ${why}`);
}

import { z } from 'zod';
import { Name } from '../../schemas/common.js';
import type { TemplateContext } from './context.js';

/**
 * A value taken from another stack's outputs, written in YAML as
 * `{ fromStack: orders-queue, output: arn }`. Use it inside a template's params schema;
 * the loader checks that `fromStack` is in the stack's dependsOn and that its template
 * declares `output`, so a typo fails validation instead of a run.
 */
export const OutputRef = z.strictObject({
  fromStack: Name,
  output: z.string().regex(/^[A-Za-z][A-Za-z0-9]*$/, 'must be an output name such as arn'),
});
/** A reference to another stack's output. */
export type OutputRef = z.infer<typeof OutputRef>;

/** True for a parsed {@link OutputRef}; strict params schemas make the shape unambiguous. */
export function isOutputRef(value: unknown): value is OutputRef {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const keys = Object.keys(value);
  return (
    keys.length === 2 &&
    typeof (value as Record<string, unknown>).fromStack === 'string' &&
    typeof (value as Record<string, unknown>).output === 'string'
  );
}

/** The value an {@link OutputRef} points at, from the outputs the engine handed the program. */
export function resolveOutputRef(ref: OutputRef, ctx: TemplateContext): unknown {
  return ctx.dependencies[ref.fromStack]?.[ref.output];
}

/**
 * The string another stack's output holds, e.g. a queue ARN. The loader has checked the
 * reference against dependsOn and the template's declared outputs, and the engine refuses
 * to run a stack whose dependency has not recorded the output; a non-string value (a
 * secret, a number) stops the program with a message naming both ends instead of handing
 * AWS a wrong ARN.
 */
export function dependencyString(ref: OutputRef, ctx: TemplateContext): string {
  const value = resolveOutputRef(ref, ctx);
  if (typeof value === 'string' && value !== '') return value;
  const why = value === undefined ? 'is missing: has that stack been applied?' : `is not a plain string (${JSON.stringify(value)})`;
  throw new Error(`stack ${ctx.stack}: output "${ref.output}" of stack ${ref.fromStack} ${why}`);
}

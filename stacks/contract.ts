// The contract between the engine and the templates. Validation imports only the params
// side (stacks/<name>/params.ts, stacks/catalog.ts); `pulumi` is a type-only import here so
// that loading this module never loads the Pulumi SDK.
import type * as pulumi from '@pulumi/pulumi';
import { z } from 'zod';
import { Name } from '../schemas/common.js';

/** One output a template's program returns, documented for stacks that depend on it. */
export interface TemplateOutput {
  name: string;
  description: string;
}

/** The validation side of a template: its params schema and the outputs it promises. */
export interface TemplateParamsDefinition<P extends z.ZodType = z.ZodType> {
  /** Folder name under stacks/, as written in a Stack's `spec.template`. */
  name: string;
  /** Version of the params contract; bumped when a change would reject existing YAML. */
  version: string;
  description: string;
  params: P;
  outputs: readonly TemplateOutput[];
}

/** Everything a program knows about where it runs, besides its params. */
export interface TemplateContext {
  environment: string;
  stack: string;
  region: string;
  /** Environment tags merged with the stack's own; apply them to every resource. */
  tags: Record<string, string>;
  /** Git commit the run applies. */
  revision: string;
  /** Outputs of the stacks named in dependsOn, by stack name then output name. */
  dependencies: Record<string, Record<string, unknown>>;
}

/** The Pulumi side of a template: builds resources and returns the documented outputs. */
export type TemplateProgram<P> = (params: P, ctx: TemplateContext) => Record<string, pulumi.Input<unknown>>;

/**
 * A value taken from another stack's outputs, written in YAML as
 * `{ fromStack: orders-queue, output: arn }`. The loader checks that `fromStack` is in the
 * stack's dependsOn and that its template documents `output`.
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

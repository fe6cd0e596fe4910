import { z } from 'zod';
import { API_VERSION, CronExpression, DriftMode, Metadata, Name, Tags } from './common.js';
import { DriftIgnore } from './drift-ignore.js';

/**
 * Per-stack drift override: mode and schedule fall back to the environment's value; ignore
 * rules add to the environment's.
 */
export const StackDrift = z.strictObject({
  mode: DriftMode.optional(),
  schedule: CronExpression.optional(),
  ignore: DriftIgnore.optional(),
});

/**
 * `spec` of a Stack document. `params` is only checked to be a mapping here: the template's
 * own schema validates it (see stacks/catalog.ts), so that its messages name its fields.
 */
export const StackSpec = z.strictObject({
  template: z.string().min(1, 'must name a template'),
  params: z.record(z.string(), z.unknown()).default({}),
  dependsOn: z.array(Name).default([]),
  drift: StackDrift.default({}),
  tags: Tags.default({}),
});
/** A validated Stack spec before its params are checked by the template. */
export type StackSpec = z.infer<typeof StackSpec>;

/** Every YAML file in an environment folder other than environment.yaml. */
export const Stack = z.strictObject({
  apiVersion: z.literal(API_VERSION),
  kind: z.literal('Stack'),
  metadata: Metadata,
  spec: StackSpec,
});
/** A validated Stack document. */
export type Stack = z.infer<typeof Stack>;

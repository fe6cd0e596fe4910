// The Pulumi side of the catalogue. The engine imports this module only when it runs
// Pulumi, so validation (stacks/catalog.ts) never loads the Pulumi SDK or the provider.
import type { z } from 'zod';
import type { TemplateParamsDefinition, TemplateProgram } from './contract.js';
import { awsBucketDefinition } from './aws-bucket/params.js';
import { awsBucketProgram } from './aws-bucket/program.js';
import { bucketDefinition } from './bucket/params.js';
import { bucketProgram } from './bucket/program.js';
import { configDefinition } from './config/params.js';
import { configProgram } from './config/program.js';
import { eventRuleDefinition } from './event-rule/params.js';
import { eventRuleProgram } from './event-rule/program.js';
import { kmsKeyDefinition } from './kms-key/params.js';
import { kmsKeyProgram } from './kms-key/program.js';
import { queueDefinition } from './queue/params.js';
import { queueProgram } from './queue/program.js';
import { serviceRoleDefinition } from './service-role/params.js';
import { serviceRoleProgram } from './service-role/program.js';
import { topicDefinition } from './topic/params.js';
import { topicProgram } from './topic/program.js';

/** A whole template: its params definition joined with its program. */
export interface TemplateDefinition extends TemplateParamsDefinition {
  /** Takes params as the engine holds them (validated but untyped) and parses them itself. */
  program: TemplateProgram<unknown>;
}

/**
 * Joins a params definition with its program. Parsing with the template's own schema
 * (idempotent on params the loader already parsed) gives the program exactly its type
 * without a cast, and keeps a program from ever seeing params its schema refuses.
 */
function define<S extends z.ZodType>(def: TemplateParamsDefinition<S>, program: TemplateProgram<z.output<S>>): TemplateDefinition {
  return { ...def, program: (raw, ctx) => program(def.params.parse(raw), ctx) };
}

/** Every template of the catalogue with its program, by name. */
export const templateDefinitions: ReadonlyMap<string, TemplateDefinition> = new Map(
  [
    define(bucketDefinition, bucketProgram),
    define(awsBucketDefinition, awsBucketProgram),
    define(queueDefinition, queueProgram),
    define(topicDefinition, topicProgram),
    define(serviceRoleDefinition, serviceRoleProgram),
    define(configDefinition, configProgram),
    define(eventRuleDefinition, eventRuleProgram),
    define(kmsKeyDefinition, kmsKeyProgram),
  ].map((d): [string, TemplateDefinition] => [d.name, d]),
);

/** Programs by template name, as the engine binds them into stacks. */
export const programs: Readonly<Record<string, TemplateProgram<unknown>>> = Object.fromEntries(
  [...templateDefinitions.values()].map((d) => [d.name, d.program]),
);

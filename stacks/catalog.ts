import type { TemplateParamsDefinition } from './contract.js';
import { awsBucketDefinition } from './aws-bucket/params.js';
import { bucketDefinition } from './bucket/params.js';
import { configDefinition } from './config/params.js';
import { eventRuleDefinition } from './event-rule/params.js';
import { kmsKeyDefinition } from './kms-key/params.js';
import { queueDefinition } from './queue/params.js';
import { serviceRoleDefinition } from './service-role/params.js';
import { topicDefinition } from './topic/params.js';

/** Every template a Stack may name, by name. Params only: nothing here loads Pulumi. */
export const templateCatalog: ReadonlyMap<string, TemplateParamsDefinition> = new Map(
  [
    bucketDefinition,
    awsBucketDefinition,
    queueDefinition,
    topicDefinition,
    serviceRoleDefinition,
    configDefinition,
    eventRuleDefinition,
    kmsKeyDefinition,
  ].map((d): [string, TemplateParamsDefinition] => [d.name, d]),
);

/** Template names in sorted order, for messages and the JSON Schema. */
export const templateNames: readonly string[] = [...templateCatalog.keys()].sort();

/** Result of looking a template up by the name a Stack gives. */
export type TemplateLookup = { ok: true; value: TemplateParamsDefinition } | { ok: false; message: string };

/** Finds a template; an unknown name yields a message listing the available ones. */
export function findTemplate(name: string): TemplateLookup {
  const found = templateCatalog.get(name);
  if (found) return { ok: true, value: found };
  return { ok: false, message: `unknown template "${name}"; available: ${templateNames.join(', ')}` };
}

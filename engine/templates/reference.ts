// Renders a template reference — docs/templates.md for the built-ins, or the page of any
// installed package (`driftless templates --reference`): params tables come from each
// template's Zod schema (through its JSON Schema form), so the page cannot say anything the
// schema does not.
import { join } from 'node:path';
import { z } from 'zod';
import { projectRoot } from '../toolchain/paths.js';
import type { TemplateDefinition } from '../../sdk/template/define.js';
import type { InstalledTemplate } from './registry.js';

/** Where the generated reference lives in the repository. */
export const referencePath = join(projectRoot, 'docs', 'templates.md');

/** A JSON Schema node, as plain JSON. */
type JsonSchema = { [key: string]: unknown };

/** One row of a params table. */
export interface ParamRow {
  /** Dotted path; `[]` marks the items of a list. */
  name: string;
  type: string;
  /** `required`, `optional` or `default <value>`. */
  presence: string;
  description: string;
}

const asSchema = (v: unknown): JsonSchema | undefined =>
  typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as JsonSchema) : undefined;

/** An OutputRef is the one object spelled `{ fromStack, output }`; it gets a name, not rows. */
function isOutputRefSchema(s: JsonSchema): boolean {
  const props = asSchema(s.properties);
  return props !== undefined && Object.keys(props).sort().join(',') === 'fromStack,output';
}

function range(s: JsonSchema): string {
  const min = typeof s.minimum === 'number' ? s.minimum : undefined;
  // Zod's z.int() puts the largest safe integer as maximum: no bound a reader cares about.
  const max = typeof s.maximum === 'number' && s.maximum < Number.MAX_SAFE_INTEGER ? s.maximum : undefined;
  if (min !== undefined && max !== undefined) return ` ${min}–${max}`;
  if (min !== undefined) return ` ≥ ${min}`;
  if (max !== undefined) return ` ≤ ${max}`;
  return '';
}

/** A short human name of a schema's type. */
export function typeName(s: JsonSchema): string {
  if (Array.isArray(s.anyOf)) return s.anyOf.map((a) => typeName(asSchema(a) ?? {})).join(' or ');
  if (Array.isArray(s.enum)) return s.enum.map((v) => JSON.stringify(v)).join(' or ');
  if (s.const !== undefined) return JSON.stringify(s.const);
  switch (s.type) {
    case 'array': {
      const min = typeof s.minItems === 'number' && s.minItems > 0 ? ` (at least ${s.minItems})` : '';
      return `list of ${typeName(asSchema(s.items) ?? {})}${min}`;
    }
    case 'object':
      if (isOutputRefSchema(s)) return 'OutputRef';
      return asSchema(s.properties) ? 'object' : 'map';
    case 'integer':
    case 'number':
      return `${s.type}${range(s)}`;
    case 'string':
      if (s.format === 'starts_with' && s.pattern === '^arn:.*') return 'ARN';
      return typeof s.maxLength === 'number' ? `string (max ${s.maxLength} chars)` : 'string';
    case 'boolean':
      return 'boolean';
    default:
      return 'any';
  }
}

/** The object schema whose fields deserve rows of their own, if `s` is (or lists) one. */
function nestedObject(s: JsonSchema): JsonSchema | undefined {
  const target = s.type === 'array' ? asSchema(s.items) : s;
  return target && target.type === 'object' && asSchema(target.properties) && !isOutputRefSchema(target) ? target : undefined;
}

/** Rows for every field of an object schema, nested fields after their parent. */
export function paramRows(schema: JsonSchema, prefix = ''): ParamRow[] {
  const required = new Set(Array.isArray(schema.required) ? (schema.required as string[]) : []);
  const rows: ParamRow[] = [];
  for (const [key, value] of Object.entries(asSchema(schema.properties) ?? {})) {
    const prop = asSchema(value) ?? {};
    const name = prefix + key;
    const presence = 'default' in prop ? `default \`${JSON.stringify(prop.default)}\`` : required.has(key) ? 'required' : 'optional';
    rows.push({ name, type: typeName(prop), presence, description: typeof prop.description === 'string' ? prop.description : '' });
    const nested = nestedObject(prop);
    if (nested) rows.push(...paramRows(nested, `${name}${prop.type === 'array' ? '[]' : ''}.`));
  }
  return rows;
}

/** The input-side JSON Schema of a params schema: fields with defaults are optional there. */
function inputSchema(params: z.ZodType): JsonSchema {
  return z.toJSONSchema(params, { target: 'draft-7', io: 'input', unrepresentable: 'any' }) as JsonSchema;
}

const cell = (text: string): string => text.replace(/\|/g, '\\|').replace(/\n/g, ' ');

function templateSection(t: TemplateDefinition, origin: string | undefined): string[] {
  const schema = inputSchema(t.params);
  const lines = [`## \`${t.name}\` (version ${t.version})`, '', `${t.description}.`, ''];
  if (origin) lines.push(`From ${origin}.`, '');
  if (t.plugins.length > 0) lines.push(`Needs the resource plugins ${t.plugins.map((p) => `\`${p.name}\` v${p.version}`).join(', ')}.`, '');
  if (typeof schema.description === 'string') lines.push(schema.description, '');
  lines.push('### Params', '', '| name | type | required / default | description |', '|---|---|---|---|');
  for (const r of paramRows(schema)) lines.push(`| \`${r.name}\` | ${cell(r.type)} | ${cell(r.presence)} | ${cell(r.description)} |`);
  lines.push('', '### Outputs', '', '| name | description |', '|---|---|');
  for (const o of t.outputs) lines.push(`| \`${o.name}\` | ${cell(o.description)} |`);
  lines.push('');
  return lines;
}

/** The introduction of the built-in reference, docs/templates.md. */
export const BUILTIN_HEADER = `<!-- Generated by \`npm run docs:templates\` from the params schemas in stacks/. Do not edit: a unit test fails when this file is stale. -->

# Template reference

A Stack document names a template in \`spec.template\` and gives its params in \`spec.params\`.
Params are checked by the template's own schema before Pulumi starts; unknown keys are errors.
An **OutputRef** (\`{ fromStack: orders-queue, output: arn }\`) takes an output of a stack named in
\`dependsOn\`.

Every template gives each resource that supports tags the environment's and the stack's tags plus
\`environment\`, \`stack\`, \`managed-by: driftless\` and \`revision\` (the commit applied). Physical
names are derived from the environment and stack (\`<environment>-<stack>\`, shortened with a hash
where the service's limit requires), so re-running a crashed \`up\` never creates a duplicate (the
join is ambiguous: environment \`a-b\` with stack \`c\` and environment \`a\` with stack \`b-c\` share
names, so do not give one account such a pair). SSM
parameter, secret and KMS alias names are used as written: applications look them up by name.

The built-in templates use the \`driftless-aws\` provider (provider/), which works against
LocalStack and AWS, and are written on the public template SDK (\`driftless/template\`) like any
package template. Templates on \`@pulumi/aws\` live in operator-installed packages that declare the
\`aws\` plugin, such as examples/aws-classic (\`aws-classic/bucket\`); see
docs/templates-authoring.md.

**Delivery permissions without cross-stack writes.** On AWS, SNS and EventBridge can send to a
queue (and EventBridge publish to a topic) only when the target's resource policy allows it. That
policy is one document owned by the target's stack, so publishing stacks never write it (their
writes would show as drift and overwrite each other). Because physical names are deterministic,
"this environment's publishers" is an ARN pattern: \`queue\` gives its queue a policy allowing
\`sqs:SendMessage\` from \`sns.amazonaws.com\` and \`events.amazonaws.com\` when \`aws:SourceArn\` is
like \`arn:aws:sns:<region>:<account>:<environment>-*\` or \`arn:aws:events:<region>:<account>:rule/<environment>-*\`;
\`topic\` keeps SNS's default grant to its own account and lets the environment's rules publish.
The account and partition come from the provider's credentials (\`getCallerIdentity\`, the account
the queue itself is created in), so the policy is exact at preview and written with the queue in one
resource. \`allowEnvironmentPublishers: false\` turns it off. Other accounts and regions are never
allowed; an environment whose name is a prefix of another's (\`dev\`, \`dev-eu\`) in the same account
also admits that one's publishers.
`;

/** An origin as a published page names it: the package and its version, not the operator's folder. */
function originName(origin: InstalledTemplate['origin']): string {
  return origin.kind === 'builtin' ? 'built-in' : `${origin.package}@${origin.packageVersion}`;
}

/** The introduction of a package's reference page. */
function packageHeader(templates: readonly InstalledTemplate[]): string {
  const origins = [...new Set(templates.map((t) => originName(t.origin)))];
  return `# Template reference: ${origins.join(', ')}

Generated by \`driftless templates --reference\` from the templates' params schemas. A Stack names a
template in \`spec.template\` (optionally with a version range, e.g. \`acme/worker@^2\`) and gives its
params in \`spec.params\`; unknown keys are errors. An **OutputRef** (\`{ fromStack: x, output: arn }\`)
takes an output of a stack named in \`dependsOn\`.
`;
}

/**
 * The reference page of `templates`, sorted by name: the built-in page (with its fixed
 * introduction) when every template is built in, else a page naming the packages.
 */
export function renderReference(templates: readonly InstalledTemplate[]): string {
  const sorted = [...templates].sort((a, b) => (a.definition.name < b.definition.name ? -1 : 1));
  const builtin = sorted.every((t) => t.origin.kind === 'builtin');
  const body = sorted.map((t) => templateSection(t.definition, builtin ? undefined : originName(t.origin)).join('\n'));
  return [builtin ? BUILTIN_HEADER : packageHeader(sorted), ...body].join('\n');
}

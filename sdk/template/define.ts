import type * as pulumi from '@pulumi/pulumi';
import semver from 'semver';
import type { z } from 'zod';
import type { TemplateContext } from './context.js';

/** Version of this contract between the engine and templates; bumped only on a breaking change. */
export const TEMPLATE_API_VERSION = 1;

/** The brand the engine looks for on a loaded definition, so a stray object is never mistaken for one. */
export const TEMPLATE_BRAND: unique symbol = Symbol.for('driftless.template');

/** One output a template's program returns, documented for stacks that depend on it. */
export interface TemplateOutput {
  /** Output name as YAML references it (`{ fromStack: x, output: <name> }`): letters and digits. */
  name: string;
  description: string;
}

/**
 * A Pulumi resource plugin a template's resources need, e.g. `{ name: 'aws', version: '7.48.0' }`
 * for templates on `@pulumi/aws`. The bundled `driftless-aws` plugin is always installed.
 */
export interface PluginRequirement {
  name: string;
  version: string;
}

/**
 * Builds a template's resources and returns exactly the outputs it declares. Params arrive
 * parsed by the template's own schema (defaults applied).
 */
export type TemplateProgram<P> = (params: P, ctx: TemplateContext) => Record<string, pulumi.Input<unknown>>;

/**
 * An environment variable a template's program reads, and where the params name it (a
 * path below `spec.params`, e.g. `['parameters', 0, 'fromEnv']`), so the engine can point
 * at that line when the variable is unset.
 */
export interface EnvRequirement {
  name: string;
  path?: readonly (string | number)[];
}

/** What a template author writes: everything {@link defineTemplate} takes. */
export interface TemplateSpec<S extends z.ZodType> {
  /**
   * Name a Stack's `spec.template` gives. Package templates are namespaced (`acme/worker`);
   * names without a namespace belong to driftless's built-in templates.
   */
  name: string;
  /** Semantic version of the template. Part of every stack's fingerprint: a new version re-applies its stacks. */
  version: string;
  description: string;
  /** Zod schema of the params; strict objects (`z.strictObject`) make typos validation errors. */
  params: S;
  outputs: readonly TemplateOutput[];
  /** Resource plugins other than the bundled driftless-aws that the program's resources need. */
  plugins?: readonly PluginRequirement[];
  program: TemplateProgram<z.output<S>>;
  /**
   * The environment variables the program reads for these params (optional). The engine
   * checks them before Pulumi starts: a stack whose variable is unset or empty fails at
   * plan time, naming the variable at its place in the YAML, and starts no Pulumi.
   */
  env?: (params: z.output<S>) => readonly (string | EnvRequirement)[];
}

/** A template as the engine holds it: the spec, checked and branded. */
export interface TemplateDefinition<S extends z.ZodType = z.ZodType> {
  readonly [TEMPLATE_BRAND]: typeof TEMPLATE_API_VERSION;
  readonly name: string;
  readonly version: string;
  readonly description: string;
  readonly params: S;
  readonly outputs: readonly TemplateOutput[];
  readonly plugins: readonly PluginRequirement[];
  /** Takes params as the engine holds them (validated but untyped) and parses them with the template's schema. */
  readonly program: TemplateProgram<unknown>;
  /** The environment variables the program reads for these params; absent when the template declares none. */
  readonly env?: (params: unknown) => readonly EnvRequirement[];
}

/** Raised by {@link defineTemplate} for a definition that breaks the contract; lists every problem. */
export class TemplateDefinitionError extends Error {
  override readonly name = 'TemplateDefinitionError';
  constructor(
    readonly template: string,
    readonly problems: readonly string[],
  ) {
    super(`invalid template definition ${template}: ${problems.join('; ')}`);
  }
}

const TEMPLATE_NAME = /^(?:[a-z][a-z0-9-]{0,38}\/)?[a-z][a-z0-9-]{0,62}$/;
const OUTPUT_NAME = /^[A-Za-z][A-Za-z0-9]*$/;
const PLUGIN_NAME = /^[a-z][a-z0-9-]*$/;

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** True for a Zod 4 schema (of any copy of zod 4: the engine only calls safeParse and reads `_zod`). */
function isZod4Schema(v: unknown): v is z.ZodType {
  return isRecord(v) && typeof v.safeParse === 'function' && isRecord(v._zod) && isRecord((v._zod as Record<string, unknown>).def);
}

/**
 * Every way `value` breaks the template contract, as readable problems (empty when it is a
 * valid definition). The engine runs this on whatever a package exports, so a hand-made
 * object, a zod 3 schema or a missing program is refused at start-up, never mid-run.
 */
export function templateDefinitionProblems(value: unknown): string[] {
  if (!isRecord(value)) return [`expected an object made by defineTemplate, got ${value === null ? 'null' : typeof value}`];
  const problems: string[] = [];
  const { name, version, description, params, outputs, plugins, program, env } = value;
  if (typeof name !== 'string' || !TEMPLATE_NAME.test(name))
    problems.push(`name must look like "worker" or "acme/worker" (lower case letters, digits, -), got ${JSON.stringify(name)}`);
  if (typeof version !== 'string' || semver.valid(version) === null)
    problems.push(`version must be a semantic version such as 1.2.0, got ${JSON.stringify(version)}`);
  if (typeof description !== 'string' || description.trim() === '') problems.push('description must be a non-empty string');
  if (!isZod4Schema(params)) problems.push('params must be a Zod 4 schema (import { z } from "driftless/template")');
  if (!Array.isArray(outputs)) problems.push('outputs must be a list of { name, description }');
  else {
    const seen = new Set<string>();
    outputs.forEach((o: unknown, i) => {
      if (!isRecord(o) || typeof o.name !== 'string' || !OUTPUT_NAME.test(o.name) || typeof o.description !== 'string')
        problems.push(`outputs[${i}] must be { name: letters and digits, description: string }`);
      else if (seen.has(o.name)) problems.push(`output "${o.name}" is declared twice`);
      else seen.add(o.name);
    });
  }
  if (plugins !== undefined) {
    if (!Array.isArray(plugins)) problems.push('plugins must be a list of { name, version }');
    else
      plugins.forEach((p: unknown, i) => {
        if (
          !isRecord(p) ||
          typeof p.name !== 'string' ||
          !PLUGIN_NAME.test(p.name) ||
          typeof p.version !== 'string' ||
          !semver.valid(p.version)
        )
          problems.push(`plugins[${i}] must be { name: e.g. "aws", version: an exact semantic version }`);
      });
  }
  if (typeof program !== 'function') problems.push('program must be a function (params, ctx) => outputs');
  if (env !== undefined && typeof env !== 'function') problems.push('env must be a function (params) => names of environment variables');
  return problems;
}

/** True for a value {@link defineTemplate} made under this contract version. */
export function isTemplateDefinition(value: unknown): value is TemplateDefinition {
  return isRecord(value) && (value as Record<symbol, unknown>)[TEMPLATE_BRAND] === TEMPLATE_API_VERSION;
}

/**
 * Defines a template: a trusted Pulumi program the operator installs, its params schema
 * and the outputs it promises. The definition is checked here, so an author sees a broken
 * one in their own tests; the engine checks it again when it loads the package.
 *
 * The program receives params parsed by `params` (defaults applied) and must return
 * exactly the declared outputs: the engine fails the stack on a missing or undeclared one.
 */
export function defineTemplate<S extends z.ZodType>(spec: TemplateSpec<S>): TemplateDefinition<S> {
  const problems = templateDefinitionProblems(spec);
  if (problems.length > 0) throw new TemplateDefinitionError(typeof spec.name === 'string' ? spec.name : '<unnamed>', problems);
  const program = spec.program;
  const params = spec.params;
  const env = spec.env;
  // Typed before freezing: in a bare literal the brand's value would widen to number.
  const definition: TemplateDefinition<S> = {
    [TEMPLATE_BRAND]: TEMPLATE_API_VERSION,
    name: spec.name,
    version: spec.version,
    description: spec.description,
    params,
    outputs: Object.freeze([...spec.outputs]),
    plugins: Object.freeze([...(spec.plugins ?? [])]),
    // Parsing again (idempotent on params the loader already parsed) gives the program
    // exactly its type without a cast, and it never sees params its schema refuses.
    program: (raw: unknown, ctx: TemplateContext) => program(params.parse(raw) as z.output<S>, ctx),
    ...(env
      ? {
          env: (raw: unknown) =>
            Object.freeze(env(params.parse(raw) as z.output<S>).map((r) => (typeof r === 'string' ? { name: r } : { ...r }))),
        }
      : {}),
  };
  return Object.freeze(definition);
}

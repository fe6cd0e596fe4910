import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { LoadedEnvironment, LoadedStack } from '../load/index.js';
import type { TemplateContext } from '../../sdk/template/context.js';
import type { TemplateDefinition } from '../../sdk/template/define.js';
import { isOutputRef } from '../../sdk/template/refs.js';
import { formatMessage, formatPath } from '../load/messages.js';
import { checkedOutputs } from '../templates/run-template.js';
import type { DesiredStack } from '../plan/decide.js';
import { outputNeeds, preflightProblems, type StackNeeds } from '../plan/preflight.js';
import type { PluginUse, RecordedOutputs } from '../model/index.js';
import type { ReconcileStack } from './reconcile.js';
import type { BackendTarget, StackTarget } from './stack-runner.js';

/** Where the engine keeps its own things, and overrides for local testing. */
export interface BindOptions {
  /** Commit being applied; goes into tags and run records. */
  revision: string;
  /** driftless state folder: PULUMI_HOME and workspaces live here. */
  stateDir: string;
  /** Folder that relative `file://` backends resolve against (the working directory). */
  baseDir: string;
  /**
   * Replaces every environment's AWS endpoint (DRIFTLESS_AWS_ENDPOINT): points a whole
   * tree at a LocalStack on another port, e.g. in tests and the embedded default.
   */
  awsEndpointOverride?: string;
  /** Resource plugins of the installation (the bundled driftless-aws one when absent). */
  plugins?: PluginUse;
}

/**
 * Resolves an environment's backend URL: `file://` paths relative to `baseDir`
 * (`file://.driftless/state/dev` → `<baseDir>/.driftless/state/dev`), S3 URLs as given.
 */
export function resolveBackendUrl(backend: string, baseDir: string): string {
  if (!backend.startsWith('file://')) return backend;
  const path = backend.slice('file://'.length);
  return `file://${path.startsWith('/') ? fileURLToPath(`file://${path}`) : resolve(baseDir, path)}`;
}

/** Variables that reach the Pulumi CLI and the driftless-aws plugin for one environment. */
export function awsEnvFor(env: LoadedEnvironment, opts: BindOptions): Record<string, string> {
  const endpoint = opts.awsEndpointOverride ?? env.spec.aws.endpoint;
  const vars: Record<string, string> = { AWS_REGION: env.spec.aws.region, AWS_DEFAULT_REGION: env.spec.aws.region };
  if (endpoint) {
    vars.AWS_ENDPOINT_URL = endpoint;
    // LocalStack accepts any credentials, but the SDK needs some to sign requests.
    if (!process.env.AWS_ACCESS_KEY_ID && !process.env.AWS_PROFILE) {
      vars.AWS_ACCESS_KEY_ID = 'test';
      vars.AWS_SECRET_ACCESS_KEY = 'test';
    }
  }
  return vars;
}

/** The backend target of an environment. */
export function backendFor(env: LoadedEnvironment, opts: BindOptions): BackendTarget {
  return { url: resolveBackendUrl(env.spec.backend, opts.baseDir), pulumiHome: join(opts.stateDir, 'pulumi-home') };
}

/** Tags every resource of a stack carries (environment's, then the stack's own). */
function stackTags(env: LoadedEnvironment, stack: LoadedStack): Record<string, string> {
  return { ...env.spec.tags, ...stack.spec.tags };
}

/** Params of a stack as its template's schema parses them (defaults applied). */
function parsedParams(stack: LoadedStack): { version: string; params: unknown } {
  // The loader only returns environments whose params passed this schema, so a failure
  // here means a bug, not bad input.
  return { version: stack.definition.version, params: stack.definition.params.parse(stack.spec.params) };
}

/** The reduced form the planner fingerprints: everything from Git that shapes the stack. */
export function desiredStack(env: LoadedEnvironment, stack: LoadedStack, parsed = parsedParams(stack)): DesiredStack {
  const { version, params } = parsed;
  return {
    name: stack.name,
    template: stack.template,
    templateVersion: version,
    spec: { template: stack.template, params, tags: stackTags(env, stack), region: env.spec.aws.region },
    dependsOn: stack.spec.dependsOn,
  };
}

/**
 * Builds the StackTarget of one stack. The program is the trusted template from this
 * installation (never code from the branch), loaded only when Pulumi runs it.
 */
function targetFor(
  env: LoadedEnvironment,
  stack: { name: string; definition?: TemplateDefinition; params?: unknown; tags?: Record<string, string> },
  opts: BindOptions,
  dependencies: Record<string, RecordedOutputs>,
): StackTarget {
  const definition = stack.definition;
  const program = definition
    ? async () => {
        const ctx: TemplateContext = {
          environment: env.name,
          stack: stack.name,
          region: env.spec.aws.region,
          tags: stack.tags ?? {},
          revision: opts.revision,
          dependencies,
        };
        return checkedOutputs(definition, () => definition.program(stack.params, ctx));
      }
    : // A removed stack: an empty program, so `destroy` deletes what its state holds.
      async () => ({});
  return {
    environment: env.name,
    stack: stack.name,
    program,
    backend: backendFor(env, opts),
    envVars: awsEnvFor(env, opts),
    workDir: join(opts.stateDir, 'workspaces', env.name, stack.name),
    secretsProvider: env.spec.secretsProvider,
    plugins: opts.plugins,
  };
}

/** What a stack needs from outside Git: the variables its template reads and the outputs its params reference. */
export function stackNeeds(stack: LoadedStack, params: unknown): StackNeeds {
  const env = stack.definition.env?.(params) ?? [];
  return {
    stack: stack.name,
    template: stack.definition.name,
    env: env.map((v) => ({ name: v.name, path: v.path ?? [] })),
    outputs: outputNeeds(params, isOutputRef),
  };
}

/**
 * The plan-time check of one stack (engine/plan/preflight.ts) as messages placed in its
 * file (`environments/dev/cfg.yaml:9:7 spec.params.parameters[0].fromEnv: …`), or
 * undefined when nothing is missing. The environment is the daemon's own.
 */
export function preflightMessage(
  stack: LoadedStack,
  needs: StackNeeds,
  dependencyOutputs: Record<string, RecordedOutputs>,
  environment: Readonly<Record<string, string | undefined>> = process.env,
): string | undefined {
  const problems = preflightProblems(needs, environment, dependencyOutputs);
  if (problems.length === 0) return undefined;
  return problems
    .map((p) => {
      const { line, col } = stack.locate?.(p.path) ?? { line: 1, col: 1 };
      return formatMessage({ file: stack.file, line, col, path: formatPath(p.path), message: p.message, severity: 'error' });
    })
    .join('\n');
}

/** The reconciler's view of an environment: its stacks, bound and in dependency order. */
export function bindEnvironment(
  env: LoadedEnvironment,
  opts: BindOptions,
): {
  stacks: ReconcileStack[];
  removedTarget: (name: string) => StackTarget;
} {
  const stacks = env.stacks.map((stack): ReconcileStack => {
    const parsed = parsedParams(stack);
    const params = parsed.params;
    const needs = stackNeeds(stack, params);
    return {
      desired: desiredStack(env, stack, parsed),
      preflight: (deps) => preflightMessage(stack, needs, deps),
      target: (deps) => targetFor(env, { name: stack.name, definition: stack.definition, params, tags: stackTags(env, stack) }, opts, deps),
    };
  });
  return { stacks, removedTarget: (name) => targetFor(env, { name }, opts, {}) };
}

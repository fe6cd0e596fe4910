// driftless/testing, LocalStack part: deploys a template for real, through the path the
// engine takes (params parsed by the template's schema, the program run with a
// TemplateContext, outputs checked against the declared ones), on a throw-away file backend
// against LocalStack. No test framework is imported here: every helper returns values (or
// throws with a message that says what went wrong) and the test asserts.
//
//   const worker = await deployTemplate({ template: workerTemplate, params, dependencies, endpoint: inject('awsEndpoint') });
//   onTestFinished(() => worker.dispose());
//   expect(worker.outputs.queueName).toBe(`${worker.context.environment}-${worker.context.stack}`);
//   expect(await stabilityOf(worker)).toEqual({ changes: {}, drift: [] });
//   await worker.destroy();
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { EngineEvent, Stack } from '@pulumi/pulumi/automation/index.js';
import { type DriftedResource, driftFromRefreshSteps } from '../../engine/drift/drift-report.js';
import { validateWith } from '../../engine/load/zod-issues.js';
import {
  ensureLocalStack,
  type LocalStackHandle,
  localstackEndpoint as defaultLocalStackEndpoint,
} from '../../engine/localstack/lifecycle.js';
import type { ProviderPlugin } from '../../engine/model/index.js';
import { PROVIDER_NAME, selectInlineStack } from '../../engine/pulumi/workspace.js';
import type { ResourceStep } from '../../engine/run/stack-runner.js';
import { checkedOutputs } from '../../engine/templates/run-template.js';
import { providerPluginDir } from '../../engine/toolchain/paths.js';
import { fileBackendLocations } from '../../engine/toolchain/pulumi-env.js';
import type { TemplateContext } from '../template/context.js';
import type { TemplateDefinition } from '../template/define.js';
import { resourceTags } from '../template/tags.js';

export type { DriftedResource, LocalStackHandle, ProviderPlugin };

/** The region every deployment uses unless told otherwise. */
export const TEST_REGION = 'us-east-1';

/** The revision a deployment's context applies unless told otherwise (it lands in the `revision` tag). */
export const TEST_REVISION = 'e2e0000000000000000000000000000000000000';

/**
 * The LocalStack endpoint tests should use: DRIFTLESS_TEST_AWS_ENDPOINT (set by
 * {@link ensureLocalStackForTests} and by driftless's own test setup), then
 * AWS_ENDPOINT_URL, then LocalStack's default on the loopback
 * (`http://127.0.0.1:4566`, or DRIFTLESS_LOCALSTACK_PORT). In a vitest project whose
 * global setup provide()s the endpoint, pass `inject('awsEndpoint')` to the helpers instead.
 */
export function localstackEndpoint(env: NodeJS.ProcessEnv = process.env): string {
  return env.DRIFTLESS_TEST_AWS_ENDPOINT || env.AWS_ENDPOINT_URL || defaultLocalStackEndpoint();
}

/** Where {@link ensureLocalStackForTests} runs LocalStack. */
export interface LocalStackForTestsOptions {
  /** Loopback port; default DRIFTLESS_TEST_LOCALSTACK_PORT or 4566. */
  port?: number;
  /** Folder for its pid file and log; default DRIFTLESS_TEST_LOCALSTACK_STATE or a new temp folder. */
  stateDir?: string;
  /** How long to wait for it to become healthy after starting it. */
  readyTimeoutMs?: number;
}

/**
 * Starts LocalStack (the one `npm run setup` installed) unless a healthy one already
 * answers on the port, waits for it, and sets DRIFTLESS_TEST_AWS_ENDPOINT so
 * {@link localstackEndpoint} finds it. For a vitest globalSetup or a `beforeAll` of a
 * template package's own tests; call `stop()` on the handle afterwards (it stops only a
 * LocalStack this call started). Throws with the reason when LocalStack cannot run:
 * an end-to-end test that cannot reach AWS should fail, not pass silently.
 */
export async function ensureLocalStackForTests(opts: LocalStackForTestsOptions = {}): Promise<LocalStackHandle> {
  const port = opts.port ?? Number(process.env.DRIFTLESS_TEST_LOCALSTACK_PORT ?? 4566);
  const stateDir =
    opts.stateDir ?? process.env.DRIFTLESS_TEST_LOCALSTACK_STATE ?? mkdtempSync(join(tmpdir(), 'driftless-test-localstack-'));
  const r = await ensureLocalStack({
    port,
    stateDir,
    ...(opts.readyTimeoutMs === undefined ? {} : { readyTimeoutMs: opts.readyTimeoutMs }),
  });
  if (!r.ok) throw new Error(`LocalStack could not be started for the tests: ${r.message}`);
  process.env.DRIFTLESS_TEST_AWS_ENDPOINT = r.value.endpoint;
  return r.value;
}

/**
 * AWS SDK v3 client configuration for LocalStack, e.g. `new SQSClient(localstackClientConfig())`:
 * the endpoint ({@link localstackEndpoint} by default), the region, dummy credentials
 * (LocalStack accepts any) and path-style S3 addressing.
 */
export function localstackClientConfig(endpoint: string = localstackEndpoint(), region: string = TEST_REGION) {
  return {
    endpoint,
    region,
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    forcePathStyle: true,
  };
}

/**
 * Variables the Pulumi CLI and the provider plugins get for LocalStack, as the engine
 * sets them for an environment with an `aws.endpoint`: endpoint, region and dummy
 * credentials (always the dummies here, so a test never signs with a real profile).
 */
export function localstackEnv(endpoint: string = localstackEndpoint(), region: string = TEST_REGION): Record<string, string> {
  return {
    AWS_ENDPOINT_URL: endpoint,
    AWS_REGION: region,
    AWS_DEFAULT_REGION: region,
    AWS_ACCESS_KEY_ID: 'test',
    AWS_SECRET_ACCESS_KEY: 'test',
  };
}

/** A name unique to this run (`<prefix>-<time>-<random>`), safe for AWS resource names. */
export function uniqueName(prefix: string): string {
  return `${prefix}-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 7)}`;
}

/** Raised when params do not pass the template's schema; lists every issue as the loader would. */
export class TemplateParamsError extends Error {
  override readonly name = 'TemplateParamsError';
  constructor(
    readonly template: string,
    /** One line per issue: `params.<path>: <message>`. */
    readonly issues: readonly string[],
  ) {
    super(`template ${template}: invalid params:\n${issues.map((i) => `  - ${i}`).join('\n')}`);
  }
}

/** Raised when a Pulumi operation of a deployment fails; carries Pulumi's error diagnostics. */
export class TemplateDeploymentError extends Error {
  override readonly name = 'TemplateDeploymentError';
  constructor(
    readonly template: string,
    readonly operation: 'up' | 'previewRefresh' | 'destroy',
    /** Error diagnostics Pulumi reported (the program's own error among them), ANSI colours removed. */
    readonly diagnostics: readonly string[],
    options?: { cause?: unknown },
  ) {
    const cause = options?.cause instanceof Error ? options.cause.message : String(options?.cause ?? '');
    const detail = diagnostics.length > 0 ? diagnostics.join('\n') : cause;
    super(`template ${template}: ${operation} failed: ${detail}`, options);
  }
}

/** What {@link deployTemplate} takes. Everything but `template` has a default. */
export interface DeployTemplateOptions {
  /** The template to deploy, as its package exports it (`defineTemplate(...)`). */
  template: TemplateDefinition;
  /** Params as a Stack document's `spec.params` gives them; parsed by the template's schema (default `{}`). */
  params?: unknown;
  /** `ctx.stack`; default the template's name without its namespace (`acme/worker` → `worker`). */
  stack?: string;
  /** `ctx.environment`; default a name unique to this run, so runs never share AWS names. */
  environment?: string;
  /** Outputs of the stacks the stack depends on, by stack name then output name (e.g. another deployment's `outputs`). */
  dependencies?: TemplateContext['dependencies'];
  /** The environment's and stack's tags merged (`ctx.tags`); default none. */
  tags?: Record<string, string>;
  /** `ctx.revision`; default {@link TEST_REVISION}. */
  revision?: string;
  /** LocalStack endpoint; default {@link localstackEndpoint}. In driftless's e2e project: `inject('awsEndpoint')`. */
  endpoint?: string;
  /** AWS region (`ctx.region` and the provider's); default {@link TEST_REGION}. */
  region?: string;
  /** Resource plugins besides the bundled driftless-aws, for templates that declare `plugins`, registered by path. */
  plugins?: readonly ProviderPlugin[];
  /** Let Pulumi download plugins not given in `plugins` (the engine's plugins.acquire); default false. */
  acquirePlugins?: boolean;
}

/** The result of one `up` of a deployment. */
export interface TemplateUp {
  /** The stack's outputs, plain values (secrets unwrapped). */
  outputs: Record<string, unknown>;
  /** Resource operations by kind without `same`: `{}` when nothing changed. */
  changes: Record<string, number>;
  /** What the Pulumi CLI printed, e.g. to check that a secret never appears. */
  stdout: string;
  stderr: string;
}

/** Options of {@link TemplateDeployment.up}. */
export interface UpOptions {
  /**
   * Refresh the state from the cloud first, as the engine's drift remediation does: without
   * it, `up` compares with the state only and leaves a change made behind its back alone.
   */
  refresh?: boolean;
}

/** A template deployed on LocalStack by {@link deployTemplate}. */
export interface TemplateDeployment {
  readonly template: TemplateDefinition;
  /** The context the program ran with. */
  readonly context: TemplateContext;
  /** The Pulumi stack's name, `<environment>.<stack>`. */
  readonly stackName: string;
  /** The file backend's folder, to look at what the state holds (secrets must be encrypted there). */
  readonly backendDir: string;
  /** The Automation API stack, for anything the helpers do not cover. */
  readonly stack: Stack;
  /** Outputs of the last `up`. */
  readonly outputs: Record<string, unknown>;
  /** The last `up`: the one {@link deployTemplate} ran, or the latest {@link TemplateDeployment.up}. */
  readonly lastUp: TemplateUp;
  /** Whether {@link TemplateDeployment.destroy} (or dispose) has run. */
  readonly destroyed: boolean;
  /**
   * Runs `up` again, with new params when given (parsed by the schema like the first ones;
   * a {@link TemplateParamsError} leaves the deployment as it was). Rejects with a
   * {@link TemplateDeploymentError} when Pulumi fails.
   */
  up(params?: unknown, options?: UpOptions): Promise<TemplateUp>;
  /**
   * A drift check as the engine's drift checker makes it (`refresh --preview-only`, which
   * writes nothing): the resources whose cloud state differs from the state, `[]` when none.
   */
  previewRefresh(): Promise<DriftedResource[]>;
  /** Destroys every resource, removes the stack and its temp folder. The deployment is unusable afterwards. */
  destroy(): Promise<void>;
  /**
   * Cleanup for an after-test hook: destroys what is still deployed (best effort) and removes
   * the temp folder. Safe to call any number of times, also after {@link TemplateDeployment.destroy}.
   */
  dispose(): Promise<void>;
}

/** The error-severity diagnostics of an operation, ANSI colours removed. */
function errorDiagnostics(): { onEvent: (e: EngineEvent) => void; diagnostics: string[]; steps: Map<string, ResourceStep> } {
  const diagnostics: string[] = [];
  const steps = new Map<string, ResourceStep>();
  const onEvent = (e: EngineEvent): void => {
    const meta = e.resOutputsEvent?.metadata ?? e.resourcePreEvent?.metadata;
    if (meta && meta.type !== 'pulumi:pulumi:Stack' && !meta.type.startsWith('pulumi:providers:')) {
      const prev = steps.get(meta.urn);
      steps.set(meta.urn, {
        urn: meta.urn,
        type: meta.type,
        name: meta.urn.slice(meta.urn.lastIndexOf('::') + 2),
        op: meta.op,
        oldInputs: meta.old?.inputs ?? prev?.oldInputs,
        newInputs: meta.new?.inputs ?? prev?.newInputs,
        oldOutputs: meta.old?.outputs ?? prev?.oldOutputs,
        newOutputs: meta.new?.outputs ?? prev?.newOutputs,
        diffs: meta.diffs ?? prev?.diffs,
      });
    }
    const diag = e.diagnosticEvent;
    // biome-ignore lint/suspicious/noControlCharactersInRegex: strips ANSI colour codes (ESC [ ... m) from Pulumi's diagnostics.
    if (diag && diag.severity === 'error' && !diag.ephemeral) diagnostics.push(diag.message.replace(/\x1b\[[0-9;]*m/g, '').trim());
  };
  return { onEvent, diagnostics, steps };
}

/** Resource changes of an operation summary without the `same` count: `{}` means no change. */
export function changesOf(summary: { resourceChanges?: Record<string, number> | undefined }): Record<string, number> {
  return Object.fromEntries(Object.entries(summary.resourceChanges ?? {}).filter(([op, n]) => op !== 'same' && n > 0));
}

/** Plain values of Automation API outputs (`{ value, secret }` each). */
export function plainOutputs(outputs: Record<string, { value: unknown }>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(outputs).map(([k, o]) => [k, o.value]));
}

/** Params parsed by the template's schema, or a {@link TemplateParamsError} listing every issue. */
export function parseTemplateParams(template: TemplateDefinition, params: unknown): unknown {
  const r = validateWith(template.params, params ?? {});
  if (r.ok) return r.value;
  const path = (p: PropertyKey[]): string => p.map((k) => (typeof k === 'number' ? `[${k}]` : `.${String(k)}`)).join('');
  throw new TemplateParamsError(
    template.name,
    r.issues.map((i) => `params${path(i.path)}: ${i.message}`),
  );
}

/**
 * Deploys a template on LocalStack the way the engine applies a stack, and returns the
 * deployment once its first `up` succeeded. Params (as YAML gives them) are parsed by the
 * template's schema, so defaults apply and invalid params reject with a
 * {@link TemplateParamsError} before anything runs; the program gets a TemplateContext
 * built from the options; outputs it returns other than the declared ones fail the `up`
 * as they fail a real run. The stack lives on a file backend in a new temp folder, with
 * the bundled driftless-aws plugin and AWS_ENDPOINT_URL pointing at LocalStack.
 *
 * When the first `up` fails, whatever it created is destroyed, the temp folder removed,
 * and the promise rejects with a {@link TemplateDeploymentError} carrying Pulumi's
 * diagnostics. Otherwise call {@link TemplateDeployment.destroy} at the end of the test
 * and {@link TemplateDeployment.dispose} in an after-test hook.
 */
export async function deployTemplate(opts: DeployTemplateOptions): Promise<TemplateDeployment> {
  const { template } = opts;
  let params = parseTemplateParams(template, opts.params);
  const endpoint = opts.endpoint ?? localstackEndpoint();
  const region = opts.region ?? TEST_REGION;
  const context: TemplateContext = {
    environment: opts.environment ?? uniqueName('test'),
    stack: opts.stack ?? template.name.split('/').pop() ?? template.name,
    region,
    tags: { ...opts.tags },
    revision: opts.revision ?? TEST_REVISION,
    dependencies: opts.dependencies ?? {},
  };
  const stackName = `${context.environment}.${context.stack}`;
  const dir = mkdtempSync(join(tmpdir(), 'driftless-template-test-'));
  const removeDir = (): void => rmSync(dir, { recursive: true, force: true });

  let stack: Stack;
  try {
    stack = await selectInlineStack({
      projectName: 'driftless',
      stackName,
      // What the engine's bound target runs: the trusted program, its outputs checked.
      program: async () => checkedOutputs(template, () => template.program(params, context)),
      locations: fileBackendLocations(join(dir, 'state')),
      workDir: join(dir, 'work'),
      envVars: localstackEnv(endpoint, region),
      plugins: {
        plugins: [{ name: PROVIDER_NAME, version: '0.0.0', path: providerPluginDir }, ...(opts.plugins ?? [])],
        acquire: opts.acquirePlugins ?? false,
      },
    });
  } catch (e) {
    removeDir();
    throw e;
  }

  let lastUp: TemplateUp | undefined;
  let destroyed = false;
  let disposed = false;

  const up = async (refresh = false): Promise<TemplateUp> => {
    const events = errorDiagnostics();
    try {
      const r = await stack.up({ onEvent: events.onEvent, refresh });
      lastUp = { outputs: plainOutputs(r.outputs), changes: changesOf(r.summary), stdout: r.stdout, stderr: r.stderr };
      return lastUp;
    } catch (e) {
      throw new TemplateDeploymentError(template.name, 'up', events.diagnostics, { cause: e });
    }
  };
  const destroy = async (): Promise<void> => {
    if (destroyed) return;
    const events = errorDiagnostics();
    try {
      await stack.destroy({ onEvent: events.onEvent });
    } catch (e) {
      throw new TemplateDeploymentError(template.name, 'destroy', events.diagnostics, { cause: e });
    }
    destroyed = true;
    await stack.workspace.removeStack(stackName).catch(() => undefined);
    disposed = true;
    removeDir();
  };

  try {
    await up();
  } catch (e) {
    // Nothing of a failed first deployment may outlive the call.
    await destroy().catch(() => undefined);
    removeDir();
    throw e;
  }

  const deployment: TemplateDeployment = {
    template,
    context,
    stackName,
    backendDir: join(dir, 'state', 'backend'),
    stack,
    get outputs() {
      return (lastUp as TemplateUp).outputs;
    },
    get lastUp() {
      return lastUp as TemplateUp;
    },
    get destroyed() {
      return destroyed;
    },
    async up(next?: unknown, options: UpOptions = {}) {
      if (destroyed) throw new Error(`template ${template.name}: stack ${stackName} was destroyed`);
      if (next !== undefined) params = parseTemplateParams(template, next);
      return up(options.refresh ?? false);
    },
    async previewRefresh() {
      if (destroyed) throw new Error(`template ${template.name}: stack ${stackName} was destroyed`);
      const events = errorDiagnostics();
      try {
        await stack.previewRefresh({ onEvent: events.onEvent });
      } catch (e) {
        throw new TemplateDeploymentError(template.name, 'previewRefresh', events.diagnostics, { cause: e });
      }
      // Its returned summary can be stale: the steps the engine emitted say what drifted.
      return driftFromRefreshSteps([...events.steps.values()]);
    },
    destroy,
    async dispose() {
      if (disposed) return;
      disposed = true;
      if (!destroyed) await destroy().catch(() => undefined);
      removeDir();
    },
  };
  return deployment;
}

/** What a deployment looks like on a second look: see {@link stabilityOf}. */
export interface Stability {
  /** Changes of a second `up` with the same params: `{}` when the template converges. */
  changes: Record<string, number>;
  /** Drift found by {@link TemplateDeployment.previewRefresh} right after: `[]` when the provider reads back what it stored. */
  drift: DriftedResource[];
}

/**
 * Checks that a deployment is stable: a second `up` changes nothing and a drift check finds
 * nothing. Assert `expect(await stabilityOf(d)).toEqual({ changes: {}, drift: [] })`; on
 * failure the diff names the operations and the drifted fields.
 */
export async function stabilityOf(deployment: TemplateDeployment): Promise<Stability> {
  const again = await deployment.up();
  const drift = await deployment.previewRefresh();
  return { changes: again.changes, drift };
}

/**
 * The tags every taggable resource of a deployment must carry: `ctx.tags` (the `tags`
 * option) and the four driftless adds (`environment`, `stack`, `managed-by`, `revision`).
 */
export function deployedTags(deployment: Pick<TemplateDeployment, 'context'>): Record<string, string> {
  return resourceTags(deployment.context);
}

/**
 * A tag list as AWS returns it (`[{ Key, Value }]`, or other member names such as KMS's
 * `TagKey`/`TagValue`) as a map, to compare with {@link deployedTags}.
 */
export function tagMap<T>(tags: readonly T[] | undefined, key: keyof T, value: keyof T): Record<string, unknown> {
  return Object.fromEntries((tags ?? []).map((t) => [t[key], t[value]]));
}

import * as pulumi from '@pulumi/pulumi';
import { CALLER_IDENTITY_TOKEN } from '../../provider/sdk/tokens.js';
import type { TemplateContext } from '../template/context.js';
import type { TemplateDefinition } from '../template/define.js';

/** The account every mocked ARN and the mocked caller identity use. */
export const MOCK_ACCOUNT_ID = '000000000000';

/** The region of {@link testContext} and of every mocked ARN. */
export const MOCK_REGION = 'us-east-1';

/** The revision {@link testContext} applies. */
export const MOCK_REVISION = '0123456789abcdef0123456789abcdef01234567';

/** One resource a program registered, as the mocks saw it. */
export interface MockedResource {
  /** Pulumi type token, e.g. `driftless-aws:sqs:Queue` or `aws:s3/bucket:Bucket`. */
  type: string;
  /** Logical name the program gave the resource. */
  name: string;
  /** Inputs as they reached the provider (secrets wrapped, see {@link secretInput}). */
  inputs: Record<string, unknown>;
}

/**
 * Installs Pulumi mocks that record every resource and answer with its inputs plus an
 * ARN, URL and id derived from its physical name (or logical name), the way the real
 * provider reports them; the driftless-aws caller identity answers with
 * {@link MOCK_ACCOUNT_ID}. Mocks are process-global: run one program at a time (vitest
 * runs the tests of a file one after the other, and each file in its own worker).
 *
 * Returns the list the mocks fill as the program registers resources. Most tests want
 * {@link mockTemplate} (or {@link runProgram}), which also wait for every registration.
 */
export async function recordResources(): Promise<MockedResource[]> {
  const resources: MockedResource[] = [];
  await pulumi.runtime.setMocks(
    {
      newResource(args) {
        const inputs = args.inputs as Record<string, unknown>;
        resources.push({ type: args.type, name: args.name, inputs });
        const named = [inputs.name, inputs.bucket, inputs.roleName].find((v) => typeof v === 'string');
        const physical = typeof named === 'string' ? named : args.name;
        const service = args.type.split(':')[1]?.split('/')[0] ?? 'mock';
        const arn = `arn:aws:${service}:${MOCK_REGION}:${MOCK_ACCOUNT_ID}:${physical}`;
        return { id: physical, state: { ...inputs, arn, url: `https://mock/${physical}`, keyId: `${physical}-key` } };
      },
      call(args) {
        // The provider's caller identity, in the account the mocked ARNs use.
        if (args.token === CALLER_IDENTITY_TOKEN)
          return { accountId: MOCK_ACCOUNT_ID, arn: `arn:aws:iam::${MOCK_ACCOUNT_ID}:user/mock`, partition: 'aws' };
        return args.inputs;
      },
    },
    'driftless',
    'test',
    false,
  );
  return resources;
}

/** The value of a program output (plain or Output), unwrapped. */
export function outputValue<T>(output: pulumi.Input<T>): Promise<T> {
  return new Promise((resolve) => {
    pulumi.output(output).apply((v) => {
      resolve(v as T);
      return v;
    });
  });
}

/** Every output of a program, unwrapped. */
export async function valuesOf(outputs: Record<string, pulumi.Input<unknown>>): Promise<Record<string, unknown>> {
  const entries = await Promise.all(Object.entries(outputs).map(async ([k, v]) => [k, await outputValue(v)] as const));
  return Object.fromEntries(entries);
}

/** What a program returned and registered under mocks. */
export interface ProgramRun {
  /** Outputs, unwrapped. */
  outputs: Record<string, unknown>;
  /** The outputs as returned, to inspect secretness ({@link isSecretOutput}). */
  raw: Record<string, pulumi.Input<unknown>>;
  /** Every resource registered, in registration order. */
  resources: MockedResource[];
}

/**
 * Runs a program under fresh mocks and waits until every registration it started has
 * reached the mocks (disconnect drains Pulumi's RPC queue), including resources whose
 * inputs wait on other resources' outputs. A program that throws rejects with its error.
 */
export async function runProgram(program: () => Record<string, pulumi.Input<unknown>>): Promise<ProgramRun> {
  const resources = await recordResources();
  try {
    const raw = program();
    const outputs = await valuesOf(raw);
    return { outputs, raw, resources };
  } finally {
    await pulumi.runtime.disconnect();
  }
}

/**
 * A context as the engine builds it, for stack `stack` of environment `dev` in
 * {@link MOCK_REGION}; `overrides` replace any field, e.g. `{ dependencies: { 'orders-queue':
 * { arn } } }` for the outputs of the stacks it depends on. Its tags hold an `environment`
 * tag on purpose: {@link expectedTags} proves resourceTags lets no YAML tag override it.
 */
export function testContext(stack: string, overrides: Partial<TemplateContext> = {}): TemplateContext {
  return {
    environment: 'dev',
    stack,
    region: MOCK_REGION,
    tags: { owner: 'platform-team', environment: 'yaml-cannot-override' },
    revision: MOCK_REVISION,
    dependencies: {},
    ...overrides,
  };
}

/** The tags every resource of a default {@link testContext} for `stack` must carry. */
export function expectedTags(stack: string): Record<string, string> {
  return {
    owner: 'platform-team',
    environment: 'dev',
    stack,
    'managed-by': 'driftless',
    revision: MOCK_REVISION,
  };
}

/** Raised by {@link mockTemplate} when a program returns other outputs than its template declares. */
export class TemplateOutputsError extends Error {
  override readonly name = 'TemplateOutputsError';
}

/**
 * What is wrong with the outputs a program returned against those its template declares,
 * as the engine sees it (it fails the stack on a missing or an undeclared output).
 */
function outputProblems(template: TemplateDefinition, returned: Record<string, unknown>): string[] {
  const declared = new Set(template.outputs.map((o) => o.name));
  const missing = [...declared].filter((n) => !(n in returned));
  const extra = Object.keys(returned).filter((n) => !declared.has(n));
  return [
    ...(missing.length > 0 ? [`missing declared outputs ${missing.join(', ')}`] : []),
    ...(extra.length > 0 ? [`undeclared outputs ${extra.join(', ')}`] : []),
  ];
}

/**
 * Runs a template the way the engine does, under Pulumi mocks: `params` (as YAML would give
 * them) are parsed by the template's own schema, so defaults apply and invalid params
 * reject with the schema's error; the program runs with {@link testContext} for
 * `ctx.stack` (the template's name without namespace by default) and the other fields of
 * `ctx` over it. Rejects too when the program returns other outputs than the template
 * declares, as the engine would fail the stack.
 *
 * @example
 * const run = await mockTemplate(queueTemplate, { fifo: true }, { stack: 'payments' });
 * expect(run.resources[0]?.inputs.name).toBe('dev-payments.fifo');
 */
export async function mockTemplate(template: TemplateDefinition, params: unknown, ctx: Partial<TemplateContext> = {}): Promise<ProgramRun> {
  const parsed: unknown = template.params.parse(params);
  const context = testContext(ctx.stack ?? template.name.split('/').pop() ?? template.name, ctx);
  const run = await runProgram(() => template.program(parsed, context));
  const problems = outputProblems(template, run.raw);
  if (problems.length > 0) throw new TemplateOutputsError(`template ${template.name}: the program returned ${problems.join('; ')}`);
  return run;
}

/** The resources of one type, in registration order. */
export function ofType(run: ProgramRun, type: string): MockedResource[] {
  return run.resources.filter((r) => r.type === type);
}

/** The one resource of a type; throws (failing the test) when there is none or several. */
export function oneOfType(run: ProgramRun, type: string): MockedResource {
  const found = ofType(run, type);
  const [only] = found;
  if (found.length !== 1 || only === undefined)
    throw new Error(`expected one ${type}, the program registered ${found.length}: ${run.resources.map((r) => r.type).join(', ')}`);
  return only;
}

/** The resource of a logical name; throws (failing the test) when the program registered none. */
export function resourceNamed(run: ProgramRun, name: string): MockedResource {
  const found = run.resources.find((r) => r.name === name);
  if (!found) throw new Error(`no resource named ${name}; the program registered ${run.resources.map((r) => r.name).join(', ')}`);
  return found;
}

/** How a secret input reaches the mocks: wrapped with Pulumi's secret signature. */
export function secretInput(value: unknown): Record<string, unknown> {
  return { [pulumi.runtime.specialSigKey]: pulumi.runtime.specialSecretSig, value };
}

/** Whether an output was marked secret. */
export function isSecretOutput(output: pulumi.Input<unknown>): Promise<boolean> {
  return pulumi.isSecret(pulumi.output(output));
}

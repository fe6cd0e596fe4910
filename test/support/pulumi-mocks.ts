import * as pulumi from '@pulumi/pulumi';
import { CALLER_IDENTITY_TOKEN } from '../../provider/sdk/tokens.js';
import type { TemplateContext } from '../../stacks/contract.js';

/** One resource a program registered, as the mocks saw it. */
export interface MockedResource {
  type: string;
  name: string;
  inputs: Record<string, unknown>;
}

/**
 * Installs Pulumi mocks that record every resource and answer with its inputs plus an
 * ARN, URL and id derived from its physical name (or logical name), the way the real
 * provider reports them. Mocks are process-global, hence one template per test file.
 */
function recordResources(): MockedResource[] {
  const resources: MockedResource[] = [];
  pulumi.runtime.setMocks(
    {
      newResource(args) {
        const inputs = args.inputs as Record<string, unknown>;
        resources.push({ type: args.type, name: args.name, inputs });
        const named = [inputs.name, inputs.bucket, inputs.roleName].find((v) => typeof v === 'string');
        const physical = typeof named === 'string' ? named : args.name;
        const service = args.type.split(':')[1]?.split('/')[0] ?? 'mock';
        const arn = `arn:aws:${service}:us-east-1:000000000000:${physical}`;
        return { id: physical, state: { ...inputs, arn, url: `https://mock/${physical}`, keyId: `${physical}-key` } };
      },
      call(args) {
        // The provider's caller identity, in the account the mocked ARNs use.
        if (args.token === CALLER_IDENTITY_TOKEN)
          return { accountId: '000000000000', arn: 'arn:aws:iam::000000000000:user/mock', partition: 'aws' };
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
export function valueOf<T>(output: pulumi.Input<T>): Promise<T> {
  return new Promise((resolve) => {
    pulumi.output(output).apply((v) => {
      resolve(v as T);
      return v;
    });
  });
}

/** What a program returned and registered under mocks. */
export interface ProgramRun {
  /** Outputs, unwrapped. */
  outputs: Record<string, unknown>;
  /** The outputs as returned, to inspect secretness. */
  raw: Record<string, pulumi.Input<unknown>>;
  resources: MockedResource[];
}

/**
 * Runs a program under fresh mocks and waits until every registration it started has
 * reached the mocks (disconnect drains Pulumi's RPC queue), including resources whose
 * inputs wait on other resources' outputs.
 */
export async function runProgram(program: () => Record<string, pulumi.Input<unknown>>): Promise<ProgramRun> {
  const resources = recordResources();
  const raw = program();
  const outputs = await valuesOf(raw);
  await pulumi.runtime.disconnect();
  return { outputs, raw, resources };
}

/** The resources of one type, in registration order. */
export function ofType(run: ProgramRun, type: string): MockedResource[] {
  return run.resources.filter((r) => r.type === type);
}

/** How a secret input reaches the mocks: wrapped with Pulumi's secret signature. */
export function secretInput(value: unknown): Record<string, unknown> {
  return { [pulumi.runtime.specialSigKey]: pulumi.runtime.specialSecretSig, value };
}

/** Whether an output was marked secret. */
export function isSecretOutput(output: pulumi.Input<unknown>): Promise<boolean> {
  return pulumi.isSecret(pulumi.output(output));
}

/** Every output of a program, unwrapped. */
export async function valuesOf(outputs: Record<string, pulumi.Input<unknown>>): Promise<Record<string, unknown>> {
  const entries = await Promise.all(Object.entries(outputs).map(async ([k, v]) => [k, await valueOf(v)] as const));
  return Object.fromEntries(entries);
}

/** A context as the engine builds it, for stack `stack` in environment `dev`. */
export function testContext(stack: string, dependencies: TemplateContext['dependencies'] = {}): TemplateContext {
  return {
    environment: 'dev',
    stack,
    region: 'us-east-1',
    tags: { owner: 'platform-team', environment: 'yaml-cannot-override' },
    revision: '0123456789abcdef0123456789abcdef01234567',
    dependencies,
  };
}

/** The tags every resource of {@link testContext} must carry. */
export function expectedTags(stack: string): Record<string, string> {
  return {
    owner: 'platform-team',
    environment: 'dev',
    stack,
    'managed-by': 'driftless',
    revision: '0123456789abcdef0123456789abcdef01234567',
  };
}

import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { GetParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import * as pulumi from '@pulumi/pulumi';
import type { EngineEvent, Stack } from '@pulumi/pulumi/automation/index.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { selectInlineStack } from '../../../engine/pulumi/workspace.js';
import { fileBackendLocations } from '../../../engine/toolchain/pulumi-env.js';
import { PARAMETER_TOKEN, SECRET_TOKEN } from '../../../provider/sdk/tokens.js';
import { awsTestConfig, awsTestEnv, uniqueName } from '../../support/aws.js';

const prefix = uniqueName('secret-values');
const parameterValue = `param-${prefix}-plaintext`;
const secretValue = `secret-${prefix}-plaintext`;

/**
 * Secret values (SecureString parameters, Secrets Manager values) never appear in plain
 * text in the stored state or in what the engine reports, even when a program passes them
 * in plain text to the bare resource type (no typed class wrapping them in pulumi.secret):
 * the provider marks them secret itself.
 */
/** The bare resource types, without the SDK classes' own secret marking. */
class RawResource extends pulumi.CustomResource {}

describe('driftless-aws secret values', () => {
  let dir: string;
  let stack: Stack;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'driftless-secret-values-'));
    stack = await selectInlineStack({
      projectName: 'secret-values',
      stackName: 'e2e',
      program: async () => {
        const param = new RawResource(PARAMETER_TOKEN, 'db-url', {
          name: `/${prefix}/db-url`,
          type: 'SecureString',
          value: parameterValue,
          arn: undefined,
        });
        const secret = new RawResource(SECRET_TOKEN, 'db-password', {
          name: `${prefix}/db-password`,
          secretString: secretValue,
          arn: undefined,
        });
        return { parameterArn: param.id, secretArn: secret.id };
      },
      locations: fileBackendLocations(join(dir, 'state')),
      workDir: join(dir, 'work'),
      envVars: awsTestEnv(),
    });
  });

  afterAll(async () => {
    if (stack && (await stack.exportStack()).deployment?.resources?.length) await stack.destroy();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('stores and prints them only as secrets, while AWS holds the real values', async () => {
    const events: EngineEvent[] = [];
    const r = await stack.up({ onEvent: (e) => events.push(e) });
    expect(r.summary.result).toBe('succeeded');

    // The state file as stored (`exportStack` would decrypt it), and everything the engine
    // reports short of debug diagnostics (Pulumi's Node runtime logs raw RPC payloads there).
    const stateFile = readFileSync(join(dir, 'state', 'backend', '.pulumi', 'stacks', 'secret-values', 'e2e.json'), 'utf8');
    expect(stateFile).toContain('ciphertext');
    // Pulumi's type omits 'debug', but the engine sends it.
    const reported = events.filter((e) => (e.diagnosticEvent?.severity as string | undefined) !== 'debug');
    const seen = JSON.stringify({ stateFile, reported, stdout: r.stdout, stderr: r.stderr });
    expect(seen).not.toContain(parameterValue);
    expect(seen).not.toContain(secretValue);

    const live = await new SSMClient(awsTestConfig()).send(new GetParameterCommand({ Name: `/${prefix}/db-url`, WithDecryption: true }));
    expect(live.Parameter?.Value).toBe(parameterValue);
    const arn = String(r.outputs.secretArn?.value);
    const value = await new SecretsManagerClient(awsTestConfig()).send(new GetSecretValueCommand({ SecretId: arn }));
    expect(value.SecretString).toBe(secretValue);

    expect((await stack.destroy()).summary.result).toBe('succeeded');
  });
});

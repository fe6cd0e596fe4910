import { readFileSync, readdirSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CreateAliasCommand, CreateKeyCommand, KMSClient } from '@aws-sdk/client-kms';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { awsTestConfig, uniqueName } from '../../support/aws.js';
import { runDriftless } from '../../support/cli.js';
import { tempDir } from '../../support/temp.js';

/** An environment whose Pulumi secrets are encrypted with a KMS key instead of a passphrase. */
describe('KMS secrets provider', () => {
  const root = tempDir('kms-secrets');
  const env = uniqueName('kms').replace(/-/g, '');
  const alias = `alias/${env}-state`;
  const secretValue = `kms-protected-${env}`;
  const cli = (...args: string[]) =>
    runDriftless(args, {
      cwd: root,
      env: {
        DRIFTLESS_AWS_ENDPOINT: inject('awsEndpoint'),
        DRIFTLESS_STATE_DIR: join(root, 'ds'),
        KMS_E2E_TOKEN: secretValue,
        DRIFTLESS_LOG_LEVEL: 'warn',
      },
    });

  beforeAll(async () => {
    const kms = new KMSClient(awsTestConfig());
    const key = await kms.send(new CreateKeyCommand({}));
    await kms.send(new CreateAliasCommand({ AliasName: alias, TargetKeyId: key.KeyMetadata?.KeyId }));
    const dir = join(root, 'environments', env);
    mkdirSync(dir, { recursive: true });
    writeFileSync(
      join(dir, 'environment.yaml'),
      `apiVersion: driftless/v1\nkind: Environment\nmetadata: { name: ${env} }\nspec:\n  deployBranch: main\n  backend: file://state/${env}\n  secretsProvider: awskms://${alias}?region=us-east-1&endpoint=${inject('awsEndpoint')}\n  aws: { region: us-east-1 }\n`,
    );
    writeFileSync(
      join(dir, 'app.yaml'),
      `apiVersion: driftless/v1\nkind: Stack\nmetadata: { name: app }\nspec:\n  template: config\n  params:\n    secrets:\n      - name: ${env}/token\n        fromEnv: KMS_E2E_TOKEN\n`,
    );
  });
  afterAll(async () => {
    await cli('destroy', '--env', env, '--stack', 'app', '--yes');
  });

  it('applies with state encrypted by the KMS key, the secret never in plain text', async () => {
    const up = await cli('up', '--env', env);
    expect(up.code, up.stderr).toBe(0);
    expect(up.stdout + up.stderr).not.toContain(secretValue);
    const stacksDir = join(root, 'state', env, '.pulumi', 'stacks', 'driftless');
    const checkpoint = readFileSync(join(stacksDir, readdirSync(stacksDir).find((f) => f.endsWith('.json')) ?? ''), 'utf8');
    expect(checkpoint).toContain(`"url":"awskms://${alias}`);
    expect(checkpoint).not.toContain(secretValue);
  });
});

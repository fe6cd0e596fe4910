import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { GetSecretValueCommand, SecretsManagerClient, DescribeSecretCommand } from '@aws-sdk/client-secrets-manager';
import { GetParameterCommand, ListTagsForResourceCommand, SSMClient } from '@aws-sdk/client-ssm';
import { afterEach, describe, expect, it } from 'vitest';
import { awsTestConfig, uniqueName } from '../../support/aws.js';
import { expectedTemplateTags, expectStableThenDestroy, tagMap, templateStack } from '../../support/template-e2e.js';

/** Every file under a folder, as text. */
function allText(dir: string): string {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => readFileSync(join(e.parentPath, e.name), 'utf8'))
    .join('\n');
}

describe('config template on LocalStack', () => {
  afterEach(() => {
    delete process.env.E2E_ORDERS_API_TOKEN;
    delete process.env.E2E_ORDERS_DB_PASSWORD;
  });

  it('creates parameters and a secret from YAML with secret values from the environment, never plain in state', async () => {
    const ssm = new SSMClient(awsTestConfig());
    const secrets = new SecretsManagerClient(awsTestConfig());
    const environment = uniqueName('e2e');
    const token = `tok-${uniqueName('v')}`;
    const password = `pw-${uniqueName('v')}`;
    process.env.E2E_ORDERS_API_TOKEN = token;
    process.env.E2E_ORDERS_DB_PASSWORD = password;
    const yaml = `apiVersion: driftless/v1
kind: Stack
metadata: { name: app-config }
spec:
  template: config
  params:
    parameters:
      - name: /${environment}/log-level
        value: debug
      - name: /${environment}/regions
        type: StringList
        values: [us-east-1, eu-west-1]
      - name: /${environment}/api-token
        type: SecureString
        fromEnv: E2E_ORDERS_API_TOKEN
    secrets:
      - name: ${environment}/db-password
        fromEnv: E2E_ORDERS_DB_PASSWORD
        description: database password
`;
    const t = await templateStack({ name: 'app-config', environment, documents: { 'app-config': yaml } });

    const { backendDir } = t;
    const up = t.lastUp;
    expect(up.changes.create).toBeGreaterThan(0);
    const parameterArns = up.outputs.parameterArns as Record<string, string>;
    const secretArns = up.outputs.secretArns as Record<string, string>;
    expect(Object.keys(parameterArns).sort()).toEqual([
      `/${environment}/api-token`,
      `/${environment}/log-level`,
      `/${environment}/regions`,
    ]);

    const get = async (name: string) => (await ssm.send(new GetParameterCommand({ Name: name, WithDecryption: true }))).Parameter!;
    expect(await get(`/${environment}/log-level`)).toMatchObject({
      Type: 'String',
      Value: 'debug',
      ARN: parameterArns[`/${environment}/log-level`],
    });
    expect(await get(`/${environment}/regions`)).toMatchObject({ Type: 'StringList', Value: 'us-east-1,eu-west-1' });
    expect(await get(`/${environment}/api-token`)).toMatchObject({ Type: 'SecureString', Value: token });
    const { TagList } = await ssm.send(
      new ListTagsForResourceCommand({ ResourceType: 'Parameter', ResourceId: `/${environment}/api-token` }),
    );
    expect(tagMap(TagList, 'Key', 'Value')).toEqual(expectedTemplateTags(t));
    const secretId = secretArns[`${environment}/db-password`]!;
    expect((await secrets.send(new GetSecretValueCommand({ SecretId: secretId }))).SecretString).toBe(password);
    expect((await secrets.send(new DescribeSecretCommand({ SecretId: secretId }))).Tags).toContainEqual({
      Key: 'managed-by',
      Value: 'driftless',
    });

    // Neither the CLI's output nor the state on disk holds the values in plain text.
    expect(up.stdout + up.stderr).not.toContain(token);
    expect(up.stdout + up.stderr).not.toContain(password);
    const state = allText(backendDir);
    expect(state).toContain(`${environment}/db-password`);
    expect(state).not.toContain(token);
    expect(state).not.toContain(password);

    await expectStableThenDestroy(t);
    await expect(get(`/${environment}/api-token`)).rejects.toMatchObject({ name: 'ParameterNotFound' });
    await expect(secrets.send(new GetSecretValueCommand({ SecretId: secretId }))).rejects.toMatchObject({
      name: 'ResourceNotFoundException',
    });
  });
});

import { afterEach, describe, expect, it } from 'vitest';
import { expectedTags, isSecretOutput, mockTemplate, secretInput, testContext } from '../../../sdk/testing/index.js';
import { configTemplate } from '../../../stacks/config/template.js';

const params = {
  parameters: [
    { name: '/orders/log-level', value: 'debug' },
    { name: '/orders/regions', type: 'StringList', values: ['us-east-1', 'eu-west-1'] },
    { name: '/orders/api-token', type: 'SecureString', fromEnv: 'UNIT_ORDERS_API_TOKEN' },
  ],
  secrets: [{ name: 'orders/db-password', fromEnv: 'UNIT_ORDERS_DB_PASSWORD', description: 'database password' }],
};

describe('config template (Pulumi mocks)', () => {
  afterEach(() => {
    delete process.env.UNIT_ORDERS_API_TOKEN;
    delete process.env.UNIT_ORDERS_DB_PASSWORD;
  });

  it('creates parameters and secrets named as written, secret values from the environment and kept secret', async () => {
    process.env.UNIT_ORDERS_API_TOKEN = 'tok-123';
    process.env.UNIT_ORDERS_DB_PASSWORD = 'pw-456';
    const run = await mockTemplate(configTemplate, params, { stack: 'app-config' });

    // Registration order follows when each input resolves, so look resources up by name.
    const named = new Map(run.resources.map((r) => [r.name, r]));
    expect([...named.keys()].sort()).toEqual([
      'parameter:/orders/api-token',
      'parameter:/orders/log-level',
      'parameter:/orders/regions',
      'secret:orders/db-password',
    ]);
    expect(named.get('secret:orders/db-password')!.type).toBe('driftless-aws:secretsmanager:Secret');
    const [level, regions, token, password] = [
      'parameter:/orders/log-level',
      'parameter:/orders/regions',
      'parameter:/orders/api-token',
      'secret:orders/db-password',
    ].map((n) => named.get(n));
    // Every value reaches the provider as a Pulumi secret (encrypted in state, masked in logs).
    expect(level!.inputs).toMatchObject({ name: '/orders/log-level', type: 'String', value: secretInput('debug') });
    expect(regions!.inputs).toMatchObject({ name: '/orders/regions', type: 'StringList', value: secretInput('us-east-1,eu-west-1') });
    expect(token!.inputs).toMatchObject({ name: '/orders/api-token', type: 'SecureString', value: secretInput('tok-123') });
    expect(password!.inputs).toMatchObject({
      name: 'orders/db-password',
      description: 'database password',
      secretString: secretInput('pw-456'),
    });
    for (const r of run.resources) expect(r.inputs.tags).toEqual(expectedTags('app-config'));

    expect(run.outputs).toEqual({
      parameterArns: {
        '/orders/log-level': 'arn:aws:ssm:us-east-1:000000000000:/orders/log-level',
        '/orders/regions': 'arn:aws:ssm:us-east-1:000000000000:/orders/regions',
        '/orders/api-token': 'arn:aws:ssm:us-east-1:000000000000:/orders/api-token',
      },
      secretArns: { 'orders/db-password': 'arn:aws:secretsmanager:us-east-1:000000000000:orders/db-password' },
    });
    // ARNs are not secret, so dependents can use them.
    expect(await isSecretOutput(run.raw.secretArns!)).toBe(false);
  });

  it('refuses to run without the environment variable, without printing any value', () => {
    process.env.UNIT_ORDERS_API_TOKEN = 'tok-123';
    expect(() => configTemplate.program(params, testContext('app-config'))).toThrow(
      "stack app-config: secret orders/db-password takes its value from UNIT_ORDERS_DB_PASSWORD, which is not set in the daemon's environment",
    );
  });
});
